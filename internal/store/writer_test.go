package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
)

// Concurrent writers, single statements and transactions, all succeed: on SQLite they
// queue for the one write lock instead of failing with SQLITE_BUSY, and a transaction
// that fails releases the lock for the next.
func TestConcurrentWriters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		u := staffUser(t, st, tid, "budi")
		now := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		const writers, each = 12, 15
		var wg sync.WaitGroup
		errc := make(chan error, writers*each*2)
		boom := errors.New("boom")
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					n := request.Notification{UserID: u.ID, RequestID: int64(w*1000 + i), Key: "notif.test", CreatedAt: now}
					if w%2 == 0 {
						errc <- st.Notify(ctx, n)
						continue
					}
					// Every third transaction fails after its write: rolled back, lock released.
					err := st.Tx(ctx, func(ctx context.Context) error {
						if err := st.Notify(ctx, n); err != nil {
							return err
						}
						if i%3 == 0 {
							return boom
						}
						return nil
					})
					if i%3 == 0 && errors.Is(err, boom) {
						err = nil
					}
					errc <- err
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.NotificationsOf(ctx, u.ID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		rolledBack := writers / 2 * ((each + 2) / 3)
		if want := writers*each - rolledBack; len(got) != want {
			t.Fatalf("%d notifications stored, want %d (%d rolled back)", len(got), want, rolledBack)
		}
	})
}

// On SQLite a write waits for a transaction under way in this process, and gives up
// when its context ends.
func TestWriterWaitsForTransaction(t *testing.T) {
	st := dbtest.Open(t, store.SQLite)
	ctx := context.Background()
	tid := tenant(t, st, "a")
	u := staffUser(t, st, tid, "budi")
	n := request.Notification{UserID: u.ID, Key: "notif.test", CreatedAt: time.Now()}
	inTx, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- st.Tx(ctx, func(ctx context.Context) error {
			close(inTx)
			<-release
			return st.Notify(ctx, n)
		})
	}()
	<-inTx
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := st.Notify(short, n); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a write during another's transaction: %v, want it to wait until its deadline", err)
	}
	waited := make(chan error)
	go func() { waited <- st.Notify(ctx, n) }()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatalf("the queued write after the transaction: %v", err)
	}
	if got, _ := st.NotificationsOf(ctx, u.ID, 10); len(got) != 2 {
		t.Fatalf("%d notifications, want 2", len(got))
	}
}
