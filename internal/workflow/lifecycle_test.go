package workflow_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// owned makes a mailbox on the server and in the registry, owned by u.
func (e *env) owned(t *testing.T, u account.User, address string) registry.Mailbox {
	t.Helper()
	ctx := context.Background()
	if err := e.mail.Create(ctx, mailbox.New{Address: address, Name: u.DisplayName(), Password: "Lama-Sandi-123", Owner: "request:1"}); err != nil {
		t.Fatal(err)
	}
	m, err := e.eng.Registry.Created(ctx, registry.Mailbox{TenantID: e.tenant.ID, Address: address, OwnerID: u.ID, Name: u.Profile.FullName,
		NIP: "196109231991031004"}, audit.System)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ask sends a request of service and kind from u's portal with values.
func (e *env) ask(t *testing.T, u account.User, service, kind string, values map[string]string) (request.Request, error) {
	t.Helper()
	ctx := context.Background()
	r, err := e.req.NewDraft(ctx, e.tenant, u, service, kind, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, err = e.req.SaveDraft(ctx, u, r, values); err != nil {
		return r, err
	}
	return e.req.Submit(ctx, e.tenant, u, r.ID)
}

func (e *env) mustChange(t *testing.T, address string) bool {
	t.Helper()
	var mc bool
	if err := e.st.DB().QueryRowContext(context.Background(), rebind(e.st, `SELECT must_change FROM mailboxes WHERE address = ?`), address).Scan(&mc); err != nil {
		t.Fatal(err)
	}
	return mc
}

// Each service on an existing mailbox follows its own flow of the Kaltim SOP: the right
// roles, the driver called by a job, the registry written once the server confirmed, the
// mailbox's history in its audit trail.
func TestLifecycleServices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		u := newUser(t, st, e.tenant.ID, "budi")
		const addr = "budi.santoso@mail.go.id"
		m := e.owned(t, u, addr)

		// Someone else naming budi's mailbox: not found, nothing revealed; an address
		// nobody has: the same.
		other := newUser(t, st, e.tenant.ID, "lain")
		for _, local := range []string{"budi.santoso", "tidak.ada"} {
			if _, err := e.ask(t, other, sop.ServiceReset, "pemilik", map[string]string{"mailbox": local}); errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("reset of %s by another: %v, want not found", local, err)
			}
		}

		// Reset: the Kaltim admin resets within the working day.
		r, err := e.ask(t, u, sop.ServiceReset, "pemilik", map[string]string{"mailbox": "budi.santoso"})
		if err != nil {
			t.Fatal(err)
		}
		if st := e.running(t, r.ID); st.Key != "reset" || st.Role != string(sop.RoleAdminMail) || st.Kind != string(sop.KindResetPassword) {
			t.Fatalf("reset's step = %+v", st)
		}
		// A second reset while one is open: refused.
		if _, err := e.ask(t, u, sop.ServiceReset, "pemilik", map[string]string{"mailbox": "budi.santoso"}); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("second open reset: %v, want conflict", err)
		}
		// Only the admin's role may do it.
		stp := e.running(t, r.ID)
		if _, err := e.eng.Act(ctx, e.members[sop.RoleFrontDesk], r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Execute}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("front desk at the admin's step: %v", err)
		}
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		r, _ = st.Request(ctx, r.ID)
		if r.Status != request.Done {
			t.Fatalf("reset status %s", r.Status)
		}
		h, err := e.eng.Reveal(ctx, u, r.ID, "127.0.0.1")
		if err != nil || h.Password != "Sementara-12345" || h.Address != addr {
			t.Fatalf("reveal = %+v, %v", h, err)
		}
		if !e.mustChange(t, addr) {
			t.Error("the reset password need not be changed at first login")
		}

		// Deactivation on retirement: the Kasi checks, the admin deactivates.
		r, err = e.ask(t, u, sop.ServiceDeactivate, "pensiun", map[string]string{"mailbox": "budi.santoso", "keterangan": "Pensiun 1 Maret"})
		if err != nil {
			t.Fatal(err)
		}
		if st := e.running(t, r.ID); st.Role != string(sop.RoleKepalaSeksi) {
			t.Fatalf("deactivation's first step = %+v", st)
		}
		e.act(t, r.ID, workflow.Forward, "sesuai SK pensiun")
		// Nothing changes before the server confirmed.
		if got, _ := st.Mailbox(ctx, m.ID); got.Status != registry.Active {
			t.Fatalf("registry before the job: %s", got.Status)
		}
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		if info, err := e.mail.Get(ctx, addr); err != nil || info.Status != mailbox.StatusDeactivated {
			t.Fatalf("server after deactivation: %+v, %v", info, err)
		}
		got, _ := st.Mailbox(ctx, m.ID)
		if got.Status != registry.Inactive || got.DeactivatedAt.IsZero() || !got.PurgeAfter.After(got.DeactivatedAt) {
			t.Fatalf("registry after deactivation: %+v", got)
		}
		// The owner's own e-mail heard of it before (the request) and after.
		msgs, _ := st.Messages(ctx, u.Email, 50)
		var told []string
		for _, x := range msgs {
			told = append(told, x.Subject)
		}
		if !slices.Contains(told, "Akun email "+addr+" dinonaktifkan") || !slices.Contains(told, "Password baru akun email "+addr) {
			t.Fatalf("mails to the owner: %q", told)
		}
		// A deactivated mailbox cannot be reset or deactivated again.
		if _, err := e.ask(t, u, sop.ServiceReset, "pemilik", map[string]string{"mailbox": "budi.santoso"}); !fieldErr(err, "mailbox", "mailbox_state") {
			t.Fatalf("reset of a deactivated mailbox: %v", err)
		}

		// Reactivation.
		r, err = e.ask(t, u, sop.ServiceReactivate, "pemilik", map[string]string{"mailbox": "budi.santoso", "keterangan": "Mutasi kembali"})
		if err != nil {
			t.Fatal(err)
		}
		e.act(t, r.ID, workflow.Forward, "aktif di data kepegawaian")
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		if info, _ := e.mail.Get(ctx, addr); info.Status != mailbox.StatusActive {
			t.Fatalf("server after reactivation: %s", info.Status)
		}
		if got, _ := st.Mailbox(ctx, m.ID); got.Status != registry.Active || !got.PurgeAfter.IsZero() {
			t.Fatalf("registry after reactivation: %+v", got)
		}

		// Quota: bad input names the field and the rule; then the Kabid's capacity check.
		for v, rule := range map[string]string{"0": "required", "dua": "quota_range", "99999999": "quota_range"} {
			if _, err := e.ask(t, u, sop.ServiceQuota, "pemilik", map[string]string{"mailbox": "budi.santoso", "kuota_mb": v, "alasan": "penuh"}); !fieldErr(err, "kuota_mb", rule) {
				t.Errorf("quota %q: %v, want %s", v, err, rule)
			}
		}
		r, err = e.ask(t, u, sop.ServiceQuota, "pemilik", map[string]string{"mailbox": "budi.santoso", "kuota_mb": "2048", "alasan": "Kotak surat penuh"})
		if err != nil {
			t.Fatal(err)
		}
		if st := e.running(t, r.ID); st.Kind != string(sop.KindCapacityCheck) || st.Role != string(sop.RoleKepalaBidang) {
			t.Fatalf("quota's first step = %+v", st)
		}
		e.act(t, r.ID, workflow.Forward, "kapasitas cukup")
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		if info, _ := e.mail.Get(ctx, addr); info.QuotaBytes != 2048<<20 {
			t.Fatalf("server quota %d", info.QuotaBytes)
		}
		if got, _ := st.Mailbox(ctx, m.ID); got.QuotaBytes != 2048<<20 {
			t.Fatalf("registry quota %d", got.QuotaBytes)
		}

		// The mailbox's history: every change, each from its request.
		trail, _ := st.AuditTrail(ctx, registry.Object(m.ID))
		var actions []string
		for _, x := range trail {
			actions = append(actions, x.Action)
		}
		want := []string{"mailbox.registered", "mailbox.reset_password", "mailbox.deactivate", "mailbox.reactivate", "mailbox.quota"}
		if len(actions) != len(want) {
			t.Fatalf("mailbox trail %v, want %v", actions, want)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Fatalf("mailbox trail %v, want %v", actions, want)
			}
		}
		refs, _ := st.RequestsOn(ctx, e.tenant.ID, addr)
		if len(refs) != 4 {
			t.Fatalf("requests on the mailbox: %+v", refs)
		}
	})
}

