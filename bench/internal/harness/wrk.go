package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// WrkGroup is one wrk process of a run: Conns connections on Threads threads, sending
// Requests in turn (each thread starts at a different one). Every group of a run is
// measured separately, so each page gets its own percentiles.
type WrkGroup struct {
	Name     string
	Conns    int
	Threads  int
	Requests []WrkRequest
}

// WrkRequest is one GET: the path and the Cookie header ("" for none).
type WrkRequest struct {
	Path, Cookie string
}

// WrkStats is what one wrk process measured: its latency histogram's percentiles
// (microsecond resolution) and its counts.
type WrkStats struct {
	Name     string
	Requests int64
	Bytes    int64
	Seconds  float64
	// Errors are socket errors and answers with status 400 or above.
	Errors               int64
	P50, P90, P99, P999  time.Duration
	Max, Mean            time.Duration
	ConnectErr, ReadErr  int64
	WriteErr, TimeoutErr int64
	StatusErr            int64
}

// Rate is the answered requests per second.
func (s WrkStats) Rate() float64 { return float64(s.Requests) / s.Seconds }

// WrkResult is one measured wrk run: every group, and the CPU used meanwhile by this
// process (the server), by wrk and by the rest of the machine.
type WrkResult struct {
	Groups                    []WrkStats
	Window                    time.Duration
	SelfCPU, WrkCPU, OtherCPU float64
	StealCPU                  float64
}

// wrkScript sends the requests given after "--" (path, cookie, path, cookie, …) in turn,
// pre-formatted once per thread, and prints the summary as one JSON line at the end.
const wrkScript = `
local reqs = {}
local n = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("offset", threads)
end
init = function(args)
  for i = 1, #args, 2 do
    local headers = {}
    if args[i+1] ~= "" then headers["Cookie"] = args[i+1] end
    reqs[#reqs+1] = wrk.format("GET", args[i], headers)
  end
  n = (tonumber(offset) or 0) * 7919
end
request = function()
  n = n + 1
  return reqs[(n % #reqs) + 1]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"bytes":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%f}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
end
`

// Wrk runs every group against baseURL at once, each as its own wrk process, for warmup
// (not measured) and then window. wrk (Debian's package) is an event-driven C load
// generator: with it the load costs a fraction of the CPU the net/http client in this
// process would take from the server on the same two cores.
func Wrk(ctx context.Context, baseURL string, groups []WrkGroup, warmup, window time.Duration) (WrkResult, error) {
	bin, err := exec.LookPath("wrk")
	if err != nil {
		return WrkResult{}, fmt.Errorf("wrk not found (apt-get install wrk): %w", err)
	}
	dir, err := os.MkdirTemp("", "surel-wrk-")
	if err != nil {
		return WrkResult{}, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "rotate.lua")
	if err := os.WriteFile(script, []byte(wrkScript), 0o600); err != nil {
		return WrkResult{}, err
	}
	if warmup > 0 {
		if _, err := runWrk(ctx, bin, script, baseURL, groups, warmup); err != nil {
			return WrkResult{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru0)
	a := sampleCPU()
	stats, err := runWrk(ctx, bin, script, baseURL, groups, window)
	b := sampleCPU()
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru1)
	if err != nil {
		return WrkResult{}, err
	}
	r := WrkResult{Groups: stats, Window: window, SelfCPU: math.NaN(), WrkCPU: math.NaN(), OtherCPU: math.NaN(), StealCPU: math.NaN()}
	if len(stats) > 0 {
		r.Window = time.Duration(stats[0].Seconds * float64(time.Second))
	}
	if a.ok && b.ok {
		secs := r.Window.Seconds()
		self := b.self - a.self
		kids := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()) - time.Duration(ru0.Utime.Nano()+ru0.Stime.Nano())
		r.SelfCPU = self.Seconds() / secs
		r.WrkCPU = kids.Seconds() / secs
		r.OtherCPU = max(0, (b.machineBusy-a.machineBusy-self-kids).Seconds()/secs)
		r.StealCPU = (b.steal - a.steal).Seconds() / secs
	}
	return r, nil
}

// runWrk starts one wrk per group and waits for all of them.
func runWrk(ctx context.Context, bin, script, baseURL string, groups []WrkGroup, d time.Duration) ([]WrkStats, error) {
	out := make([]WrkStats, len(groups))
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		args := []string{"-c", strconv.Itoa(g.Conns), "-t", strconv.Itoa(max(1, g.Threads)),
			"-d", fmt.Sprintf("%ds", max(1, int((d+time.Second-1)/time.Second))), "--timeout", "10s", "-s", script, baseURL, "--"}
		for _, r := range g.Requests {
			args = append(args, r.Path, r.Cookie)
		}
		cmd := exec.CommandContext(ctx, bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cmd.Wait(); err != nil {
				errs[i] = fmt.Errorf("wrk %s: %w: %s", g.Name, err, stderr.String())
				return
			}
			out[i], errs[i] = parseWrk(g.Name, stdout.Bytes())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseWrk reads the JSON line the script's done() printed at the end of wrk's output.
func parseWrk(name string, stdout []byte) (WrkStats, error) {
	i := bytes.LastIndex(stdout, []byte(`{"requests"`))
	if i < 0 {
		return WrkStats{}, fmt.Errorf("wrk %s: no summary in its output: %s", name, stdout)
	}
	var j struct {
		Requests, Bytes                       int64
		DurationUS                            int64 `json:"duration_us"`
		Connect, Read, Write, Status, Timeout int64
		P50, P90, P99, P999, Max              int64
		Mean                                  float64
	}
	if err := json.Unmarshal(bytes.TrimSpace(stdout[i:]), &j); err != nil {
		return WrkStats{}, fmt.Errorf("wrk %s: summary: %w", name, err)
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	return WrkStats{Name: name, Requests: j.Requests, Bytes: j.Bytes, Seconds: float64(j.DurationUS) / 1e6,
		Errors: j.Connect + j.Read + j.Write + j.Status + j.Timeout,
		P50:    us(j.P50), P90: us(j.P90), P99: us(j.P99), P999: us(j.P999), Max: us(j.Max),
		Mean:       time.Duration(j.Mean * float64(time.Microsecond)),
		ConnectErr: j.Connect, ReadErr: j.Read, WriteErr: j.Write, TimeoutErr: j.Timeout, StatusErr: j.Status}, nil
}
