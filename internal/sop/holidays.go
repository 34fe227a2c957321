package sop

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

//go:embed holidays/*.csv
var holidayFiles embed.FS

// DefaultHolidays is the embedded table of Indonesia's national holidays and cuti bersama
// (2026, from the SKB 3 Menteri; see holidays/id-2026.csv for the sources and the dates
// that a later decision may move). Each call returns a fresh map the caller may edit.
func DefaultHolidays() map[Date]string {
	all := map[Date]string{}
	entries, _ := holidayFiles.ReadDir("holidays")
	for _, e := range entries {
		data, err := holidayFiles.ReadFile("holidays/" + e.Name())
		if err != nil {
			panic(err)
		}
		hs, err := ParseHolidaysCSV("holidays/"+e.Name(), bytes.NewReader(data))
		if err != nil {
			panic(fmt.Sprintf("sop: embedded %s: %v", e.Name(), err)) // caught by the tests
		}
		merge(all, HolidayMap(hs))
	}
	return all
}

func merge(dst, src map[Date]string) {
	for d, name := range src {
		if old, ok := dst[d]; ok && old != name {
			name = old + "; " + name
		}
		dst[d] = name
	}
}

// problem is one refused line of an imported holiday table, as sop.Load reports a
// definition's: the file, the line and the rule (holiday.* for the table's content,
// csv.* and ics.* for the file's syntax).
func problem(file string, line int, rule, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Column: 1, Rule: rule, Msg: fmt.Sprintf(format, args...)}
}

// icsEvent is a VEVENT as it is read, line by line.
type icsEvent struct {
	line       int
	start, end Date
	hasStart   bool
	hasEnd     bool
	days       int
	summary    string
	timed      bool
}

// holidays is the days the event makes holidays, or the problem that keeps it from
// being one: no DTSTART, a time of day, an end before the start, a bad name.
func (ev *icsEvent) holidays(file string) (map[Date]string, *Error) {
	switch {
	case !ev.hasStart:
		return nil, problem(file, ev.line, "ics.start", "event without DTSTART")
	case ev.timed:
		return nil, problem(file, ev.line, "ics.timed", "event %q has a time of day; want an all-day event (DTSTART;VALUE=DATE)", ev.summary)
	}
	n := 1
	if ev.hasEnd {
		// DTEND is exclusive; an end equal to the start is read as one day, as some
		// producers write it.
		if n = daysBetween(ev.start, ev.end); n == 0 {
			n = 1
		}
	} else if ev.days > 0 {
		n = ev.days
	}
	if n < 1 || n > 366 {
		return nil, problem(file, ev.line, "ics.range", "event %q ends before it starts", ev.summary)
	}
	summary := ev.summary
	if summary == "" {
		summary = "Libur"
	}
	summary, err := holidayName(summary)
	if err != nil {
		return nil, problem(file, ev.line, "holiday.name", "%s: %v", ev.start, err)
	}
	out := map[Date]string{}
	for i := range n {
		out[ev.start.AddDays(i)] = summary
	}
	return out, nil
}

