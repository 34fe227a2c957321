package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
)

// Routes of the login storm's logins: each answer is one of these, or a failure.
const (
	stormIn   = iota // 303 with a session: signed in
	stormBusy        // 503 with Retry-After: turned away for a full hash queue
)

var stormLoginRoutes = []string{"POST /masuk signed in (303)", "POST /masuk turned away (503)"}

// stormRun is the login storm: logins arriving at Factor × the raw hash rate (open loop)
// while pages that need no hash arrive at PageRate, both for the same window.
type stormRun struct {
	RawRate   float64 // hashes/s the storm is a multiple of
	Factor    float64
	LoginRate float64 // login arrivals a second
	PageRate  float64
	Logins    harness.Result
	Pages     harness.Result
}

// storm runs the two open loops side by side. A login answers 303 with the session
// cookie (route stormIn) or 503 with a Retry-After header (route stormBusy); anything
// else, a transport error or timeout included, is a failure.
func storm(ctx context.Context, e *env, rawRate, factor, pageRate float64, clients int, cookies []string, warmup, window time.Duration, seed uint64) stormRun {
	run := stormRun{RawRate: rawRate, Factor: factor, LoginRate: rawRate * factor, PageRate: pageRate}
	pw := url.QueryEscape(Password)
	target := e.BaseURL + "/masuk"
	// The logins' own client: a login's 10 s timeout would show as a failure, not a
	// hang, and its connections do not compete with the pages' in one pool.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4096},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()
	login := func(ctx context.Context, _ int, rng *rand.Rand) (int, bool, string) {
		body := "login=" + Username(1+rng.IntN(e.Users)) + "&password=" + pw
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
		if err != nil {
			return stormIn, false, err.Error()
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			return stormIn, false, "transport: " + err.Error()
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusSeeOther:
			for _, c := range resp.Cookies() {
				if c.Name == "surel_sesi" && c.Value != "" {
					return stormIn, true, ""
				}
			}
			return stormIn, false, "303 without surel_sesi cookie"
		case http.StatusServiceUnavailable:
			if resp.Header.Get("Retry-After") == "" {
				return stormBusy, false, "503 without Retry-After"
			}
			return stormBusy, true, ""
		}
		return stormIn, false, fmt.Sprintf("login: status %d", resp.StatusCode)
	}
	get, done := harness.NewGetter("go", e.Client, e.BaseURL, clients)
	defer done()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		run.Logins = harness.OpenLoop(ctx, run.LoginRate, 1, 4096, warmup, window, stormLoginRoutes, seed, login)
	}()
	go func() {
		defer wg.Done()
		run.Pages = harness.OpenLoop(ctx, pageRate, clients, 4096, warmup, window, pageRoutes, seed+1, pageOp(get, clients, cookies))
	}()
	wg.Wait()
	return run
}

// Pass: pages keep p99 under pageTarget, every login is signed in or turned away, and
// the turned-away ones are answered with p99 under busyTarget.
func (s stormRun) Pass(pageTarget, busyTarget time.Duration) bool {
	pages := s.Pages.All()
	busy := s.Logins.Lat[stormBusy]
	return len(pages) > 0 && harness.Percentile(pages, 99) < pageTarget && s.Pages.Total(s.Pages.Fail) == 0 &&
		s.Logins.Total(s.Logins.Fail) == 0 && (len(busy) == 0 || harness.Percentile(busy, 99) < busyTarget)
}

// rows is the storm's table: the two kinds of login answer and the two pages.
func (s stormRun) rows() (head []string, rows [][]string) {
	head = []string{"answer", "arrivals/s", "answered/s", "p50", "p90", "p99", "max", "failures"}
	line := func(name string, arrivals string, r harness.Result, i int) []string {
		lat := r.Lat[i]
		return []string{name, arrivals, fmt.Sprintf("%.1f", float64(r.OK[i])/r.Window.Seconds()), fmtDur(harness.Percentile(lat, 50)),
			fmtDur(harness.Percentile(lat, 90)), fmtDur(harness.Percentile(lat, 99)), fmtDur(harness.Percentile(lat, 100)), fmt.Sprint(r.Fail[i])}
	}
	rows = append(rows, line(stormLoginRoutes[stormIn], fmt.Sprintf("%.0f (%.1f× %.1f hashes/s)", s.LoginRate, s.Factor, s.RawRate), s.Logins, stormIn))
	rows = append(rows, line(stormLoginRoutes[stormBusy], "", s.Logins, stormBusy))
	for i, name := range pageRoutes {
		arr := ""
		if i == 0 {
			arr = fmt.Sprintf("%.0f (both pages)", s.PageRate)
		}
		rows = append(rows, line(name, arr, s.Pages, i))
	}
	all := s.Pages.All()
	rows = append(rows, []string{"pages, all", "", fmt.Sprintf("%.1f", s.Pages.Rate()), fmtDur(harness.Percentile(all, 50)), fmtDur(harness.Percentile(all, 90)),
		fmtDur(harness.Percentile(all, 99)), fmtDur(harness.Percentile(all, 100)), fmt.Sprint(s.Pages.Total(s.Pages.Fail))})
	return head, rows
}

func (s stormRun) verdict(pageTarget, busyTarget time.Duration) string {
	return fmt.Sprintf("%s: pages p99 %s (target < %s), turned-away logins p99 %s (target < %s), %d login and %d page failures; CPU self/other %s",
		verdict(s.Pass(pageTarget, busyTarget)), fmtDur(harness.Percentile(s.Pages.All(), 99)), fmtDur(pageTarget),
		fmtDur(harness.Percentile(s.Logins.Lat[stormBusy], 99)), fmtDur(busyTarget), s.Logins.Total(s.Logins.Fail), s.Pages.Total(s.Pages.Fail), harness.CPUText(s.Pages))
}
