package workflow_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/desaid"
	"github.com/surel-id/surel/internal/desaid/desaidtest"
	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/workflow"
	"github.com/surel-id/surel/internal/zone"
	"github.com/surel-id/surel/internal/zone/powerdns"
	"github.com/surel-id/surel/internal/zone/rfc2136"
	"github.com/surel-id/surel/internal/zone/zonetest"
)

// withDomains wires the domain services on e: the register, the applicant's rules and
// the back office's steps, on z (nil: no DNS server) and reg (nil: by hand).
func (e *env) withDomains(z zone.Server, reg desaid.Registrar, free bool) *domains.Rules {
	rec := &audit.Recorder{Store: e.st, Now: e.clock.Now}
	register := &domains.Service{Store: e.st, Audit: rec}
	zoneName := ""
	if z != nil {
		zoneName = z.Zone()
	}
	rules := &domains.Rules{Domains: register, Regions: wilayah.MustLoad(),
		Zone: func(int64) string { return zoneName },
		OfficialMailbox: func(ctx context.Context, tenantID, userID int64) (string, error) {
			mbs, err := e.eng.Registry.Owned(ctx, account.User{ID: userID, TenantID: tenantID})
			if err != nil || len(mbs) == 0 {
				return "", err
			}
			return mbs[0].Address, nil
		}}
	if reg != nil {
		rules.Registrar = func(int64) desaid.Registrar { return reg }
	}
	e.req.Rules = rules
	e.eng.Domains = &workflow.DomainWork{Register: register, Free: func(int64) bool { return free }, RegistryPoll: time.Minute,
		Zone: func(int64) (zone.Server, error) {
			if z == nil {
				return nil, errors.New("no dns")
			}
			return z, nil
		}}
	if reg != nil {
		e.eng.Domains.Registrar = func(int64) desaid.Registrar { return reg }
	}
	return rules
}

// official makes an applicant with an official mailbox surel made (their e-mail request
// done and registered).
func (e *env) official(t *testing.T, name, mailbox, nip string) account.User {
	t.Helper()
	u, r := e.submitNIP(t, name, mailbox, nip)
	if _, err := e.eng.Registry.Created(context.Background(), registry.Mailbox{TenantID: e.tenant.ID, Address: r.MailboxAddress(), OwnerID: u.ID,
		Name: u.DisplayName(), RequestID: r.ID}, audit.System); err != nil {
		t.Fatal(err)
	}
	return u
}

// file fills and sends a request of service/kind for u, its documents attached.
func (e *env) file(t *testing.T, u account.User, service, kind string, values map[string]string) (request.Request, error) {
	t.Helper()
	ctx := context.Background()
	r, err := e.req.NewDraft(ctx, e.tenant, u, service, kind, nil)
	if err != nil {
		return r, err
	}
	_, k, _ := e.req.Form(service, kind)
	for _, f := range k.Fields {
		if f.Type == "file" {
			e.st.AddFile(ctx, &request.File{RequestID: r.ID, Field: f.Name, Name: f.Name + "-" + strconv.FormatInt(r.ID, 10), OriginalName: f.Name + ".pdf", Kind: "pdf", Size: 10, SHA256: "x", CreatedAt: time.Now()})
		}
	}
	if r, err = e.req.SaveDraft(ctx, u, r, values); err != nil {
		return r, err
	}
	return e.req.Submit(ctx, e.tenant, u, r.ID)
}

// a village of the region data, with its district and regency.
func village(t *testing.T) (prov, reg, dist, vil wilayah.Area) {
	rs := wilayah.MustLoad()
	prov = rs.Children("")[0]
	reg = rs.Children(prov.Code)[0]
	dist = rs.Children(reg.Code)[0]
	vil = rs.Children(dist.Code)[0]
	return
}

