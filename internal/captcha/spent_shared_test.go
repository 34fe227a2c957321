package captcha

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/store"
)

// Three processes share the database's memory of spent challenges: a solved challenge
// sent to all of them at once is accepted by exactly one, and refused as a replay by
// the others (with memory per process, each accepted it once). Each process has its own
// Service and connection pool.
func TestSpentAcrossProcesses(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			url := dbtest.URL(t, d)
			clk := newFakeClock()
			var procs []*Service
			for range 3 {
				st, err := store.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				procs = append(procs, New(testKey, Options{MaxNumber: 5000, Expiry: 10 * time.Minute, Now: clk.Now, Spent: st}))
			}
			for round := range 5 {
				p := mustSolve(t, mustChallenge(t, procs[0]))
				var wg sync.WaitGroup
				errs := make([]error, len(procs)*2)
				for i := range errs {
					wg.Add(1)
					go func() { defer wg.Done(); errs[i] = procs[i%len(procs)].Verify(context.Background(), p) }()
				}
				wg.Wait()
				ok := 0
				for _, err := range errs {
					switch {
					case err == nil:
						ok++
					case !errors.Is(err, ErrReplayed):
						t.Fatalf("round %d: %v", round, err)
					}
				}
				if ok != 1 {
					t.Fatalf("round %d: accepted %d times across the processes, want once", round, ok)
				}
			}
		})
	}
}