func fieldErr(err error, field, rule string) bool {
	e, ok := errs.As(err)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Name == field && f.Rule == rule {
			return true
		}
	}
	return false
}

// The national preset resets by self-service: the job runs on sending, no staff step.
func TestSelfServiceReset(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		u := newUser(t, st, e.tenant.ID, "siti")
		e.owned(t, u, "siti.aminah@mail.go.id")
		r, err := e.ask(t, u, sop.ServiceReset, "pemilik", map[string]string{"mailbox": "siti.aminah"})
		if err != nil {
			t.Fatal(err)
		}
		e.runJobs(t)
		r, _ = st.Request(ctx, r.ID)
		if r.Status != request.Done {
			t.Fatalf("self-service reset: status %s", r.Status)
		}
		if h, err := e.eng.Reveal(ctx, u, r.ID, ""); err != nil || h.Password == "" {
			t.Fatalf("reveal: %+v, %v", h, err)
		}
	})
}

// A server call that cannot succeed gives up at once and shows on the step, with its
// retry; the registry keeps the state the server has.
func TestLifecycleFailureShown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "palangkaraya")
		u := newUser(t, st, e.tenant.ID, "andi")
		m := e.owned(t, u, "andi@mail.go.id")
		r, err := e.ask(t, u, sop.ServiceDeactivate, "mutasi", map[string]string{"mailbox": "andi"})
		if err != nil {
			t.Fatal(err)
		}
		e.act(t, r.ID, workflow.Forward, "")
		// The mailbox vanished from the server behind surel's back.
		if _, err := st.DB().ExecContext(ctx, rebind(st, `DELETE FROM mailboxes WHERE address = ?`), "andi@mail.go.id"); err != nil {
			t.Fatal(err)
		}
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		stp := e.running(t, r.ID)
		if stp.Status != request.StepFailed || stp.Note == "" {
			t.Fatalf("step after the failure: %+v", stp)
		}
		if got, _ := st.Mailbox(ctx, m.ID); got.Status != registry.Active {
			t.Fatalf("registry shows %s the server never confirmed", got.Status)
		}
		// Staff retry once the mailbox is back.
		e.mail.Create(ctx, mailbox.New{Address: "andi@mail.go.id", Password: "Sandi-Lagi-123", Owner: "request:1"})
		e.act(t, r.ID, workflow.Retry, "")
		e.runJobs(t)
		if got, _ := st.Mailbox(ctx, m.ID); got.Status != registry.Inactive {
			t.Fatalf("after the retry: %s", got.Status)
		}
	})
}

