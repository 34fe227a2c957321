package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/app"
)

// fleet is the surel instances serving one group of open-loop runs (-procs): app
// instances inside this process, or surel OS processes (-exec).
type fleet struct {
	bases    []string         // their base URLs, the pages spread over them round robin
	children []*harness.Surel // -exec: the processes, whose CPU is measured by pid
	apps     []*app.App       // in-process instances started for the group (not e.app)
	srvs     []*http.Server
}

// startFleet starts n instances on the benchmark's database. In-process, the first is
// the app that seeded and signed in, the others more app instances, each with its own
// pools and caches. With -exec, n `surel serve` processes of the real binary, configured
// as docs/deployment.md says a deployment runs them: the same database, secret key and
// base URL, each its own port and data directory, no metrics listener. Each is asked for
// the inbox once with a session, which proves the sessions made through the first app
// work on it.
func (e *env) startFleet(ctx context.Context, n int, out io.Writer) (_ *fleet, err error) {
	f := &fleet{}
	defer func() {
		if err != nil {
			f.stop(out)
		}
	}()
	if !e.opt.Exec {
		f.bases = []string{e.baseURL}
		for range n - 1 {
			a, err := app.New(ctx, e.cfg, e.log, app.Options{})
			if err != nil {
				return nil, err
			}
			f.apps = append(f.apps, a)
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return nil, err
			}
			srv := a.HTTPServer()
			f.srvs = append(f.srvs, srv)
			go srv.Serve(l)
			f.bases = append(f.bases, "http://"+l.Addr().String())
		}
		return f, nil
	}
	if e.bin == "" {
		t0 := time.Now()
		if e.bin, err = harness.BuildSurel(ctx, e.execDir); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "built %s in %s\n", e.bin, time.Since(t0).Round(time.Millisecond))
	}
	t0 := time.Now()
	for i := range n {
		dir := filepath.Join(e.execDir, "p"+strconv.Itoa(i+1))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		env := map[string]string{
			"SUREL_DATABASE_URL": e.cfg.DatabaseURL,
			"SUREL_SECRET_KEY":   e.secretKey,
			"SUREL_BASE_URL":     e.cfg.BaseURL,
			"SUREL_DATA_DIR":     dir,
			"SUREL_METRICS_ADDR": "off",
		}
		logPath := filepath.Join(dir, "surel.log")
		switch e.opt.Log {
		case "discard":
			env["SUREL_LOG_LEVEL"] = "error" // the request lines are not even formatted
		case "stderr":
			logPath = ""
		}
		c, err := harness.StartSurel(ctx, e.bin, env, logPath)
		if err != nil {
			return nil, err
		}
		f.children = append(f.children, c)
		f.bases = append(f.bases, "http://"+c.Addr)
	}
	for _, b := range f.bases {
		st, err := harness.Get(ctx, e.client, b+"/kantor", "surel_sesi="+e.cookies[0], nil)
		if err != nil || st != http.StatusOK {
			return nil, fmt.Errorf("GET %s/kantor with a session made on %s: %d %v", b, e.baseURL, st, err)
		}
	}
	var pids []string
	for _, c := range f.children {
		pids = append(pids, strconv.Itoa(c.Pid()))
	}
	fmt.Fprintf(out, "started %d surel process(es) (pids %s) in %s\n", n, strings.Join(pids, ", "), time.Since(t0).Round(time.Millisecond))
	return f, nil
}

// cpu is the CPU time the fleet's surel processes have used so far, by pid (nil
// in-process: their CPU is this process's).
func (f *fleet) cpu() map[int]time.Duration {
	if len(f.children) == 0 {
		return nil
	}
	m := map[int]time.Duration{}
	for _, c := range f.children {
		if d, ok := harness.PidCPU(c.Pid()); ok {
			m[c.Pid()] = d
		}
	}
	return m
}

// stop ends what startFleet started: the surel processes by their pids, all at once
// (SIGTERM, then SIGKILL after the 35 s a deployment allows), the extra app instances.
func (f *fleet) stop(out io.Writer) {
	var wg sync.WaitGroup
	errs := make([]error, len(f.children))
	for i, c := range f.children {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = c.Stop(35 * time.Second) }()
	}
	wg.Wait()
	for i, c := range f.children {
		if errs[i] != nil {
			fmt.Fprintf(out, "surel pid %d on %s: %v\n%s\n", c.Pid(), c.Addr, errs[i], c.Tail(20))
		}
	}
	for _, s := range f.srvs {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s.Shutdown(sctx)
		cancel()
	}
	for _, a := range f.apps {
		a.Close()
	}
	f.children, f.srvs, f.apps = nil, nil, nil
}
