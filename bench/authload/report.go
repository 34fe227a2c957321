package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
)

// hashTotals pools the rounds: all logins over all raw hashes, each over the same total
// window, so the ratio is that of the summed rates.
func (r *report) hashTotals() (raw, login float64, errors int) {
	var rawN, loginN int
	var rawW, loginW time.Duration
	for _, rd := range r.Rounds {
		rawN += rd.Raw.Total(rd.Raw.OK)
		loginN += rd.Login.Total(rd.Login.OK)
		rawW += rd.Raw.Window
		loginW += rd.Login.Window
		errors += rd.Login.Total(rd.Login.Fail) + rd.Raw.Total(rd.Raw.Fail)
	}
	if rawW == 0 || loginW == 0 {
		return 0, 0, errors
	}
	return float64(rawN) / rawW.Seconds(), float64(loginN) / loginW.Seconds(), errors
}

// HashPass: the pooled login/raw ratio reaches the target and no login failed.
func (r *report) HashPass() bool {
	raw, login, errs := r.hashTotals()
	return raw > 0 && login/raw >= r.Opt.TargetRatio && errs == 0
}

// PagesPass: the overall p99 of the page phase is under the target and no request failed.
func (r *report) PagesPass() bool {
	if r.WrkPages != nil {
		return wrkPass(*r.WrkPages, r.Opt.TargetP99)
	}
	if r.Pages == nil {
		return true
	}
	all := r.Pages.All()
	return len(all) > 0 && harness.Percentile(all, 99) < r.Opt.TargetP99 && r.Pages.Total(r.Pages.Fail) == 0
}

// Pass is the verdict of every phase that ran.
func (r *report) Pass() bool {
	return (!r.HashEnabled || r.HashPass()) && r.PagesPass() && (r.Storm == nil || r.Storm.Pass(r.Opt.StormP99, r.Opt.StormBusyP99))
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
}

func whyText(why map[string]int) string {
	if len(why) == 0 {
		return ""
	}
	keys := make([]string, 0, len(why))
	for k := range why {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return why[keys[i]] > why[keys[j]] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d× %s", why[k], k))
	}
	return strings.Join(parts, "; ")
}

// rows of the two tables, shared by the text and markdown forms.
func (r *report) hashRows() (head []string, rows [][]string) {
	head = []string{"round", "raw argon2id (hashes/s)", "POST /masuk (logins/s)", "login / raw", "login p50", "login p99", "login errors",
		"raw CPU self/other", "login CPU self/other"}
	for i, rd := range r.Rounds {
		l := rd.Login.Lat[0]
		rows = append(rows, []string{fmt.Sprint(i + 1), fmt.Sprintf("%.2f", rd.Raw.Rate()), fmt.Sprintf("%.2f", rd.Login.Rate()),
			fmt.Sprintf("%.3f", rd.Login.Rate()/rd.Raw.Rate()), fmtDur(harness.Percentile(l, 50)), fmtDur(harness.Percentile(l, 99)),
			fmt.Sprint(rd.Login.Total(rd.Login.Fail)), harness.CPUText(rd.Raw), harness.CPUText(rd.Login)})
	}
	raw, login, errs := r.hashTotals()
	rows = append(rows, []string{"all", fmt.Sprintf("%.2f", raw), fmt.Sprintf("%.2f", login), fmt.Sprintf("%.3f", login/raw), "", "", fmt.Sprint(errs), "", ""})
	return head, rows
}

// foreignLoad is the largest CPU share other processes took during a measured phase.
func (r *report) foreignLoad() float64 {
	m := 0.0
	for _, rd := range r.Rounds {
		m = max(m, rd.Raw.OtherCPU, rd.Login.OtherCPU)
	}
	for _, p := range []*harness.Result{r.Pages, r.Floor} {
		if p != nil {
			m = max(m, p.OtherCPU)
		}
	}
	for _, p := range []*harness.WrkResult{r.WrkPages, r.WrkFloor} {
		if p != nil {
			m = max(m, p.OtherCPU)
		}
	}
	if math.IsNaN(m) {
		return 0
	}
	return m
}

