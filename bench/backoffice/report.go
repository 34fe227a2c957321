package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/registry"
)

// page is one of the two pages of the requirement, and the routes that make it up.
type page struct {
	Name   string
	Routes []int
}

var pagesJudged = []page{
	{"inbox (GET /kantor, all variants)", []int{routeInbox, routeInboxSearch, routeInboxOver}},
	{"request page (GET /kantor/permohonan/{id})", []int{routeRequest}},
}

// merged is the sorted latencies, count and failures of some routes of r.
func merged(r harness.Result, routes []int) ([]time.Duration, int, int) {
	var lat []time.Duration
	ok, fail := 0, 0
	for _, i := range routes {
		lat = append(lat, r.Lat[i]...)
		ok += r.OK[i]
		fail += r.Fail[i]
	}
	slices.Sort(lat)
	return lat, ok, fail
}

// Pass tells whether every page met the target with no error.
func (rep *report) Pass() bool {
	if rep.Reports != nil {
		return rep.Reports.pass()
	}
	if rep.Registry != nil {
		return rep.Registry.pass()
	}
	for _, p := range pagesJudged {
		lat, ok, fail := merged(rep.Pages, p.Routes)
		if ok == 0 || fail > 0 || harness.Percentile(lat, 99) >= rep.Opt.TargetP99 {
			return false
		}
	}
	return true
}

func ms(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2f ms", float64(d)/1e6)
}

func row(name string, lat []time.Duration, ok, fail int, window time.Duration) []string {
	return []string{name, fmt.Sprint(ok), fmt.Sprintf("%.0f", float64(ok)/window.Seconds()),
		ms(harness.Percentile(lat, 50)), ms(harness.Percentile(lat, 90)), ms(harness.Percentile(lat, 99)), ms(harness.Percentile(lat, 100)), fmt.Sprint(fail)}
}

func (rep *report) tables(w io.Writer) {
	r := rep.Pages
	var rows [][]string
	for _, p := range pagesJudged {
		lat, ok, fail := merged(r, p.Routes)
		rows = append(rows, row("**"+p.Name+"**", lat, ok, fail, r.Window))
	}
	for i, name := range r.Routes {
		if i == routeRequest {
			continue
		}
		rows = append(rows, row("  "+name, r.Lat[i], r.OK[i], r.Fail[i], r.Window))
	}
	all, ok, fail := merged(r, []int{0, 1, 2, 3})
	rows = append(rows, row("all", all, ok, fail, r.Window))
	if rep.Floor != nil {
		f := *rep.Floor
		rows = append(rows, row("harness floor: static copy of /kantor", f.All(), f.Total(f.OK), f.Total(f.Fail), f.Window))
	}
	harness.MarkdownTable(w, []string{"page", "requests", "req/s", "p50", "p90", "p99", "max", "errors"}, rows)
}

func (rep *report) verdict() string {
	var out []string
	for _, p := range pagesJudged {
		lat, _, fail := merged(rep.Pages, p.Routes)
		v := "PASS"
		if fail > 0 || harness.Percentile(lat, 99) >= rep.Opt.TargetP99 {
			v = "FAIL"
		}
		out = append(out, fmt.Sprintf("%s: %s (p99 %s, target < %s, %d errors)", p.Name, v, ms(harness.Percentile(lat, 99)), ms(rep.Opt.TargetP99), fail))
	}
	return strings.Join(out, "; ")
}

func (rep *report) setup() string {
	o := rep.Opt
	seed := fmt.Sprintf("seeded in %s", rep.SeedTook.Round(time.Millisecond))
	if !rep.Seeded {
		seed = fmt.Sprintf("kept database reused (seeding had taken %s)", rep.SeedTook.Round(time.Millisecond))
	}
	var each []string
	for _, t := range []string{"users", "requests", "request_steps", "audit_log", "request_files", "mailboxes", "stat_steps", "stat_accounts",
		"registry", "registry_terms", "registry_counts", "indexes", "capacity_days", "counts (migration 38)", "analyze"} {
		if d, ok := rep.SeedEach[t]; ok {
			if n, ok := rep.SeedRows[t]; ok {
				each = append(each, fmt.Sprintf("%s %d rows %s", t, n, d.Round(time.Millisecond)))
			} else {
				each = append(each, fmt.Sprintf("%s %s", t, d.Round(time.Millisecond)))
			}
		}
	}
	if rep.Registry != nil {
		return fmt.Sprintf("%s, %s; %d requests × %d steps; %s (%s); seed check: %s; %d staff sessions, %s warm-up + %s window; %s",
			o.DB, rep.registryText(), o.Requests, o.Steps, seed, strings.Join(each, ", "), cmp.Or(rep.RegCheck, "ran when the kept database was seeded"),
			o.Sessions, o.Warmup, o.Duration, rep.Memory)
	}
	return fmt.Sprintf("%s, %d requests × %d steps, %d live requests, kepala_seksi inbox of %d tasks; %s (%s); %d clients (%s) over %d staff sessions, %s warm-up + %s window; %s",
		o.DB, o.Requests, o.Steps, rep.Live, rep.Inbox, seed, strings.Join(each, ", "), o.Clients, driverText(o.Driver), o.Sessions, o.Warmup, o.Duration, rep.Memory)
}

