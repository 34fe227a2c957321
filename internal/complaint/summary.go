package complaint

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/surel-id/surel/internal/account"
)

// Counts are how many complaints of a group were filed, answered (first answer given,
// closed ones included) and closed, and how many of the closed closed within their time
// standard.
type Counts struct {
	Filed, Answered, Closed, InTime int
	// Overdue are open ones past their due time now.
	Overdue int
}

// Summary is a set of complaints' figures: the counts in all, per category and per
// status, and the working days to the first answer and to the close.
type Summary struct {
	Counts
	ByCategory map[string]*Counts
	ByStatus   map[Status]int
	// AnswerDays and CloseDays are the working days to each first answer and close.
	AnswerDays, CloseDays []float64
}

// Summarize adds up cs as of now.
func Summarize(cs []Complaint, now time.Time) Summary {
	s := Summary{ByCategory: map[string]*Counts{}, ByStatus: map[Status]int{}}
	for _, c := range Categories {
		s.ByCategory[c.Key] = &Counts{}
	}
	for _, c := range cs {
		g := s.ByCategory[c.Category]
		if g == nil {
			g = &Counts{}
			s.ByCategory[c.Category] = g
		}
		s.ByStatus[c.Status]++
		for _, x := range []*Counts{&s.Counts, g} {
			x.Filed++
			if !c.AnsweredAt.IsZero() {
				x.Answered++
			}
			if c.Status == Closed {
				x.Closed++
				if c.ClosedInTime {
					x.InTime++
				}
			} else if now.After(c.Due) {
				x.Overdue++
			}
		}
		if !c.AnsweredAt.IsZero() {
			s.AnswerDays = append(s.AnswerDays, float64(c.AnswerDays)/100)
		}
		if c.Status == Closed {
			s.CloseDays = append(s.CloseDays, float64(c.CloseDays)/100)
		}
	}
	return s
}

// Quantile is the value below which a share p of xs lie (nearest rank); false for none.
func Quantile(xs []float64, p float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	v := append([]float64(nil), xs...)
	sort.Float64s(v)
	i := int(math.Ceil(p*float64(len(v)))) - 1
	return v[max(i, 0)], true
}

// Recent is tenant t's complaints filed over the last days days, summarized now.
func (s *Service) Recent(ctx context.Context, t account.Tenant, days int) (Summary, error) {
	now := s.now()
	cs, err := s.Store.ComplaintsFiled(ctx, t.ID, now.AddDate(0, 0, -days), now.Add(time.Second))
	if err != nil {
		return Summary{}, err
	}
	return Summarize(cs, now), nil
}