func latencyRows(p *harness.Result) (head []string, rows [][]string) {
	head = []string{"route", "requests", "req/s", "p50", "p90", "p99", "max", "errors"}
	line := func(name string, lat []time.Duration, ok, fail int) []string {
		return []string{name, fmt.Sprint(ok), fmt.Sprintf("%.0f", float64(ok)/p.Window.Seconds()), fmtDur(harness.Percentile(lat, 50)),
			fmtDur(harness.Percentile(lat, 90)), fmtDur(harness.Percentile(lat, 99)), fmtDur(harness.Percentile(lat, 100)), fmt.Sprint(fail)}
	}
	for i, name := range p.Routes {
		rows = append(rows, line(name, p.Lat[i], p.OK[i], p.Fail[i]))
	}
	if len(p.Routes) > 1 {
		rows = append(rows, line("all", p.All(), p.Total(p.OK), p.Total(p.Fail)))
	}
	return head, rows
}

func (r *report) hashVerdict() string {
	raw, login, errs := r.hashTotals()
	return fmt.Sprintf("%s: login/raw = %.3f (target ≥ %.2f), %d errors", verdict(r.HashPass()), login/raw, r.Opt.TargetRatio, errs)
}

// discarded lists the measurements repeated because of foreign load, so the report
// shows what was thrown away and why.
func (r *report) discarded() []string {
	var out []string
	for _, rd := range r.Discarded {
		out = append(out, fmt.Sprintf("discarded round: raw %.2f hashes/s (CPU self/other %s), login %.2f logins/s (CPU self/other %s), ratio %.3f",
			rd.Raw.Rate(), harness.CPUText(rd.Raw), rd.Login.Rate(), harness.CPUText(rd.Login), rd.Login.Rate()/rd.Raw.Rate()))
	}
	for _, p := range r.DiscardedWrk {
		out = append(out, "discarded page phase: "+wrkLine(p))
	}
	for _, p := range r.DiscardedPages {
		out = append(out, fmt.Sprintf("discarded page phase: %.0f req/s, p99 %s (CPU self/other %s)", p.Rate(), fmtDur(harness.Percentile(p.All(), 99)), harness.CPUText(p)))
	}
	return out
}

func (r *report) pageVerdict() string {
	all := r.Pages.All()
	return fmt.Sprintf("%s: overall p99 = %s (target < %s), %d errors", verdict(r.PagesPass()), fmtDur(harness.Percentile(all, 99)),
		fmtDur(r.Opt.TargetP99), r.Pages.Total(r.Pages.Fail))
}

func phaseCPU(p *harness.Result) string {
	return fmt.Sprintf("CPU self/other: %s; %.0f GC cycles", harness.CPUText(*p), float64(p.GCCycles))
}

// noise warns when other processes used a noticeable share of the CPUs while measuring.
func (r *report) noise() string {
	if f := r.foreignLoad(); f > 0.1 {
		return fmt.Sprintf("WARNING: other processes used up to %.2f CPUs during a measured phase (column \"other\"); "+
			"this machine was shared, so the numbers are noisy; rerun on a quiet machine.", f)
	}
	return ""
}

func (r *report) setup() string {
	o := r.Opt
	think := "back-to-back"
	if o.Think > 0 {
		think = "think " + o.Think.String()
	}
	driver := map[string]string{"conn": "lean keep-alive clients in this process",
		"go": "net/http clients in this process", "wrk": "wrk, 2 processes of 1 thread"}[o.Driver]
	return fmt.Sprintf("%d users seeded in %s; live heap after start %.1f MiB; %s; phases: %s warm-up + %s window; raw: %d goroutines; login: %d clients; pages: %d clients (%s; %s); app log: %s; SUREL_AUTH_RATE=100000000",
		o.Users, r.SeedTook.Round(time.Millisecond), float64(r.LiveHeap)/(1<<20), r.Memory, o.Warmup, o.Duration, o.RawWorkers, o.LoginClients, o.PageClients, think, driver, o.Log)
}

