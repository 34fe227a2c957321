package sop

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Unit is the unit of a time standard.
type Unit int

// The units. Minutes and hours are counted in working minutes; days in working days (see
// Calendar.AddWorking for the difference).
const (
	Minute Unit = iota + 1
	Hour
	Day
)

// Standard is a step's time standard as the SOP writes it: "15m", "1h", "1-3h", "1d",
// "1-4d". A range keeps both bounds for display; the deadline uses the upper one.
type Standard struct {
	Min, Max int // bounds in Unit; Min == Max when the SOP gives one figure
	Unit     Unit
}

// IsZero reports whether the standard is absent.
func (s Standard) IsZero() bool { return s.Unit == 0 }

// maxStandard bounds any figure, so a typo ("1000d") is caught rather than scheduled.
func maxStandard(u Unit) int {
	switch u {
	case Minute:
		return 60 * 24 * 7
	case Hour:
		return 24 * 7
	}
	return 90
}

// ParseStandard reads "15m", "30m", "1h", "1-3h", "1d", "1-4d": a whole number or a range
// of two, then m (minutes), h (hours) or d (working days).
func ParseStandard(s string) (Standard, error) {
	if s == "" {
		return Standard{}, errors.New("empty time standard")
	}
	var u Unit
	switch s[len(s)-1] {
	case 'm':
		u = Minute
	case 'h':
		u = Hour
	case 'd':
		u = Day
	default:
		return Standard{}, fmt.Errorf("time standard %q: want a number then m, h or d (15m, 1-3h, 1d)", s)
	}
	lo, hi, isRange := strings.Cut(s[:len(s)-1], "-")
	if !isRange {
		hi = lo
	}
	a, errA := strconv.Atoi(lo)
	b, errB := strconv.Atoi(hi)
	if errA != nil || errB != nil || lo == "" || hi == "" || lo[0] == '+' || hi[0] == '+' {
		return Standard{}, fmt.Errorf("time standard %q: want a number then m, h or d (15m, 1-3h, 1d)", s)
	}
	if a < 1 || b < a {
		return Standard{}, fmt.Errorf("time standard %q: want positive figures, the lower first", s)
	}
	if b > maxStandard(u) {
		return Standard{}, fmt.Errorf("time standard %q: more than %d%c", s, maxStandard(u), s[len(s)-1])
	}
	return Standard{Min: a, Max: b, Unit: u}, nil
}

// String gives the standard back in the form ParseStandard reads.
func (s Standard) String() string {
	if s.IsZero() {
		return ""
	}
	c := map[Unit]string{Minute: "m", Hour: "h", Day: "d"}[s.Unit]
	if s.Min == s.Max {
		return strconv.Itoa(s.Max) + c
	}
	return strconv.Itoa(s.Min) + "-" + strconv.Itoa(s.Max) + c
}

// Deadline is the working time the step may take: the upper bound.
func (s Standard) Deadline() Duration {
	switch s.Unit {
	case Minute:
		return WorkingMinutes(s.Max)
	case Hour:
		return WorkingMinutes(60 * s.Max)
	case Day:
		return WorkingDays(s.Max)
	}
	return Duration{}
}

// Text is the standard in words: "15 menit", "1–3 jam", "1 hari kerja" in Indonesian,
// "15 min", "1–3 hours", "1 working day" in English.
func (s Standard) Text(lang string) string {
	if s.IsZero() {
		return ""
	}
	n := strconv.Itoa(s.Max)
	if s.Min != s.Max {
		n = strconv.Itoa(s.Min) + "–" + n
	}
	if lang == "en" {
		one := s.Max == 1
		switch s.Unit {
		case Minute:
			return n + " min"
		case Hour:
			if one {
				return n + " hour"
			}
			return n + " hours"
		default:
			if one {
				return n + " working day"
			}
			return n + " working days"
		}
	}
	return n + map[Unit]string{Minute: " menit", Hour: " jam", Day: " hari kerja"}[s.Unit]
}

// Duration is an amount of working time: working days, then working minutes. A time
// standard gives one or the other; see Calendar.AddWorking.
type Duration struct {
	Days    int // working days
	Minutes int // working minutes
}

// WorkingMinutes is n working minutes.
func WorkingMinutes(n int) Duration { return Duration{Minutes: n} }

// WorkingDays is n working days.
func WorkingDays(n int) Duration { return Duration{Days: n} }

func (d Duration) String() string {
	switch {
	case d.Days != 0 && d.Minutes != 0:
		return fmt.Sprintf("%dd+%dm", d.Days, d.Minutes)
	case d.Days != 0:
		return fmt.Sprintf("%dd", d.Days)
	}
	return fmt.Sprintf("%dm", d.Minutes)
}
