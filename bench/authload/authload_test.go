package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/passwd"
)

// cheap argon2id parameters keep the smoke test fast; the program itself always uses
// passwd.Default.
var cheap = passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// TestSmoke runs every phase for a fraction of a second, so the load program keeps
// working as the app changes. It checks the plumbing, not the numbers.
func TestSmoke(t *testing.T) {
	slots, _ := passwd.New(cheap).Capacity()
	o := options{Users: 300, Duration: 300 * time.Millisecond, Warmup: 100 * time.Millisecond, Rounds: 1,
		RawWorkers: 2, LoginClients: 2 * slots, PageClients: 4, TargetRatio: 0.9, TargetP99: 10 * time.Millisecond,
		Log: "discard", Phases: "hash,pages,open,floor", Rates: "200", Seed: 1, Hash: &cheap, Driver: "conn"}
	rep, err := run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rounds) != 1 || rep.Pages == nil || rep.Floor == nil {
		t.Fatalf("phases missing: %d rounds, pages %v, floor %v", len(rep.Rounds), rep.Pages != nil, rep.Floor != nil)
	}
	rd := rep.Rounds[0]
	for name, r := range map[string]harness.Result{"raw": rd.Raw, "login": rd.Login, "pages": *rep.Pages, "floor": *rep.Floor} {
		if r.Rate() <= 0 || r.Total(r.Fail) != 0 {
			t.Errorf("%s: rate %.1f/s, %d failures (%s)", name, r.Rate(), r.Total(r.Fail), whyText(r.Why))
		}
	}
	if len(rep.Open) != 1 || rep.Open[0].Result.Rate() < 100 || rep.Open[0].Result.Total(rep.Open[0].Result.Fail) != 0 {
		t.Fatalf("open loop at 200/s: %+v", rep.Open)
	}
	for i, route := range rep.Pages.Routes {
		if rep.Pages.OK[i] == 0 {
			t.Errorf("no successful %s", route)
		}
	}
	var b strings.Builder
	rep.markdown(&b)
	rep.text(&b)
	if !strings.Contains(b.String(), "GET /akun") || !strings.Contains(b.String(), "login / raw") {
		t.Errorf("report lacks its tables:\n%s", b.String())
	}
}

// TestSmokeNetHTTP runs the page phase and the floor with net/http's client as the load
// generator (-driver go).
func TestSmokeNetHTTP(t *testing.T) {
	o := options{Users: 300, Duration: 300 * time.Millisecond, Warmup: 100 * time.Millisecond, PageClients: 4,
		TargetP99: 10 * time.Millisecond, Log: "discard", Phases: "pages,floor", Seed: 1, Hash: &cheap, Driver: "go"}
	rep, err := run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*harness.Result{"pages": rep.Pages, "floor": rep.Floor} {
		if r == nil || r.Rate() <= 0 || r.Total(r.Fail) != 0 {
			t.Fatalf("%s: %+v", name, r)
		}
	}
}

// TestSmokeWrk runs the page phase and the floor with wrk as the load generator, when
// wrk is installed (.ci/run installs it).
func TestSmokeWrk(t *testing.T) {
	if _, err := exec.LookPath("wrk"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("wrk is not installed (apt-get install wrk)")
		}
		t.Skip("wrk is not installed")
	}
	o := options{Users: 300, Duration: time.Second, Warmup: time.Second, PageClients: 4, TargetP99: 10 * time.Millisecond,
		Log: "discard", Phases: "pages,floor", Seed: 1, Hash: &cheap, Driver: "wrk"}
	rep, err := run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rep.WrkPages == nil || rep.WrkFloor == nil || len(rep.WrkPages.Groups) != 2 {
		t.Fatalf("phases missing: pages %v, floor %v", rep.WrkPages, rep.WrkFloor)
	}
	for _, g := range append(rep.WrkPages.Groups, rep.WrkFloor.Groups...) {
		if g.Requests == 0 || g.Errors != 0 || g.P99 <= 0 || g.P50 > g.P99 {
			t.Errorf("%s: %d requests, %d errors, p50 %s, p99 %s", g.Name, g.Requests, g.Errors, g.P50, g.P99)
		}
	}
	var b strings.Builder
	rep.markdown(&b)
	rep.text(&b)
	if !strings.Contains(b.String(), "GET /akun") || !strings.Contains(b.String(), "wrk connections") {
		t.Errorf("report lacks its tables:\n%s", b.String())
	}
}

// The benchmarks below measure the same operations as the program, one at a time, with
// the production argon2id parameters, for `go test -bench . ./bench/authload`. They share
// one server with 10 000 users.

var (
	benchOnce sync.Once
	benchEnv  *env
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchEnv != nil {
		benchEnv.Close()
	}
	os.Exit(code)
}

func sharedEnv(b *testing.B) *env {
	benchOnce.Do(func() {
		benchEnv, benchErr = newEnv(context.Background(), envOptions{Users: 10000, Log: "text"})
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchEnv
}

// BenchmarkVerify is the raw hash: ns/op is one argon2id verification on one core.
func BenchmarkVerify(b *testing.B) {
	e := sharedEnv(b)
	h := passwd.New(e.Hash)
	ctx := context.Background()
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, e.StoredHash, Password); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkVerifyParallel hashes on every core: ns/op is the inverse of the raw hash rate.
func BenchmarkVerifyParallel(b *testing.B) {
	e := sharedEnv(b)
	h := passwd.New(e.Hash)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, _, err := h.Verify(context.Background(), e.StoredHash, Password); !ok || err != nil {
				b.Error(ok, err)
				return
			}
		}
	})
}

