package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/archive"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
)

// The archive finds filed requests by their words, instansi, status and period, newest
// first a page at a time, never a live request or another tenant's; the retention
// purge marks a scan purged once and hands its bytes to the sweep.
func TestArchiveSearchAndPurge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "kaltim")
		other := tenant(t, st, "lain")
		feb := time.Date(2026, 2, 10, 10, 0, 0, 0, wib)
		mar := time.Date(2026, 3, 5, 10, 0, 0, 0, wib)
		old := sentRequest(t, st, tid, 1, "Dinas Pendidikan", feb, false, true) // refused in February
		sentRequest(t, st, tid, 2, "Dinas Kesehatan", mar, true, true)          // refused in March
		sentRequest(t, st, tid, 3, "Dinas Kesehatan", mar, true, false)         // still live
		sentRequest(t, st, other, 4, "Dinas Pendidikan", feb, true, true)       // another tenant's
		done := sentRequest(t, st, tid, 5, "Dinas Kesehatan", mar.Add(time.Hour), true, false)
		done.Status, done.ClosedAt, done.FiledAt, done.ArchivedAt = request.Done, mar.Add(time.Hour), mar.Add(time.Hour), mar.Add(2*time.Hour)
		if err := st.UpdateRequest(ctx, done); err != nil {
			t.Fatal(err)
		}
		if err := st.FileRequest(ctx, done); err != nil {
			t.Fatal(err)
		}

		ids := func(q archive.Query) []int64 {
			t.Helper()
			if q.Limit == 0 {
				q.Limit = 10
			}
			q.TenantID = tid
			rows, err := st.Archive(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			n, err := st.ArchiveCount(ctx, q, 100)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, r := range rows {
				out = append(out, r.ID)
			}
			if q.After.ID == 0 && q.Limit >= n && n != len(out) {
				t.Fatalf("%+v: count %d, rows %d", q, n, len(out))
			}
			return out
		}
		same := func(what string, got []int64, want ...int64) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s: %v, want %v", what, got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s: %v, want %v", what, got, want)
				}
			}
		}
		all := ids(archive.Query{})
		same("all, newest first", all, done.ID, old.ID+1, old.ID)
		same("by name", ids(archive.Query{Words: []string{"pemohon1"}}), old.ID)
		same("by address", ids(archive.Query{Words: []string{"a2@mail.go.id"}}), old.ID+1)
		same("by NIP and instansi word", ids(archive.Query{Words: []string{"196109231991031004", "pendidikan"}}), old.ID)
		same("by instansi", ids(archive.Query{Instansi: "Dinas Kesehatan"}), done.ID, old.ID+1)
		same("refused", ids(archive.Query{Status: request.Refused}), old.ID+1, old.ID)
		same("archived", ids(archive.Query{Archived: true}), done.ID)
		same("February", ids(archive.Query{From: time.Date(2026, 2, 1, 0, 0, 0, 0, wib), To: time.Date(2026, 3, 1, 0, 0, 0, 0, wib)}), old.ID)
		same("no such word", ids(archive.Query{Words: []string{"tidakada"}}))
		rows, _ := st.Archive(ctx, archive.Query{TenantID: tid, Limit: 1})
		if rows[0].Mailbox != "a5@mail.go.id" || rows[0].Name != "pemohon5" || rows[0].NIP != "196109231991031004" || rows[0].ArchivedAt.IsZero() || !rows[0].FiledAt.Equal(mar.Add(time.Hour)) {
			t.Fatalf("row: %+v", rows[0])
		}
		same("second page", ids(archive.Query{Limit: 1, After: archive.Cursor{FiledAt: rows[0].FiledAt, ID: rows[0].ID}}), old.ID+1)

		f := request.File{RequestID: old.ID, Field: "sk", Name: "scan-1", OriginalName: "sk.pdf", Kind: "pdf", Size: 10, SHA256: "x", CreatedAt: feb}
		if err := st.AddFile(ctx, &f); err != nil {
			t.Fatal(err)
		}
		if scans, err := st.ScansToPurge(ctx, tid, feb, 10); err != nil || len(scans) != 0 {
			t.Fatalf("filed at the limit: %v %v", scans, err)
		}
		scans, err := st.ScansToPurge(ctx, tid, mar, 10)
		if err != nil || len(scans) != 1 || scans[0].ID != f.ID || scans[0].Name != "scan-1" {
			t.Fatalf("scans to purge: %+v %v", scans, err)
		}
		if names, _ := st.FilesToSweep(ctx, mar, 10); len(names) != 0 {
			t.Fatalf("swept before the purge: %v", names)
		}
		for i, want := range []bool{true, false} {
			if ok, err := st.PurgeScan(ctx, scans[0], mar); ok != want || err != nil {
				t.Fatalf("purge %d: %v %v", i, ok, err)
			}
		}
		if names, err := st.FilesToSweep(ctx, mar, 10); err != nil || len(names) != 1 || names[0] != "scan-1" {
			t.Fatalf("sweep after the purge: %v %v", names, err)
		}
		files, _ := st.FilesOf(ctx, old.ID)
		if len(files) != 1 || !files[0].PurgedAt.Equal(mar) {
			t.Fatalf("record after the purge: %+v", files)
		}
		if scans, _ := st.ScansToPurge(ctx, tid, mar, 10); len(scans) != 0 {
			t.Fatalf("purged twice: %v", scans)
		}
	})
}

// The tenant's retention purges the scans of requests filed longer ago than it, once,
// with a line in the request's audit trail; a tenant without one keeps them.
func TestArchiveRetention(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		keep, purge := tenant(t, st, "simpan"), tenant(t, st, "buang")
		now := time.Date(2026, 12, 6, 10, 0, 0, 0, wib)
		var reqs []request.Request
		for i, c := range []struct {
			tid  int64
			days int
		}{{purge, 40}, {purge, 20}, {keep, 400}} {
			r := sentRequest(t, st, c.tid, 10+i, "Dinas Sosial", now.AddDate(0, 0, -c.days), true, true)
			f := request.File{RequestID: r.ID, Field: "sk", Name: "scan-" + r.Number, OriginalName: "sk.pdf", Kind: "pdf", Size: 1, SHA256: "x", CreatedAt: now}
			if err := st.AddFile(ctx, &f); err != nil {
				t.Fatal(err)
			}
			reqs = append(reqs, r)
		}
		svc := &archive.Service{Store: st, Audit: &audit.Recorder{Store: st}, Tenants: func() []account.Tenant {
			return []account.Tenant{{ID: keep, Slug: "simpan"}, {ID: purge, Slug: "buang", ScanRetention: 30 * 24 * time.Hour}}
		}}
		for i, want := range []int{1, 0} {
			if n, err := svc.PurgeScans(ctx, now, 10); n != want || err != nil {
				t.Fatalf("purge %d: %d %v, want %d", i, n, err, want)
			}
		}
		for i, r := range reqs {
			files, _ := st.FilesOf(ctx, r.ID)
			trail, _ := st.AuditTrail(ctx, audit.Object("request", r.ID))
			purged := i == 0
			if len(files) != 1 || files[0].PurgedAt.IsZero() == purged || (len(trail) == 1) != purged {
				t.Fatalf("request %d: files %+v, trail %+v", i, files, trail)
			}
			if purged && (trail[0].Action != "request.scan_purged" || trail[0].Actor != "system") {
				t.Fatalf("trail: %+v", trail[0])
			}
		}
	})
}
