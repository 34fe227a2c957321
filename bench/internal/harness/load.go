// Package harness is what the load programs under bench share, so that they measure
// alike: the closed-loop load generator and its per-route latencies, nearest-rank
// percentiles, the CPU this process and the rest of the machine used (from /proc/stat),
// the wait for a quiet machine, and small pieces of their reports.
package harness

import (
	"context"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Op is one unit of closed-loop work: a hash, a login, a page. It returns the index of
// the route it exercised (for per-route statistics), whether it succeeded and, when it
// did not, a short reason.
type Op func(ctx context.Context, client int, rng *rand.Rand) (route int, ok bool, why string)

// Result is what a closed-loop run measured in its window.
type Result struct {
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

// Total is the sum of per-route counts such as r.OK or r.Fail.
func (r Result) Total(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// Rate is the successes per second over the window.
func (r Result) Rate() float64 { return float64(r.Total(r.OK)) / r.Window.Seconds() }

// All merges the per-route latencies, sorted.
func (r Result) All() []time.Duration {
	var out []time.Duration
	for _, l := range r.Lat {
		out = append(out, l...)
	}
	slices.Sort(out)
	return out
}

// ClosedLoop runs clients goroutines, each issuing the next operation as soon as the
// previous one returns (after a random pause of mean think, when set), for
// warmup+window. Only operations that complete inside the window (after warm-up, before
// the end) are counted, so every phase is measured over the same span however long one
// operation takes; an operation still running at the end is waited for but not counted.
func ClosedLoop(ctx context.Context, clients int, think, warmup, window time.Duration, routes []string, seed uint64, fn Op) Result {
	type local struct {
		ok, fail []int
		lat      [][]time.Duration
		why      map[string]int
	}
	locals := make([]local, clients)
	m := startWindow(ctx, warmup, window)
	from, end := m.from, m.end
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
	r := newResult(window, routes)
	m.finish(&r)
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

// measure is a measurement under way: its span, and what the runtime and the CPUs had
// done when it began.
type measure struct {
	from, end time.Time
	before    runtime.MemStats
	cpu       <-chan [2]cpuSample
}

// startWindow begins a measurement of warmup (not counted) and then span, after a
// collection so that the phase starts from a clean heap.
func startWindow(ctx context.Context, warmup, span time.Duration) *measure {
	w := &measure{}
	runtime.GC()
	runtime.ReadMemStats(&w.before)
	start := time.Now()
	w.from, w.end = start.Add(warmup), start.Add(warmup+span)
	w.cpu = sampleWindow(ctx, w.from, w.end)
	return w
}

// finish puts the collections and the CPU use of the window on r.
func (w *measure) finish(r *Result) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	r.GCCycles, r.GCPauseNs = after.NumGC-w.before.NumGC, after.PauseTotalNs-w.before.PauseTotalNs
	r.setCPU(<-w.cpu)
}

// newResult is an empty Result for routes, its CPU figures unknown until measured.
func newResult(span time.Duration, routes []string) Result {
	return Result{Window: span, Routes: routes, OK: make([]int, len(routes)), Fail: make([]int, len(routes)),
		Lat: make([][]time.Duration, len(routes)), Why: map[string]int{},
		SelfCPU: math.NaN(), OtherCPU: math.NaN(), StealCPU: math.NaN()}
}

// sampleWindow samples the CPU times at from and at end, and sends both.
func sampleWindow(ctx context.Context, from, end time.Time) <-chan [2]cpuSample {
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
	return cpu
}

// setCPU fills the CPU figures of r from the samples at the window's two ends.
func (r *Result) setCPU(c [2]cpuSample) {
	if !c[0].ok || !c[1].ok {
		return
	}
	self := c[1].self - c[0].self
	r.SelfCPU = self.Seconds() / r.Window.Seconds()
	r.OtherCPU = max(0, (c[1].machineBusy-c[0].machineBusy-self).Seconds()/r.Window.Seconds())
	r.StealCPU = (c[1].steal - c[0].steal).Seconds() / r.Window.Seconds()
}

// Percentile is the nearest-rank percentile (p in 0..100) of sorted latencies: the
// smallest value with at least p% of the samples at or below it.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Get fetches url with client, sending the cookie when one is given, and copies the body
// to w (io.Discard when nil) to its end, so the connection is reused; it returns the
// status.
func Get(ctx context.Context, client *http.Client, url, cookie string, w io.Writer) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	if w == nil {
		w = io.Discard
	}
	_, err = io.Copy(w, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}
