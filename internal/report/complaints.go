package report

import (
	"context"
	"fmt"

	"github.com/surel-id/surel/internal/chart"
	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/sop"
)

// complaints is the complaints' report (pengaduan): the complaints filed in the period by
// category and status; the working days to the first answer and to the close (median
// and 90th percentile) on the office's calendar, as stored when they happened; and the
// share closed within each category's time standard. The instansi and service filters do
// not apply: a complaint names neither.
func (s *Service) complaints(ctx context.Context, sc scope, r *Report) error {
	T := func(k string, a ...any) string { return i18n.T(r.Lang, k, a...) }
	cs, err := s.Store.ComplaintsFiled(ctx, sc.t.ID, sc.q.From, sc.q.To)
	if err != nil {
		return err
	}
	now := s.now()
	all := complaint.Summarize(cs, now)
	q := func(xs []float64, p float64) Value {
		v, ok := complaint.Quantile(xs, p)
		return Value{Kind: Decimal, N: v, Missing: !ok}
	}
	r.Figures = []Figure{
		{T("report.adu_filed"), CountV(int64(all.Filed))}, {T("report.adu_answered"), CountV(int64(all.Answered))},
		{T("report.adu_closed"), CountV(int64(all.Closed))}, {T("report.adu_overdue"), CountV(int64(all.Overdue))},
		{T("report.adu_in_time"), PercentV(int64(all.InTime), int64(all.Closed))},
		{T("report.adu_answer_median"), q(all.AnswerDays, 0.5)}, {T("report.adu_answer_p90"), q(all.AnswerDays, 0.9)},
		{T("report.adu_close_median"), q(all.CloseDays, 0.5)}, {T("report.adu_close_p90"), q(all.CloseDays, 0.9)},
	}

	byCat := map[string][]complaint.Complaint{}
	for _, c := range cs {
		byCat[c.Category] = append(byCat[c.Category], c)
	}
	cat := Table{Name: "kategori", Title: T("report.adu_by_category"), Columns: []Column{{Label: T("report.adu_category"), Kind: Text},
		{Label: T("report.adu_standard"), Kind: Text}, {Label: T("report.adu_filed"), Kind: Count}, {Label: T("report.adu_answered"), Kind: Count},
		{Label: T("report.adu_closed"), Kind: Count}, {Label: T("report.adu_in_time"), Kind: Percent, Unit: "%"},
		{Label: T("report.adu_answer_median"), Kind: Decimal}, {Label: T("report.adu_close_median"), Kind: Decimal},
		{Label: T("report.adu_close_p90"), Kind: Decimal}}}
	var labels []string
	var filed, closed []float64
	for _, k := range complaint.Categories {
		g := complaint.Summarize(byCat[k.Key], now)
		name := T("complaint.cat." + k.Key)
		cat.Rows = append(cat.Rows, []Value{TextV(name), TextV(standards(byCat[k.Key], r.Lang)), CountV(int64(g.Filed)), CountV(int64(g.Answered)),
			CountV(int64(g.Closed)), PercentV(int64(g.InTime), int64(g.Closed)), q(g.AnswerDays, 0.5), q(g.CloseDays, 0.5), q(g.CloseDays, 0.9)})
		labels = append(labels, name)
		filed, closed = append(filed, float64(g.Filed)), append(closed, float64(g.Closed))
	}
	cat.Foot = []Value{TextV(T("report.total")), TextV(""), CountV(int64(all.Filed)), CountV(int64(all.Answered)), CountV(int64(all.Closed)),
		PercentV(int64(all.InTime), int64(all.Closed)), q(all.AnswerDays, 0.5), q(all.CloseDays, 0.5), q(all.CloseDays, 0.9)}

	st := Table{Name: "status", Title: T("report.adu_by_status"), Columns: []Column{{Label: T("report.status"), Kind: Text},
		{Label: T("report.count"), Kind: Count}, {Label: T("report.share"), Kind: Percent, Unit: "%"}}}
	for _, x := range complaint.Statuses {
		st.Rows = append(st.Rows, []Value{TextV(T("complaint.status." + string(x))), CountV(int64(all.ByStatus[x])),
			PercentV(int64(all.ByStatus[x]), int64(all.Filed))})
	}

	byPeriod := map[sop.Date][2]int64{}
	for _, c := range cs {
		p := periodOf(sc.f.Group, sop.DateOf(c.CreatedAt.In(sc.cal.Loc)))
		n := byPeriod[p]
		n[0]++
		if c.Status == complaint.Closed {
			n[1]++
		}
		byPeriod[p] = n
	}
	per := Table{Name: "periode", Title: T("report.adu_by_period"), Columns: []Column{{Label: T("report.period"), Kind: Text},
		{Label: T("report.adu_filed"), Kind: Count}, {Label: T("report.adu_closed_of"), Kind: Count}}}
	var plabels []string
	var pf, pc []float64
	for _, p := range sc.f.periods() {
		n := byPeriod[p]
		per.Rows = append(per.Rows, []Value{TextV(periodLabel(sc.f.Group, p, r.Lang)), CountV(n[0]), CountV(n[1])})
		plabels = append(plabels, periodLabel(sc.f.Group, p, r.Lang))
		pf, pc = append(pf, float64(n[0])), append(pc, float64(n[1]))
	}
	r.Charts = []chart.Chart{
		{Kind: chart.Bars, Title: T("report.adu_chart_category"), Labels: labels,
			Series: []chart.Series{{Name: T("report.adu_filed"), Values: filed}, {Name: T("report.adu_closed"), Values: closed}}},
		{Kind: chart.Columns, Title: T("report.adu_chart_period"), Labels: plabels,
			Series: []chart.Series{{Name: T("report.adu_filed"), Values: pf}, {Name: T("report.adu_closed_of"), Values: pc}}},
	}
	r.Tables = []Table{cat, st, per}
	r.Notes = append(r.Notes, T("report.adu_note"))
	return nil
}

// standards is the time standard of a category's complaints in words: the one they were
// filed under, or its range when the tenant changed it within the period; "–" for none.
func standards(cs []complaint.Complaint, lang string) string {
	if len(cs) == 0 {
		return "–"
	}
	lo, hi := cs[0].StandardDays, cs[0].StandardDays
	for _, c := range cs {
		lo, hi = min(lo, c.StandardDays), max(hi, c.StandardDays)
	}
	s := sop.Standard{Min: lo, Max: hi, Unit: sop.Day}.Text(lang)
	if s == "" {
		return fmt.Sprint(hi)
	}
	return s
}
