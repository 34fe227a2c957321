// Command backoffice measures the back office at national scale: with 1 000 000
// requests and 10 000 000 history rows in the database, the staff inbox (GET /kantor) and
// a request page (GET /kantor/permohonan/{id}) must answer with p99 < 25 ms at 50
// concurrent clients, on SQLite and on PostgreSQL.
//
// It builds the real app with app.New on a fresh database (the app's migrations), bulk
// loads the data straight into the schema (multi-row INSERTs on SQLite, COPY on
// PostgreSQL), signs a kepala_seksi in through /masuk and /masuk/verifikasi, then runs
// closed-loop clients against the two pages and a static handler (the harness floor).
// See bench/README.md.
//
//	go run ./bench/backoffice                                   # SQLite, 1M requests, 10 steps each
//	go run ./bench/backoffice -db postgres                      # PostgreSQL at 127.0.0.1:5432
//	go run ./bench/backoffice -keep /tmp/bo -requests 100000    # keep (and reuse) the seeded database
//	go run ./bench/backoffice -db postgres -rates 400 -procs 1,2 -exec  # one surel process against two
//	go run ./bench/backoffice -registry -keep /tmp/reg          # the registry page, 1M mailboxes, 200 pages/s (registry.go)
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/app"
)

type options struct {
	DB         string
	PG         string
	PGDB       string
	Requests   int
	Steps      int
	Mailboxes  bool
	Clients    int
	Sessions   int
	Duration   time.Duration
	Warmup     time.Duration
	Keep       string
	TargetP99  time.Duration
	Floor      bool
	Explain    bool
	Procs      string
	Exec       bool
	Out        string
	CPUProfile string
	Log        string
	Seed       uint64
	Quiet      float64
	QuietWait  time.Duration
	Rates      string
	Driver     string
	Reports    bool
	ReportRate float64
	ReportP99  time.Duration
	// The registry phase (-registry).
	Registry     bool
	RegistryRows int
	RegistryRate float64
	RegistryP99  time.Duration
}

// registryRows is the registry phase's mailboxes, 0 outside it.
func (o options) registryRows() int {
	if !o.Registry {
		return 0
	}
	return o.RegistryRows
}

// registryFlags are the flags of a seed's registry, for a message.
func registryFlags(rows int) string {
	if rows == 0 {
		return ""
	}
	return fmt.Sprintf(" -registry -registry-mailboxes %d", rows)
}

func main() {
	var o options
	flag.StringVar(&o.DB, "db", "sqlite", "engine: sqlite or postgres")
	flag.StringVar(&o.PG, "pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server (any database on it); the benchmark creates and drops its own database bench_backoffice there")
	flag.StringVar(&o.PGDB, "pg-db", pgDatabase, "name of the benchmark's own database on the -pg server (so that two runs on one server do not drop each other's)")
	flag.IntVar(&o.Requests, "requests", 1_000_000, "requests to seed")
	flag.IntVar(&o.Steps, "steps-per-request", 10, "history rows (request_steps) per request, at least 3")
	flag.BoolVar(&o.Mailboxes, "mailboxes", true, "seed one mailbox (sql mail driver) per finished request, as the running service would have")
	flag.IntVar(&o.Clients, "clients", 50, "concurrent closed-loop clients")
	flag.IntVar(&o.Sessions, "sessions", 5, "staff sessions the clients share (one login each, 1 to 10)")
	flag.DurationVar(&o.Duration, "duration", 30*time.Second, "measured window")
	flag.DurationVar(&o.Warmup, "warmup", 3*time.Second, "unmeasured warm-up before the window")
	flag.StringVar(&o.Keep, "keep", "", "data directory to keep; a database seeded there before (same -db, -requests, -steps-per-request, -mailboxes) is reused")
	flag.DurationVar(&o.TargetP99, "target-p99", 25*time.Millisecond, "required p99 of each page")
	flag.BoolVar(&o.Floor, "floor", true, "also measure the harness floor (a static copy of the inbox page)")
	flag.StringVar(&o.Rates, "rates", "", "also run the pages in an open loop at these arrival rates (pages a second, comma-separated; informative)")
	flag.StringVar(&o.Procs, "procs", "1", "instances serving the open-loop runs (-rates), the pages spread round robin over them; a list (1,2) runs every rate with each count and prints the ratio of their CPU a page")
	flag.BoolVar(&o.Exec, "exec", false, "serve the open-loop runs from separate surel OS processes (the real binary, built once), not app instances inside this process; PostgreSQL only")
	flag.BoolVar(&o.Explain, "explain", false, "print the query plans and single-query timings of the inbox")
	flag.StringVar(&o.Out, "out", "", "also write the results as a markdown section to this file")
	flag.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the page phase to this file")
	flag.StringVar(&o.Log, "log", "text", "app log: text (formatted to io.Discard), discard, stderr")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed of the clients")
	flag.Float64Var(&o.Quiet, "quiet", 0.15, "before a phase, wait until other processes use fewer CPUs than this (0: don't wait)")
	flag.DurationVar(&o.QuietWait, "quiet-wait", time.Minute, "longest wait for a quiet machine")
	flag.StringVar(&o.Driver, "driver", "conn", "closed-loop load generator: conn (lean keep-alive clients, one connection each) or go (net/http's client); see bench/README.md")
	flag.BoolVar(&o.Reports, "reports", false, "measure the reports (issue 16: each under 2 s, CSV in constant memory) instead of the inbox and request page")
	flag.Float64Var(&o.ReportRate, "report-rate", 0.5, "reports arriving a second in the reports phase's open loop")
	flag.DurationVar(&o.ReportP99, "report-target", 2*time.Second, "required time of each report (alone, and p99 in the open loop)")
	flag.BoolVar(&o.Registry, "registry", false, "measure the registry page /kantor/akun (issue 14: p99 < 50 ms at 200 pages/s with 1,000,000 mailboxes) instead of the inbox and request page; -requests defaults to 200000 and -steps-per-request to 3 here")
	flag.IntVar(&o.RegistryRows, "registry-mailboxes", 1_000_000, "mailboxes in the registry phase's registry: the finished requests' and, for the rest, adopted ones")
	flag.Float64Var(&o.RegistryRate, "registry-rate", 200, "registry pages arriving a second in the registry phase's open loop")
	flag.DurationVar(&o.RegistryP99, "registry-target", 50*time.Millisecond, "required p99 of each kind of registry page in the open loop")
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.Registry && !set["requests"] {
		o.Requests = 200_000
	}
	if o.Registry && !set["steps-per-request"] {
		o.Steps = 3
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backoffice:", err)
		os.Exit(1)
	}
	rep.Command = harness.CommandLine("./bench/backoffice")
	fmt.Println()
	rep.text(os.Stdout)
	if o.Out != "" {
		if err := harness.WriteFile(o.Out, rep.markdown); err != nil {
			fmt.Fprintln(os.Stderr, "backoffice:", err)
			os.Exit(1)
		}
	}
	if !rep.Pass() {
		os.Exit(2)
	}
}

