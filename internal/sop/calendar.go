package sop

import (
	"fmt"
	"time"
)

// Date is a civil date (no time, no zone): the key of the holiday table.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// AddDays is the date n days later (earlier if n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// Calendar is an office's working calendar: its time zone, its working hours per weekday
// and its holidays (national holidays and cuti bersama, as an editable table). SLA time
// is counted only inside working hours on working days.
//
// Zones with daylight saving time are refused by Load (rule time_zone.dst): the
// Indonesian zones have none, and a wall-clock opening hour that repeats or vanishes
// would make "working minutes" ambiguous. The arithmetic below works on wall-clock times
// and stays correct in such a zone only while no transition falls inside working hours.
type Calendar struct {
	Loc      *time.Location
	Hours    [7][]Span // by time.Weekday; spans in order, not overlapping
	Holidays map[Date]string
}

// searchDays bounds every walk through the calendar: a calendar without a single
// working minute in ten years is broken, and the walk stops there instead of looping.
const searchDays = 3660

// IsWorkingDay reports whether d has working hours and is not a holiday.
func (c *Calendar) IsWorkingDay(d Date) bool { return len(c.spans(d)) > 0 }

func (c *Calendar) spans(d Date) []Span {
	if _, ok := c.Holidays[d]; ok {
		return nil
	}
	return c.Hours[d.Weekday()]
}

// at is the instant of minute m (0…1440) of date d.
func (c *Calendar) at(d Date, m int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, m, 0, 0, c.Loc)
}

// AddWorking is the due time of work of length d begun at start.
//
// Working minutes (the m and h standards): only minutes inside working hours count. Work
// begun outside working hours — before opening, after closing, on a weekend or a holiday —
// begins at the next opening. The result lies inside working hours or exactly at a
// closing: 1h from Friday 11:00 in Kaltim (Fri 08:00–11:30) is Monday 08:30; 30m from
// Friday 11:00 is Friday 11:30, not Monday 08:00.
//
// Working days (the d standards): work begun outside working hours first moves to the
// next opening, as above. The due time is then the same wall-clock time n working days
// later — 1 day from Monday 10:00 is Tuesday 10:00, from Friday 10:00 is Monday 10:00 —
// clamped down to the latest working instant of that day not after that clock time: if
// the target day has closed by then, its closing (1 day from Thursday 15:00 in Kaltim is
// Friday 11:30); if the target day has not opened yet (the clock time is at or before
// its opening), the closing of the working day before, which is the same instant in
// working time. So 1 day from a Saturday, or from Monday 08:00, is Monday 16:00: the
// whole of Monday. A day is thus a calendar notion, not a fixed number of minutes; a
// holiday or a weekend is skipped whole.
//
// A Duration with both parts adds the days first, then the minutes. Zero or negative
// parts count as zero; a zero Duration gives start, or the next opening if start is
// outside working hours.
func (c *Calendar) AddWorking(start time.Time, d Duration) time.Time {
	t := start.In(c.Loc)
	if d.Days > 0 {
		t = c.addDays(t, d.Days)
		if d.Minutes <= 0 {
			return t
		}
	}
	return c.addTime(t, time.Duration(max(d.Minutes, 0))*time.Minute)
}

// addTime adds r of working time to t (in c.Loc).
func (c *Calendar) addTime(t time.Time, r time.Duration) time.Time {
	day := DateOf(t)
	for range searchDays {
		for _, sp := range c.spans(day) {
			open, close := c.at(day, sp.Start), c.at(day, sp.End)
			if !t.Before(close) {
				continue
			}
			s := t
			if s.Before(open) {
				s = open
			}
			if avail := close.Sub(s); r <= avail {
				return s.Add(r)
			} else {
				r -= avail
			}
			t = close
		}
		day = day.AddDays(1)
	}
	return t
}

