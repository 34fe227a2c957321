package request_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

// A step's life through History, against the store: entered with its clock, returned to
// the applicant (the clock stops), resumed with the working time it had left, ended with
// its stored verdict; whoever comes second to a step is told it moved.
func TestStepLife(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		wib, _ := time.LoadLocation("Asia/Jakarta")
		monday := time.Date(2026, 3, 2, 9, 0, 0, 0, wib) // kominfo: Mon–Thu 07:30–16:00
		svc.Now = func() time.Time { return monday }
		u := user(t, st, tn.ID, "budi")
		r := draft(t, svc, st, tn, u, pnsValues())
		r, err := svc.Submit(ctx, tn, u, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		def, cal, err := svc.Book.Workflow(ctx, tn.SOPRef())
		if err != nil {
			t.Fatal(err)
		}
		h := request.History{Store: st, Cal: cal}
		running := func() request.Step {
			t.Helper()
			steps, err := st.StepsOf(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			s, ok := request.Running(steps)
			if !ok {
				t.Fatalf("no running step: %+v", steps)
			}
			return s
		}
		// Verification (1 working day) entered Monday 09:00: due Tuesday 09:00.
		verify := running()
		if verify.Key != "verifikasi" || !verify.Due.Equal(time.Date(2026, 3, 3, 9, 0, 0, 0, wib)) || verify.Status != request.StepOpen {
			t.Fatalf("entered = %+v", verify)
		}
		// Returned Monday 10:00 (7h30 of working time left) …
		corr, err := h.Return(ctx, r, &verify, "Scan tidak terbaca", monday.Add(time.Hour))
		if err != nil || corr.Kind != request.KindCorrection || corr.Role != string(sop.RolePemohon) {
			t.Fatalf("return: %+v, %v", corr, err)
		}
		if _, err := h.Return(ctx, r, &verify, "again", monday.Add(time.Hour)); !errors.Is(err, request.ErrStepMoved) {
			t.Fatalf("second return: %v", err)
		}
		// … resumed Wednesday 08:00: due Wednesday 15:30.
		if err := h.Resume(ctx, r, audit.User(u.ID, u.DisplayName()), time.Date(2026, 3, 4, 8, 0, 0, 0, wib)); err != nil {
			t.Fatal(err)
		}
		if err := h.Resume(ctx, r, audit.User(u.ID, u.DisplayName()), time.Date(2026, 3, 4, 8, 0, 0, 0, wib)); !errors.Is(err, request.ErrStepMoved) {
			t.Fatalf("second resume: %v", err)
		}
		verify = running()
		if !verify.Due.Equal(time.Date(2026, 3, 4, 15, 30, 0, 0, wib)) || verify.Paused() || verify.Status != request.StepOpen {
			t.Fatalf("resumed = %+v (due %v)", verify, verify.Due.In(wib))
		}
		// Ended a minute late: over, and the verdict is stored.
		kasi := audit.Staff(7, "Kasi", "kepala_seksi")
		if err := h.End(ctx, &verify, kasi, request.StepDone, "lengkap", verify.Due.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := h.End(ctx, &verify, kasi, request.StepDone, "", verify.Due); !errors.Is(err, request.ErrStepMoved) {
			t.Fatalf("second end: %v", err)
		}
		steps, _ := st.StepsOf(ctx, r.ID)
		var ended, ecorr request.Step
		for _, s := range steps {
			if s.ID == verify.ID {
				ended = s
			}
			if s.ID == corr.ID {
				ecorr = s
			}
		}
		if ended.SLA != sop.VerdictOver || ended.Actor != "Kasi" || ended.ActorID != 7 || ended.Note != "lengkap" {
			t.Fatalf("ended = %+v", ended)
		}
		if ecorr.Open() || ecorr.Actor != u.DisplayName() || ecorr.SLA != "" || ecorr.Note != "Scan tidak terbaca" {
			t.Fatalf("correction row = %+v", ecorr)
		}
		// A done step ends as it is entered, by the system.
		done, _ := def.Step("selesai")
		at := verify.Due.Add(time.Hour)
		d, err := h.Enter(ctx, r, done, at)
		if err != nil || d.Open() || d.Actor != audit.System.Name || d.Status != request.StepDone || !d.Due.IsZero() {
			t.Fatalf("done step = %+v, %v", d, err)
		}
	})
}

// An automatic step is entered working; a job that gives up fails it with its error,
// and a retry sets it working again.
func TestAutomaticStepLife(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		u := user(t, st, tn.ID, "budi")
		r := draft(t, svc, st, tn, u, pnsValues())
		r, err := svc.Submit(ctx, tn, u, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		pky, _ := sop.Preset("palangkaraya")
		_, cal, _ := svc.Book.Workflow(ctx, tn.SOPRef())
		h := request.History{Store: st, Cal: cal}
		steps, _ := st.StepsOf(ctx, r.ID)
		first, _ := request.Running(steps)
		if err := h.End(ctx, &first, audit.System, request.StepDone, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		test, _ := pky.Step("uji_akun")
		s, err := h.Enter(ctx, r, test, time.Now())
		if err != nil || s.Status != request.StepWorking || s.Due.IsZero() {
			t.Fatalf("account test entered = %+v, %v", s, err)
		}
		if err := h.Fail(ctx, &s, "imap: login refused"); err != nil {
			t.Fatal(err)
		}
		if err := h.Fail(ctx, &s, "again"); !errors.Is(err, request.ErrStepMoved) {
			t.Fatalf("failing a failed step: %v", err)
		}
		if err := h.Work(ctx, &s); err != nil {
			t.Fatal(err)
		}
		steps, _ = st.StepsOf(ctx, r.ID)
		if got, _ := request.Running(steps); got.ID != s.ID || got.Status != request.StepWorking || got.Note != "imap: login refused" {
			t.Fatalf("after retry = %+v", got)
		}
	})
}
