package report

import (
	"context"
	"fmt"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/sop"
)

// Measure is how the SOP as a whole was kept over the last Days days up to today, in the
// office's zone: the requests closed, the share of them closed within the time standard
// and their median working time. It is what the public service standard shows next to
// its promise, so it needs no staff member.
type Measure struct {
	Days   int   `json:"days"`
	Closed int64 `json:"closed"`
	// InSLA is a Percent, Median a Minutes value; each Missing when nothing closed.
	InSLA  Value `json:"-"`
	Median Value `json:"-"`
}

// Measured is the SOP's Measure of tenant t over each of days (30, 90).
func (s *Service) Measured(ctx context.Context, t account.Tenant, days ...int) ([]Measure, error) {
	_, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return nil, err
	}
	today := sop.DateOf(s.now().In(cal.Loc))
	out := make([]Measure, 0, len(days))
	for _, n := range days {
		f := Filter{From: today.AddDays(1 - n), To: today}
		from, to := f.Span(cal.Loc)
		counts, err := s.Store.StepCounts(ctx, Query{TenantID: t.ID, From: from, To: to, FromDay: f.From.Num(), ToDay: f.To.Num(), Loc: cal.Loc})
		if err != nil {
			return nil, fmt.Errorf("measured: %w", err)
		}
		whole := &stepStat{h: histogram{}}
		for _, c := range counts {
			if c.Key != WholeSOP {
				continue
			}
			whole.n += c.N
			whole.in += c.InSLA
			b := -1
			if c.Minutes >= 0 {
				b = workBucket(c.Minutes)
			}
			whole.h[b] += c.N
		}
		med, ok := whole.h.quantile(0.5)
		out = append(out, Measure{Days: n, Closed: whole.n, InSLA: PercentV(whole.in, whole.n), Median: MinutesV(med, ok)})
	}
	return out, nil
}
