// Command authload measures, in one run against the real surel server on SQLite, the two
// performance requirements of the account journeys:
//
//	(a) login throughput ≥ 0.9 × the raw argon2id hash rate, side by side;
//	(b) pages that need no hash answer with p99 < 10 ms at 50 concurrent clients, with
//	    100 000 registered users.
//
// It creates a temporary data directory, builds the app with app.New and the production
// argon2id parameters (passwd.Default), serves it with net/http on a loopback TCP port,
// seeds the users directly in SQL, then runs the phases: raw hash rate and login
// throughput alternately for -rounds rounds, then page latency. See bench/README.md.
//
//	go run ./bench/authload                    # defaults: 100 000 users, 10 s phases
//	go run ./bench/authload -out bench/run.md  # also write a markdown section
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/passwd"
)

type options struct {
	Users        int
	Duration     time.Duration
	Warmup       time.Duration
	Rounds       int
	RawWorkers   int
	LoginClients int
	PageClients  int
	TargetRatio  float64
	TargetP99    time.Duration
	Log          string
	Out          string
	CPUProfile   string
	Phases       string
	Seed         uint64
	Keep         bool
	Quiet        float64
	QuietWait    time.Duration
	Think        time.Duration
	Noise        float64
	Retries      int
	Driver       string
	Rates        string
	StormFactor  float64
	StormPages   float64
	StormP99     time.Duration
	StormBusyP99 time.Duration
	// Hash overrides the argon2id parameters; only the smoke test sets it.
	Hash *passwd.Params
}

func main() {
	var o options
	procs := runtime.GOMAXPROCS(0)
	flag.IntVar(&o.Users, "users", 100000, "registered users to seed")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "measured window of every phase")
	flag.DurationVar(&o.Warmup, "warmup", time.Second, "unmeasured warm-up before every phase's window")
	flag.IntVar(&o.Rounds, "rounds", 2, "rounds of (raw hash, login), run alternately")
	flag.IntVar(&o.RawWorkers, "raw-workers", procs, "goroutines hashing in the raw phase: GOMAXPROCS")
	slots, _ := passwd.New(passwd.Default).Capacity()
	flag.IntVar(&o.LoginClients, "login-clients", 2*slots, "concurrent login clients: twice the server's hash slots (GOMAXPROCS − 1, at least 1), so a request is always queued for each slot and none is turned away")
	flag.IntVar(&o.PageClients, "page-clients", 50, "concurrent clients in the page phase, half on GET /masuk, half on GET /akun")
	flag.Float64Var(&o.TargetRatio, "target-ratio", 0.9, "required login/raw throughput ratio")
	flag.DurationVar(&o.TargetP99, "target-p99", 10*time.Millisecond, "required page p99")
	flag.StringVar(&o.Log, "log", "text", "app log: text (formatted to io.Discard), discard (slog.DiscardHandler), stderr")
	flag.StringVar(&o.Out, "out", "", "write the results as a markdown section to this file")
	flag.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of every phase to PREFIX.<phase>.<attempt>.pprof (raw1.0, login1.0, pages.0, floor)")
	flag.StringVar(&o.Phases, "phases", "hash,pages", "phases to run: hash (raw and login rounds), pages, floor (the harness against a static copy of /masuk; informative), open (pages at -rates), storm (logins at -storm-factor × the raw hash rate beside pages at -storm-pages, open loop)")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed for the choice of users")
	flag.BoolVar(&o.Keep, "keep", false, "keep the temporary data directory")
	flag.Float64Var(&o.Quiet, "quiet", 0.15, "before every phase, wait until other processes use fewer CPUs than this (0: don't wait)")
	flag.DurationVar(&o.QuietWait, "quiet-wait", 3*time.Minute, "longest wait for a quiet machine before a phase")
	flag.Float64Var(&o.Noise, "noise", 0.1, "a round or page phase during which other processes used more CPUs than this is discarded and measured again (0: never)")
	flag.IntVar(&o.Retries, "retries", 3, "how many times a noisy round or page phase is measured again before it is kept anyway")
	flag.DurationVar(&o.Think, "think", 0, "mean pause (exponentially distributed) of each page client between requests (0: back-to-back, the requirement's definition)")
	flag.StringVar(&o.Rates, "rates", "2000,4000,6000,8000", "with phase open: the arrival rates (requests a second) of the open-loop page runs")
	flag.Float64Var(&o.StormFactor, "storm-factor", 3, "with phase storm: logins arrive at this multiple of the raw hash rate")
	flag.Float64Var(&o.StormPages, "storm-pages", 200, "with phase storm: arrivals a second of the pages that need no hash, during the storm")
	flag.DurationVar(&o.StormP99, "storm-p99", 50*time.Millisecond, "with phase storm: required p99 of the other pages")
	flag.DurationVar(&o.StormBusyP99, "storm-busy-p99", 100*time.Millisecond, "with phase storm: required p99 of the 503 answers to the logins turned away")
	flag.StringVar(&o.Driver, "driver", "conn", "page load generator: conn (lean keep-alive clients in this process, one connection and goroutine each: the least CPU taken from the server), go (net/http clients in this process, three goroutines a connection) or wrk (Debian's wrk, a separate process competing with the server for the CPUs)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "authload:", err)
		os.Exit(1)
	}
	rep.Command = harness.CommandLine("./bench/authload")
	fmt.Println()
	rep.text(os.Stdout)
	if o.Out != "" {
		if err := harness.WriteFile(o.Out, rep.markdown); err != nil {
			fmt.Fprintln(os.Stderr, "authload:", err)
			os.Exit(1)
		}
	}
	if !rep.Pass() {
		os.Exit(2)
	}
}

