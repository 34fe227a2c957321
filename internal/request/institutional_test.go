package request_test

import (
	"context"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
)

func ruleOf(err error, field string) string {
	e, ok := errs.As(err)
	if !ok {
		return ""
	}
	for _, f := range e.Fields {
		if f.Name == field {
			return f.Rule
		}
	}
	return ""
}

// The "Email Instansi/Unit" service: offered only where the tenant's setting is on, its
// address under the kind's naming rule (the office's words allowed, reserved names not),
// one live request per unit while the responsible PNS keeps their own.
func TestInstitutionalMailbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		u := user(t, st, tn.ID, "budi")
		if _, err := svc.NewDraft(ctx, tn, u, "instansi", "layanan_publik", nil); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("national tenant offered institutional mailboxes: %v", err)
		}
		for _, sv := range svc.Offerings(tn) {
			if sv.Institutional {
				t.Fatal("national tenant lists the institutional service")
			}
		}
		tn.Institutional = true
		// All but the domain services, whose rules this service has not, and those only
		// staff start (the purge, the handover).
		want := 0
		for _, sv := range svc.Catalog.Services {
			if !sv.Ruled && !sv.StaffOnly {
				want++
			}
		}
		if len(svc.Offerings(tn)) != want {
			t.Fatalf("pemda tenant offers %d services, want all %d", len(svc.Offerings(tn)), want)
		}
		// The responsible PNS's personal request is live: the unit's is another person key.
		personal := draft(t, svc, st, tn, u, pnsValues())
		if _, err := svc.Submit(ctx, tn, u, personal.ID); err != nil {
			t.Fatal(err)
		}
		r, err := svc.NewDraft(ctx, tn, u, "instansi", "layanan_publik", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"doc_kepegawaian", "doc_surat_kepala"} {
			st.AddFile(ctx, &request.File{RequestID: r.ID, Field: f, Name: f + "x", OriginalName: "a.pdf", Kind: "pdf", Size: 10, SHA256: "x", CreatedAt: time.Now()})
		}
		vals := func(mailbox string) map[string]string {
			return map[string]string{"nip": "196109231991031004", "instansi": "Pemkab Merangin", "nama_unit": "Dinas Kependudukan  dan Pencatatan Sipil",
				"phone": "081234567890", "mailbox": mailbox}
		}
		for mb, want := range map[string]string{"dukcapil": "address_prefix", "layanan.x": "address_prefix", "postmaster": "address_reserved"} {
			if _, err := svc.SaveDraft(ctx, u, r, vals(mb)); ruleOf(err, "mailbox") != want {
				t.Errorf("%s: %v, want %s", mb, err, want)
			}
		}
		if _, err := svc.CheckMailbox(ctx, tn, "Layanan.Dukcapil", r.ID, "mailbox"); err != nil {
			t.Fatalf("live check of the institutional rule: %v", err)
		}
		if _, err := svc.CheckMailbox(ctx, tn, "diskominfo", 0, "mailbox"); ruleOf(err, "mailbox") != "address_reserved" {
			t.Fatalf("person's check of an office's word: %v", err)
		}
		r, err = svc.SaveDraft(ctx, u, r, vals("layanan.dukcapil"))
		if err != nil {
			t.Fatal(err)
		}
		if r.PersonKey != "unit:layanan_publik:dinas kependudukan dan pencatatan sipil" || r.Unit() != "Dinas Kependudukan dan Pencatatan Sipil" {
			t.Fatalf("person key %q, unit %q", r.PersonKey, r.Unit())
		}
		if svc.Suggest(ctx, tn, u, r.ID, 3) != nil {
			t.Fatal("suggested a person's address for a unit")
		}
		if _, err := svc.Submit(ctx, tn, u, r.ID); err != nil {
			t.Fatalf("submit beside the personal request: %v", err)
		}
		// A second request for the same unit is refused.
		r2, _ := svc.NewDraft(ctx, tn, u, "instansi", "layanan_publik", nil)
		if _, err := svc.SaveDraft(ctx, u, r2, vals("layanan.capil")); ruleOf(err, "nip") != "person_busy" {
			t.Fatalf("second request for the unit: %v", err)
		}
		// A person may not take an office's word.
		p2 := pnsValues()
		p2["mailbox"] = "diskominfo"
		other := user(t, st, tn.ID, "sari")
		d, _ := svc.NewDraft(ctx, tn, other, "email", "pns", nil)
		if _, err := svc.SaveDraft(ctx, other, d, p2); ruleOf(err, "mailbox") != "address_reserved" {
			t.Fatalf("person took diskominfo: %v", err)
		}
	})
}