func (r *report) text(w io.Writer) {
	defer func() {
		if d := r.discarded(); len(d) > 0 {
			fmt.Fprintf(w, "\nMeasured again because other processes took over %.2f CPUs:\n%s\n", r.Opt.Noise, strings.Join(d, "\n"))
		}
		if n := r.noise(); n != "" {
			fmt.Fprintln(w, "\n"+n)
		}
	}()
	m := r.Machine
	fmt.Fprintf(w, "%s\n%s; %d CPUs, GOMAXPROCS %d; %s; %s\n%s\n", r.Command, m.CPU, m.NumCPU, m.GOMAXPROCS, m.Kernel, m.Go, r.setup())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	table := func(head []string, rows [][]string) {
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		tw.Flush()
	}
	if r.HashEnabled {
		fmt.Fprintln(w, "\n(a) login throughput vs raw argon2id")
		table(r.hashRows())
		fmt.Fprintln(w, r.hashVerdict())
		for i, rd := range r.Rounds {
			if t := whyText(rd.Login.Why); t != "" {
				fmt.Fprintf(w, "round %d login failures: %s\n", i+1, t)
			}
		}
	}
	if r.Pages != nil {
		fmt.Fprintf(w, "\n(b) pages without hashing, %d closed-loop clients\n", r.Opt.PageClients)
		table(latencyRows(r.Pages))
		fmt.Fprintln(w, r.pageVerdict())
		fmt.Fprintln(w, phaseCPU(r.Pages))
		if t := whyText(r.Pages.Why); t != "" {
			fmt.Fprintf(w, "page failures: %s\n", t)
		}
	}
	if r.Floor != nil {
		fmt.Fprintf(w, "\n(b0) harness floor: the same %d clients against a static copy of /masuk (no surel code)\n", r.Opt.PageClients)
		table(latencyRows(r.Floor))
		fmt.Fprintln(w, phaseCPU(r.Floor))
	}
	if len(r.Open) > 0 {
		fmt.Fprintln(w, "\n(b1) pages without hashing, open loop: requests arriving at a fixed rate, half on each page")
		table(r.openRows())
	}
	if r.Storm != nil {
		fmt.Fprintln(w, "\n(c) login storm: logins and pages arriving at fixed rates, side by side")
		table(r.Storm.rows())
		fmt.Fprintln(w, r.Storm.verdict(r.Opt.StormP99, r.Opt.StormBusyP99))
		if t := whyText(r.Storm.Logins.Why); t != "" {
			fmt.Fprintf(w, "login failures: %s\n", t)
		}
		if t := whyText(r.Storm.Pages.Why); t != "" {
			fmt.Fprintf(w, "page failures: %s\n", t)
		}
	}
	if r.WrkPages != nil {
		fmt.Fprintf(w, "\n(b) pages without hashing, %d closed-loop wrk connections\n", r.Opt.PageClients)
		table(wrkRows(*r.WrkPages))
		fmt.Fprintln(w, r.wrkVerdict())
		fmt.Fprintln(w, wrkCPU(*r.WrkPages))
	}
	if r.WrkFloor != nil {
		fmt.Fprintf(w, "\n(b0) harness floor: %d wrk connections against a static copy of /masuk (no surel code)\n", r.Opt.PageClients)
		table(wrkRows(*r.WrkFloor))
		fmt.Fprintln(w, wrkCPU(*r.WrkFloor))
	}
}

func (r *report) markdown(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "## authload run of %s\n\n", r.Started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "```\n%s\n```\n\n", r.Command)
	fmt.Fprintf(w, "- Machine: %s, %d CPUs (GOMAXPROCS %d), %s, %s\n", m.CPU, m.NumCPU, m.GOMAXPROCS, m.Kernel, m.Go)
	fmt.Fprintf(w, "- Setup: %s\n\n", r.setup())
	table := func(head []string, rows [][]string) {
		harness.MarkdownTable(w, head, rows)
		fmt.Fprintln(w)
	}
	if r.HashEnabled {
		fmt.Fprintf(w, "### (a) Login throughput vs raw argon2id\n\n")
		table(r.hashRows())
		fmt.Fprintf(w, "**%s**\n\n", r.hashVerdict())
	}
	if r.Pages != nil {
		fmt.Fprintf(w, "### (b) Pages without hashing, %d closed-loop clients\n\n", r.Opt.PageClients)
		table(latencyRows(r.Pages))
		fmt.Fprintf(w, "**%s**\n\n%s\n\n", r.pageVerdict(), phaseCPU(r.Pages))
	}
	if r.Floor != nil {
		fmt.Fprintf(w, "### (b0) Harness floor: the same %d clients against a static copy of /masuk (no surel code)\n\n", r.Opt.PageClients)
		table(latencyRows(r.Floor))
		fmt.Fprintf(w, "%s\n\n", phaseCPU(r.Floor))
	}
	if len(r.Open) > 0 {
		fmt.Fprintf(w, "### (b1) Pages without hashing, open loop: requests arriving at a fixed rate, half on each page\n\n")
		table(r.openRows())
	}
	if r.Storm != nil {
		fmt.Fprintf(w, "### (c) Login storm: logins and pages arriving at fixed rates, side by side\n\n")
		table(r.Storm.rows())
		fmt.Fprintf(w, "**%s**\n\n", r.Storm.verdict(r.Opt.StormP99, r.Opt.StormBusyP99))
		if t := whyText(r.Storm.Logins.Why); t != "" {
			fmt.Fprintf(w, "Login failures: %s\n\n", t)
		}
	}
	if r.WrkPages != nil {
		fmt.Fprintf(w, "### (b) Pages without hashing, %d closed-loop wrk connections\n\n", r.Opt.PageClients)
		table(wrkRows(*r.WrkPages))
		fmt.Fprintf(w, "**%s**\n\n%s\n\n", r.wrkVerdict(), wrkCPU(*r.WrkPages))
	}
	if r.WrkFloor != nil {
		fmt.Fprintf(w, "### (b0) Harness floor: %d wrk connections against a static copy of /masuk (no surel code)\n\n", r.Opt.PageClients)
		table(wrkRows(*r.WrkFloor))
		fmt.Fprintf(w, "%s\n\n", wrkCPU(*r.WrkFloor))
	}
	if d := r.discarded(); len(d) > 0 {
		fmt.Fprintf(w, "Measured again because other processes took over %.2f CPUs:\n\n- %s\n\n", r.Opt.Noise, strings.Join(d, "\n- "))
	}
	if n := r.noise(); n != "" {
		fmt.Fprintf(w, "%s\n\n", n)
	}
}

