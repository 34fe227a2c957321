package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
)

// TestSmoke seeds a small database and runs every phase for a fraction of a second on
// SQLite (and on PostgreSQL when SUREL_TEST_POSTGRES names a server), so the program keeps
// working as the app changes. It checks the plumbing, not the numbers. On PostgreSQL the
// open loop runs over one and two instances: app instances in this process, and surel
// OS processes of the real binary (-exec; SQLite serves one process by design).
func TestSmoke(t *testing.T) {
	type run1 struct {
		db, driver string
		exec       bool
	}
	runs := []run1{{"sqlite", "conn", false}, {"sqlite", "go", false}}
	if os.Getenv("SUREL_TEST_POSTGRES") != "" {
		runs = append(runs, run1{"postgres", "conn", true}, run1{"postgres", "go", false})
	}
	for _, r := range runs {
		db := r.db
		t.Run(fmt.Sprintf("%s-%s-exec=%v", db, r.driver, r.exec), func(t *testing.T) {
			o := options{DB: db, PG: os.Getenv("SUREL_TEST_POSTGRES"), PGDB: "bench_backoffice_smoke", Requests: 3000, Steps: 4, Mailboxes: true, Clients: 4, Sessions: 2,
				Duration: 300 * time.Millisecond, Warmup: 100 * time.Millisecond, TargetP99: time.Second, Floor: true, Explain: true,
				Log: "discard", Seed: 1, Driver: r.driver, Procs: "1", Exec: r.exec}
			if db == "postgres" {
				// One instance and two in the open loop, the backends' CPU beside.
				o.Procs, o.Rates, o.Duration = "1,2", "20", 2*time.Second
			}
			rep, err := run(context.Background(), o, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			for i, name := range rep.Pages.Routes {
				if rep.Pages.OK[i] == 0 || rep.Pages.Fail[i] != 0 {
					t.Errorf("%s: %d ok, %d failed (%v)", name, rep.Pages.OK[i], rep.Pages.Fail[i], rep.Pages.Why)
				}
			}
			if db == "postgres" {
				if len(rep.Open) != 2 {
					t.Fatalf("open loop over one and two instances: %d runs", len(rep.Open))
				}
				for i, run := range rep.Open {
					res := run.Result
					if run.Procs != i+1 || run.Exec != r.exec || res.Total(res.OK) == 0 || res.Total(res.Fail) != 0 || !(run.PGCPU > 0) ||
						(r.exec && !(run.SurelCPU > 0)) || (!r.exec && !math.IsNaN(run.SurelCPU)) {
						t.Errorf("open loop over %s: %d served, %d failed (%v), PostgreSQL %.3f CPUs, surel processes %.3f CPUs",
							run.over(), res.Total(res.OK), res.Total(res.Fail), res.Why, run.PGCPU, run.SurelCPU)
					}
				}
				want := "two processes / one: "
				if !r.exec {
					want = "2 app instances in this process / one: "
				}
				if l := rep.ratios(); len(l) != 1 || !strings.Contains(l[0], want) || !strings.Contains(l[0], "× CPU a page") {
					t.Errorf("ratio lines %q, want one with %q", l, want)
				}
			}
			if rep.Floor == nil || rep.Floor.Total(rep.Floor.OK) == 0 {
				t.Error("no floor measured")
			}
			var b strings.Builder
			rep.markdown(&b)
			for _, want := range []string{"GET /kantor/permohonan/{id}", "harness floor", "inbox count"} {
				if !strings.Contains(b.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, b.String())
				}
			}
		})
	}
}

