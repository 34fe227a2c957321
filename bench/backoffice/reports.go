package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/sop"
)

// The reports phase (-reports): issue 16's "each report over 1,000,000 requests and
// 10,000,000 history rows renders in under 2 s on SQLite and PostgreSQL; CSV exports
// stream in constant memory". The five report pages (/kantor/laporan/{kind}), each for
// the seed's whole three years and every instansi (the daily counts' path), for the last
// year of one instansi (the path that reads the requests and their history), and the
// service report's step table as CSV, arrive in an open loop at -report-rate a second;
// each latency counts from when the page was due. Then the account list (daftar.csv)
// of one month and of the three years is downloaded while the heap is sampled.

var reportKinds = []string{"akun", "layanan", "antrean", "pengembalian", "kapasitas"}

// reportRoutes are the phase's routes, by name and path.
func reportRoutes(e *env) (names, paths []string) {
	today := sop.DateOf(e.shape.Now.In(seedZone))
	all := sop.DateOf(e.shape.created(1).In(seedZone))
	year := today.AddDays(-365)
	for _, k := range reportKinds {
		names = append(names, k+", 3 years, all instansi")
		paths = append(paths, fmt.Sprintf("/kantor/laporan/%s?dari=%s&sampai=%s&per=bulan", k, all, today))
		names = append(names, k+", 1 year, one instansi")
		paths = append(paths, fmt.Sprintf("/kantor/laporan/%s?dari=%s&sampai=%s&per=bulan&instansi=%s", k, year, today,
			strings.ReplaceAll(instansis[2], " ", "+")))
	}
	names = append(names, "layanan/langkah.csv, 3 years")
	paths = append(paths, fmt.Sprintf("/kantor/laporan/layanan/langkah.csv?dari=%s&sampai=%s&per=bulan", all, today))
	return names, paths
}

// reportsAt requests the report routes in an open loop at rate a second, the routes in
// turn (OpenLoop numbers the arrivals' clients in turn).
func reportsAt(ctx context.Context, e *env, rate float64, warmup, window time.Duration, seed uint64) harness.Result {
	names, paths := reportRoutes(e)
	get, done := harness.NewGetter("go", e.client, e.baseURL, len(paths))
	defer done()
	return harness.OpenLoop(ctx, rate, len(paths), 256, warmup, window, names, seed, func(ctx context.Context, c int, _ *rand.Rand) (int, bool, string) {
		route := c
		status, err := get(ctx, c, paths[route], "surel_sesi="+e.cookies[c%len(e.cookies)])
		if err != nil {
			return route, false, "transport: " + err.Error()
		}
		if status != http.StatusOK {
			return route, false, fmt.Sprintf("%s: status %d", names[route], status)
		}
		return route, true, ""
	})
}

// reportsOnce loads each report route once, alone, in turn: its latency without a
// queue in front of it, or why it failed (the client gives up after a minute).
//
// cpu is the CPU time this process spent meanwhile: the server runs in it, and on
// SQLite so does the database, so on a machine others keep busy it is what the report
// costs, which its wall time is not (on PostgreSQL the backend's share is missing).
func reportsOnce(ctx context.Context, e *env) (names []string, took, cpu []time.Duration, why []string) {
	names, paths := reportRoutes(e)
	took, cpu = make([]time.Duration, len(paths)), make([]time.Duration, len(paths))
	why = make([]string, len(paths))
	for i, p := range paths {
		t0, c0 := time.Now(), processCPU()
		status, err := harness.Get(ctx, e.client, e.baseURL+p, "surel_sesi="+e.cookies[0], nil)
		took[i], cpu[i] = time.Since(t0), processCPU()-c0
		switch {
		case err != nil:
			why[i] = err.Error()
		case status != http.StatusOK:
			why[i] = fmt.Sprintf("status %d", status)
		}
	}
	return names, took, cpu, why
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// csvRun is one download of the account list with the server's heap sampled.
type csvRun struct {
	Name          string
	Bytes, Rows   int64
	Took          time.Duration
	HeapBefore    uint64 // live heap after a collection, before the download
	HeapPeak      uint64 // highest heap in use sampled during it (garbage included)
	LivePeak      uint64 // highest live heap a collection marked during it
	TotalAllocDif uint64
}

// countingWriter counts bytes and lines.
type countingWriter struct{ bytes, lines int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.bytes += int64(len(p))
	w.lines += int64(strings.Count(string(p), "\n"))
	return len(p), nil
}

// csvMemory downloads the account list of the last month and of the three years; the
// server runs in this process, so its heap is this process's (sampled every 5 ms).
func csvMemory(ctx context.Context, e *env) ([]csvRun, error) {
	today := sop.DateOf(e.shape.Now.In(seedZone))
	all := sop.DateOf(e.shape.created(1).In(seedZone))
	var out []csvRun
	for _, c := range []struct{ name, from string }{{"1 month", today.AddDays(-30).String()}, {"3 years", all.String()}} {
		runtime.GC()
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		r := csvRun{Name: c.name, HeapBefore: ms.HeapInuse}
		alloc0 := ms.TotalAlloc
		// The live heap as the last collection marked it: what the download keeps, as
		// opposed to HeapInuse, which GOGC=400 lets grow with garbage to five times it.
		var peak, peakLive atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
					metrics.Read(live)
					if v := live[0].Value.Uint64(); v > peakLive.Load() {
						peakLive.Store(v)
					}
				}
			}
		}()
		w := &countingWriter{}
		t0 := time.Now()
		status, err := harness.Get(ctx, e.client, fmt.Sprintf("%s/kantor/laporan/akun/daftar.csv?dari=%s&sampai=%s", e.baseURL, c.from, today),
			"surel_sesi="+e.cookies[0], w)
		r.Took = time.Since(t0)
		close(stop)
		<-sampled
		if err != nil || status != http.StatusOK {
			return nil, fmt.Errorf("daftar.csv %s: status %d, %v", c.name, status, err)
		}
		runtime.ReadMemStats(&ms)
		r.Bytes, r.Rows, r.HeapPeak, r.TotalAllocDif = w.bytes, w.lines-1, max(peak.Load(), ms.HeapInuse), ms.TotalAlloc-alloc0
		r.LivePeak = peakLive.Load()
		out = append(out, r)
	}
	return out, nil
}

