package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

// An SOP edit that drops a step requests are at is refused, naming the step; keeping
// it (and changing anything else) is accepted.
func TestSOPEditKeepsStepsInUse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		e.submit(t, "budi", "budi.santoso") // now at "verifikasi"
		b := &sop.Book{Store: st}
		admin := audit.Staff(e.members[sop.RoleKepalaSeksi].UserID, "Admin", "tenant_admin")
		ref := sop.TenantRef{ID: e.tenant.ID, Slug: "kominfo", Preset: "kominfo"}
		preset, _, err := b.Source(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		renamed := strings.ReplaceAll(string(preset), "key: verifikasi", "key: verifikasi_dokumen")
		_, err = b.SaveSOP(ctx, ref, []byte(renamed), admin)
		ps := sop.Problems(err)
		if len(ps) != 1 || ps[0].Rule != "steps.in_use" || !strings.Contains(ps[0].Msg, `"verifikasi"`) {
			t.Fatalf("dropping a step in use: %v", err)
		}
		if _, err := b.SaveSOP(ctx, ref, []byte(strings.Replace(string(preset), "standard: 15m", "standard: 10m", 1)), admin); err != nil {
			t.Fatalf("an edit keeping the step: %v", err)
		}
	})
}

// failingTrail refuses every entry, like a trail whose database write failed.
type failingTrail struct{}

func (failingTrail) Record(context.Context, audit.Entry) error {
	return errors.New("trail unavailable")
}

// An SOP or holiday edit and its audit entry commit together: an edit whose entry cannot
// be written is not stored, and a stored one is in the trail.
func TestSOPEditAuditedInItsTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, _ := st.EnsureTenant(ctx, "kaltim", "Diskominfo Kaltim", time.Now())
		ref := sop.TenantRef{ID: tid, Slug: "kaltim", Preset: "kaltim"}
		admin := audit.Staff(7, "Admin Kaltim", "tenant_admin").From("10.0.0.7")
		pky, _ := sop.PresetYAML("palangkaraya")
		broken := &sop.Book{Store: st, Audit: failingTrail{}}
		if _, err := broken.SaveSOP(ctx, ref, pky, admin); err == nil {
			t.Fatal("saved without its audit entry")
		}
		if err := broken.AddHoliday(ctx, ref, admin, sop.Holiday{Date: sop.Date{Year: 2026, Month: 1, Day: 9}, Name: "HUT Provinsi"}); err == nil {
			t.Fatal("holiday added without its audit entry")
		}
		b := &sop.Book{Store: st, Audit: &audit.Recorder{Store: st}}
		if _, custom, _ := b.Source(ctx, ref); custom {
			t.Fatal("the SOP was stored though its audit entry failed")
		}
		if _, edited, _ := b.Holidays(ctx, ref); edited {
			t.Fatal("the holiday table was stored though its audit entry failed")
		}
		if _, err := b.SaveSOP(ctx, ref, pky, admin); err != nil {
			t.Fatal(err)
		}
		trail, err := st.AuditTrail(ctx, "tenant:kaltim")
		if err != nil || len(trail) != 1 || trail[0].Action != "sop.save" || trail[0].Actor != "staff:7" || trail[0].IP != "10.0.0.7" {
			t.Fatalf("trail = %+v, %v", trail, err)
		}
	})
}

// A domain service's flow under services: keeps the steps its requests are at, by the
// service's own keys (a preset's key may repeat one of the e-mail SOP's).
func TestSOPEditKeepsDomainStepsInUse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		e.withDomains(nil, nil, false)
		u := e.official(t, "andi", "andi.saputra", "196109231991031004")
		prov, reg, _, _ := village(t)
		if _, err := e.file(t, u, domains.ServiceVerify, domains.InstansiOPD, map[string]string{"jabatan": "Pranata Komputer", "instansi": "Dinas Pendidikan",
			"province": prov.Code, "regency": reg.Code, "phone": "081234567890"}); err != nil {
			t.Fatal(err)
		}
		b := &sop.Book{Store: st}
		admin := audit.Staff(e.members[sop.RoleKepalaSeksi].UserID, "Admin", "tenant_admin")
		ref := sop.TenantRef{ID: e.tenant.ID, Slug: "kominfo", Preset: "kominfo"}
		preset, _, _ := b.Source(ctx, ref)
		flow := `  verifikasi-instansi:
    - {key: pengajuan, name: "Mengajukan verifikasi", role: pemohon, kind: submit, standard: 15m}
    - {key: %s, name: "Memverifikasi instansi", role: kepala_bidang, kind: verify_instansi, standard: 1d}
    - {key: selesai, name: "Selesai", role: pemohon, kind: done}
`
		_, err := b.SaveSOP(ctx, ref, []byte(string(preset)+fmt.Sprintf(flow, "cek_kabid")), admin)
		ps := sop.Problems(err)
		if len(ps) != 1 || ps[0].Rule != "steps.in_use" || ps[0].Path != "services.verifikasi-instansi" {
			t.Fatalf("dropping the verification's step in use: %v", err)
		}
		if _, err := b.SaveSOP(ctx, ref, []byte(string(preset)+fmt.Sprintf(flow, "verifikasi")), admin); err != nil {
			t.Fatalf("a flow keeping the step: %v", err)
		}
	})
}