func (e *env) verify(t *testing.T, u account.User, kind string) domains.Verified {
	t.Helper()
	prov, reg, dist, vil := village(t)
	vals := map[string]string{"jabatan": "Sekretaris Desa", "province": prov.Code, "regency": reg.Code, "district": dist.Code, "village": vil.Code, "phone": "081234567890"}
	if kind == domains.InstansiOPD {
		vals = map[string]string{"jabatan": "Pranata Komputer", "instansi": "Dinas Pendidikan", "province": prov.Code, "regency": reg.Code, "phone": "081234567890"}
	}
	r, err := e.file(t, u, domains.ServiceVerify, kind, vals)
	if err != nil {
		t.Fatalf("verification: %v", err)
	}
	if st := e.running(t, r.ID); st.Kind != string(sop.KindVerifyInstansi) {
		t.Fatalf("verification's first staff step = %+v", st)
	}
	if r = e.act(t, r.ID, workflow.Forward, "SK dan surat sesuai"); r.Status != request.Done {
		t.Fatalf("verification ends %s", r.Status)
	}
	v, ok, err := e.eng.Domains.Register.VerifiedOf(context.Background(), u)
	if err != nil || !ok || v.Kind != kind || v.RequestID != r.ID || v.OfficialMailbox == "" {
		t.Fatalf("verified = %+v, %v, %v", v, ok, err)
	}
	return v
}

