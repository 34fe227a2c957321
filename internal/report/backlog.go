package report

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/chart"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/sop"
)

// ageBuckets bound the backlog's ages in days since a step began (the last is open).
var ageBuckets = []struct {
	days int
	key  string
}{{1, "report.age_1"}, {3, "report.age_3"}, {7, "report.age_7"}, {30, "report.age_30"}, {1 << 30, "report.age_more"}}

// backlog is the backlog report, as of now (the period does not apply): the steps not
// ended, per step by how long ago they began, how many of them are past their due time,
// and how many wait for the applicant's correction.
func (s *Service) backlog(ctx context.Context, sc scope, r *Report) error {
	T := func(k string, a ...any) string { return i18n.T(r.Lang, k, a...) }
	open, err := s.Store.OpenSteps(ctx, sc.q)
	if err != nil {
		return err
	}
	now := s.now()
	type row struct {
		key, role      string
		ages           []int64
		total, overdue int64
		waiting        int64
	}
	rows := map[string]*row{}
	// Every staff step of the SOP has its row, empty or not.
	for _, x := range sc.def.Steps {
		if x.Role != sop.RolePemohon && !x.Standard.IsZero() {
			rows[x.Key+"\x00"+string(x.Role)] = &row{key: x.Key, role: string(x.Role), ages: make([]int64, len(ageBuckets))}
		}
	}
	var total, overdue, waiting int64
	oldest := time.Time{}
	for _, o := range open {
		k := o.Key + "\x00" + o.Role
		x := rows[k]
		if x == nil {
			x = &row{key: o.Key, role: o.Role, ages: make([]int64, len(ageBuckets))}
			rows[k] = x
		}
		age := int(now.Sub(o.StartedAt) / (24 * time.Hour))
		for i, b := range ageBuckets {
			if age < b.days {
				x.ages[i]++
				break
			}
		}
		x.total++
		total++
		if o.Paused {
			x.waiting++
			waiting++
		} else if !o.Due.IsZero() && now.After(o.Due) {
			x.overdue++
			overdue++
		}
		if oldest.IsZero() || o.StartedAt.Before(oldest) {
			oldest = o.StartedAt
		}
	}
	list := make([]*row, 0, len(rows))
	for _, x := range rows {
		list = append(list, x)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := stepOrder(sc.def, list[i].key), stepOrder(sc.def, list[j].key)
		if a != b {
			return a < b
		}
		return list[i].key+list[i].role < list[j].key+list[j].role
	})
	tbl := Table{Name: "antrean", Title: T("report.backlog_steps"), Columns: []Column{{Label: T("report.step"), Kind: Text}, {Label: T("report.who"), Kind: Text}}}
	for _, b := range ageBuckets {
		tbl.Columns = append(tbl.Columns, Column{Label: T(b.key), Kind: Count})
	}
	tbl.Columns = append(tbl.Columns, Column{Label: T("report.total"), Kind: Count}, Column{Label: T("report.overdue"), Kind: Count},
		Column{Label: T("report.waiting_applicant"), Kind: Count})
	series := make([]chart.Series, len(ageBuckets))
	for i, b := range ageBuckets {
		series[i].Name = T(b.key)
	}
	var labels []string
	foot := make([]int64, len(ageBuckets))
	for _, x := range list {
		name, who, _ := stepLabel(sc.def, x.key, x.role, r.Lang)
		vals := []Value{TextV(name), TextV(who)}
		for i, n := range x.ages {
			vals = append(vals, CountV(n))
			series[i].Values = append(series[i].Values, float64(n))
			foot[i] += n
		}
		tbl.Rows = append(tbl.Rows, append(vals, CountV(x.total), CountV(x.overdue), CountV(x.waiting)))
		labels = append(labels, strings.TrimSpace(name))
	}
	tbl.Foot = []Value{TextV(T("report.total")), TextV("")}
	for _, n := range foot {
		tbl.Foot = append(tbl.Foot, CountV(n))
	}
	tbl.Foot = append(tbl.Foot, CountV(total), CountV(overdue), CountV(waiting))
	r.Figures = []Figure{{T("report.open_steps"), CountV(total)}, {T("report.overdue"), CountV(overdue)}, {T("report.waiting_applicant"), CountV(waiting)}}
	if !oldest.IsZero() {
		r.Figures = append(r.Figures, Figure{T("report.oldest_days"), CountV(int64(now.Sub(oldest) / (24 * time.Hour)))})
	}
	r.Charts = []chart.Chart{{Kind: chart.Bars, Stacked: true, Title: T("report.chart_backlog"), Labels: labels, Series: series}}
	r.Tables = []Table{tbl}
	r.Notes = append(r.Notes, T("report.note_backlog"))
	return nil
}
