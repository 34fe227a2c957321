package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSmoke seeds a small database and runs every phase for a fraction of a second on
// SQLite (and on PostgreSQL when SUREL_TEST_POSTGRES names a server), so the program keeps
// working as the app changes. It checks the plumbing, not the numbers.
func TestSmoke(t *testing.T) {
	type run1 struct{ db, driver string }
	runs := []run1{{"sqlite", "conn"}, {"sqlite", "go"}}
	if os.Getenv("SUREL_TEST_POSTGRES") != "" {
		runs = append(runs, run1{"postgres", "conn"})
	}
	for _, r := range runs {
		db := r.db
		t.Run(db+"-"+r.driver, func(t *testing.T) {
			o := options{DB: db, PG: os.Getenv("SUREL_TEST_POSTGRES"), PGDB: "bench_backoffice_smoke", Requests: 3000, Steps: 4, Mailboxes: true, Clients: 4, Sessions: 2,
				Duration: 300 * time.Millisecond, Warmup: 100 * time.Millisecond, TargetP99: time.Second, Floor: true, Explain: true,
				Log: "discard", Seed: 1, Driver: r.driver}
			if db == "postgres" {
				// Two processes in the open loop, the backends' CPU beside.
				o.Procs, o.Rates, o.Duration = 2, "20", 2*time.Second
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
				if len(rep.Open) != 1 || rep.Open[0].Result.Total(rep.Open[0].Result.OK) == 0 || rep.Open[0].Result.Total(rep.Open[0].Result.Fail) != 0 ||
					!(rep.Open[0].PGCPU > 0) {
					t.Errorf("open loop over two processes: %+v", rep.Open)
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
			o := options{DB: db, PG: os.Getenv("SUREL_TEST_POSTGRES"), Requests: 3000, Steps: 4, Mailboxes: false, Clients: 4, Sessions: 1,
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
