package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/store"
)

// Many runners claiming at once each get a different job, and every job is claimed once.
func TestClaimJobOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now()
		for i := range 40 {
			if _, err := st.EnqueueJob(ctx, "k", int64(i), 3, now); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					j, err := st.ClaimJob(ctx, now, time.Minute)
					if err == errs.ErrNotFound {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					seen[j.ID]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 40 {
			t.Fatalf("claimed %d distinct jobs, want 40", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("job %d claimed %d times", id, n)
			}
		}
		// A job whose runner died (lease over) is claimed again; a live lease is not.
		if _, err := st.ClaimJob(ctx, now.Add(30*time.Second), time.Minute); err != errs.ErrNotFound {
			t.Fatalf("claimed a leased job: %v", err)
		}
		j, err := st.ClaimJob(ctx, now.Add(2*time.Minute), time.Minute)
		if err != nil || j.Attempts != 2 {
			t.Fatalf("expired lease: %+v %v", j, err)
		}
	})
}

func TestMigrateTwice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatalf("second migration run: %v", err)
		}
	})
}