// BenchmarkLogin posts the login form from GOMAXPROCS clients (no more than the server's
// hash slots and queue admit, GOMAXPROCS − 1 each): ns/op is the inverse of the login
// rate, to compare with BenchmarkVerifyParallel.
func BenchmarkLogin(b *testing.B) {
	e := sharedEnv(b)
	var n atomic.Int64
	b.SetParallelism(1)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := "login=" + Username(1+int(n.Add(1))%e.Users) + "&password=" + url.QueryEscape(Password)
			req, _ := http.NewRequest(http.MethodPost, e.BaseURL+"/masuk", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := e.Client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

func benchPage(b *testing.B, path string, signedIn bool) {
	e := sharedEnv(b)
	var cookie string
	if signedIn {
		cs, err := e.sessions(context.Background(), 1)
		if err != nil {
			b.Fatal(err)
		}
		cookie = cs[0]
	}
	b.ResetTimer()
	// 25 × GOMAXPROCS clients: 50 on two cores, as in the program's page phase.
	b.SetParallelism(25)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, e.BaseURL+path, nil)
			if cookie != "" {
				req.Header.Set("Cookie", "surel_sesi="+cookie)
			}
			resp, err := e.Client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("GET %s: status %d", path, resp.StatusCode)
				return
			}
		}
	})
}

// BenchmarkPageLogin is GET /masuk, anonymous; ns/op is the inverse of the throughput.
func BenchmarkPageLogin(b *testing.B) { benchPage(b, "/masuk", false) }

// BenchmarkPageAkun is GET /akun with a session; ns/op is the inverse of the throughput.
func BenchmarkPageAkun(b *testing.B) { benchPage(b, "/akun", true) }

// benchHandler calls the app's handler directly, without the network or a client, one
// request at a time: ns/op and allocs/op are surel's own cost of the page.
func benchHandler(b *testing.B, path string, signedIn bool) {
	e := sharedEnv(b)
	h := e.App.Handler()
	req := httptest.NewRequest(http.MethodGet, e.BaseURL+path, nil)
	req.RemoteAddr = "127.0.0.1:4000"
	if signedIn {
		cs, err := e.sessions(context.Background(), 1)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Cookie", "surel_sesi="+cs[0])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: status %d", path, rec.Code)
		}
	}
}

// BenchmarkHandlerLogin is the handler of GET /masuk alone (no network, no client).
func BenchmarkHandlerLogin(b *testing.B) { benchHandler(b, "/masuk", false) }

// BenchmarkHandlerAkun is the handler of GET /akun alone (no network, no client).
func BenchmarkHandlerAkun(b *testing.B) { benchHandler(b, "/akun", true) }

// BenchmarkHandlerLoginPost is POST /masuk through the handler alone with argon2id
// parameters so cheap that the hash is negligible: ns/op is what a login costs besides
// its hash (form, SQL, session, cookie), the part that separates login throughput from
// the raw hash rate.
func BenchmarkHandlerLoginPost(b *testing.B) {
	e, err := newEnv(context.Background(), envOptions{Users: 1000, Log: "text", Hash: &cheap, Out: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	h := e.App.Handler()
	body := "login=" + Username(1) + "&password=" + url.QueryEscape(Password)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, e.BaseURL+"/masuk", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = "127.0.0.1:4000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("POST /masuk: status %d", rec.Code)
		}
	}
}

// TestSmokeStorm runs the login storm phase briefly (cheap hashes, so a small factor of
// their rate): every login is signed in or turned away with Retry-After, pages are
// served, and the report has the storm's table.
func TestSmokeStorm(t *testing.T) {
	o := options{Users: 300, Duration: 2 * time.Second, Warmup: 500 * time.Millisecond, RawWorkers: 2, PageClients: 4, // seconds: a loaded machine completes pages late
		Log: "discard", Phases: "storm", Seed: 1, Hash: &cheap, Driver: "conn", StormFactor: 0.02, StormPages: 100,
		StormP99: time.Second, StormBusyP99: time.Second}
	rep, err := run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Storm
	if s == nil || s.RawRate <= 0 {
		t.Fatalf("no storm: %+v", s)
	}
	if n := s.Logins.Total(s.Logins.Fail); n != 0 || s.Logins.OK[stormIn] == 0 {
		t.Errorf("logins: %d signed in, %d failures (%s)", s.Logins.OK[stormIn], n, whyText(s.Logins.Why))
	}
	if s.Pages.Rate() <= 0 || s.Pages.Total(s.Pages.Fail) != 0 {
		t.Errorf("pages: %.1f/s, failures %s", s.Pages.Rate(), whyText(s.Pages.Why))
	}
	var b strings.Builder
	rep.markdown(&b)
	rep.text(&b)
	if !strings.Contains(b.String(), "turned away (503)") {
		t.Errorf("report lacks the storm's table:\n%s", b.String())
	}
}
