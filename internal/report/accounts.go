package report

import (
	"context"

	"github.com/surel-id/surel/internal/chart"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/sop"
)

// byInstansiRows bounds the table of accounts per instansi on a page and in a PDF; the
// CSV of the accounts lists every one.
const byInstansiRows = 100

// accounts is the accounts report: per period the mailboxes made (and adopted from the
// server), deactivated and reactivated, and the active ones at its end; per instansi,
// unit and kind the mailboxes made.
func (s *Service) accounts(ctx context.Context, sc scope, r *Report) error {
	T := func(k string, a ...any) string { return i18n.T(r.Lang, k, a...) }
	days, err := s.Store.AccountDays(ctx, sc.q)
	if err != nil {
		return err
	}
	in, out, err := s.Store.AccountsBefore(ctx, sc.q)
	if err != nil {
		return err
	}
	periods := sc.f.periods()
	idx := map[sop.Date]int{}
	for i, p := range periods {
		idx[p] = i
	}
	sums := make([]DayCount, len(periods))
	var total DayCount
	for _, d := range days {
		i, ok := idx[periodOf(sc.f.Group, sop.DateOfNum(d.Day))]
		if !ok {
			continue
		}
		sums[i].Created += d.Created
		sums[i].Adopted += d.Adopted
		sums[i].Deactivated += d.Deactivated
		sums[i].Reactivated += d.Reactivated
		total.Created += d.Created
		total.Adopted += d.Adopted
		total.Deactivated += d.Deactivated
		total.Reactivated += d.Reactivated
	}
	start := in - out
	active := start
	tbl := Table{Name: "periode", Title: T("report.accounts_by_period"), Columns: []Column{
		{Label: T("report.period"), Kind: Date}, {Label: T("report.created"), Kind: Count}, {Label: T("report.adopted"), Kind: Count},
		{Label: T("report.deactivated"), Kind: Count}, {Label: T("report.reactivated"), Kind: Count}, {Label: T("report.net"), Kind: Count},
		{Label: T("report.active_end"), Kind: Count}}}
	labels := make([]string, len(periods))
	made, gone, actives := make([]float64, len(periods)), make([]float64, len(periods)), make([]float64, len(periods))
	for i, p := range periods {
		c := sums[i]
		net := c.Created + c.Adopted + c.Reactivated - c.Deactivated
		active += net
		labels[i] = periodLabel(sc.f.Group, p, r.Lang)
		made[i], gone[i], actives[i] = float64(c.Created+c.Adopted), float64(c.Deactivated), float64(active)
		tbl.Rows = append(tbl.Rows, []Value{DateV(p.String()), CountV(c.Created), CountV(c.Adopted), CountV(c.Deactivated), CountV(c.Reactivated),
			CountV(net), CountV(active)})
	}
	net := active - start
	tbl.Foot = []Value{TextV(T("report.total")), CountV(total.Created), CountV(total.Adopted), CountV(total.Deactivated), CountV(total.Reactivated),
		CountV(net), CountV(active)}
	r.Figures = []Figure{{T("report.active_end"), CountV(active)}, {T("report.created"), CountV(total.Created + total.Adopted)},
		{T("report.deactivated"), CountV(total.Deactivated)}, {T("report.growth"), PercentV(net, max(start, 0))}}
	if start <= 0 {
		r.Figures[3].Value = Value{Kind: Percent, Missing: true}
	}
	r.Charts = append(r.Charts,
		chart.Chart{Kind: chart.Columns, Title: T("report.chart_accounts"), Labels: labels, Unit: T("report.unit_accounts"),
			Series: []chart.Series{{Name: T("report.created"), Values: made}, {Name: T("report.deactivated"), Values: gone}}},
		chart.Chart{Kind: chart.Lines, Title: T("report.chart_active"), Labels: labels, Unit: T("report.unit_accounts"),
			Series: []chart.Series{{Name: T("report.active_end"), Values: actives}}})
	r.Tables = append(r.Tables, tbl)

	byInst, err := s.Store.AccountsByInstansi(ctx, sc.q, byInstansiRows)
	if err != nil {
		return err
	}
	it := Table{Name: "instansi", Title: T("report.accounts_by_instansi"), Columns: []Column{{Label: T("field.instansi"), Kind: Text},
		{Label: T("field.satuan_kerja"), Kind: Text}, {Label: T("report.kind"), Kind: Text}, {Label: T("report.created"), Kind: Count}}}
	for _, c := range byInst {
		inst := c.Instansi
		if inst == "" {
			inst = T("report.no_instansi")
		}
		it.Rows = append(it.Rows, []Value{TextV(inst), TextV(c.Unit), TextV(T("registry.kind." + c.Kind)), CountV(c.N)})
	}
	r.Tables = append(r.Tables, it)
	if len(byInst) == byInstansiRows {
		r.Notes = append(r.Notes, T("report.note_top", byInstansiRows))
	}
	r.Notes = append(r.Notes, T("report.note_accounts"))
	return nil
}
