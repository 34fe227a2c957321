package main

// The closed loop, its result and the percentile are those of bench/authload (copied:
// a main package cannot be imported), so the two harnesses measure alike.

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"
)

// op is one unit of closed-loop work: a page. It returns the index of
// the route it exercised (for per-route statistics), whether it succeeded and, when it
// did not, a short reason.
type op func(ctx context.Context, client int, rng *rand.Rand) (route int, ok bool, why string)

// result is what a closed-loop run measured in its window.
type result struct {
	Window    time.Duration
	Routes    []string
	OK        []int             // successes per route, completed inside the window
	Fail      []int             // failures per route
	Lat       [][]time.Duration // latency of every operation completed in the window, per route
	Why       map[string]int    // failure reasons
	GCCycles  uint32
	GCPauseNs uint64
	// SelfCPU and OtherCPU are the CPUs (cores, averaged over the window) this process
	// and every other process on the machine used; OtherCPU > 0.1 means the measurement
	// shared the machine with foreign load. Both are NaN where unknown.
	SelfCPU, OtherCPU float64
	// StealCPU is the part of OtherCPU the hypervisor took (steal time of a VM).
	StealCPU float64
}

func (r result) total(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// Rate is the successes per second over the window.
func (r result) Rate() float64 { return float64(r.total(r.OK)) / r.Window.Seconds() }

// RouteRate is one route's successes per second.
func (r result) RouteRate(i int) float64 { return float64(r.OK[i]) / r.Window.Seconds() }

// all merges the per-route latencies, sorted.
func (r result) all() []time.Duration {
	var out []time.Duration
	for _, l := range r.Lat {
		out = append(out, l...)
	}
	slices.Sort(out)
	return out
}

// closedLoop runs clients goroutines, each issuing the next operation as soon as the
// previous one returns (after a random pause of mean think, when set), for warmup+window. Only operations that complete inside the
// window (after warm-up, before the end) are counted, so every phase is measured over the
// same span however long one operation takes; an operation still running at the end is
// waited for but not counted.
func closedLoop(ctx context.Context, clients int, think, warmup, window time.Duration, routes []string, seed uint64, fn op) result {
	type local struct {
		ok, fail []int
		lat      [][]time.Duration
		why      map[string]int
	}
	locals := make([]local, clients)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	from, end := start.Add(warmup), start.Add(warmup+window)
	cpu := make(chan [2]cpuSample, 1)
	go func() {
		sleep := func(until time.Time) {
			t := time.NewTimer(time.Until(until))
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
			}
		}
		sleep(from)
		a := sampleCPU()
		sleep(end)
		cpu <- [2]cpuSample{a, sampleCPU()}
	}()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := &locals[c]
			l.ok, l.fail = make([]int, len(routes)), make([]int, len(routes))
			l.lat = make([][]time.Duration, len(routes))
			l.why = map[string]int{}
			rng := rand.New(rand.NewPCG(seed, uint64(c)))
			for ctx.Err() == nil {
				if think > 0 {
					// Exponential pauses (mean think): clients drift apart instead of
					// coming back in lock-step bursts, as independent users would.
					time.Sleep(time.Duration(rng.ExpFloat64() * float64(think)))
				}
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				route, ok, why := fn(ctx, c, rng)
				t1 := time.Now()
				if t1.Before(from) || t1.After(end) {
					continue
				}
				if ok {
					l.ok[route]++
					l.lat[route] = append(l.lat[route], t1.Sub(t0))
				} else {
					l.fail[route]++
					l.why[why]++
				}
			}
		}()
	}
	wg.Wait()
	runtime.ReadMemStats(&after)
	r := result{Window: window, Routes: routes, OK: make([]int, len(routes)), Fail: make([]int, len(routes)),
		Lat: make([][]time.Duration, len(routes)), Why: map[string]int{},
		GCCycles: after.NumGC - before.NumGC, GCPauseNs: after.PauseTotalNs - before.PauseTotalNs,
		SelfCPU: math.NaN(), OtherCPU: math.NaN(), StealCPU: math.NaN()}
	if c := <-cpu; c[0].ok && c[1].ok {
		self := c[1].self - c[0].self
		r.SelfCPU = self.Seconds() / window.Seconds()
		r.OtherCPU = max(0, (c[1].machineBusy-c[0].machineBusy-self).Seconds()/window.Seconds())
		r.StealCPU = (c[1].steal - c[0].steal).Seconds() / window.Seconds()
	}
	for _, l := range locals {
		for i := range routes {
			r.OK[i] += l.ok[i]
			r.Fail[i] += l.fail[i]
			r.Lat[i] = append(r.Lat[i], l.lat[i]...)
		}
		for k, v := range l.why {
			r.Why[k] += v
		}
	}
	for i := range r.Lat {
		slices.Sort(r.Lat[i])
	}
	return r
}

// percentile is the nearest-rank percentile (p in 0..100) of sorted latencies: the
// smallest value with at least p% of the samples at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

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
func pages(ctx context.Context, e *env, clients int, warmup, window time.Duration, seed uint64) result {
	turn := make([]int, clients)
	return closedLoop(ctx, clients, 0, warmup, window, routeNames, seed, func(ctx context.Context, c int, rng *rand.Rand) (int, bool, string) {
		turn[c]++
		route, path := routeRequest, ""
		if turn[c]%2 == 0 {
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
		status, err := e.get(ctx, path, e.cookies[c%len(e.cookies)], io.Discard)
		if err != nil {
			return route, false, "transport: " + err.Error()
		}
		if status != http.StatusOK {
			return route, false, fmt.Sprintf("%s: status %d", routeNames[route], status)
		}
		return route, true, ""
	})
}

// floor is the harness alone: the same clients, client and server settings against a
// handler that writes a fixed copy of a rendered inbox page.
func floor(ctx context.Context, e *env, clients int, warmup, window time.Duration, seed uint64) result {
	return closedLoop(ctx, clients, 0, warmup, window, []string{"static copy of /kantor"}, seed, func(ctx context.Context, c int, _ *rand.Rand) (int, bool, string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.floorURL, nil)
		if err != nil {
			return 0, false, err.Error()
		}
		req.Header.Set("Cookie", "surel_sesi="+e.cookies[c%len(e.cookies)])
		resp, err := e.client.Do(req)
		if err != nil {
			return 0, false, "transport: " + err.Error()
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, false, fmt.Sprintf("status %d", resp.StatusCode)
		}
		return 0, true, ""
	})
}

// waitQuiet waits (up to maxWait) until other processes use fewer than threshold CPUs.
func waitQuiet(ctx context.Context, threshold float64, maxWait time.Duration, out io.Writer) {
	if threshold <= 0 {
		return
	}
	deadline := time.Now().Add(maxWait)
	said := false
	for {
		a := sampleCPU()
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
		b := sampleCPU()
		if !a.ok || !b.ok {
			return
		}
		other := ((b.machineBusy - a.machineBusy) - (b.self - a.self)).Seconds() / 2
		if other < threshold {
			return
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(out, "machine still busy (other processes %.2f CPUs) after %s; measuring anyway\n", other, maxWait)
			return
		}
		if !said {
			fmt.Fprintf(out, "waiting for a quiet machine (other processes %.2f CPUs, want < %.2f)…\n", other, threshold)
			said = true
		}
	}
}
