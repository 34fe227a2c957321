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
	"strings"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/passwd"
)

// rawHashes measures the bare argon2id rate: workers goroutines verifying the seeded
// users' stored hash with a fresh Hasher, exactly the call Login makes, with nothing
// else around it.
func rawHashes(ctx context.Context, e *env, workers int, warmup, window time.Duration, seed uint64) harness.Result {
	h := passwd.New(e.Hash)
	return harness.ClosedLoop(ctx, workers, 0, warmup, window, []string{"argon2id verify"}, seed, func(ctx context.Context, _ int, _ *rand.Rand) (int, bool, string) {
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
func logins(ctx context.Context, e *env, clients int, warmup, window time.Duration, seed uint64) harness.Result {
	pw := url.QueryEscape(Password)
	target := e.BaseURL + "/masuk"
	return harness.ClosedLoop(ctx, clients, 0, warmup, window, []string{"POST /masuk"}, seed, func(ctx context.Context, _ int, rng *rand.Rand) (int, bool, string) {
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
func pages(ctx context.Context, e *env, driver string, clients int, cookies []string, think, warmup, window time.Duration, seed uint64) harness.Result {
	get, done := harness.NewGetter(driver, e.Client, e.BaseURL, clients)
	defer done()
	return harness.ClosedLoop(ctx, clients, think, warmup, window, pageRoutes, seed, pageOp(get, clients, cookies))
}

// pagesAt is the same mix in an open loop: requests arrive at rate a second whatever the
// answers' speed, half for each page (harness.OpenLoop). Arrivals overlap, so it uses
// the net/http client, which opens as many connections as are needed.
func pagesAt(ctx context.Context, e *env, rate float64, clients int, cookies []string, warmup, window time.Duration, seed uint64) harness.Result {
	get, done := harness.NewGetter("go", e.Client, e.BaseURL, clients)
	defer done()
	return harness.OpenLoop(ctx, rate, clients, 4096, warmup, window, pageRoutes, seed, pageOp(get, clients, cookies))
}

var pageRoutes = []string{"GET /masuk", "GET /akun"}

// pageOp is one request of the page phase for client c: even clients load the login
// form anonymously, odd ones Akun Saya with their own session.
func pageOp(get harness.Getter, clients int, cookies []string) harness.Op {
	paths, headers := make([]string, clients), make([]string, clients)
	for c := range clients {
		paths[c] = "/masuk"
		if c%2 == routeAkun {
			paths[c], headers[c] = "/akun", "surel_sesi="+cookies[c/2]
		}
	}
	return func(ctx context.Context, c int, _ *rand.Rand) (int, bool, string) {
		route := c % 2
		status, err := get(ctx, c, paths[c], headers[c])
		if err != nil {
			return route, false, "transport: " + err.Error()
		}
		if status != http.StatusOK {
			return route, false, fmt.Sprintf("%s: status %d", pageRoutes[route], status)
		}
		return route, true, ""
	}
}

// checkPages makes sure, before measuring, that /masuk renders the form and that each
// cookie opens Akun Saya (not a redirect to the login page), so the latency phase
// measures the pages it claims to. It returns the size of the smallest Akun Saya body.
func checkPages(ctx context.Context, e *env, cookies []string) (int, error) {
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
		return 0, fmt.Errorf("GET /masuk: status %d, err %v: not the login form", code, err)
	}
	smallest := math.MaxInt
	for i, c := range cookies {
		code, body, err := get("/akun", c)
		if err != nil || code != 200 || !strings.Contains(body, `action="/akun"`) {
			return 0, fmt.Errorf("GET /akun with session %d: status %d, err %v: not Akun Saya", i, code, err)
		}
		smallest = min(smallest, len(body))
	}
	return smallest, nil
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

// floor measures the harness itself: the same clients, transport and http.Server
// settings against a handler that only writes a fixed copy of the login page. Its
// latency is what the page phase would show if surel's own work cost nothing, so it
// bounds what any change to the app can achieve on this machine.
func floor(ctx context.Context, e *env, driver string, clients int, think, warmup, window time.Duration, seed uint64) (harness.Result, error) {
	base, stop, err := staticCopy(e)
	if err != nil {
		return harness.Result{}, err
	}
	defer stop()
	get, done := harness.NewGetter(driver, e.Client, base, clients)
	defer done()
	return harness.ClosedLoop(ctx, clients, think, warmup, window, []string{"static copy of /masuk"}, seed, func(ctx context.Context, c int, _ *rand.Rand) (int, bool, string) {
		status, err := get(ctx, c, "/masuk", "")
		if err != nil {
			return 0, false, "transport: " + err.Error()
		}
		if status != http.StatusOK {
			return 0, false, fmt.Sprintf("status %d", status)
		}
		return 0, true, ""
	}), nil
}

// staticCopy serves a fixed copy of the login page (body and headers) with the app's
// http.Server settings on another loopback port; it returns its base URL.
func staticCopy(e *env) (string, func(), error) {
	resp, err := e.Client.Get(e.BaseURL + "/masuk")
	if err != nil {
		return "", nil, err
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", nil, err
	}
	header := resp.Header.Clone()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := e.App.HTTPServer()
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Write(page)
	})
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// wrkPages is the page phase driven by wrk instead of this process's net/http client:
// two wrk processes of half the clients each, one loading the login form anonymously,
// the other Akun Saya with the sessions in turn. wrk counts only statuses of 400 and up
// as errors, and a lost session would answer 303 to the login page: so the Akun Saya
// answers must average at least akunBytes (the smallest Akun Saya body checkPages saw),
// or the phase fails.
func wrkPages(ctx context.Context, e *env, clients int, cookies []string, warmup, window time.Duration, akunBytes int) (harness.WrkResult, error) {
	akun := make([]harness.WrkRequest, len(cookies))
	for i, c := range cookies {
		akun[i] = harness.WrkRequest{Path: "/akun", Cookie: "surel_sesi=" + c}
	}
	r, err := harness.Wrk(ctx, e.BaseURL, []harness.WrkGroup{
		{Name: "GET /masuk", Conns: clients - clients/2, Threads: 1, Requests: []harness.WrkRequest{{Path: "/masuk"}}},
		{Name: "GET /akun", Conns: clients / 2, Threads: 1, Requests: akun},
	}, warmup, window)
	if err != nil {
		return r, err
	}
	if g := r.Groups[1]; g.Requests == 0 || g.Bytes/g.Requests < int64(akunBytes) {
		return r, fmt.Errorf("GET /akun under wrk: answers average %d bytes, Akun Saya is at least %d: the sessions were not accepted", g.Bytes/max(1, g.Requests), akunBytes)
	}
	return r, nil
}

// wrkFloor is floor driven by wrk: the same clients against a handler that only writes a
// fixed copy of the login page.
func wrkFloor(ctx context.Context, e *env, clients int, warmup, window time.Duration) (harness.WrkResult, error) {
	target, stop, err := staticCopy(e)
	if err != nil {
		return harness.WrkResult{}, err
	}
	defer stop()
	return harness.Wrk(ctx, target, []harness.WrkGroup{
		{Name: "static copy of /masuk", Conns: clients, Threads: 2, Requests: []harness.WrkRequest{{Path: "/masuk"}}},
	}, warmup, window)
}
