package report

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/surel-id/surel/internal/chart"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/survey"
)

// maxSuggestions bounds the suggestions a report lists.
const maxSuggestions = 200

// survey is the Survei Kepuasan Masyarakat's report (PermenPANRB 14/2017): the IKM of
// the period with its grade and label, the respondents against the regulation's minimum
// sample for the requests that ended in the period, each element's average (NRR) and
// weighted average, the IKM per service and per period, the respondents' profile and
// their suggestions (month and service only: an answer never names its applicant).
func (s *Service) survey(ctx context.Context, sc scope, r *Report) error {
	T := func(k string, a ...any) string { return i18n.T(r.Lang, k, a...) }
	rows, err := s.Store.SurveyRows(ctx, sc.t.ID, sc.q.FromDay, sc.q.ToDay, sc.q.Service)
	if err != nil {
		return err
	}
	var all survey.Totals
	byService := map[string]*survey.Totals{}
	byPeriod := map[sop.Date]*survey.Totals{}
	for _, x := range rows {
		add(&all, x.Totals)
		if byService[x.Service] == nil {
			byService[x.Service] = &survey.Totals{}
		}
		add(byService[x.Service], x.Totals)
		p := periodOf(sc.f.Group, sop.DateOfNum(x.Day))
		if byPeriod[p] == nil {
			byPeriod[p] = &survey.Totals{}
		}
		add(byPeriod[p], x.Totals)
	}
	// The population is the requests that ended in the period (the service's users).
	steps, err := s.Store.StepCounts(ctx, Query{TenantID: sc.q.TenantID, From: sc.q.From, To: sc.q.To, FromDay: sc.q.FromDay, ToDay: sc.q.ToDay,
		Service: sc.q.Service, Loc: sc.q.Loc})
	if err != nil {
		return err
	}
	var ended int64
	for _, c := range steps {
		if c.Key == WholeSOP {
			ended += c.N
		}
	}
	min := survey.MinSample(int(ended))
	x, ok := survey.Compute(all)
	grade, label := "–", "–"
	if ok {
		grade, label = x.Grade, survey.Text(x.Label, r.Lang)
	}
	enough := T("report.skm_enough_no")
	if all.N >= min && all.N > 0 {
		enough = T("report.skm_enough_yes")
	}
	r.Figures = []Figure{{T("report.skm_ikm"), DecimalV(x.Converted, ok)}, {T("report.skm_grade"), TextV(grade)}, {T("report.skm_label"), TextV(label)},
		{T("report.skm_respondents"), CountV(int64(all.N))}, {T("report.skm_min"), CountV(int64(min))}, {T("report.skm_enough"), TextV(enough)}}

	el := Table{Name: "unsur", Title: T("report.skm_elements"), Columns: []Column{{Label: T("report.skm_element"), Kind: Text},
		{Label: T("report.skm_sum"), Kind: Count}, {Label: T("report.skm_nrr"), Kind: Decimal}, {Label: T("report.skm_weighted"), Kind: Decimal}}}
	var labels []string
	var nrr []float64
	for i, e := range survey.Unsur {
		name := fmt.Sprintf("U%d %s", i+1, survey.Text(e.Name, r.Lang))
		el.Rows = append(el.Rows, []Value{TextV(name), CountV(int64(all.Sum[i])), DecimalV(x.NRR[i], ok), DecimalV(x.NRR[i]/survey.Elements, ok)})
		labels = append(labels, fmt.Sprintf("U%d", i+1))
		nrr = append(nrr, x.NRR[i])
	}
	el.Foot = []Value{TextV(T("report.skm_ikm_foot")), CountV(int64(all.N)), DecimalV(x.Value, ok), DecimalV(x.Converted, ok)}

	index := func(name string, t survey.Totals) []Value {
		y, ok := survey.Compute(t)
		g, l := "–", "–"
		if ok {
			g, l = y.Grade, survey.Text(y.Label, r.Lang)
		}
		return []Value{TextV(name), CountV(int64(t.N)), DecimalV(y.Converted, ok), TextV(g), TextV(l)}
	}
	cols := func(first string) []Column {
		return []Column{{Label: first, Kind: Text}, {Label: T("report.skm_respondents"), Kind: Count}, {Label: T("report.skm_ikm"), Kind: Decimal},
			{Label: T("report.skm_grade"), Kind: Text}, {Label: T("report.skm_label"), Kind: Text}}
	}
	sv := Table{Name: "layanan", Title: T("report.skm_by_service"), Columns: cols(T("report.service"))}
	var codes []string
	for c := range byService {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		sv.Rows = append(sv.Rows, index(s.serviceName(c, r.Lang), *byService[c]))
	}
	per := Table{Name: "periode", Title: T("report.skm_by_period"), Columns: cols(T("report.period"))}
	var plabels []string
	var pvalues []float64
	for _, p := range sc.f.periods() {
		t := byPeriod[p]
		if t == nil {
			t = &survey.Totals{}
		}
		per.Rows = append(per.Rows, index(periodLabel(sc.f.Group, p, r.Lang), *t))
		y, _ := survey.Compute(*t)
		plabels = append(plabels, periodLabel(sc.f.Group, p, r.Lang))
		pvalues = append(pvalues, y.Converted)
	}

	prof, err := s.Store.SurveyProfile(ctx, sc.t.ID, sc.q.FromDay, sc.q.ToDay, sc.q.Service)
	if err != nil {
		return err
	}
	pt := Table{Name: "responden", Title: T("report.skm_profile"), Columns: []Column{{Label: T("report.skm_field"), Kind: Text},
		{Label: T("report.skm_value"), Kind: Text}, {Label: T("report.skm_respondents"), Kind: Count}, {Label: T("report.share"), Kind: Percent, Unit: "%"}}}
	for _, p := range prof {
		v := T("skm.none")
		if p.Value != "" {
			v = T("skm." + p.Field + "." + p.Value)
		}
		pt.Rows = append(pt.Rows, []Value{TextV(T("skm.field." + p.Field)), TextV(v), CountV(p.N), PercentV(p.N, int64(all.N))})
	}
	sugg, err := s.Store.SurveySuggestions(ctx, sc.t.ID, sc.q.FromDay, sc.q.ToDay, sc.q.Service, maxSuggestions)
	if err != nil {
		return err
	}
	st := Table{Name: "saran", Title: T("report.skm_suggestions"), Columns: []Column{{Label: T("report.skm_month"), Kind: Text},
		{Label: T("report.service"), Kind: Text}, {Label: T("report.skm_suggestion"), Kind: Text}}}
	for _, x := range sugg {
		m := time.Month(x.Month % 100)
		month := letter.MonthName(m) + " " + fmt.Sprint(x.Month/100)
		if r.Lang == "en" {
			month = m.String() + " " + fmt.Sprint(x.Month/100)
		}
		st.Rows = append(st.Rows, []Value{TextV(month), TextV(s.serviceName(x.Service, r.Lang)), TextV(x.Text)})
	}
	r.Charts = []chart.Chart{
		{Kind: chart.Bars, Title: T("report.skm_chart_elements"), Labels: labels, Max: 4, Series: []chart.Series{{Name: T("report.skm_nrr"), Values: nrr}}},
		{Kind: chart.Bars, Title: T("report.skm_chart_periods"), Labels: plabels, Max: 100, Series: []chart.Series{{Name: T("report.skm_ikm"), Values: pvalues}}},
	}
	if !ok {
		r.Charts[0].Series[0].Values = nil
	}
	r.Tables = []Table{el, sv, per, pt, st}
	r.Notes = append(r.Notes, T("report.skm_note"))
	return nil
}

func add(to *survey.Totals, t survey.Totals) {
	to.N += t.N
	for i := range to.Sum {
		to.Sum[i] += t.Sum[i]
	}
}