func TestDesaIDThroughTheRegistrysSteps(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "palangkaraya")
		fake := &desaidtest.Registrar{}
		rules := e.withDomains(nil, fake, false)
		noMailbox := newUser(t, st, e.tenant.ID, "tanpa")
		if _, err := e.req.NewDraft(ctx, e.tenant, noMailbox, domains.ServiceVerify, "desa", nil); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("verification without an official address: %v", err)
		}
		u := e.official(t, "siti", "siti.aminah", "196109231991031004")
		if _, err := e.req.NewDraft(ctx, e.tenant, u, domains.ServiceDesaID, "desa", nil); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("desa.id before verification: %v", err)
		}
		v := e.verify(t, u, domains.InstansiDesa)
		_, _, _, vil := village(t)
		if v.Region != vil.Code || v.Instansi != "Pemerintah Desa "+vil.Title() {
			t.Fatalf("verified village = %+v", v)
		}
		// An OPD-only service is refused to a village.
		if _, err := e.req.NewDraft(ctx, e.tenant, u, domains.ServiceSubdomain, "opd", nil); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("sub-domain for a village: %v", err)
		}
		d, err := e.req.NewDraft(ctx, e.tenant, u, domains.ServiceDesaID, "desa", nil)
		if err != nil || d.Values["village"] != vil.Code || d.Values["official_mailbox"] != "siti.aminah@mail.go.id" {
			t.Fatalf("desa.id draft = %+v, %v", d.Values, err)
		}
		sug := rules.SuggestDesaID(ctx, d, 3)
		if len(sug) == 0 || sug[0] != desaid.Candidates(vil.Name, "", "")[0] {
			t.Fatalf("suggestions = %v", sug)
		}
		// The registry's rules, each a field error; a name the registry holds is taken.
		_, reg, dist, _ := village(t)
		other := desaid.Candidates(vil.Name, dist.Name, reg.Name)[1]
		fake.Register(other)
		for typed, rule := range map[string]string{"ab": "desaid_len", "desa_ku": "desaid_chars", "-desa": "desaid_hyphen", "12345": "desaid_digits",
			"desaku": "desaid_village", other: "desaid_taken"} {
			_, err := e.req.SaveDraft(ctx, u, d, map[string]string{"desaid": typed, "phone": "081234567890"})
			if !hasRule(err, "desaid", rule) {
				t.Fatalf("%q: %v, want %s", typed, err, rule)
			}
		}
		// The live check says the same as the save, without saving; the suggestions
		// leave out the name the registry holds.
		if _, err := e.req.CheckField(ctx, u, d.ID, "desaid", "Desaku"); !hasRule(err, "desaid", "desaid_village") {
			t.Fatalf("live check of desaku: %v", err)
		}
		if _, err := e.req.CheckField(ctx, u, d.ID, "desaid", other); !hasRule(err, "desaid", "desaid_taken") {
			t.Fatalf("live check of %s: %v", other, err)
		}
		if got, err := e.req.CheckField(ctx, u, d.ID, "desaid", " "+strings.ToUpper(sug[0])+".desa.id"); err != nil || got != sug[0] {
			t.Fatalf("live check of %s: %q, %v", sug[0], got, err)
		}
		if _, err := e.req.CheckField(ctx, noMailbox, d.ID, "desaid", sug[0]); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("live check of another's request: %v", err)
		}
		if again := rules.SuggestDesaID(ctx, d, 3); slices.Contains(again, other) || len(again) == 0 {
			t.Fatalf("suggestions with %s at the registry = %v", other, again)
		}
		for _, f := range desaid.Documents {
			st.AddFile(ctx, &request.File{RequestID: d.ID, Field: f, Name: f + "-d", OriginalName: f + ".pdf", Kind: "pdf", Size: 10, SHA256: "x", CreatedAt: time.Now()})
		}
		r, err := e.req.SaveDraft(ctx, u, d, map[string]string{"desaid": sug[0] + ".desa.id", "phone": "081234567890"})
		if err != nil {
			t.Fatal(err)
		}
		if r, err = e.req.Submit(ctx, e.tenant, u, d.ID); err != nil {
			t.Fatalf("submit desa.id: %v", err)
		}
		e.act(t, r.ID, workflow.Forward, "dokumen lengkap")
		e.act(t, r.ID, workflow.Forward, "disetujui")
		// Payment: a proof is required where names are not free.
		pay := e.running(t, r.ID)
		if pay.Kind != string(sop.KindPayment) {
			t.Fatalf("step = %+v", pay)
		}
		_, err = e.eng.Act(ctx, e.members[sop.RoleFrontDesk], r.ID, workflow.Input{StepID: pay.ID, Action: workflow.Forward})
		if e, ok := errs.As(err); !ok || len(e.Fields) == 0 || e.Fields[0].Name != "proof" {
			t.Fatalf("payment without proof: %v", err)
		}
		proof := &request.File{Name: "bukti-1", OriginalName: "bukti-transfer.pdf", Kind: "pdf", Size: 20, SHA256: "y"}
		if _, err := e.eng.Act(ctx, e.members[sop.RoleFrontDesk], r.ID, workflow.Input{StepID: pay.ID, Action: workflow.Forward, Proof: proof}); err != nil {
			t.Fatal(err)
		}
		// Activation through the registrar: filed once, pending, then active.
		act := e.running(t, r.ID)
		if _, err := e.eng.Act(ctx, e.members[sop.RoleAdminMail], r.ID, workflow.Input{StepID: act.ID, Action: workflow.FileRegistry}); err != nil {
			t.Fatal(err)
		}
		e.runJobs(t)
		if got := fake.Filed(); len(got) != 1 || got[0] != sug[0] {
			t.Fatalf("filed = %v", got)
		}
		if st := e.running(t, r.ID); st.Kind != string(sop.KindRegistry) || st.Status != request.StepWorking {
			t.Fatalf("pending application: step %+v", st)
		}
		taken, _ := fake.Available(ctx, sug[0])
		if taken {
			t.Fatal("a filed name is available at the registry")
		}
		fake.Approve("PANDI-DESA-000001")
		e.clock.Set(e.clock.Now().Add(2 * time.Minute))
		e.runJobs(t)
		if got := fake.Filed(); len(got) != 1 {
			t.Fatalf("filed twice: %v", got)
		}
		r, _ = st.Request(ctx, r.ID)
		if r.Status != request.Done {
			t.Fatalf("desa.id request %s", r.Status)
		}
		dom, err := e.eng.Domains.Register.At(ctx, e.tenant.ID, sug[0]+".desa.id")
		if err != nil || dom.Reference != "PANDI-DESA-000001" || dom.OwnerID != u.ID || dom.Kind != domains.DesaID {
			t.Fatalf("register = %+v, %v", dom, err)
		}
		files, _ := st.FilesOf(ctx, r.ID)
		var proofs int
		for _, f := range files {
			if f.Field == workflow.FieldProof {
				proofs++
			}
		}
		if proofs != 1 {
			t.Fatalf("%d proofs of payment attached", proofs)
		}
	})
}

