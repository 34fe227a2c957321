package report

import (
	"context"
	"sort"
	"strings"

	"github.com/surel-id/surel/internal/chart"
	"github.com/surel-id/surel/internal/i18n"
)

// reasonRows bounds the table of reasons; the rest are added up in one row.
const reasonRows = 50

// outcomes is the report of returns to applicants and refusals in the period: per step
// how many, and the reasons given, the most frequent first (reasons are the staff's
// notes: the same words count together, whatever their case and spacing).
func (s *Service) outcomes(ctx context.Context, sc scope, r *Report) error {
	T := func(k string, a ...any) string { return i18n.T(r.Lang, k, a...) }
	list, err := s.Store.Outcomes(ctx, sc.q)
	if err != nil {
		return err
	}
	type perStep struct {
		key             string
		returns, refuse int64
	}
	steps := map[string]*perStep{}
	type reason struct {
		text, key string
		ret       bool
		n         int64
	}
	reasons := map[string]*reason{}
	var returns, refusals int64
	for _, o := range list {
		p := steps[o.Key]
		if p == nil {
			p = &perStep{key: o.Key}
			steps[o.Key] = p
		}
		norm := strings.ToLower(strings.Join(strings.Fields(o.Reason), " "))
		rk := norm + "\x00" + o.Key
		if o.Return {
			p.returns += o.N
			returns += o.N
			rk += "\x00r"
		} else {
			p.refuse += o.N
			refusals += o.N
		}
		if reasons[rk] == nil {
			reasons[rk] = &reason{text: strings.Join(strings.Fields(o.Reason), " "), key: o.Key, ret: o.Return}
		}
		reasons[rk].n += o.N
	}
	ps := make([]*perStep, 0, len(steps))
	for _, p := range steps {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		a, b := stepOrder(sc.def, ps[i].key), stepOrder(sc.def, ps[j].key)
		if a != b {
			return a < b
		}
		return ps[i].key < ps[j].key
	})
	st := Table{Name: "langkah", Title: T("report.outcomes_steps"), Columns: []Column{{Label: T("report.step"), Kind: Text},
		{Label: T("report.returns"), Kind: Count}, {Label: T("report.refusals"), Kind: Count}}}
	var labels []string
	var rv, fv []float64
	for _, p := range ps {
		name, _, _ := stepLabel(sc.def, p.key, "", r.Lang)
		st.Rows = append(st.Rows, []Value{TextV(name), CountV(p.returns), CountV(p.refuse)})
		labels, rv, fv = append(labels, name), append(rv, float64(p.returns)), append(fv, float64(p.refuse))
	}
	st.Foot = []Value{TextV(T("report.total")), CountV(returns), CountV(refusals)}

	rs := make([]*reason, 0, len(reasons))
	for _, x := range reasons {
		rs = append(rs, x)
	}
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].n != rs[j].n {
			return rs[i].n > rs[j].n
		}
		return rs[i].text < rs[j].text
	})
	rt := Table{Name: "alasan", Title: T("report.reasons"), Columns: []Column{{Label: T("report.reason"), Kind: Text},
		{Label: T("report.outcome"), Kind: Text}, {Label: T("report.step"), Kind: Text}, {Label: T("report.count"), Kind: Count}}}
	var rest int64
	for i, x := range rs {
		if i >= reasonRows {
			rest += x.n
			continue
		}
		kind := T("report.refusal")
		if x.ret {
			kind = T("report.return")
		}
		name, _, _ := stepLabel(sc.def, x.key, "", r.Lang)
		text := x.text
		if text == "" {
			text = T("report.no_reason")
		}
		rt.Rows = append(rt.Rows, []Value{TextV(text), TextV(kind), TextV(name), CountV(x.n)})
	}
	if rest > 0 {
		rt.Rows = append(rt.Rows, []Value{TextV(T("report.other_reasons")), TextV(""), TextV(""), CountV(rest)})
	}
	r.Figures = []Figure{{T("report.returns"), CountV(returns)}, {T("report.refusals"), CountV(refusals)}}
	r.Charts = []chart.Chart{{Kind: chart.Bars, Title: T("report.chart_outcomes"), Labels: labels,
		Series: []chart.Series{{Name: T("report.returns"), Values: rv}, {Name: T("report.refusals"), Values: fv}}}}
	r.Tables = []Table{st, rt}
	return nil
}