// TestExecSQLite: surel processes of their own need PostgreSQL; on SQLite -exec is
// refused before anything is seeded.
func TestExecSQLite(t *testing.T) {
	_, err := run(context.Background(), options{DB: "sqlite", Steps: 4, Driver: "conn", Sessions: 1, Procs: "1,2", Exec: true, Rates: "20"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-exec: PostgreSQL only") {
		t.Fatalf("-exec on SQLite: %v", err)
	}
}

// TestRatios: the ratio line of issue 15 compares the CPU a page of two surel processes
// with one at the same rate, a count run twice counting with its mean.
func TestRatios(t *testing.T) {
	at := func(procs int, surel float64) openRun {
		r := harness.Result{Window: time.Second, OK: []int{100}, SelfCPU: 0.05}
		return openRun{Rate: 400, Procs: procs, Exec: true, Result: r, PGCPU: 0.1, SurelCPU: surel}
	}
	rep := &report{Open: []openRun{at(1, 0.1), at(2, 0.131), at(1, 0.12)}}
	want := "at 400/s: two processes / one: 1.10× CPU a page (target ≤ 1.1×) (2.31 / 2.10 ms, means of 1 and 2 runs)"
	if l := rep.ratios(); len(l) != 1 || l[0] != want {
		t.Fatalf("ratios %q, want %q", l, want)
	}
	if got := at(1, 0.1).perPageText(); got != "2.00 ms = 1.00 surel + 1.00 PostgreSQL (load generator 0.50 ms apart)" {
		t.Errorf("CPU a page: %q", got)
	}
}

// TestPlan checks the seed's invariants the unique indexes and the pages rely on.
func TestPlan(t *testing.T) {
	s := &shape{Tenant: 1, Domain: "mail.go.id", Requests: 50_000, Steps: 10, Users: 2500, Now: time.Now()}
	s.plan()
	if len(s.running) == 0 || len(s.live) <= len(s.running) || len(s.finished) < s.Requests/2 {
		t.Fatalf("plan: %d live, %d running, %d finished", len(s.live), len(s.running), len(s.finished))
	}
	addrs := map[string]bool{}
	for i := 1; i <= s.Requests; i++ {
		a := s.mailbox(i)
		if addrs[a] {
			t.Fatalf("mailbox %s twice", a)
		}
		addrs[a] = true
		open := 0
		for seq := 1; seq <= s.Steps; seq++ {
			if _, st := s.stepOf(i, seq); st == "open" {
				open++
			}
		}
		if want := map[bool]int{true: 1, false: 0}[s.status[i] == stWaiting || s.status[i] == stWorking]; open != want {
			t.Fatalf("request %d (%s): %d running steps, want %d", i, statusNames[s.status[i]], open, want)
		}
	}
}

// TestSmokeReports runs the reports phase on a small seed: every report answers, alone
// and in the open loop, and the account list of the three years holds every account
// the seed made.
func TestSmokeReports(t *testing.T) {
	dbs := []string{"sqlite"}
	if os.Getenv("SUREL_TEST_POSTGRES") != "" {
		dbs = append(dbs, "postgres")
	}
	for _, db := range dbs {
		t.Run(db, func(t *testing.T) {
			o := options{DB: db, PG: os.Getenv("SUREL_TEST_POSTGRES"), Requests: 3000, Steps: 4, Mailboxes: false, Clients: 4, Sessions: 1, Procs: "1",
				Duration: time.Second, Warmup: 100 * time.Millisecond, Log: "discard", Seed: 1, Driver: "go",
				Reports: true, ReportRate: 60, ReportP99: time.Minute}
			rep, err := run(context.Background(), o, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			r := rep.Reports
			// A loaded machine serves fewer than arrive within the short window: the numbers
			// are not judged here, the plumbing is.
			if r == nil || len(r.Once) != len(r.Open.Routes) || r.Open.Total(r.Open.OK) == 0 || r.Open.Total(r.Open.Fail) != 0 {
				t.Fatalf("reports phase: %+v", r)
			}
			if len(r.CSV) != 2 || r.CSV[1].Rows != int64(rep.SeedRows["registry"]) || r.CSV[0].Rows >= r.CSV[1].Rows {
				t.Fatalf("account lists: %+v, %d accounts", r.CSV, rep.SeedRows["registry"])
			}
			var b strings.Builder
			rep.markdown(&b)
			for _, want := range []string{"layanan, 3 years, all instansi", "daftar.csv", "**Reports: "} {
				if !strings.Contains(b.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, b.String())
				}
			}
		})
	}
}
