package sop

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Span is one stretch of working time in a day, in minutes since local midnight:
// 0 <= Start < End <= 1440. Start is the opening, End the closing.
type Span struct{ Start, End int }

func (s Span) String() string { return clock(s.Start, ":") + "-" + clock(s.End, ":") }

func clock(m int, sep string) string { return fmt.Sprintf("%02d%s%02d", m/60, sep, m%60) }

// dayNames are the keys of the hours mapping, in time.Weekday order.
var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// parseDays reads a day key of the hours mapping: "mon" or a range "mon-thu" (Monday
// first: "fri-mon" is not a range).
func parseDays(s string) ([]time.Weekday, error) {
	idx := func(n string) int {
		for i, d := range dayNames {
			if d == n {
				return i
			}
		}
		return -1
	}
	// Monday-first position: mon=0 … sun=6.
	pos := func(i int) int { return (i + 6) % 7 }
	from, to, isRange := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "-")
	if !isRange {
		to = from
	}
	a, b := idx(from), idx(to)
	if a < 0 || b < 0 {
		return nil, fmt.Errorf("unknown day %q: want mon, tue, wed, thu, fri, sat, sun or a range such as mon-thu", s)
	}
	if pos(a) > pos(b) {
		return nil, fmt.Errorf("day range %q runs backwards: write it Monday first, such as mon-thu", s)
	}
	var days []time.Weekday
	for p := pos(a); p <= pos(b); p++ {
		days = append(days, time.Weekday((p+1)%7))
	}
	return days, nil
}

// ParseSpans reads a day's working hours: "08:00-16:00", several spans separated by
// commas ("07:30-12:00, 13:00-16:00"), or "closed". Spans must be in order and must not
// overlap; "24:00" is allowed as a closing.
func ParseSpans(s string) ([]Span, error) {
	spans, _, err := parseSpans(s)
	return spans, err
}

// parseSpans is ParseSpans that also names the rule broken: hours.format, hours.order or
// hours.overlap.
func parseSpans(s string) ([]Span, string, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "closed") {
		return nil, "", nil
	}
	var spans []Span
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		a, b, ok := strings.Cut(part, "-")
		start, err1 := parseClock(strings.TrimSpace(a))
		end, err2 := parseClock(strings.TrimSpace(b))
		if !ok || err1 != nil || err2 != nil {
			return nil, "hours.format", fmt.Errorf("working hours %q: want HH:MM-HH:MM such as 08:00-16:00 (00:00 to 24:00), several separated by commas, or closed", part)
		}
		if start >= end {
			return nil, "hours.order", fmt.Errorf("working hours %q: the opening must come before the closing", part)
		}
		if n := len(spans); n > 0 && start < spans[n-1].End {
			return nil, "hours.overlap", fmt.Errorf("working hours %q: overlaps or comes before %s", part, spans[n-1])
		}
		spans = append(spans, Span{start, end})
	}
	return spans, "", nil
}

// parseClock reads "HH:MM" (two digits each) from 00:00 to 24:00.
func parseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("bad time %q", s)
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || s[0] == '+' || s[3] == '+' || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return h*60 + m, nil
}

// HoursText is the working week in words, Monday first, days with equal hours grouped:
// "Sen–Kam 08.00–16.00; Jum 08.00–11.30" in Indonesian, "Mon–Thu 08:00–16:00; Fri
// 08:00–11:30" in English. Closed days are left out.
func (d Definition) HoursText(lang string) string {
	names := [7]string{"Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"}
	sep := "."
	if lang == "en" {
		names = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
		sep = ":"
	}
	spansText := func(sp []Span) string {
		var parts []string
		for _, s := range sp {
			parts = append(parts, clock(s.Start, sep)+"–"+clock(s.End, sep))
		}
		return strings.Join(parts, ", ")
	}
	var groups []string
	for p := 0; p < 7; {
		wd := (p + 1) % 7
		text := spansText(d.Hours[wd])
		q := p + 1
		for q < 7 && spansText(d.Hours[(q+1)%7]) == text {
			q++
		}
		if text != "" {
			days := names[wd]
			if q-1 > p {
				days += "–" + names[q%7]
			}
			groups = append(groups, days+" "+text)
		}
		p = q
	}
	return strings.Join(groups, "; ")
}
