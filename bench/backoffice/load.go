package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
)

// Routes of the page phase. The verdict is per page: the inbox (all three variants)
// and the request page.
const (
	routeInbox       = iota // GET /kantor
	routeInboxSearch        // GET /kantor?q=…
	routeInboxOver          // GET /kantor?batas=over
	routeRequest            // GET /kantor/permohonan/{id}
)

var routeNames = []string{"GET /kantor", "GET /kantor?q=…", "GET /kantor?batas=over", "GET /kantor/permohonan/{id}"}

// pages drives the two back-office pages: every client alternates the inbox (plain
// three times in five, a search or the overdue filter once each) and the page of a random
// live request. Any answer but 200 is an error.
func pages(ctx context.Context, e *env, clients int, warmup, window time.Duration, seed uint64) harness.Result {
	get, done := harness.NewGetter(e.opt.Driver, e.client, e.baseURL, clients)
	defer done()
	turn := make([]int, clients)
	return harness.ClosedLoop(ctx, clients, 0, warmup, window, routeNames, seed, func(ctx context.Context, c int, rng *rand.Rand) (int, bool, string) {
		turn[c]++
		return pageOp(ctx, e, get, c, turn[c]%2 == 0, rng)
	})
}

// pagesAt is the same mix in an open loop: pages requested at rate a second whatever the
// answers' speed, an inbox or a request page with even odds (harness.OpenLoop), spread
// round robin over the fleet's instances (-procs). Arrivals overlap, so it uses
// net/http's client, which opens the connections they need. Beside the result it gives
// the CPUs (cores, averaged over the run) of the PostgreSQL backends serving the
// benchmark's database (NaN on SQLite) and of the fleet's surel processes (NaN
// in-process, where surel's CPU is this process's).
func pagesAt(ctx context.Context, e *env, f *fleet, rate float64, clients int, warmup, window time.Duration, seed uint64) openRun {
	var gets []harness.Getter
	for _, b := range f.bases {
		get, done := harness.NewGetter("go", e.client, b, clients)
		defer done()
		gets = append(gets, get)
	}
	get := func(ctx context.Context, c int, path, cookie string) (int, error) {
		return gets[c%len(gets)](ctx, c, path, cookie)
	}
	pgMatch := " " + cmp.Or(e.opt.PGDB, pgDatabase) + " "
	pgBefore, surelBefore, t0 := harness.ProcsCPU(pgMatch), f.cpu(), time.Now()
	r := harness.OpenLoop(ctx, rate, clients, 4096, warmup, window, routeNames, seed, func(ctx context.Context, c int, rng *rand.Rand) (int, bool, string) {
		return pageOp(ctx, e, get, c, rng.IntN(2) == 0, rng)
	})
	surelAfter, took := f.cpu(), time.Since(t0).Seconds()
	run := openRun{Rate: rate, Procs: len(f.bases), Exec: e.opt.Exec, Result: r, PGCPU: math.NaN(), SurelCPU: math.NaN()}
	if e.pgURL != "" {
		run.PGCPU = harness.ProcsCPUSince(pgMatch, pgBefore).Seconds() / took
	}
	if surelBefore != nil {
		var d time.Duration
		for pid, t := range surelAfter {
			d += t - surelBefore[pid]
		}
		run.SurelCPU = d.Seconds() / took
	}
	return run
}

// pageOp loads one page for client c: an inbox variant (plain three times in five, a
// search or the overdue filter once each) or the page of a random live request.
func pageOp(ctx context.Context, e *env, get harness.Getter, c int, inbox bool, rng *rand.Rand) (int, bool, string) {
	route, path := routeRequest, ""
	if inbox {
		switch x := rng.IntN(5); {
		case x < 3:
			route, path = routeInbox, "/kantor"
		case x == 3:
			route, path = routeInboxSearch, "/kantor?q="+e.searches[rng.IntN(len(e.searches))]
		default:
			route, path = routeInboxOver, "/kantor?batas=over"
		}
	} else {
		path = "/kantor/permohonan/" + strconv.FormatInt(e.liveIDs[rng.IntN(len(e.liveIDs))], 10)
	}
	status, err := get(ctx, c, path, "surel_sesi="+e.cookies[c%len(e.cookies)])
	if err != nil {
		return route, false, "transport: " + err.Error()
	}
	if status != http.StatusOK {
		return route, false, fmt.Sprintf("%s: status %d", routeNames[route], status)
	}
	return route, true, ""
}

// floor is the harness alone: the same clients, client and server settings against a
// handler that writes a fixed copy of a rendered inbox page.
func floor(ctx context.Context, e *env, clients int, warmup, window time.Duration, seed uint64) harness.Result {
	u, _ := url.Parse(e.floorURL)
	get, done := harness.NewGetter(e.opt.Driver, e.client, u.Scheme+"://"+u.Host, clients)
	defer done()
	return harness.ClosedLoop(ctx, clients, 0, warmup, window, []string{"static copy of /kantor"}, seed, func(ctx context.Context, c int, _ *rand.Rand) (int, bool, string) {
		status, err := get(ctx, c, u.RequestURI(), "surel_sesi="+e.cookies[c%len(e.cookies)])
		if err != nil {
			return 0, false, "transport: " + err.Error()
		}
		if status != http.StatusOK {
			return 0, false, fmt.Sprintf("status %d", status)
		}
		return 0, true, ""
	})
}