func (rep *report) text(w io.Writer) {
	if rep.Reports != nil {
		fmt.Fprintf(w, "%s\n%s\n\n", rep.Command, rep.setup())
		rep.Reports.write(w)
		return
	}
	if rep.Registry != nil {
		fmt.Fprintf(w, "%s\n%s\n\n", rep.Command, rep.setup())
		rep.Registry.write(w)
		return
	}
	fmt.Fprintf(w, "%s\n%s\nload average before / after: %s / %s; CPU self/other %s; %d GC cycles\n\n", rep.Command, rep.setup(),
		rep.Load[0], rep.Load[1], harness.CPUText(rep.Pages), rep.Pages.GCCycles)
	rep.tables(w)
	if rep.Floor != nil {
		fmt.Fprintf(w, "floor: load %s / %s, CPU self/other %s\n", rep.FloorLd[0], rep.FloorLd[1], harness.CPUText(*rep.Floor))
	}
	if len(rep.Pages.Why) > 0 {
		fmt.Fprintf(w, "errors: %v\n", rep.Pages.Why)
	}
	rep.openTable(w)
	fmt.Fprintln(w, rep.verdict())
}

func (rep *report) markdown(w io.Writer) {
	fmt.Fprintf(w, "### %s, %s\n\n```\n%s\n```\n\n", rep.Opt.DB, rep.Started.UTC().Format("2006-01-02 15:04 UTC"), rep.Command)
	fmt.Fprintf(w, "- Machine: %s, %d CPUs (GOMAXPROCS %d), Linux %s, %s\n", rep.Machine.CPU, rep.Machine.NumCPU, rep.Machine.GOMAXPROCS, rep.Machine.Kernel, rep.Machine.Go)
	fmt.Fprintf(w, "- Setup: %s\n", rep.setup())
	if rep.Reports != nil {
		fmt.Fprintln(w)
		rep.Reports.write(w)
		return
	}
	if rep.Registry != nil {
		fmt.Fprintln(w)
		rep.Registry.write(w)
		if rep.Explain != "" {
			fmt.Fprintf(w, "\n```\n%s```\n", rep.Explain)
		}
		return
	}
	fmt.Fprintf(w, "- Load average before / after the page phase: %s / %s; CPU self/other %s; %d GC cycles\n", rep.Load[0], rep.Load[1], harness.CPUText(rep.Pages), rep.Pages.GCCycles)
	if rep.Floor != nil {
		fmt.Fprintf(w, "- Floor phase: load %s / %s, CPU self/other %s\n", rep.FloorLd[0], rep.FloorLd[1], harness.CPUText(*rep.Floor))
	}
	fmt.Fprintln(w)
	rep.tables(w)
	if len(rep.Pages.Why) > 0 {
		fmt.Fprintf(w, "\nErrors: %v\n", rep.Pages.Why)
	}
	rep.openTable(w)
	fmt.Fprintf(w, "\n**%s**\n", rep.verdict())
	if rep.Explain != "" {
		fmt.Fprintf(w, "\n```\n%s```\n", rep.Explain)
	}
}

// openRun is one open-loop run of the pages at a given arrival rate.
type openRun struct {
	Rate   float64
	Procs  int  // instances serving it
	Exec   bool // separate surel processes (-exec), not instances inside this process
	Result harness.Result
	// PGCPU is the CPUs of the benchmark database's PostgreSQL backends, NaN on SQLite;
	// SurelCPU those of the surel processes with -exec, NaN in-process (where surel's
	// CPU is this process's, Result.SelfCPU, mixed with the load generator's).
	PGCPU, SurelCPU float64
}

// over names what served the run.
func (o openRun) over() string {
	switch {
	case o.Exec && o.Procs == 1:
		return "1 surel process"
	case o.Exec:
		return fmt.Sprintf("%d surel processes", o.Procs)
	case o.Procs == 1:
		return "1 app instance in this process"
	}
	return fmt.Sprintf("%d app instances in this process", o.Procs)
}

// surelText is the surel processes' CPUs for the progress line ("" in-process).
func (o openRun) surelText() string {
	if !o.Exec {
		return ""
	}
	return fmt.Sprintf("surel processes %.2f CPUs, ", o.SurelCPU)
}

// perPage is the CPU a served page cost, in milliseconds, and its parts: surel (with
// -exec its processes alone; in-process this whole process, load generator included),
// PostgreSQL's backends (0 on SQLite) and, with -exec, the load generator apart (NaN
// in-process). The total is surel's and PostgreSQL's; NaN when unknown.
func (o openRun) perPage() (total, surel, pg, loadgen float64) {
	n := float64(o.Result.Total(o.Result.OK)) / o.Result.Window.Seconds()
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN(), math.NaN()
	}
	surel, loadgen = o.Result.SelfCPU/n*1000, math.NaN()
	if o.Exec {
		surel, loadgen = o.SurelCPU/n*1000, o.Result.SelfCPU/n*1000
	}
	if !math.IsNaN(o.PGCPU) {
		pg = o.PGCPU / n * 1000
	}
	return surel + pg, surel, pg, loadgen
}

