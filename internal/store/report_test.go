package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"

	"github.com/surel-id/surel/internal/dbtest"
)

var wib = time.FixedZone("WIB", 7*3600)

// sentRequest stores a sent request of instansi with one timed step ended at end, in
// SLA or not, and, when closed, the request closed then.
func sentRequest(t *testing.T, st *store.Store, tid int64, n int, instansi string, end time.Time, in, closed bool) request.Request {
	t.Helper()
	ctx := context.Background()
	u := staffUser(t, st, tid, fmt.Sprintf("pemohon%d", n))
	r := request.Request{TenantID: tid, UserID: u.ID, Service: "email", Kind: "pns", Status: request.Draft, Domain: "mail.go.id",
		Mailbox: fmt.Sprintf("a%d", n), PersonKey: fmt.Sprintf("nip:%d", n), Values: map[string]string{"instansi": instansi, "satuan_kerja": "Bidang TI", "nip": "196109231991031004"},
		CreatedAt: end.Add(-time.Hour), UpdatedAt: end.Add(-time.Hour)}
	if err := st.CreateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	r.Status, r.SubmittedAt, r.UpdatedAt = request.Processing, end.Add(-time.Hour), end.Add(-time.Hour)
	if err := st.SubmitRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	sla := sop.VerdictOver
	if in {
		sla = sop.VerdictIn
	}
	step := request.Step{RequestID: r.ID, TenantID: tid, Key: "verifikasi", Name: "Verifikasi", Role: "kepala_seksi", Kind: "manual",
		StartedAt: end.Add(-time.Hour), Clock: sop.Clock{Due: end.Add(time.Hour)}, FinishedAt: end, Status: request.StepDone, SLA: sla, WorkMinutes: 60}
	if err := st.AddStep(ctx, &step); err != nil {
		t.Fatal(err)
	}
	if err := st.CountStep(ctx, request.StepCount{TenantID: tid, RequestID: r.ID, Day: sop.DateOf(end.In(wib)).Num(), Key: step.Key, Role: step.Role,
		Minutes: 60, InSLA: in}); err != nil {
		t.Fatal(err)
	}
	if closed {
		r.Status, r.ClosedAt, r.FiledAt = request.Refused, end, end
		if err := st.UpdateRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := st.FileRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// The daily counts written as things happen and those migration 22 fills from the rows
// after an upgrade say the same, on both engines; for one instansi the store counts
// the requests themselves, to the same totals.
func TestReportCountsAndBackfill(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "kaltim")
		d1 := time.Date(2026, 3, 2, 10, 0, 0, 0, wib)
		d2 := time.Date(2026, 3, 3, 15, 0, 0, 0, wib)
		r1 := sentRequest(t, st, tid, 1, "Dinas  Pendidikan", d1, true, false)
		sentRequest(t, st, tid, 2, "Dinas Pendidikan", d2, false, true)
		sentRequest(t, st, tid, 3, "Dinas Kesehatan", d2, true, false)
		m := putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: "a1@mail.go.id", RequestID: r1.ID, Instansi: "Dinas Pendidikan", CreatedAt: d1, UpdatedAt: d1})
		m.Status, m.UpdatedAt, m.DeactivatedAt = registry.Inactive, d2, d2
		if ok, err := st.UpdateMailbox(ctx, &m); !ok || err != nil {
			t.Fatalf("deactivate: %v %v", ok, err)
		}
		putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: "lama@mail.go.id", Source: registry.Adopted, Instansi: "Dinas Kesehatan", CreatedAt: d2, UpdatedAt: d2})

		q := report.Query{TenantID: tid, From: time.Date(2026, 3, 1, 0, 0, 0, 0, wib), To: time.Date(2026, 4, 1, 0, 0, 0, 0, wib),
			FromDay: 20260301, ToDay: 20260331, Loc: wib}
		type totals struct{ steps, in, created, adopted, deactivated, sent int64 }
		sum := func(q report.Query) totals {
			t.Helper()
			var x totals
			cs, err := st.StepCounts(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if c.Key != request.WholeSOP {
					x.steps, x.in = x.steps+c.N, x.in+c.InSLA
				}
			}
			ds, err := st.AccountDays(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				x.created, x.adopted, x.deactivated = x.created+d.Created, x.adopted+d.Adopted, x.deactivated+d.Deactivated
			}
			ss, err := st.StatusCounts(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range ss {
				x.sent += s.N
			}
			return x
		}
		live := sum(q)
		if live != (totals{steps: 3, in: 2, created: 1, adopted: 1, deactivated: 1, sent: 3}) {
			t.Fatalf("live counts %+v", live)
		}
		qi := q
		qi.Instansi = "Dinas Pendidikan"
		if got := sum(qi); got != (totals{steps: 2, in: 1, created: 1, deactivated: 1, sent: 2}) {
			t.Fatalf("one instansi (its spacing folded) %+v", got)
		}
		names, err := st.InstansiNames(ctx, tid, 10)
		if err != nil || len(names) != 2 || names[0] != "Dinas Pendidikan" {
			t.Fatalf("instansi names %v %v", names, err)
		}

		// An upgrade: the schema before migration 21, then up again.
		if err := st.MigrateDownTo(ctx, 20); err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got := sum(q); got != live {
			t.Fatalf("backfilled counts %+v, live %+v", got, live)
		}
		if got := sum(qi); got.sent != 2 || got.steps != 2 {
			t.Fatalf("backfilled instansi copies %+v", got)
		}
		cs, _ := st.StepCounts(ctx, q)
		for _, c := range cs {
			if c.Minutes != -1 {
				t.Errorf("a step from before working times has minutes %d", c.Minutes)
			}
		}
		var filed int
		if err := st.DB().QueryRow(`SELECT COUNT(*) FROM requests WHERE filed_at IS NOT NULL AND search LIKE '%pemohon2%'`).Scan(&filed); err != nil || filed != 1 {
			t.Errorf("backfilled archive: %d %v", filed, err)
		}
	})
}