// reportsResult is what the reports phase measured.
type reportsResult struct {
	Rate    float64
	Open    harness.Result
	Once    []time.Duration
	OnceCPU []time.Duration // CPU time of this process during each single load
	OnceErr []string        // why a single load failed, "" when it did not
	Names   []string
	CSV     []csvRun
	Load    [2]string
	Target  time.Duration
	Started time.Time
}

// pass tells whether every route's p99 in the open loop, and each single load, is under
// the target with no error.
func (r *reportsResult) pass() bool {
	for i := range r.Open.Routes {
		if r.Open.OK[i] == 0 || r.Open.Fail[i] > 0 || harness.Percentile(sorted(r.Open.Lat[i]), 99) >= r.Target {
			return false
		}
	}
	for i, d := range r.Once {
		if d >= r.Target || r.OnceErr[i] != "" {
			return false
		}
	}
	return true
}

func sorted(x []time.Duration) []time.Duration {
	y := slices.Clone(x)
	slices.Sort(y)
	return y
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func (r *reportsResult) write(w io.Writer) {
	fmt.Fprintf(w, "Reports, each alone in turn, then arriving at %.2f a second for %s (open loop, latency from when each was due); load %s → %s, CPU self/other %s:\n\n",
		r.Rate, r.Open.Window, r.Load[0], r.Load[1], harness.CPUText(r.Open))
	var rows [][]string
	for i, name := range r.Open.Routes {
		lat := sorted(r.Open.Lat[i])
		once := "–"
		if i < len(r.Once) {
			once = ms(r.Once[i])
			if r.OnceErr[i] != "" {
				once = "failed after " + ms(r.Once[i])
			}
		}
		v := "PASS"
		if r.Open.OK[i] == 0 || r.Open.Fail[i] > 0 || harness.Percentile(lat, 99) >= r.Target || (i < len(r.Once) && (r.Once[i] >= r.Target || r.OnceErr[i] != "")) {
			v = "FAIL"
		}
		cpu := "–"
		if i < len(r.OnceCPU) {
			cpu = ms(r.OnceCPU[i])
		}
		rows = append(rows, []string{name, once, cpu, fmt.Sprint(r.Open.OK[i]), ms(harness.Percentile(lat, 50)), ms(harness.Percentile(lat, 99)),
			ms(harness.Percentile(lat, 100)), fmt.Sprint(r.Open.Fail[i]), v})
	}
	harness.MarkdownTable(w, []string{"report", "alone", "CPU alone", "served", "p50", "p99", "max", "errors", "< " + ms(r.Target)}, rows)
	if len(r.Open.Why) > 0 {
		fmt.Fprintf(w, "\nErrors: %v\n", r.Open.Why)
	}
	if len(r.CSV) > 0 {
		fmt.Fprintf(w, "\nAccount list (daftar.csv) downloads, the server's heap sampled every 5 ms:\n\n")
		var rows [][]string
		for _, c := range r.CSV {
			rows = append(rows, []string{c.Name, fmt.Sprint(c.Rows), mib(uint64(c.Bytes)), c.Took.Round(time.Millisecond).String(),
				mib(c.HeapBefore), mib(c.LivePeak), mib(c.HeapPeak), mib(c.TotalAllocDif)})
		}
		harness.MarkdownTable(w, []string{"period", "rows", "size", "took", "heap before", "live heap peak", "heap in use peak", "allocated in all"}, rows)
	}
	v := "PASS"
	if !r.pass() {
		v = "FAIL"
	}
	fmt.Fprintf(w, "\n**Reports: %s** (every report alone and its p99 in the open loop under %s, no errors)\n", v, ms(r.Target))
}
