package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/surel-id/surel/internal/passwd"
)

// op is one unit of closed-loop work: a hash, a login, a page. It returns the index of
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

// rawHashes measures the bare argon2id rate: workers goroutines verifying the seeded
// users' stored hash with a fresh Hasher, exactly the call Login makes, with nothing
// else around it.
func rawHashes(ctx context.Context, e *env, workers int, warmup, window time.Duration, seed uint64) result {
	h := passwd.New(e.Hash)
	return closedLoop(ctx, workers, 0, warmup, window, []string{"argon2id verify"}, seed, func(ctx context.Context, _ int, _ *rand.Rand) (int, bool, string) {
		ok, _, err := h.Verify(ctx, e.StoredHash, Password)
		if err != nil {
			return 0, false, err.Error()
		}
		if !ok {
			return 0, false, "verify false"
		}
		return 0, true, ""
	})
}

// logins measures POST /masuk over HTTP with random seeded users and the right password.
// A success is a 303 that sets the session cookie; anything else is an error.
func logins(ctx context.Context, e *env, clients int, warmup, window time.Duration, seed uint64) result {
	pw := url.QueryEscape(Password)
	target := e.BaseURL + "/masuk"
	return closedLoop(ctx, clients, 0, warmup, window, []string{"POST /masuk"}, seed, func(ctx context.Context, _ int, rng *rand.Rand) (int, bool, string) {
		body := "login=" + Username(1+rng.IntN(e.Users)) + "&password=" + pw
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
		if err != nil {
			return 0, false, err.Error()
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := e.Client.Do(req)
		if err != nil {
			return 0, false, "transport: " + err.Error()
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return 0, false, fmt.Sprintf("status %d", resp.StatusCode)
		}
		for _, c := range resp.Cookies() {
			if c.Name == "surel_sesi" && c.Value != "" {
				return 0, true, ""
			}
		}
		return 0, false, "303 without surel_sesi cookie"
	})
}

// Page routes of the latency phase.
const (
	routeLogin = iota // GET /masuk, anonymous
	routeAkun         // GET /akun, signed in
)

// pages measures the pages that need no hash: half the clients load the login form
// anonymously, the other half Akun Saya with a session of their own. A success is a 200.
func pages(ctx context.Context, e *env, clients int, cookies []string, think, warmup, window time.Duration, seed uint64) result {
	loginURL, akunURL := e.BaseURL+"/masuk", e.BaseURL+"/akun"
	return closedLoop(ctx, clients, think, warmup, window, []string{"GET /masuk", "GET /akun"}, seed, func(ctx context.Context, c int, _ *rand.Rand) (int, bool, string) {
		route, target := routeLogin, loginURL
		if c%2 == 1 {
			route, target = routeAkun, akunURL
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return route, false, err.Error()
		}
		if route == routeAkun {
			req.Header.Set("Cookie", "surel_sesi="+cookies[c/2])
		}
		resp, err := e.Client.Do(req)
		if err != nil {
			return route, false, "transport: " + err.Error()
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return route, false, fmt.Sprintf("%s: status %d", target[len(e.BaseURL):], resp.StatusCode)
		}
		return route, true, ""
	})
}

// checkPages makes sure, before measuring, that /masuk renders the form and that each
// cookie opens Akun Saya (not a redirect to the login page), so the latency phase
// measures the pages it claims to.
func checkPages(ctx context.Context, e *env, cookies []string) error {
	get := func(path, cookie string) (int, string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.BaseURL+path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", "surel_sesi="+cookie)
		}
		resp, err := e.Client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	code, body, err := get("/masuk", "")
	if err != nil || code != 200 || !strings.Contains(body, `name="password"`) {
		return fmt.Errorf("GET /masuk: status %d, err %v: not the login form", code, err)
	}
	for i, c := range cookies {
		code, body, err := get("/akun", c)
		if err != nil || code != 200 || !strings.Contains(body, `action="/akun"`) {
			return fmt.Errorf("GET /akun with session %d: status %d, err %v: not Akun Saya", i, code, err)
		}
	}
	return nil
}

// checkLogin makes one login by hand and checks the answer, so a misconfiguration shows
// as one clear error instead of a phase full of failures.
func checkLogin(ctx context.Context, e *env) error {
	body := "login=" + Username(1) + "&password=" + url.QueryEscape(Password)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.BaseURL+"/masuk", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/akun" {
		return fmt.Errorf("POST /masuk: status %d, Location %q, want 303 to /akun; body starts %.300q", resp.StatusCode, resp.Header.Get("Location"), b)
	}
	return nil
}

// waitQuiet waits, up to maxWait, until the other processes on the machine have used
// less than threshold CPUs over a 2-second span, so that a phase does not start in the
// middle of somebody else's build. It reports whether the machine became quiet.
func waitQuiet(ctx context.Context, threshold float64, maxWait time.Duration, out io.Writer) bool {
	if threshold <= 0 {
		return true
	}
	deadline := time.Now().Add(maxWait)
	said := false
	for {
		a := sampleCPU()
		select {
		case <-ctx.Done():
			return false
		case <-time.After(2 * time.Second):
		}
		b := sampleCPU()
		if !a.ok || !b.ok {
			return true
		}
		other := ((b.machineBusy - a.machineBusy) - (b.self - a.self)).Seconds() / 2
		if other < threshold {
			return true
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(out, "machine still busy (other processes %.2f CPUs) after %s; measuring anyway\n", other, maxWait)
			return false
		}
		if !said {
			fmt.Fprintf(out, "waiting for the machine to be quiet (other processes use %.2f CPUs)...\n", other)
			said = true
		}
	}
}

// floor measures the harness itself: the same clients, transport and http.Server
// settings against a handler that only writes a fixed copy of the login page. Its
// latency is what the page phase would show if surel's own work cost nothing, so it
// bounds what any change to the app can achieve on this machine.
func floor(ctx context.Context, e *env, clients int, think, warmup, window time.Duration, seed uint64) (result, error) {
	resp, err := e.Client.Get(e.BaseURL + "/masuk")
	if err != nil {
		return result{}, err
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return result{}, err
	}
	header := resp.Header.Clone()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: 120 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.Write(page)
		})}
	go srv.Serve(ln)
	defer srv.Close()
	target := "http://" + ln.Addr().String() + "/masuk"
	return closedLoop(ctx, clients, think, warmup, window, []string{"static copy of /masuk"}, seed, func(ctx context.Context, c int, _ *rand.Rand) (int, bool, string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return 0, false, err.Error()
		}
		resp, err := e.Client.Do(req)
		if err != nil {
			return 0, false, "transport: " + err.Error()
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, false, fmt.Sprintf("status %d", resp.StatusCode)
		}
		return 0, true, ""
	}), nil
}