// readICS reads the all-day events of an iCalendar file (RFC 5545) named file as
// holidays: each VEVENT's DTSTART;VALUE=DATE (or a bare 8-digit date) is a holiday named
// by its SUMMARY; a DTEND (exclusive, as the RFC says) or a DURATION of whole days/weeks
// extends it over several days. Events with a time of day are not holidays and are
// reported, as is an event without DTSTART; every problem is an *Error with its line.
// Recurrence rules are not expanded.
func readICS(file string, r io.Reader) (map[Date]string, error) {
	lines, err := unfoldICS(r)
	if err != nil {
		return nil, problem(file, 0, "text.read", "%v", err)
	}
	out := map[Date]string{}
	var errs []error
	var ev *icsEvent
	for _, l := range lines {
		name, params, value := splitICS(l.text)
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VEVENT"):
			ev = &icsEvent{line: l.n}
		case name == "END" && strings.EqualFold(value, "VEVENT") && ev != nil:
			if days, p := ev.holidays(file); p != nil {
				errs = append(errs, p)
			} else {
				merge(out, days)
			}
			ev = nil
		case ev == nil:
		default:
			if p := ev.read(file, l.n, name, params, value); p != nil {
				errs = append(errs, p)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// read takes one property line of the event.
func (ev *icsEvent) read(file string, line int, name string, params map[string]string, value string) *Error {
	switch name {
	case "DTSTART", "DTEND":
		d, timed, err := icsDate(params, value)
		if err != nil {
			return problem(file, line, "ics.date", "%s: %v", name, err)
		}
		if name == "DTSTART" {
			ev.start, ev.hasStart = d, true
			ev.timed = ev.timed || timed
		} else {
			ev.end, ev.hasEnd = d, true
		}
	case "DURATION":
		n, err := icsDays(value)
		if err != nil {
			return problem(file, line, "ics.duration", "DURATION: %v", err)
		}
		ev.days = n
	case "SUMMARY":
		ev.summary = unescapeICS(value)
	}
	return nil
}

type icsLine struct {
	n    int // line number of the first physical line
	text string
}

// unfoldICS joins continuation lines (starting with a space or a tab) to the line before.
func unfoldICS(r io.Reader) ([]icsLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	var out []icsLine
	for n := 1; sc.Scan(); n++ {
		t := strings.TrimRight(sc.Text(), "\r")
		if len(t) > 0 && (t[0] == ' ' || t[0] == '\t') && len(out) > 0 {
			out[len(out)-1].text += t[1:]
			continue
		}
		if t != "" {
			out = append(out, icsLine{n, t})
		}
	}
	return out, sc.Err()
}

// splitICS splits "NAME;P=V;Q=W:value" into the upper-cased name, the parameters and the
// value. Quoted parameter values may contain ':' and ';'.
func splitICS(l string) (name string, params map[string]string, value string) {
	inQuote := false
	colon := -1
	for i := 0; i < len(l); i++ {
		if l[i] == '"' {
			inQuote = !inQuote
		} else if l[i] == ':' && !inQuote {
			colon = i
			break
		}
	}
	if colon < 0 {
		return strings.ToUpper(l), nil, ""
	}
	head, value := l[:colon], l[colon+1:]
	parts := strings.Split(head, ";")
	params = map[string]string{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		params[strings.ToUpper(k)] = strings.Trim(v, `"`)
	}
	return strings.ToUpper(parts[0]), params, value
}

// icsDate reads a DATE (20260817) or DATE-TIME (20260817T000000Z) value; timed reports a
// time of day.
func icsDate(params map[string]string, v string) (d Date, timed bool, err error) {
	if len(v) < 8 {
		return Date{}, false, fmt.Errorf("bad date %q", v)
	}
	t, err := time.Parse("20060102", v[:8])
	if err != nil {
		return Date{}, false, fmt.Errorf("bad date %q", v)
	}
	timed = len(v) > 8 || strings.EqualFold(params["VALUE"], "DATE-TIME")
	return DateOf(t), timed, nil
}

// icsDays reads a DURATION of whole days or weeks: P1D, P2W.
func icsDays(v string) (int, error) {
	v = strings.TrimPrefix(v, "+")
	if len(v) < 3 || v[0] != 'P' {
		return 0, fmt.Errorf("want P<n>D or P<n>W, got %q", v)
	}
	n, err := strconv.Atoi(v[1 : len(v)-1])
	if err != nil || n < 1 {
		return 0, fmt.Errorf("want P<n>D or P<n>W, got %q", v)
	}
	switch v[len(v)-1] {
	case 'D':
		return n, nil
	case 'W':
		return 7 * n, nil
	}
	return 0, fmt.Errorf("want P<n>D or P<n>W, got %q", v)
}

func unescapeICS(s string) string {
	return strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, " ", `\N`, " ", `\\`, `\`).Replace(s)
}

func daysBetween(a, b Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}

// NextYearFrom is the month from which a holiday table should hold the coming year too:
// the SKB 3 Menteri for a year is signed in September or October of the year before,
// and requests entered late in the year run into the next one.
const NextYearFrom = time.October

// MissingHolidayYears lists the years a holiday table should already cover and does
// not: the year of today, and from NextYearFrom the next one. A year without a single
// holiday is taken as missing (every Indonesian year has New Year's Day). Until it is
// filled, deadlines in that year count national holidays and cuti bersama as working
// days; weekends and working hours still count right.
func MissingHolidayYears(holidays map[Date]string, today Date) []int {
	want := []int{today.Year}
	if today.Month >= NextYearFrom {
		want = append(want, today.Year+1)
	}
	var missing []int
	for _, y := range want {
		found := false
		for d := range holidays {
			if d.Year == y {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, y)
		}
	}
	return missing
}

// MissingHolidayYears is MissingHolidayYears for the calendar's table, on the date of
// now in the calendar's zone.
func (c *Calendar) MissingHolidayYears(now time.Time) []int {
	return MissingHolidayYears(c.Holidays, DateOf(now.In(c.Loc)))
}
