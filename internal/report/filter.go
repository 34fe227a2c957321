package report

import (
	"net/url"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
	"github.com/surel-id/surel/internal/sop"
)

// Group is the period a time series adds up over.
type Group string

// The groupings, as the query writes them.
const (
	Day   Group = "hari"
	Week  Group = "minggu"
	Month Group = "bulan"
)

// Filter selects what a report covers: a period of whole days in the office's time
// zone, one instansi (as the requests name it) or all, one service or all, and how a
// time series groups its days.
type Filter struct {
	From, To sop.Date // both included
	Instansi string
	Service  string
	Group    Group
}

// maxDays bounds a period: ten years of days is more than any office has.
const maxDays = 3660

// ParseFilter reads a report's query: dari and sampai (YYYY-MM-DD, the current month by
// default, as of today in loc), instansi, layanan, per (hari, minggu, bulan; by default
// days for a period of up to 31 days, weeks up to 26 weeks, months beyond). Each wrong
// value is a field error naming its rule; the others keep what was typed.
func ParseFilter(q url.Values, today sop.Date) (Filter, error) {
	f := Filter{From: sop.Date{Year: today.Year, Month: today.Month, Day: 1}, To: today,
		Instansi: input.Truncate(strings.Join(strings.Fields(q.Get("instansi")), " "), 150), Service: q.Get("layanan"), Group: Group(q.Get("per"))}
	var fs errs.Fields
	for _, p := range []struct {
		name string
		to   *sop.Date
	}{{"dari", &f.From}, {"sampai", &f.To}} {
		v := strings.TrimSpace(q.Get(p.name))
		if v == "" {
			continue
		}
		d, err := sop.ParseDate(v)
		if err != nil {
			fs.Add(p.name, "date")
			continue
		}
		*p.to = d
	}
	if !fs.Has("dari") && !fs.Has("sampai") {
		switch {
		case f.To.Before(f.From):
			fs.Add("sampai", "date_order")
		case days(f.From, f.To) > maxDays:
			fs.Add("dari", "period_long")
		}
	}
	switch f.Group {
	case "":
		switch n := days(f.From, f.To); {
		case n <= 31:
			f.Group = Day
		case n <= 26*7:
			f.Group = Week
		default:
			f.Group = Month
		}
	case Day, Week, Month:
		if f.Group == Day && days(f.From, f.To) > 366 {
			fs.Add("per", "group_days")
		}
	default:
		fs.Add("per", "choose")
	}
	return f, fs.Err()
}

// days is how many days from a to b, both included.
func days(a, b sop.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours()/24) + 1
}

// Span is the period as instants: from the start of From to the start of the day after
// To, in loc.
func (f Filter) Span(loc *time.Location) (time.Time, time.Time) {
	from := time.Date(f.From.Year, f.From.Month, f.From.Day, 0, 0, 0, 0, loc)
	to := time.Date(f.To.Year, f.To.Month, f.To.Day, 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	return from.UTC(), to.UTC()
}

// Query is the filter as a report's URL query, for links to the CSV, the PDF and the
// other reports.
func (f Filter) Query() url.Values {
	q := url.Values{"dari": {f.From.String()}, "sampai": {f.To.String()}, "per": {string(f.Group)}}
	if f.Instansi != "" {
		q.Set("instansi", f.Instansi)
	}
	if f.Service != "" {
		q.Set("layanan", f.Service)
	}
	return q
}

// periodOf is the first day of the period of g that d falls in: d itself, the Monday
// of its week, or the first of its month.
func periodOf(g Group, d sop.Date) sop.Date {
	switch g {
	case Week:
		off := (int(d.Weekday()) + 6) % 7
		return d.AddDays(-off)
	case Month:
		return sop.Date{Year: d.Year, Month: d.Month, Day: 1}
	}
	return d
}

// periods lists the periods of g from From to To, each by its first day.
func (f Filter) periods() []sop.Date {
	var out []sop.Date
	for p := periodOf(f.Group, f.From); !f.To.Before(p); p = next(f.Group, p) {
		out = append(out, p)
	}
	return out
}

func next(g Group, p sop.Date) sop.Date {
	switch g {
	case Week:
		return p.AddDays(7)
	case Month:
		t := time.Date(p.Year, p.Month+1, 1, 12, 0, 0, 0, time.UTC)
		return sop.DateOf(t)
	}
	return p.AddDays(1)
}
