package report

import (
	"context"
	"sort"

	"github.com/surel-id/surel/internal/chart"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// statuses are the request statuses the service report counts, in the order of their
// columns (drafts are not sent, so never counted).
var statuses = []request.Status{request.Waiting, request.Processing, request.Returned, request.Done, request.Refused}

// stepStat is one step's counts in a period.
type stepStat struct {
	key, role string
	n, in     int64
	h         histogram
}

// service is the service report: requests sent in the period by service and status
// now; per step of the SOP how many ended, the share in SLA, the median and 90th
// percentile of their working time and who does them, with the SOP as a whole; and the
// slowest steps.
func (s *Service) service(ctx context.Context, sc scope, r *Report) error {
	T := func(k string, a ...any) string { return i18n.T(r.Lang, k, a...) }
	counts, err := s.Store.StatusCounts(ctx, sc.q)
	if err != nil {
		return err
	}
	byService := map[string]map[request.Status]int64{}
	var services []string
	totals := map[request.Status]int64{}
	var sent int64
	for _, c := range counts {
		if byService[c.Service] == nil {
			byService[c.Service] = map[request.Status]int64{}
			services = append(services, c.Service)
		}
		byService[c.Service][request.Status(c.Status)] += c.N
		totals[request.Status(c.Status)] += c.N
		sent += c.N
	}
	sort.Strings(services)
	st := Table{Name: "status", Title: T("report.by_status"), Columns: []Column{{Label: T("report.service"), Kind: Text}}}
	for _, x := range statuses {
		st.Columns = append(st.Columns, Column{Label: T("status." + string(x)), Kind: Count})
	}
	st.Columns = append(st.Columns, Column{Label: T("report.total"), Kind: Count})
	row := func(name string, m map[request.Status]int64) []Value {
		out := []Value{TextV(name)}
		var sum int64
		for _, x := range statuses {
			out = append(out, CountV(m[x]))
			sum += m[x]
		}
		return append(out, CountV(sum))
	}
	for _, code := range services {
		st.Rows = append(st.Rows, row(s.serviceName(code, r.Lang), byService[code]))
	}
	st.Foot = row(T("report.total"), totals)

	main, flows, err := s.flowCounts(ctx, sc)
	if err != nil {
		return err
	}
	sla, whole, labels, shares, slowest := slaTable(sc.def, main, "langkah", T("report.sla_steps"), r.Lang)
	var flowTables []Table
	for _, f := range flows {
		t, _, fl, fs, fslow := slaTable(sc.def.Flow(f.service), f.counts, "langkah-"+f.service,
			T("report.sla_steps_of", s.serviceName(f.service, r.Lang)), r.Lang)
		flowTables = append(flowTables, t)
		name := s.serviceName(f.service, r.Lang)
		for i := range fl {
			fl[i] = name + ": " + fl[i]
		}
		labels, shares = append(labels, fl...), append(shares, fs...)
		for _, x := range fslow {
			x.name = name + ": " + x.name
			slowest = append(slowest, x)
		}
	}
	sort.SliceStable(slowest, func(i, j int) bool { return slowest[i].p90 > slowest[j].p90 })
	sl := Table{Name: "terlama", Title: T("report.slowest"), Columns: []Column{{Label: T("report.step"), Kind: Text}, {Label: T("report.who"), Kind: Text},
		{Label: T("report.p90"), Kind: Minutes, Unit: T("report.unit_minutes")}, {Label: T("report.over_share"), Kind: Percent, Unit: "%"}}}
	for i, x := range slowest {
		if i == 3 {
			break
		}
		sl.Rows = append(sl.Rows, []Value{TextV(x.name), TextV(x.who), MinutesV(x.p90, true), x.over})
	}

	r.Figures = []Figure{{T("report.sent"), CountV(sent)}, {T("status.selesai"), CountV(totals[request.Done])},
		{T("status.ditolak"), CountV(totals[request.Refused])}, {T("report.sop_in_sla"), PercentV(whole.in, whole.n)}}
	statusLabels := make([]string, len(statuses))
	statusValues := make([]float64, len(statuses))
	for i, x := range statuses {
		statusLabels[i], statusValues[i] = T("status."+string(x)), float64(totals[x])
	}
	r.Charts = []chart.Chart{
		{Kind: chart.Bars, Title: T("report.chart_sla"), Labels: labels, Max: 100, Unit: "%", Series: []chart.Series{{Name: T("report.in_sla_share"), Values: shares}}},
		{Kind: chart.Bars, Title: T("report.chart_status"), Labels: statusLabels, Unit: "", Series: []chart.Series{{Name: T("report.requests"), Values: statusValues}}},
	}
	r.Tables = append(append([]Table{sla}, flowTables...), sl, st)
	r.Notes = append(r.Notes, T("report.note_sla"))
	return nil
}

// slowStep is a step among the slowest: its 90th percentile and share over its standard.
type slowStep struct {
	name, who string
	p90       int
	over      Value
}

// flowCount is the step counts of one service with a flow of its own, measured against
// that flow (sop.Definition.Flow).
type flowCount struct {
	service string
	counts  []StepCount
}

// flowCounts reads the step counts of the period. Filtered to one service, they are
// that service's (scope's def is then its flow). Unfiltered, the services with a flow of
// their own (sop.FlowServices: reset, deactivation, reactivation, quota, purge, claim)
// each have steps of their own flow, whose keys may repeat the creation's ("pengajuan", "verifikasi"): their
// counts are read apart and taken out of the rest, so no step mixes two flows.
func (s *Service) flowCounts(ctx context.Context, sc scope) ([]StepCount, []flowCount, error) {
	all, err := s.Store.StepCounts(ctx, sc.q)
	if err != nil || sc.f.Service != "" {
		return all, nil, err
	}
	type k struct {
		key, role string
		minutes   int
	}
	rest := map[k]StepCount{}
	var order []k
	for _, c := range all {
		x := k{c.Key, c.Role, c.Minutes}
		if _, ok := rest[x]; !ok {
			order = append(order, x)
		}
		y := rest[x]
		y.Key, y.Role, y.Minutes = c.Key, c.Role, c.Minutes
		y.N += c.N
		y.InSLA += c.InSLA
		rest[x] = y
	}
	var flows []flowCount
	for _, svc := range sop.FlowServices {
		q := sc.q
		q.Service = svc
		cs, err := s.Store.StepCounts(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		if len(cs) == 0 {
			continue
		}
		flows = append(flows, flowCount{svc, cs})
		for _, c := range cs {
			x := k{c.Key, c.Role, c.Minutes}
			y := rest[x]
			y.N -= c.N
			y.InSLA -= c.InSLA
			rest[x] = y
		}
	}
	var main []StepCount
	for _, x := range order {
		if c := rest[x]; c.N > 0 {
			main = append(main, c)
		}
	}
	return main, flows, nil
}

// slaTable is the table of per-step compliance of one flow (def's steps, each timed
// step with its row, ended or not, and the flow as a whole in the foot), with the
// chart's labels and shares and the flow's slow steps.
func slaTable(def sop.Definition, steps []StepCount, name, title, lang string) (Table, *stepStat, []string, []float64, []slowStep) {
	T := func(k string, a ...any) string { return i18n.T(lang, k, a...) }
	stats := map[string]*stepStat{}
	for _, x := range def.Steps {
		if !x.Standard.IsZero() {
			stats[x.Key+"\x00"+string(x.Role)] = &stepStat{key: x.Key, role: string(x.Role), h: histogram{}}
		}
	}
	whole := &stepStat{key: request.WholeSOP, h: histogram{}}
	for _, c := range steps {
		x := whole
		if c.Key != request.WholeSOP {
			k := c.Key + "\x00" + c.Role
			if x = stats[k]; x == nil {
				x = &stepStat{key: c.Key, role: c.Role, h: histogram{}}
				stats[k] = x
			}
		}
		x.n += c.N
		x.in += c.InSLA
		b := -1
		if c.Minutes >= 0 {
			b = workBucket(c.Minutes)
		}
		x.h[b] += c.N
	}
	list := make([]*stepStat, 0, len(stats))
	for _, x := range stats {
		list = append(list, x)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := stepOrder(def, list[i].key), stepOrder(def, list[j].key)
		if a != b {
			return a < b
		}
		return list[i].key+list[i].role < list[j].key+list[j].role
	})
	sla := Table{Name: name, Title: title, Columns: []Column{{Label: T("report.step"), Kind: Text},
		{Label: T("report.who"), Kind: Text}, {Label: T("report.standard"), Kind: Text}, {Label: T("report.ended"), Kind: Count},
		{Label: T("report.in_sla"), Kind: Count}, {Label: T("report.in_sla_share"), Kind: Percent, Unit: "%"},
		{Label: T("report.median"), Kind: Minutes, Unit: T("report.unit_minutes")}, {Label: T("report.p90"), Kind: Minutes, Unit: T("report.unit_minutes")}}}
	statRow := func(name, who, std string, x *stepStat) []Value {
		med, okm := x.h.quantile(0.5)
		p90, okp := x.h.quantile(0.9)
		return []Value{TextV(name), TextV(who), TextV(std), CountV(x.n), CountV(x.in), PercentV(x.in, x.n), MinutesV(med, okm), MinutesV(p90, okp)}
	}
	var labels []string
	var shares []float64
	var slowest []slowStep
	for _, x := range list {
		name, who, std := stepLabel(def, x.key, x.role, lang)
		sla.Rows = append(sla.Rows, statRow(name, who, std, x))
		if x.n > 0 {
			labels = append(labels, name)
			shares = append(shares, PercentV(x.in, x.n).N)
		}
		if p90, ok := x.h.quantile(0.9); ok {
			slowest = append(slowest, slowStep{name, who, p90, PercentV(x.n-x.in, x.n)})
		}
	}
	sla.Foot = statRow(T("report.whole_sop"), "", def.Total.Text(lang), whole)
	return sla, whole, labels, shares, slowest
}