// perPageText is perPage for the reports.
func (o openRun) perPageText() string {
	total, surel, pg, loadgen := o.perPage()
	switch {
	case math.IsNaN(total):
		return "?"
	case o.Exec:
		return fmt.Sprintf("%.2f ms = %.2f surel + %.2f PostgreSQL (load generator %.2f ms apart)", total, surel, pg, loadgen)
	case math.IsNaN(o.PGCPU):
		return fmt.Sprintf("%.2f ms (surel + load generator)", total)
	}
	return fmt.Sprintf("%.2f ms = %.2f surel + load generator, %.2f PostgreSQL", total, surel, pg)
}

// ratios compares, at each rate run with one instance and with more, the CPU a page of
// the more with the one: issue 15's "two processes cost at most 1.1× the CPU per page of
// one" when they are surel processes (-exec). A count run more than once at a rate
// (-procs 1,2,1,2, alternating against a machine's drift) counts with the mean of its
// runs.
func (rep *report) ratios() []string {
	type key struct {
		rate  float64
		procs int
	}
	sum, runs := map[key]float64{}, map[key]int{}
	var keys []key
	for _, o := range rep.Open {
		k := key{o.Rate, o.Procs}
		if runs[k] == 0 {
			keys = append(keys, k)
		}
		total, _, _, _ := o.perPage()
		sum[k] += total
		runs[k]++
	}
	mean := func(k key) float64 { return sum[k] / float64(runs[k]) }
	exec := len(rep.Open) > 0 && rep.Open[0].Exec
	var out []string
	for _, k := range keys {
		one := key{k.rate, 1}
		if k.procs == 1 || runs[one] == 0 {
			continue
		}
		what, target := fmt.Sprintf("%d processes / one", k.procs), ""
		if k.procs == 2 {
			what, target = "two processes / one", " (target ≤ 1.1×)"
		}
		if !exec {
			what, target = fmt.Sprintf("%d app instances in this process / one", k.procs), " (one runtime and collector: -exec measures separate processes)"
		}
		runsText := ""
		if runs[k] > 1 || runs[one] > 1 {
			runsText = fmt.Sprintf(", means of %d and %d runs", runs[k], runs[one])
		}
		out = append(out, fmt.Sprintf("at %.0f/s: %s: %.2f× CPU a page%s (%.2f / %.2f ms%s)", k.rate, what, mean(k)/mean(one), target, mean(k), mean(one), runsText))
	}
	return out
}

// openTable is the open-loop runs: at each arrival rate, each judged page's latency
// counted from when the request was due.
func (rep *report) openTable(w io.Writer) {
	if len(rep.Open) == 0 {
		return
	}
	var rows [][]string
	for _, o := range rep.Open {
		for _, p := range pagesJudged {
			lat, ok, fail := merged(o.Result, p.Routes)
			rows = append(rows, []string{fmt.Sprintf("%.0f", o.Rate), o.over(), p.Name, fmt.Sprintf("%.0f", float64(ok)/o.Result.Window.Seconds()),
				ms(harness.Percentile(lat, 50)), ms(harness.Percentile(lat, 90)), ms(harness.Percentile(lat, 99)), fmt.Sprint(fail), harness.CPUText(o.Result),
				cpus(o.SurelCPU), cpus(o.PGCPU), o.perPageText()})
		}
	}
	fmt.Fprintf(w, "\nOpen loop (pages arriving at a fixed rate, half inbox, half request page; CPU self is this process: the load generator, and surel too when it serves in-process):\n\n")
	harness.MarkdownTable(w, []string{"arrivals/s", "served by", "page", "served/s", "p50", "p90", "p99", "errors", "CPU self/other", "surel processes' CPUs", "PostgreSQL CPUs", "CPU a page"}, rows)
	if l := rep.ratios(); len(l) > 0 {
		fmt.Fprintf(w, "\n%s\n", strings.Join(l, "\n\n"))
	}
}

// cpus is a count of CPUs for a table, "–" when not measured.
func cpus(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}

// driverText names the closed loop's load generator.
func driverText(d string) string {
	if d == "conn" {
		return "lean keep-alive clients"
	}
	return "net/http clients"
}

// registryText describes the registry phase's registry.
func (rep *report) registryText() string {
	s := rep.shape
	if s == nil || s.reg == nil {
		return "no registry"
	}
	var st []string
	for _, x := range registry.Statuses {
		st = append(st, fmt.Sprintf("%d %s", s.reg.counts[x], x))
	}
	return fmt.Sprintf("registry of %d mailboxes (%d made for requests, %d adopted by a sync; %s) with %d search words",
		s.Registry, s.reg.made, s.Registry-s.reg.made, strings.Join(st, ", "), s.reg.terms[s.Registry])
}
