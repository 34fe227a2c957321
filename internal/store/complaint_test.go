package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

// A complaint's life in the store on both engines: numbers unique per tenant, the
// applicant's list, the staff's by role and status, answers kept once, a forward, one
// close only (the second is a conflict and changes nothing), and the period's list.
func TestComplaints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, other := tenant(t, st, "a"), tenant(t, st, "b")
		u := staffUser(t, st, tid, "pemohon")
		at := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
		r := request.Request{TenantID: tid, UserID: u.ID, Number: "REQ-1", Service: "email", Kind: "pns", Status: request.Waiting,
			Values: map[string]string{}, CreatedAt: at, UpdatedAt: at}
		if err := st.CreateRequest(ctx, &r); err != nil {
			t.Fatal(err)
		}
		r.SubmittedAt = at
		if err := st.SubmitRequest(ctx, &r); err != nil {
			t.Fatal(err)
		}
		mk := func(tenantID int64, number string, userID, requestID int64, cat string, created time.Time) complaint.Complaint {
			c := complaint.Complaint{TenantID: tenantID, Number: number, UserID: userID, RequestID: requestID, Name: "Siti", Email: "siti@gmail.com",
				Lang: "id", Category: cat, StandardDays: 5, Subject: "Akun belum aktif", Body: "Sudah tiga hari akun saya belum aktif.",
				Role: complaint.RoleComplaints, Status: complaint.Open, CreatedAt: created, Due: created.Add(5 * 24 * time.Hour)}
			if err := st.CreateComplaint(ctx, &c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		a := mk(tid, "ADU-AAAA-0001", u.ID, r.ID, "layanan", at)
		b := mk(tid, "ADU-AAAA-0002", 0, 0, "informasi", at.Add(time.Hour))
		mk(other, "ADU-AAAA-0001", 0, 0, "informasi", at) // the same number in another tenant
		dup := complaint.Complaint{TenantID: tid, Number: "ADU-AAAA-0001", Name: "x", Category: "informasi", Subject: "x", Body: "x", Role: "pengaduan",
			Status: complaint.Open, CreatedAt: at, Due: at}
		if err := st.CreateComplaint(ctx, &dup); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a taken number: %v", err)
		}

		got, err := st.ComplaintByNumber(ctx, tid, "ADU-AAAA-0001")
		if err != nil || got.ID != a.ID || got.RequestNumber != "REQ-1" || got.UserID != u.ID || !got.CreatedAt.Equal(at) || got.Status != complaint.Open ||
			!got.AnsweredAt.IsZero() || got.Role != complaint.RoleComplaints {
			t.Fatalf("by number: %+v %v", got, err)
		}
		if _, err := st.ComplaintByNumber(ctx, tid, "ADU-ZZZZ-9999"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown number: %v", err)
		}
		if _, err := st.Complaint(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown id: %v", err)
		}
		mine, err := st.ComplaintsOfUser(ctx, tid, u.ID)
		if err != nil || len(mine) != 1 || mine[0].ID != a.ID {
			t.Fatalf("of user: %+v %v", mine, err)
		}

		// Answered twice: the first answer's time and days stay.
		if err := st.AnswerComplaint(ctx, a.ID, at.Add(2*time.Hour), 25); err != nil {
			t.Fatal(err)
		}
		if err := st.AnswerComplaint(ctx, a.ID, at.Add(30*time.Hour), 300); err != nil {
			t.Fatal(err)
		}
		if err := st.ForwardComplaint(ctx, a.ID, sop.RoleAdminMail); err != nil {
			t.Fatal(err)
		}
		e := complaint.Entry{ComplaintID: a.ID, Kind: complaint.EntryForward, Body: "Mohon dicek di server", FromRole: complaint.RoleComplaints,
			ToRole: sop.RoleAdminMail, ActorID: u.ID, ActorName: "Petugas", At: at.Add(3 * time.Hour)}
		if err := st.AddComplaintEntry(ctx, &e); err != nil || e.ID == 0 {
			t.Fatal(err)
		}
		forAdmin, _ := st.ComplaintsFor(ctx, tid, []sop.Role{sop.RoleAdminMail}, false, 10)
		everyone, _ := st.ComplaintsFor(ctx, tid, nil, false, 10)
		if len(forAdmin) != 1 || forAdmin[0].ID != a.ID || len(everyone) != 2 || everyone[0].ID != a.ID {
			t.Fatalf("for admin %+v, all %+v", forAdmin, everyone)
		}
		if none, _ := st.ComplaintsFor(ctx, tid, []sop.Role{}, true, 10); len(none) != 0 {
			t.Fatalf("no roles: %+v", none)
		}

		if err := st.CloseComplaint(ctx, a.ID, at.Add(48*time.Hour), 99, 200, true); err != nil {
			t.Fatal(err)
		}
		if err := st.CloseComplaint(ctx, a.ID, at.Add(49*time.Hour), 1, 1, false); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("closed twice: %v", err)
		}
		if err := st.AnswerComplaint(ctx, a.ID, at.Add(50*time.Hour), 1); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("answered after the close: %v", err)
		}
		if err := st.ForwardComplaint(ctx, a.ID, sop.RoleKepalaSeksi); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("forwarded after the close: %v", err)
		}
		got, _ = st.Complaint(ctx, a.ID)
		if got.Status != complaint.Closed || got.AnswerDays != 25 || !got.AnsweredAt.Equal(at.Add(2*time.Hour)) || got.CloseDays != 200 ||
			!got.ClosedInTime || !got.ClosedAt.Equal(at.Add(48*time.Hour)) || got.Role != sop.RoleAdminMail {
			t.Fatalf("closed: %+v", got)
		}
		// Closed without an answer before: the close is its first answer.
		if err := st.CloseComplaint(ctx, b.ID, at.Add(5*time.Hour), 40, 40, false); err != nil {
			t.Fatal(err)
		}
		got, _ = st.Complaint(ctx, b.ID)
		if got.AnswerDays != 40 || !got.AnsweredAt.Equal(at.Add(5*time.Hour)) || got.ClosedInTime {
			t.Fatalf("closed unanswered: %+v", got)
		}
		open, _ := st.ComplaintsFor(ctx, tid, nil, false, 10)
		all, _ := st.ComplaintsFor(ctx, tid, nil, true, 10)
		if len(open) != 0 || len(all) != 2 {
			t.Fatalf("open %d, all %d", len(open), len(all))
		}
		es, err := st.ComplaintEntries(ctx, a.ID)
		if err != nil || len(es) != 1 || es[0].ToRole != sop.RoleAdminMail || es[0].Body != "Mohon dicek di server" || !es[0].At.Equal(at.Add(3*time.Hour)) {
			t.Fatalf("entries: %+v %v", es, err)
		}
		filed, err := st.ComplaintsFiled(ctx, tid, at.Add(time.Minute), at.Add(2*time.Hour))
		if err != nil || len(filed) != 1 || filed[0].ID != b.ID {
			t.Fatalf("filed: %+v %v", filed, err)
		}
	})
}
