package registry_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox/zimbra"
	"github.com/surel-id/surel/internal/mailbox/zimbra/zimbrafake"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/store"
)

// BenchmarkSync50k is the target: 50,000 accounts of a Zimbra domain (a fifth
// with a NIP in employeeNumber, the rest with a display name) adopted into an empty
// registry, then synced again, against the fake over TLS, on each engine. It reports
// each sync's seconds and the heap the sync added at its peak (sampled every 10 ms),
// which stays a page's worth: bench/RESULTS.md.
//
//	SUREL_TEST_POSTGRES=… go test ./internal/registry -run '^$' -bench Sync50k -benchtime 1x
func BenchmarkSync50k(b *testing.B) {
	n := 50_000
	if v, err := strconv.Atoi(os.Getenv("SUREL_SYNC_N")); err == nil && v > 0 {
		n = v // a smaller domain, for a profile
	}
	for _, d := range dbtest.Engines(b) {
		b.Run(string(d), func(b *testing.B) { syncBench(b, dbtest.Open(b, d), n) })
	}
}

func syncBench(b *testing.B, st *store.Store, n int) {
	{
		for range b.N {
			ctx := context.Background()
			tid, _ := st.EnsureTenant(ctx, fmt.Sprintf("t%d", time.Now().UnixNano()), "T", time.Now())
			f := zimbrafake.Start(b, "mail.go.id")
			f.Do(func(s *zimbrafake.State) {
				for i := range n {
					attrs := map[string]string{"displayName": fmt.Sprintf("Pegawai Nomor %d", i)}
					if i%5 == 0 {
						attrs["employeeNumber"] = fmt.Sprintf("19800101200501%d%03d", 1+i/1000%2, 1+i%500)
					}
					s.AddAccount(fmt.Sprintf("pegawai%d@mail.go.id", i), "x", attrs)
				}
			})
			srv, err := zimbra.New(zimbra.Options{URL: f.URL, HTTPClient: f.Client, AdminUser: "admin@mail.go.id", AdminPassword: "rahasia"})
			if err != nil {
				b.Fatal(err)
			}
			svc := &registry.Service{Store: st, Audit: &audit.Recorder{Store: st}}
			for _, pass := range []string{"adopt", "again"} {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base := ms.HeapInuse
				var peak atomic.Uint64
				done := make(chan struct{})
				go func() {
					t := time.NewTicker(10 * time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-done:
							return
						case <-t.C:
							var m runtime.MemStats
							runtime.ReadMemStats(&m)
							if m.HeapInuse > peak.Load() {
								peak.Store(m.HeapInuse)
							}
						}
					}
				}()
				start := time.Now()
				run, err := svc.Sync(ctx, tid, "mail.go.id", srv, audit.System)
				took := time.Since(start)
				close(done)
				if err != nil {
					b.Fatal(err)
				}
				if run.Seen != n {
					b.Fatalf("%s: %+v", pass, run)
				}
				grew := float64(0)
				if p := peak.Load(); p > base {
					grew = float64(p-base) / (1 << 20)
				}
				b.ReportMetric(took.Seconds(), pass+"-s")
				b.ReportMetric(grew, pass+"-heapMB")
				b.Logf("%s: %d accounts (%d new) in %s, heap +%.0f MB at its peak", pass, run.Seen, run.Added, took.Round(time.Millisecond), grew)
			}
		}
	}
}