// report is everything a run measured.
type report struct {
	Command  string
	Memory   app.Memory // the collector's settings (app.TuneMemory, as surel serves)
	Opt      options
	Machine  machine
	Started  time.Time
	Seeded   bool // false: a kept database was reused
	SeedTook time.Duration
	SeedRows map[string]int
	SeedEach map[string]time.Duration
	Live     int
	Inbox    int // running steps in the member's inbox
	Pages    harness.Result
	Floor    *harness.Result
	Open     []openRun // the open-loop runs of -rates
	Load     [2]string // /proc/loadavg before and after the page phase
	FloorLd  [2]string
	Explain  string
	Reports  *reportsResult  // the reports phase of -reports
	Registry *registryResult // the registry phase of -registry
	RegCheck string          // what the registry phase's seed check found ("" when a kept database was reused)
	shape    *shape
}

func run(ctx context.Context, o options, out io.Writer) (*report, error) {
	if o.Steps < 3 {
		return nil, fmt.Errorf("-steps-per-request: at least 3")
	}
	if o.Driver != "conn" && o.Driver != "go" {
		return nil, fmt.Errorf("-driver: want conn or go, got %q", o.Driver)
	}
	if o.Sessions < 1 || o.Sessions > 10 {
		return nil, fmt.Errorf("-sessions: 1 to 10 (a member has ten recovery codes)")
	}
	procs, err := procsList(o.Procs)
	if err != nil {
		return nil, err
	}
	rates, err := ratesList(o.Rates)
	if err != nil {
		return nil, err
	}
	if o.Exec && o.DB != "postgres" {
		return nil, fmt.Errorf("-exec: PostgreSQL only (-db postgres): SQLite serves one process by design")
	}
	rep := &report{Opt: o, Machine: describeMachine(), Started: time.Now(), Memory: app.TuneMemory(os.Getenv)}
	fmt.Fprintf(out, "backoffice: %s, %d CPUs, GOMAXPROCS %d, %s, load %s\n", rep.Machine.CPU, rep.Machine.NumCPU, rep.Machine.GOMAXPROCS, rep.Machine.Go, harness.LoadAvg())
	e, err := newEnv(ctx, o, out)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	rep.Seeded, rep.SeedTook, rep.SeedEach = e.seeded, e.seedTook, e.seedEach
	rep.SeedRows = map[string]int{}
	for _, t := range e.shape.tables() {
		rep.SeedRows[t.name] = t.n
	}
	rep.Live, rep.Inbox, rep.RegCheck, rep.shape = len(e.shape.live), e.inbox, e.regCheck, e.shape
	if o.Explain {
		if rep.Explain, err = e.explain(ctx); err != nil {
			return nil, err
		}
		fmt.Fprint(out, rep.Explain)
	}

	waiting := func(other float64) {
		fmt.Fprintf(out, "waiting for a quiet machine (other processes %.2f CPUs, want < %.2f)…\n", other, o.Quiet)
	}
	if o.Registry {
		rep.Registry, err = registryPhase(ctx, e, out)
		return rep, err
	}
	if o.Reports {
		harness.WaitQuiet(ctx, o.Quiet, o.QuietWait, out, waiting)
		rr := &reportsResult{Rate: o.ReportRate, Target: o.ReportP99, Started: time.Now()}
		rr.Load[0] = harness.LoadAvg()
		rr.Names, rr.Once, rr.OnceCPU, rr.OnceErr = reportsOnce(ctx, e)
		for i, n := range rr.Names {
			fmt.Fprintf(out, "  %-40s alone %s, CPU %s %s\n", n, ms(rr.Once[i]), ms(rr.OnceCPU[i]), rr.OnceErr[i])
		}
		rr.Open = reportsAt(ctx, e, o.ReportRate, o.Warmup, o.Duration, o.Seed)
		rr.Load[1] = harness.LoadAvg()
		if rr.CSV, err = csvMemory(ctx, e); err != nil {
			return nil, err
		}
		rep.Reports = rr
		return rep, ctx.Err()
	}
	harness.WaitQuiet(ctx, o.Quiet, o.QuietWait, out, waiting)
	rep.Load[0] = harness.LoadAvg()
	stopProf := profile(o.CPUProfile)
	rep.Pages = pages(ctx, e, o.Clients, o.Warmup, o.Duration, o.Seed)
	stopProf()
	rep.Load[1] = harness.LoadAvg()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	fmt.Fprintf(out, "pages: %.0f req/s, p99 %s, %d errors, CPU self/other %s, load %s → %s\n", rep.Pages.Rate(),
		ms(harness.Percentile(rep.Pages.All(), 99)), rep.Pages.Total(rep.Pages.Fail), harness.CPUText(rep.Pages), rep.Load[0], rep.Load[1])
	for _, n := range procs {
		if len(rates) == 0 {
			break
		}
		if err := openRuns(ctx, e, rep, n, rates, out, waiting); err != nil {
			return nil, err
		}
	}
	for _, l := range rep.ratios() {
		fmt.Fprintln(out, l)
	}
	if o.Floor {
		harness.WaitQuiet(ctx, o.Quiet, o.QuietWait, out, waiting)
		rep.FloorLd[0] = harness.LoadAvg()
		f := floor(ctx, e, o.Clients, o.Warmup, o.Duration, o.Seed)
		rep.FloorLd[1] = harness.LoadAvg()
		rep.Floor = &f
		fmt.Fprintf(out, "floor: %.0f req/s, p99 %s, CPU self/other %s\n", f.Rate(), ms(harness.Percentile(f.All(), 99)), harness.CPUText(f))
	}
	return rep, nil
}