// round is one raw phase and the login phase right after it.
type round struct{ Raw, Login harness.Result }

// report is everything a run measured.
type report struct {
	Command  string
	Opt      options
	Machine  machine
	Started  time.Time
	SeedTook time.Duration
	LiveHeap uint64
	Memory   app.Memory // the collector's settings (app.TuneMemory, as surel serves)
	Rounds   []round
	Pages    *harness.Result
	Floor    *harness.Result // the harness alone, when -phases has floor
	// Open are the open-loop page runs (phase open), one per rate of -rates.
	Open []openRun
	// Storm is the login storm (phase storm).
	Storm *stormRun
	// WrkPages and WrkFloor are the page and floor phases when -driver is wrk.
	WrkPages, WrkFloor *harness.WrkResult
	DiscardedWrk       []harness.WrkResult
	// Discarded and DiscardedPages are measurements repeated because other processes
	// took more than -noise CPUs during them.
	Discarded      []round
	DiscardedPages []harness.Result
	HashEnabled    bool
}

func run(ctx context.Context, o options, out io.Writer) (*report, error) {
	rep := &report{Opt: o, Machine: describeMachine(), Started: time.Now(), Memory: app.TuneMemory(os.Getenv)}
	hashPhases, pagePhase, floorPhase, openPhase, stormPhase := false, false, false, false, false
	for _, p := range strings.Split(o.Phases, ",") {
		switch strings.TrimSpace(p) {
		case "hash":
			hashPhases = true
		case "pages":
			pagePhase = true
		case "floor":
			floorPhase = true
		case "open":
			openPhase = true
		case "storm":
			stormPhase = true
		default:
			return nil, fmt.Errorf("-phases: unknown phase %q (want hash, pages, floor, open, storm)", p)
		}
	}
	rep.HashEnabled = hashPhases
	switch {
	case o.Driver != "wrk" && o.Driver != "go" && o.Driver != "conn":
		return nil, fmt.Errorf("-driver: want wrk or go, got %q", o.Driver)
	case o.Driver == "wrk" && o.Think > 0:
		return nil, fmt.Errorf("-think needs -driver go (wrk has no think time)")
	}
	fmt.Fprintf(out, "authload: %s, GOMAXPROCS %d, %s\n", rep.Machine.CPU, rep.Machine.GOMAXPROCS, rep.Machine.Go)

	t := time.Now()
	e, err := newEnv(ctx, envOptions{Users: o.Users, Log: o.Log, KeepDir: o.Keep, Out: out, Hash: o.Hash})
	if err != nil {
		return nil, err
	}
	defer e.Close()
	rep.SeedTook = time.Since(t)
	if o.Keep {
		fmt.Fprintf(out, "data directory kept: %s\n", e.Dir)
	}
	rep.LiveHeap = e.LiveHeap
	fmt.Fprintf(out, "server %s, argon2id m=%d KiB t=%d p=%d, live heap %.1f MiB\n", e.BaseURL, e.Hash.Memory, e.Hash.Time, e.Hash.Threads, float64(e.LiveHeap)/(1<<20))

	noisy := func(r harness.Result) bool { return o.Noise > 0 && !math.IsNaN(r.OtherCPU) && r.OtherCPU > o.Noise }
	// phase waits for a quiet machine, then runs one measurement under the CPU profiler.
	phase := func(name string, fn func() harness.Result) harness.Result {
		harness.WaitQuiet(ctx, o.Quiet, o.QuietWait, out, func(other float64) {
			fmt.Fprintf(out, "waiting for the machine to be quiet (other processes use %.2f CPUs)...\n", other)
		})
		stop := profile(o.CPUProfile, name)
		defer stop()
		return fn()
	}
	if hashPhases {
		if err := checkLogin(ctx, e); err != nil {
			return nil, err
		}
		for i := range o.Rounds {
			for try := 0; ; try++ {
				var rd round
				seed := o.Seed + uint64(i)
				rd.Raw = phase(fmt.Sprintf("raw%d.%d", i+1, try), func() harness.Result {
					return rawHashes(ctx, e, o.RawWorkers, o.Warmup, o.Duration, seed)
				})
				fmt.Fprintf(out, "round %d raw:   %7.2f hashes/s (%d workers), CPU self/other %s\n", i+1, rd.Raw.Rate(), o.RawWorkers, harness.CPUText(rd.Raw))
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				rd.Login = phase(fmt.Sprintf("login%d.%d", i+1, try), func() harness.Result {
					return logins(ctx, e, o.LoginClients, o.Warmup, o.Duration, seed)
				})
				fmt.Fprintf(out, "round %d login: %7.2f logins/s (%d clients), ratio %.3f, %d errors, CPU self/other %s\n", i+1, rd.Login.Rate(),
					o.LoginClients, rd.Login.Rate()/rd.Raw.Rate(), rd.Login.Total(rd.Login.Fail), harness.CPUText(rd.Login))
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				if (noisy(rd.Raw) || noisy(rd.Login)) && try < o.Retries {
					fmt.Fprintf(out, "round %d: other processes took more than %.2f CPUs; discarded, measuring it again\n", i+1, o.Noise)
					rep.Discarded = append(rep.Discarded, rd)
					continue
				}
				rep.Rounds = append(rep.Rounds, rd)
				break
			}
		}
	}
	if pagePhase {
		akunClients := o.PageClients / 2
		cookies, err := e.sessions(ctx, akunClients)
		if err != nil {
			return nil, err
		}
		akunBytes, err := checkPages(ctx, e, cookies)
		if err != nil {
			return nil, err
		}
		for try := 0; o.Driver == "wrk"; try++ {
			var werr error
			var r harness.WrkResult
			phase(fmt.Sprintf("pages.%d", try), func() harness.Result {
				r, werr = wrkPages(ctx, e, o.PageClients, cookies, o.Warmup, o.Duration, akunBytes)
				return harness.Result{}
			})
			if werr != nil {
				return nil, werr
			}
			fmt.Fprintf(out, "pages (wrk): %s\n", wrkLine(r))
			if o.Noise > 0 && r.OtherCPU > o.Noise && try < o.Retries {
				fmt.Fprintf(out, "pages: other processes took more than %.2f CPUs; discarded, measuring again\n", o.Noise)
				rep.DiscardedWrk = append(rep.DiscardedWrk, r)
				continue
			}
			rep.WrkPages = &r
			break
		}
		for try := 0; o.Driver != "wrk"; try++ {
			r := phase(fmt.Sprintf("pages.%d", try), func() harness.Result {
				return pages(ctx, e, o.Driver, o.PageClients, cookies, o.Think, o.Warmup, o.Duration, o.Seed)
			})
			fmt.Fprintf(out, "pages: %.0f req/s, p99 %s, %d errors, CPU self/other %s\n", r.Rate(), fmtDur(harness.Percentile(r.All(), 99)), r.Total(r.Fail), harness.CPUText(r))
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if noisy(r) && try < o.Retries {
				fmt.Fprintf(out, "pages: other processes took more than %.2f CPUs; discarded, measuring again\n", o.Noise)
				rep.DiscardedPages = append(rep.DiscardedPages, r)
				continue
			}
			rep.Pages = &r
			break
		}
	}
	if openPhase {
		cookies, err := e.sessions(ctx, o.PageClients/2)
		if err != nil {
			return nil, err
		}
		for _, f := range strings.Split(o.Rates, ",") {
			rate, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || rate <= 0 {
				return nil, fmt.Errorf("-rates: %q is not a rate", f)
			}
			r := phase(fmt.Sprintf("open%.0f", rate), func() harness.Result {
				return pagesAt(ctx, e, rate, o.PageClients, cookies, o.Warmup, o.Duration, o.Seed)
			})
			rep.Open = append(rep.Open, openRun{Rate: rate, Result: r})
			fmt.Fprintf(out, "open loop %.0f/s: %.0f req/s, p99 %s, %d errors, CPU self/other %s\n", rate, r.Rate(),
				fmtDur(harness.Percentile(r.All(), 99)), r.Total(r.Fail), harness.CPUText(r))
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
		}
	}
	if stormPhase {
		raw, _, _ := rep.hashTotals()
		if raw == 0 {
			r := phase("storm-raw", func() harness.Result {
				return rawHashes(ctx, e, o.RawWorkers, o.Warmup, o.Duration, o.Seed)
			})
			raw = r.Rate()
			fmt.Fprintf(out, "storm: raw argon2id %.2f hashes/s (%d workers), CPU self/other %s\n", raw, o.RawWorkers, harness.CPUText(r))
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		cookies, err := e.sessions(ctx, o.PageClients/2)
		if err != nil {
			return nil, err
		}
		var st stormRun
		phase("storm", func() harness.Result {
			st = storm(ctx, e, raw, o.StormFactor, o.StormPages, o.PageClients, cookies, o.Warmup, o.Duration, o.Seed)
			return st.Pages
		})
		rep.Storm = &st
		fmt.Fprintln(out, "storm: "+st.verdict(o.StormP99, o.StormBusyP99))
	}
	if floorPhase && o.Driver == "wrk" {
		var ferr error
		var r harness.WrkResult
		phase("floor", func() harness.Result {
			r, ferr = wrkFloor(ctx, e, o.PageClients, o.Warmup, o.Duration)
			return harness.Result{}
		})
		if ferr != nil {
			return nil, ferr
		}
		rep.WrkFloor = &r
		fmt.Fprintf(out, "floor (wrk): %s\n", wrkLine(r))
	}
	if floorPhase && o.Driver != "wrk" {
		var ferr error
		r := phase("floor", func() harness.Result {
			var r harness.Result
			r, ferr = floor(ctx, e, o.Driver, o.PageClients, o.Think, o.Warmup, o.Duration, o.Seed)
			return r
		})
		if ferr != nil {
			return nil, ferr
		}
		rep.Floor = &r
		fmt.Fprintf(out, "floor: %.0f req/s, p99 %s, %d errors, CPU self/other %s\n", r.Rate(), fmtDur(harness.Percentile(r.All(), 99)), r.Total(r.Fail), harness.CPUText(r))
	}
	return rep, nil
}

// profile starts a CPU profile of one phase when prefix is set; the returned func stops it.
func profile(prefix, phase string) func() {
	if prefix == "" {
		return func() {}
	}
	stop, err := harness.CPUProfile(prefix + "." + phase + ".pprof")
	if err != nil {
		fmt.Fprintln(os.Stderr, "authload: cpuprofile:", err)
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
	m := machine{NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), CPU: "unknown CPU",
		Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		// The first processor's block: model name, family/model (the name alone may be
		// as vague as "AMD EPYC" in a VM), clock and cache.
		first, _, _ := strings.Cut(string(b), "\n\n")
		info := map[string]string{}
		for _, line := range strings.Split(first, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				info[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		if n := info["model name"]; n != "" {
			m.CPU = fmt.Sprintf("%s (family %s model %s, %s MHz, cache %s)", n, info["cpu family"], info["model"], info["cpu MHz"], info["cache size"])
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	return m
}