// Staff start a service from the registry's page, for a mailbox without a portal owner
// too; only the starting roles may.
func TestStaffStart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		if err := e.mail.Create(ctx, mailbox.New{Address: "lama@mail.go.id", Password: "Sandi-Lama-123", Owner: "request:1"}); err != nil {
			t.Fatal(err)
		}
		m, err := e.eng.Registry.Created(ctx, registry.Mailbox{TenantID: e.tenant.ID, Address: "lama@mail.go.id", Name: "Pegawai Lama", NIP: "196109231991031004",
			Source: registry.Adopted}, audit.System)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.req.StaffStart(ctx, e.tenant, e.members[sop.RoleKepalaBidang], "", m, sop.ServiceDeactivate, "meninggal", nil); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("kabid starting: %v", err)
		}
		far := m
		far.TenantID = 999
		if _, err := e.req.StaffStart(ctx, e.tenant, e.members[sop.RoleFrontDesk], "", far, sop.ServiceDeactivate, "meninggal", nil); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("another tenant's mailbox: %v", err)
		}
		r, err := e.req.StaffStart(ctx, e.tenant, e.members[sop.RoleFrontDesk], "10.0.0.1", m, sop.ServiceDeactivate, "meninggal", map[string]string{"keterangan": "Surat OPD"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Channel != request.ChannelKantor || r.Number == "" || r.MailboxAddress() != "lama@mail.go.id" {
			t.Fatalf("request = %+v", r)
		}
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		if got, _ := st.Mailbox(ctx, m.ID); got.Status != registry.Inactive {
			t.Fatalf("registry: %s", got.Status)
		}
	})
}

