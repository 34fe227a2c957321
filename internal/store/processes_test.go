package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/store"
)

// Processes starting together on an empty PostgreSQL database all come up: one applies
// the migrations under the schema's advisory lock, the others wait and find nothing to
// do; each creates the configured tenant, and they agree on its id. Each opener has its
// own connection pool, as a separate process would. Without the lock, five of six
// trials died on duplicate keys.
func TestMigrateTogether(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		if d != store.Postgres {
			continue // one process per SQLite file
		}
		for trial := range 3 {
			url := dbtest.URL(t, d)
			const procs = 6
			var wg sync.WaitGroup
			ids := make([]int64, procs)
			errc := make(chan error, procs)
			for i := range procs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx := context.Background()
					st, err := store.Open(ctx, url)
					if err != nil {
						errc <- err
						return
					}
					defer st.Close()
					ids[i], err = st.EnsureTenant(ctx, "kominfo", "Kominfo", time.Now())
					if err != nil {
						errc <- err
					}
				}()
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Errorf("trial %d: %v", trial, err)
			}
			for i := range ids {
				if ids[i] != ids[0] {
					t.Fatalf("trial %d: tenant ids differ: %v", trial, ids)
				}
			}
			st, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			ms, err := st.Migrations(context.Background())
			st.Close()
			if err != nil || ms.Current != ms.Latest || ms.Latest == 0 {
				t.Fatalf("trial %d: migrations %+v, %v", trial, ms, err)
			}
		}
	}
}

// Two schemas of one database have their own migration lock: a deployment's (or a
// test's) lock never makes another wait.
func TestLockIDPerSchema(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		if d != store.Postgres {
			continue
		}
		a, b := dbtest.Open(t, d), dbtest.Open(t, d)
		ctx := context.Background()
		ia, err := a.LockID(ctx, "leader")
		if err != nil {
			t.Fatal(err)
		}
		ib, _ := b.LockID(ctx, "leader")
		im, _ := a.LockID(ctx, "migrate")
		if ia == ib || ia == im {
			t.Fatalf("lock ids collide: %d %d %d", ia, ib, im)
		}
	}
}

// One session holds the leader lock at a time; it is free again when its holder
// releases it or its connection dies.
func TestTryLock(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		if d != store.Postgres {
			continue
		}
		url := dbtest.URL(t, d)
		ctx := context.Background()
		a, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		la, err := a.TryLock(ctx, "leader")
		if err != nil || la == nil {
			t.Fatalf("first lock: %v %v", la, err)
		}
		if err := la.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if lb, err := b.TryLock(ctx, "leader"); err != nil || lb != nil {
			t.Fatalf("second lock while held: %v %v", lb, err)
		}
		la.Release()
		lb, err := b.TryLock(ctx, "leader")
		if err != nil || lb == nil {
			t.Fatalf("lock after release: %v %v", lb, err)
		}
		// The holder's connection dies (a process killed): the lock is free at once and
		// the old holder's Check says it is lost.
		var pid int
		if err := b.DB().QueryRowContext(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND ((classid::bigint << 32) | objid::bigint) = (SELECT $1::bigint)`, lockID(t, b)).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if _, err := a.DB().ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
			t.Fatal(err)
		}
		if err := lb.Check(ctx); err == nil {
			t.Fatal("check after the connection died: still held")
		}
		lb.Release()
		// The killed backend lets go of its locks as it exits, a moment after the signal.
		deadline := time.Now().Add(5 * time.Second)
		for {
			la, err = a.TryLock(ctx, "leader")
			if err != nil {
				t.Fatal(err)
			}
			if la != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("lock still held 5 s after its holder died")
			}
			time.Sleep(20 * time.Millisecond)
		}
		la.Release()
	}
}

func lockID(t *testing.T, s *store.Store) int64 {
	id, err := s.LockID(context.Background(), "leader")
	if err != nil {
		t.Fatal(err)
	}
	return id
}