// addDays implements the working-day rule of AddWorking.
func (c *Calendar) addDays(t time.Time, n int) time.Time {
	s := c.addTime(t, 0) // inside working hours, or the next opening
	from := DateOf(s)
	tod := s.Sub(c.at(from, 0))
	target := from
	for i := 0; n > 0 && i < searchDays; i++ {
		target = target.AddDays(1)
		if c.IsWorkingDay(target) {
			n--
		}
	}
	sp := c.spans(target)
	for i := len(sp) - 1; i >= 0; i-- {
		if tod > time.Duration(sp[i].Start)*time.Minute {
			if tod <= time.Duration(sp[i].End)*time.Minute {
				return c.at(target, 0).Add(tod)
			}
			return c.at(target, sp[i].End)
		}
	}
	// Not open yet at that clock time: the closing of the working day before, which is
	// at latest the day work began.
	for d := target.AddDays(-1); !d.Before(from); d = d.AddDays(-1) {
		if sp := c.spans(d); len(sp) > 0 {
			return c.at(d, sp[len(sp)-1].End)
		}
	}
	return s
}

// WorkingBetween is the working time from a to b: the minutes of [a, b] inside working
// hours on working days. It is zero when b is not after a.
func (c *Calendar) WorkingBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	a, b = a.In(c.Loc), b.In(c.Loc)
	var total time.Duration
	last := DateOf(b)
	for day := DateOf(a); !last.Before(day); day = day.AddDays(1) {
		for _, sp := range c.spans(day) {
			lo, hi := c.at(day, sp.Start), c.at(day, sp.End)
			if a.After(lo) {
				lo = a
			}
			if b.Before(hi) {
				hi = b
			}
			if hi.After(lo) {
				total += hi.Sub(lo)
			}
		}
	}
	return total
}

// InHours reports whether t lies inside working hours, closings included.
func (c *Calendar) InHours(t time.Time) bool {
	t = t.In(c.Loc)
	day := DateOf(t)
	for _, sp := range c.spans(day) {
		if !t.Before(c.at(day, sp.Start)) && !t.After(c.at(day, sp.End)) {
			return true
		}
	}
	return false
}

// The SLA verdicts of a step, as stored and shown ("In SLA" / over).
const (
	VerdictIn   = "in"
	VerdictOver = "over"
)

// Verdict is VerdictIn when the step finished by its due time (at the due time counts as
// in), VerdictOver otherwise. For a step still running, pass the current time as finished.
func Verdict(due, finished time.Time) string {
	if finished.After(due) {
		return VerdictOver
	}
	return VerdictIn
}

// Clock is the SLA clock of one step. It runs from the moment the step is entered and
// stops while the request waits for the applicant (returned for correction): the
// working time left at the pause is added again from the resumption.
type Clock struct {
	Due      time.Time // the due time; later after each pause
	PausedAt time.Time // zero while running
}

// Paused reports whether the clock is stopped.
func (k Clock) Paused() bool { return !k.PausedAt.IsZero() }

// Start is the clock of a step entered at entered with the given standard.
func (c *Calendar) Start(entered time.Time, s Standard) Clock {
	return Clock{Due: c.AddWorking(entered, s.Deadline())}
}

// Pause stops the clock at at; pausing a stopped clock changes nothing.
func (c *Calendar) Pause(k Clock, at time.Time) Clock {
	if !k.Paused() {
		k.PausedAt = at
	}
	return k
}

// Resume restarts a stopped clock at at, moving the due time by Reschedule; resuming a
// running clock changes nothing.
func (c *Calendar) Resume(k Clock, at time.Time) Clock {
	if k.Paused() {
		k.Due = c.Reschedule(k.Due, k.PausedAt, at)
		k.PausedAt = time.Time{}
	}
	return k
}

// Reschedule is the due time after a pause from pausedAt to resumedAt:
// AddWorking(resumedAt, working time left at the pause). A step already over its due time
// when paused keeps that due time: the pause does not forgive the lateness.
func (c *Calendar) Reschedule(due, pausedAt, resumedAt time.Time) time.Time {
	if !pausedAt.Before(due) {
		return due
	}
	if resumedAt.Before(pausedAt) {
		resumedAt = pausedAt
	}
	return c.addTime(resumedAt.In(c.Loc), c.WorkingBetween(pausedAt, due))
}
