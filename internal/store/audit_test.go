package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/store"
)

// auditChain records n entries about request:1 in a new tenant and returns its id.
func auditChain(t *testing.T, st *store.Store, slug string, n int) int64 {
	t.Helper()
	ctx := context.Background()
	tid, err := st.EnsureTenant(ctx, slug, slug, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := audit.Recorder{Store: st}
	for i := range n {
		err := r.Record(ctx, audit.Entry{TenantID: tid, Actor: "staff:7", ActorName: "Budi", Role: "kepala_seksi",
			Action: "step.forward", Object: "request:1", Detail: fmt.Sprintf(`{"step":%d}`, i), IP: "10.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
	}
	return tid
}

// tamper changes the log behind the store's back, as someone with database access could.
func tamper(t *testing.T, st *store.Store, sql string) {
	t.Helper()
	if _, err := st.DB().Exec(sql); err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, st *store.Store) audit.Report {
	t.Helper()
	rep, err := st.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAuditChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a := auditChain(t, st, "a", 4)
		b := auditChain(t, st, "b", 3)
		at := time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.FixedZone("WITA", 8*3600))
		e := audit.Entry{TenantID: a, At: at, Actor: "user:12", ActorName: "Siti", Action: "request.submit",
			Object: "request:2", Detail: "Kirim", IP: "2001:db8::1"}
		if err := st.AppendAudit(ctx, &e); err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 || e.Seq != 5 || e.Hash != e.ComputeHash(e.PrevHash) {
			t.Fatalf("appended %+v", e)
		}
		trail, err := st.AuditTrail(ctx, "request:2")
		if err != nil || len(trail) != 1 {
			t.Fatalf("trail: %+v %v", trail, err)
		}
		want := e
		want.At = at.UTC().Truncate(time.Microsecond)
		if trail[0] != want {
			t.Fatalf("read back\n %+v\nwant\n %+v", trail[0], want)
		}
		trail, err = st.AuditTrail(ctx, "request:1")
		if err != nil || len(trail) != 7 || trail[0].TenantID != a || trail[4].TenantID != b || trail[4].Seq != 1 {
			t.Fatalf("trail of request:1: %+v %v", trail, err)
		}
		if trail, err := st.AuditTrail(ctx, "request:3"); err != nil || len(trail) != 0 {
			t.Fatalf("trail of nothing: %+v %v", trail, err)
		}

		// An entry made in a transaction that rolls back leaves no trace and no gap.
		err = st.Tx(ctx, func(ctx context.Context) error {
			if err := st.AppendAudit(ctx, &audit.Entry{TenantID: b, Actor: "system", Action: "x"}); err != nil {
				t.Fatal(err)
			}
			return errors.New("roll back")
		})
		if err == nil {
			t.Fatal("no rollback")
		}

		rep := verify(t, st)
		if rep.Break != nil || rep.Entries != 8 || len(rep.Heads) != 2 ||
			rep.Heads[0] != (audit.Head{TenantID: a, Seq: 5, Hash: e.Hash}) || rep.Heads[1].Seq != 3 {
			t.Fatalf("intact chains: %+v", rep)
		}
	})
}

func TestAuditTamperedRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		tid := auditChain(t, st, "a", 5)
		tamper(t, st, fmt.Sprintf(`UPDATE audit_log SET detail = 'nothing to see' WHERE tenant_id = %d AND seq = 3`, tid))
		b := verify(t, st).Break
		if b == nil || b.TenantID != tid || b.Seq != 3 || b.Problem != audit.ProblemHash || b.ID == 0 {
			t.Fatalf("edited row: %+v", b)
		}
	})
}

func TestAuditDeletedRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		tid := auditChain(t, st, "a", 5)
		tamper(t, st, fmt.Sprintf(`DELETE FROM audit_log WHERE tenant_id = %d AND seq = 3`, tid))
		b := verify(t, st).Break
		if b == nil || b.Seq != 4 || b.Want != 3 || b.Problem != audit.ProblemGap {
			t.Fatalf("deleted row: %+v", b)
		}
	})
}

// Concurrent appends to one tenant wait for each other: the chain never forks and no
// append fails.
func TestAuditConcurrentAppends(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, _ := st.EnsureTenant(ctx, "a", "A", time.Now())
		other, _ := st.EnsureTenant(ctx, "b", "B", time.Now())
		r := audit.Recorder{Store: st}
		const workers, each = 8, 15
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					e := audit.Entry{TenantID: tid, Actor: fmt.Sprintf("staff:%d", w), Action: "step.forward",
						Object: fmt.Sprintf("request:%d", i)}
					if w == 0 {
						e.TenantID = other
					}
					var err error
					if i%2 == 0 {
						err = r.Record(ctx, e)
					} else {
						// Half of them inside a caller's transaction, as services do.
						err = st.Tx(ctx, func(ctx context.Context) error { return r.Record(ctx, e) })
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		rep := verify(t, st)
		if rep.Break != nil || rep.Entries != workers*each || len(rep.Heads) != 2 ||
			rep.Heads[0].Seq != (workers-1)*each || rep.Heads[1].Seq != each {
			t.Fatalf("after concurrent appends: %+v", rep)
		}
	})
}