func TestDesaIDByHandAndFree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		e.withDomains(nil, nil, true)
		u := e.official(t, "siti", "siti.aminah", "196109231991031004")
		e.verify(t, u, domains.InstansiDesa)
		_, _, _, vil := village(t)
		desaku := desaid.Candidates(vil.Name, "", "")[0]
		r, err := e.file(t, u, domains.ServiceDesaID, "desa", map[string]string{"desaid": desaku, "phone": "081234567890"})
		if err != nil {
			t.Fatal(err)
		}
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Forward, "")
		act := e.running(t, r.ID)
		if _, err := e.eng.Act(ctx, e.members[sop.RoleAdminMail], r.ID, workflow.Input{StepID: act.ID, Action: workflow.FileRegistry}); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("filing without a registrar: %v", err)
		}
		_, err = e.eng.Act(ctx, e.members[sop.RoleAdminMail], r.ID, workflow.Input{StepID: act.ID, Action: workflow.Activate, Reference: "  "})
		if e, ok := errs.As(err); !ok || len(e.Fields) == 0 || e.Fields[0].Name != "reference" {
			t.Fatalf("activation without reference: %v", err)
		}
		r, err = e.eng.Act(ctx, e.members[sop.RoleAdminMail], r.ID, workflow.Input{StepID: act.ID, Action: workflow.Activate, Reference: "ORD-778899"})
		if err != nil || r.Status != request.Done {
			t.Fatalf("activate: %v, %s", err, r.Status)
		}
		steps, _ := st.StepsOf(ctx, r.ID)
		for _, s := range steps {
			if s.Kind == string(sop.KindPayment) && !strings.Contains(s.Note, "Gratis") {
				t.Fatalf("free payment step note %q", s.Note)
			}
		}
		if d, err := e.eng.Domains.Register.At(ctx, e.tenant.ID, desaku+".desa.id"); err != nil || d.Reference != "ORD-778899" {
			t.Fatalf("register: %+v, %v", d, err)
		}
		// The name is now taken for the next village.
		u2 := e.official(t, "joko", "joko.widodo", "197001012000031001")
		e.verify(t, u2, domains.InstansiDesa)
		_, err = e.file(t, u2, domains.ServiceDesaID, "desa", map[string]string{"desaid": desaku, "phone": "081234567890"})
		if !hasRule(err, "desaid", "desaid_taken") {
			t.Fatalf("second desaku: %v", err)
		}
	})
}