// wrkPass: every wrk group's p99 is under the target (each page on its own, which is
// stricter than the p99 of all requests together) and nothing failed.
func wrkPass(r harness.WrkResult, target time.Duration) bool {
	for _, g := range r.Groups {
		if g.Requests == 0 || g.P99 >= target || g.Errors > 0 {
			return false
		}
	}
	return len(r.Groups) > 0
}

func (r *report) wrkVerdict() string {
	worst, errs := time.Duration(0), int64(0)
	for _, g := range r.WrkPages.Groups {
		worst = max(worst, g.P99)
		errs += g.Errors
	}
	return fmt.Sprintf("%s: highest p99 of a page = %s (target < %s), %d errors", verdict(r.PagesPass()), fmtDur(worst), fmtDur(r.Opt.TargetP99), errs)
}

// wrkRows is the latency table of a wrk run, a row per wrk process.
func wrkRows(r harness.WrkResult) (head []string, rows [][]string) {
	head = []string{"route", "requests", "req/s", "p50", "p90", "p99", "p99.9", "max", "errors"}
	for _, g := range r.Groups {
		rows = append(rows, []string{g.Name, fmt.Sprint(g.Requests), fmt.Sprintf("%.0f", g.Rate()), fmtDur(g.P50), fmtDur(g.P90),
			fmtDur(g.P99), fmtDur(g.P999), fmtDur(g.Max), fmt.Sprint(g.Errors)})
	}
	return head, rows
}

// wrkLine sums a wrk run up in one line.
func wrkLine(r harness.WrkResult) string {
	var parts []string
	for _, g := range r.Groups {
		parts = append(parts, fmt.Sprintf("%s %.0f req/s p99 %s (%d errors)", g.Name, g.Rate(), fmtDur(g.P99), g.Errors))
	}
	return strings.Join(parts, "; ") + "; " + wrkCPU(r)
}

func wrkCPU(r harness.WrkResult) string {
	return fmt.Sprintf("CPU server/wrk/other: %.2f / %.2f / %.2f", r.SelfCPU, r.WrkCPU, r.OtherCPU)
}

// openRun is one open-loop page run at a given arrival rate.
type openRun struct {
	Rate   float64
	Result harness.Result
}

// openRows is the table of the open-loop runs: at each arrival rate, what was served and
// how long the answers took, counted from when each request was due.
func (r *report) openRows() (head []string, rows [][]string) {
	head = []string{"arrivals/s", "served/s", "p50", "p90", "p99", "max", "errors", "p99 < target", "CPU self/other"}
	for _, o := range r.Open {
		all := o.Result.All()
		p99 := harness.Percentile(all, 99)
		rows = append(rows, []string{fmt.Sprintf("%.0f", o.Rate), fmt.Sprintf("%.0f", o.Result.Rate()), fmtDur(harness.Percentile(all, 50)),
			fmtDur(harness.Percentile(all, 90)), fmtDur(p99), fmtDur(harness.Percentile(all, 100)), fmt.Sprint(o.Result.Total(o.Result.Fail)),
			map[bool]string{true: "yes", false: "no"}[p99 < r.Opt.TargetP99 && o.Result.Total(o.Result.Fail) == 0], harness.CPUText(o.Result)})
	}
	return head, rows
}