// openRuns runs the open loop at each rate over a fleet of n instances, started for
// these runs and stopped after them (on an error or an interrupt too).
func openRuns(ctx context.Context, e *env, rep *report, n int, rates []float64, out io.Writer, waiting func(float64)) error {
	f, err := e.startFleet(ctx, n, out)
	if err != nil {
		return err
	}
	defer f.stop(out)
	for _, rate := range rates {
		harness.WaitQuiet(ctx, e.opt.Quiet, e.opt.QuietWait, out, waiting)
		run := pagesAt(ctx, e, f, rate, e.opt.Clients, e.opt.Warmup, e.opt.Duration, e.opt.Seed)
		rep.Open = append(rep.Open, run)
		r := run.Result
		fmt.Fprintf(out, "open loop %.0f/s over %s: %.0f req/s, p99 %s, %d errors, CPU self/other %s, %sPostgreSQL backends %.2f CPUs; CPU a page: %s\n",
			rate, run.over(), r.Rate(), ms(harness.Percentile(r.All(), 99)), r.Total(r.Fail), harness.CPUText(r), run.surelText(), run.PGCPU, run.perPageText())
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// procsList reads -procs: instance counts, at least 1 each (one instance when empty).
func procsList(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return []int{1}, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-procs: want counts of at least 1, comma-separated (1,2), got %q", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// ratesList reads -rates: arrival rates a second, none when empty.
func ratesList(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		rate, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || rate <= 0 {
			return nil, fmt.Errorf("-rates: %q is not a rate", f)
		}
		out = append(out, rate)
	}
	return out, nil
}

// profile starts a CPU profile of the page phase when path is set; the returned func
// stops it.
func profile(path string) func() {
	stop, err := harness.CPUProfile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backoffice: cpuprofile:", err)
	}
	return stop
}

// machine describes where the run happened.
type machine struct {
	NumCPU     int
	GOMAXPROCS int
	CPU        string
	Kernel     string
	Go         string
}

func describeMachine() machine {
	m := machine{NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), CPU: "?", Kernel: "?",
		Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}