// A reactivation is checked against the roster as it stands (the latest import): the
// request's page shows the result to staff, and while the owner's NIP is inactive or
// missing there the Kasi cannot forward it (nor the admin execute it), with the reason;
// once an import lists the NIP active again, it goes through.
func TestReactivationCheckedAgainstRoster(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		e.req.Roster = st
		u := newUser(t, st, e.tenant.ID, "budi")
		const addr = "budi.santoso@mail.go.id"
		m := e.owned(t, u, addr) // NIP 196109231991031004
		r, err := e.req.StaffStart(ctx, e.tenant, e.members[sop.RoleFrontDesk], "", m, sop.ServiceDeactivate, "mutasi", nil)
		if err != nil {
			t.Fatal(err)
		}
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)

		load := func(csv string) {
			t.Helper()
			if _, err := roster.Import(ctx, st, e.tenant.ID, strings.NewReader("nip,nama,instansi,unit,status,aktif\n"+csv), roster.Options{}); err != nil {
				t.Fatal(err)
			}
		}
		r, err = e.ask(t, u, sop.ServiceReactivate, "pemilik", map[string]string{"mailbox": "budi.santoso", "keterangan": "Mutasi kembali ke Pemprov"})
		if err != nil {
			t.Fatal(err)
		}
		kasi := e.members[sop.RoleKepalaSeksi]
		// No roster yet: nothing to check against, nothing blocked; shown as such.
		c, err := e.eng.Case(ctx, kasi, r.ID)
		if err != nil || c.Roster == nil || c.Roster.Loaded || c.Roster.Blocks() {
			t.Fatalf("without a roster: %+v %v", c.Roster, err)
		}
		for _, tc := range []struct{ csv, reason string }{
			{"196109231991031004,Budi Santoso,Diskominfo,Aptika,PNS,0\n", roster.ReasonInactive},
			{"196109231991031005,Ani Lestari,Diskominfo,Aptika,PNS,1\n", roster.ReasonNotInRoster},
		} {
			load(tc.csv)
			c, err := e.eng.Case(ctx, kasi, r.ID)
			if err != nil || c.Roster == nil || !c.Roster.Loaded || c.Roster.Reason != tc.reason || c.Roster.NIP != "196109231991031004" {
				t.Fatalf("check with %q: %+v %v", tc.csv, c.Roster, err)
			}
			stp := e.running(t, r.ID)
			_, err = e.eng.Act(ctx, kasi, r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Forward, Note: "ok"})
			if ee, ok := errs.As(err); !ok || ee.Code != errs.Invalid || ee.Key != "workflow.reactivation_blocked."+tc.reason {
				t.Fatalf("forward of a reactivation the roster refuses (%s): %v", tc.reason, err)
			}
			if got := e.running(t, r.ID); got.ID != stp.ID {
				t.Fatal("the step moved on although the roster refused it")
			}
		}
		load("196109231991031004,Budi Santoso,Diskominfo,Aptika,PNS,1\n")
		c, _ = e.eng.Case(ctx, kasi, r.ID)
		if !c.Roster.Passed() || c.Roster.Entry.Name != "Budi Santoso" {
			t.Fatalf("check with the NIP active: %+v", c.Roster)
		}
		e.act(t, r.ID, workflow.Forward, "aktif kembali di data kepegawaian")
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		if got, _ := st.Mailbox(ctx, m.ID); got.Status != registry.Active {
			t.Fatalf("registry after reactivation: %s", got.Status)
		}
	})
}