// TestSubdomainOnRealDNS takes an OPD's sub-domain request through its steps on real
// BIND (RFC 2136 with TSIG) and PowerDNS (its API), checks the name with dig, then
// removes it with the removal service; a name the zone already holds fails visibly.
func TestSubdomainOnRealDNS(t *testing.T) {
	zonetest.Require(t)
	servers := map[string]func(t *testing.T) zone.Server{
		"bind": func(t *testing.T) zone.Server {
			s := zonetest.StartBIND(t, "kota.example.go.id")
			z, err := rfc2136.New(rfc2136.Config{Addr: s.Addr, Zone: s.Zone, KeyName: s.Key.Name, Secret: s.Key.Secret, TTL: 60})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { testAddr = "" })
			testAddr = s.Addr
			return z
		},
		"powerdns": func(t *testing.T) zone.Server {
			s := zonetest.StartPowerDNS(t, "kota.example.go.id")
			z, err := powerdns.New(powerdns.Config{URL: s.APIURL, APIKey: s.APIKey, Zone: s.Zone, DNSAddr: s.Addr, TTL: 60})
			if err != nil {
				t.Fatal(err)
			}
			testAddr = s.Addr
			return z
		},
	}
	for name, start := range servers {
		t.Run(name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				z := start(t)
				e := setup(t, st, "palangkaraya")
				e.withDomains(z, nil, false)
				u := e.official(t, "andi", "andi.saputra", "196109231991031004")
				e.verify(t, u, domains.InstansiOPD)
				// Reserved and badly formed names, wrong targets: field errors.
				for vals, rule := range map[[2]string]string{{"www", "203.0.113.10"}: "subdomain_reserved", {"si_pd", "203.0.113.10"}: "zone_bad_label",
					{"sipd", "127.0.0.1"}: "zone_bad_address", {"sipd", "a.example.go.id, 203.0.113.1"}: "zone_cname_alone"} {
					_, err := e.file(t, u, domains.ServiceSubdomain, "opd", map[string]string{"subdomain": vals[0], "target": vals[1], "purpose": "SIPD", "phone": "081234567890"})
					if !hasRule(err, "", rule) {
						t.Fatalf("%v: %v, want %s", vals, err, rule)
					}
				}
				r, err := e.file(t, u, domains.ServiceSubdomain, "opd", map[string]string{"subdomain": "SIPD", "target": "203.0.113.10 2001:db8::10", "purpose": "Aplikasi SIPD", "phone": "081234567890"})
				if err != nil {
					t.Fatal(err)
				}
				e.act(t, r.ID, workflow.Forward, "")
				e.act(t, r.ID, workflow.CreateDNS, "")
				e.runJobs(t)
				r, _ = st.Request(ctx, r.ID)
				if r.Status != request.Done {
					steps, _ := st.StepsOf(ctx, r.ID)
					t.Fatalf("sub-domain request %s: %+v", r.Status, steps)
				}
				full := "sipd." + z.Zone()
				if got := zonetest.Dig(t, testAddr, full, "A"); got != "203.0.113.10" {
					t.Fatalf("dig A %s = %q", full, got)
				}
				if got := zonetest.Dig(t, testAddr, full, "AAAA"); got != "2001:db8::10" {
					t.Fatalf("dig AAAA %s = %q", full, got)
				}
				d, err := e.eng.Domains.Register.At(ctx, e.tenant.ID, full)
				if err != nil || d.OwnerID != u.ID || d.RequestID != r.ID || len(d.Records) != 2 || d.Instansi != "Dinas Pendidikan" {
					t.Fatalf("register = %+v, %v", d, err)
				}
				// A name the DNS server holds but the register does not: the create step
				// fails with the server's words, visible to staff, and can be retried.
				if err := z.Create(ctx, "lama."+z.Zone(), []zone.Record{{Type: zone.A, Value: "198.51.100.9"}}); err != nil {
					t.Fatal(err)
				}
				r2, err := e.file(t, u, domains.ServiceSubdomain, "opd", map[string]string{"subdomain": "lama", "target": "203.0.113.11", "purpose": "Situs", "phone": "081234567890"})
				if err != nil {
					t.Fatal(err)
				}
				e.act(t, r2.ID, workflow.Forward, "")
				e.act(t, r2.ID, workflow.CreateDNS, "")
				e.runJobs(t)
				failed := e.running(t, r2.ID)
				if failed.Status != request.StepFailed || !strings.Contains(failed.Note, "sudah memiliki record") {
					t.Fatalf("create over an existing name: %+v", failed)
				}
				if in, _ := st.Inbox(ctx, workflow.InboxQuery{TenantID: e.tenant.ID, Roles: []string{"admin_mail"}, Failed: true}); in.Total != 1 || in.Tasks[0].RequestID != r2.ID {
					t.Fatalf("failed inbox: %+v", in.Tasks)
				}
				// Removal: only the owner's names; the records go, the register keeps the row.
				r3, err := e.file(t, u, domains.ServiceSubdomainRemove, "opd", map[string]string{"owned_subdomain": "lama." + z.Zone(), "purpose": "x", "phone": "081234567890"})
				if !hasRule(err, "owned_subdomain", "subdomain_not_owned") {
					t.Fatalf("removing another's name: %v, %+v", err, r3)
				}
				r3, err = e.file(t, u, domains.ServiceSubdomainRemove, "opd", map[string]string{"owned_subdomain": full, "purpose": "Aplikasi pindah", "phone": "081234567890"})
				if err != nil {
					t.Fatal(err)
				}
				e.act(t, r3.ID, workflow.Forward, "")
				e.act(t, r3.ID, workflow.RemoveDNS, "")
				e.runJobs(t)
				if r3, _ = st.Request(ctx, r3.ID); r3.Status != request.Done {
					t.Fatalf("removal %s", r3.Status)
				}
				if got := zonetest.Dig(t, testAddr, full, "A"); got != "" {
					t.Fatalf("dig after removal = %q", got)
				}
				if _, err := e.eng.Domains.Register.At(ctx, e.tenant.ID, full); !errors.Is(err, errs.ErrNotFound) {
					t.Fatalf("removed name still active: %v", err)
				}
			})
		})
	}
}

var testAddr string

// hasRule tells whether err is a form error with rule on field.
func hasRule(err error, field, rule string) bool {
	e, ok := errs.As(err)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if (field == "" || f.Name == field) && f.Rule == rule {
			return true
		}
	}
	return false
}
