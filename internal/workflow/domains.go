package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/desaid"
	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/zone"
)

// Job kinds of the domain services' automatic steps.
const (
	JobDNSCreate = "workflow.dns_create"
	JobDNSTest   = "workflow.dns_test"
	JobDNSRemove = "workflow.dns_remove"
	JobRegistry  = "workflow.registry"
)

// jobOfKind maps an automatic step's kind to its job, and back (stepOfJob).
var jobOfKind = map[sop.Kind]string{
	sop.KindProvision: JobProvision, sop.KindAccountTest: JobAccountTest, sop.KindClaim: JobClaim,
	sop.KindDNSCreate: JobDNSCreate, sop.KindDNSTest: JobDNSTest, sop.KindDNSRemove: JobDNSRemove, sop.KindRegistry: JobRegistry,
}

func stepOfJob(job string) (sop.Kind, bool) {
	for k, j := range jobOfKind {
		if j == job {
			return k, true
		}
	}
	return "", false
}

// DomainWork is what the domain services' steps need beyond the register: each tenant's
// DNS server, registrar and fee rule.
type DomainWork struct {
	Register *domains.Service
	// Zone gives the tenant's DNS server; an error names what is missing when none is
	// configured.
	Zone func(tenantID int64) (zone.Server, error)
	// Registrar is the tenant's registrar; nil when the office files desa.id names by
	// hand and staff type the registry's reference.
	Registrar func(tenantID int64) desaid.Registrar
	// Free says the tenant's desa.id names cost the village nothing: the payment step
	// is confirmed without a proof.
	Free func(tenantID int64) bool
	// RegistryPoll is how long the registry job waits before it asks again about a
	// pending application; an hour when 0.
	RegistryPoll time.Duration
}

// FieldProof is the request document a payment step attaches: the proof of payment.
const FieldProof = "doc_bukti_bayar"

func (e *Engine) registrar(tenantID int64) desaid.Registrar {
	if e.Domains == nil || e.Domains.Registrar == nil {
		return nil
	}
	return e.Domains.Registrar(tenantID)
}

// HasRegistrar tells whether the tenant's desa.id applications go through a registrar.
func (e *Engine) HasRegistrar(tenantID int64) bool { return e.registrar(tenantID) != nil }

// Free tells whether the tenant's desa.id names are free.
func (e *Engine) Free(tenantID int64) bool {
	return e.Domains != nil && e.Domains.Free != nil && e.Domains.Free(tenantID)
}

// verifyInstansi records the applicant's verified instansi from the request's form, in
// the transaction of the verifying step's end.
func (e *Engine) verifyInstansi(ctx context.Context, r request.Request, by audit.Actor, now time.Time) error {
	if e.Domains == nil {
		return errors.New("workflow: domain services not configured")
	}
	v := domains.Verified{UserID: r.UserID, TenantID: r.TenantID, Kind: r.Kind, Instansi: r.Values["instansi"],
		Unit: r.Values["satuan_kerja"], Jabatan: r.Values["jabatan"], OfficialMailbox: r.Values["official_mailbox"],
		RequestID: r.ID, VerifiedBy: by.Name, VerifiedAt: now}
	v.Region = r.Values["regency"]
	if r.Kind == domains.InstansiDesa {
		v.Region = r.Values["village"]
	}
	return e.Domains.Register.Verify(ctx, v, by)
}

// confirmPayment ends a payment step: with the proof attached (replacing an earlier one),
// or, for a tenant whose names are free, without one.
func (e *Engine) confirmPayment(ctx context.Context, r request.Request, proof *request.File, now time.Time) (string, error) {
	if e.Free(r.TenantID) {
		return "Gratis: tenant tidak memungut biaya domain desa.id", nil
	}
	files, err := e.Store.FilesOf(ctx, r.ID)
	if err != nil {
		return "", err
	}
	if proof == nil {
		for _, f := range files {
			if f.Field == FieldProof {
				return "Bukti pembayaran " + f.OriginalName, nil
			}
		}
		var fs errs.Fields
		fs.Add("proof", "file_required")
		return "", fs.Err()
	}
	for _, f := range files {
		if f.Field == FieldProof {
			if err := e.Store.DeleteFile(ctx, f.ID); err != nil {
				return "", err
			}
		}
	}
	proof.RequestID, proof.Field, proof.CreatedAt = r.ID, FieldProof, now
	if err := e.Store.AddFile(ctx, proof); err != nil {
		return "", err
	}
	return "Bukti pembayaran " + proof.OriginalName, nil
}

// checkReference reads the registry's reference staff typed at activation.
func checkReference(ref string) (string, error) {
	ref = strings.Join(strings.Fields(ref), " ")
	var fs errs.Fields
	switch {
	case ref == "":
		fs.Add("reference", "required")
	case utf8.RuneCountInString(ref) > 100:
		fs.Add("reference", "max_len", 100)
	case strings.ContainsAny(ref, "<>\""):
		fs.Add("reference", "sk_chars")
	}
	return ref, fs.Err()
}

// activated records an active desa.id name in the register, in the caller's transaction.
func (e *Engine) activated(ctx context.Context, r request.Request, reference string, now time.Time) error {
	_, err := e.Domains.Register.Created(ctx, domains.Domain{TenantID: r.TenantID, Kind: domains.DesaID, Name: domains.Name(r),
		OwnerID: r.UserID, Instansi: r.Values["instansi"], Region: r.Values["village"], RequestID: r.ID, Reference: reference,
		CreatedAt: now}, audit.System)
	return err
}

// zoneOf is the tenant's DNS server for a job; its absence is permanent until the
// operator configures one.
func (e *Engine) zoneOf(tenantID int64) (zone.Server, error) {
	if e.Domains == nil || e.Domains.Zone == nil {
		return nil, jobs.Permanent(errors.New("server DNS belum dikonfigurasi untuk tenant ini (dns di berkas tenant)"))
	}
	z, err := e.Domains.Zone(tenantID)
	if err != nil {
		return nil, jobs.Permanent(err)
	}
	return z, nil
}

// zoneErr sorts a DNS server's error: the kinds staff must act on are permanent.
func zoneErr(err error) error {
	if zone.Permanent(err) {
		return jobs.Permanent(err)
	}
	return err
}

// Failure is why a request's automatic step failed, as staff read it on the request's
// page: Code names a DNS server's failure the page explains in the viewer's language
// ("dns_exists", "dns_bad_key", "dns_refused", "dns_not_in_zone", "dns_no_records"; ""
// for any other failure, shown in the job's words, Note); Answer is the server's own
// words. Retry says whether "Coba lagi" may help: after the operator fixed a key or a
// policy it does, but a name the server holds already is a conflict no retry ends (the
// request goes back to the applicant for another name, or is refused).
type Failure struct {
	Code   string
	Name   string
	Answer string
	Note   string
	Retry  bool
}

// StepFailure reads the failure of r's step st; ok is false when st did not fail.
func StepFailure(r request.Request, st request.Step) (f Failure, ok bool) {
	if st.Status != request.StepFailed {
		return Failure{}, false
	}
	f = Failure{Note: st.Note, Retry: true}
	switch sop.Kind(st.Kind) {
	case sop.KindDNSCreate, sop.KindDNSTest, sop.KindDNSRemove:
	default:
		return f, true
	}
	kind, answer := zone.Explain(st.Note)
	codes := map[error]string{zone.ErrExists: "dns_exists", zone.ErrBadKey: "dns_bad_key", zone.ErrRefused: "dns_refused",
		zone.ErrNotInZone: "dns_not_in_zone", zone.ErrNoRecords: "dns_no_records"}
	if code, known := codes[kind]; known {
		f.Code, f.Name, f.Answer = code, domains.Name(r), answer
		f.Retry = kind != zone.ErrExists
	}
	return f, true
}

// dnsCreate writes a sub-domain's records on the tenant's DNS server and records the
// name in the register with the step's end. Idempotent: the drivers take a repeated
// create of the same records as success, and the register keeps one row per request.
func (e *Engine) dnsCreate(ctx context.Context, j jobs.Job) error {
	r, st, ok, err := e.runningOfKind(ctx, j.Ref, sop.KindDNSCreate)
	if err != nil || !ok {
		return err
	}
	z, err := e.zoneOf(r.TenantID)
	if err != nil {
		return err
	}
	name, records := domains.Name(r), domains.Records(r)
	if !zone.InZone(name, z.Zone()) {
		return jobs.Permanent(zone.Fail(zone.ErrNotInZone, name, "zona server: "+z.Zone()))
	}
	if err := z.Create(ctx, name, records); err != nil {
		return zoneErr(err)
	}
	note := "Record " + name + " dibuat: " + zone.Format(records)
	return e.completeAuto(ctx, r, st, request.StepDone, note, "domain.dns_create", func(ctx context.Context) error {
		_, err := e.Domains.Register.Created(ctx, domains.Domain{TenantID: r.TenantID, Kind: domains.Subdomain, Name: name, Records: records,
			OwnerID: r.UserID, Instansi: r.Values["instansi"], Region: r.Values["regency"], RequestID: r.ID, CreatedAt: e.now()}, audit.System)
		return err
	})
}

// dnsTest asks the DNS server itself for the new name: the records must be there.
func (e *Engine) dnsTest(ctx context.Context, j jobs.Job) error {
	r, st, ok, err := e.runningOfKind(ctx, j.Ref, sop.KindDNSTest)
	if err != nil || !ok {
		return err
	}
	z, err := e.zoneOf(r.TenantID)
	if err != nil {
		return err
	}
	name, want := domains.Name(r), domains.Records(r)
	got, err := z.Lookup(ctx, name)
	if err != nil {
		return err
	}
	if !zone.Contains(got, want) {
		return fmt.Errorf("server DNS menjawab %s dengan %s, bukan %s", name, zone.Format(got), zone.Format(want))
	}
	return e.completeAuto(ctx, r, st, request.StepDone, "Server DNS menjawab "+name+": "+zone.Format(got), "domain.dns_test", nil)
}

// dnsRemove removes the records the register holds for the name, and marks it removed
// by this request. Records already gone are no error (a repeated run).
func (e *Engine) dnsRemove(ctx context.Context, j jobs.Job) error {
	r, st, ok, err := e.runningOfKind(ctx, j.Ref, sop.KindDNSRemove)
	if err != nil || !ok {
		return err
	}
	z, err := e.zoneOf(r.TenantID)
	if err != nil {
		return err
	}
	name := domains.Name(r)
	d, err := e.Domains.Register.At(ctx, r.TenantID, name)
	if errors.Is(err, errs.ErrNotFound) {
		return jobs.Permanent(fmt.Errorf("%s tidak tercatat aktif di database domain", name))
	}
	if err != nil {
		return err
	}
	if err := z.Delete(ctx, name, d.Records); err != nil {
		return zoneErr(err)
	}
	note := "Record " + name + " dihapus: " + zone.Format(d.Records)
	return e.completeAuto(ctx, r, st, request.StepDone, note, "domain.dns_remove", func(ctx context.Context) error {
		return e.Domains.Register.Removed(ctx, r.TenantID, name, r.ID, e.now(), audit.System)
	})
}

// registry files a desa.id application through the tenant's registrar and follows it:
// pending, it asks again after RegistryPoll without counting an attempt; active, the step
// ends with the registry's reference and the name enters the register; refused, the step
// fails with the registry's reason for staff. Submit is idempotent per request, so a run
// after a crash finds the first filing.
func (e *Engine) registry(ctx context.Context, j jobs.Job) error {
	r, st, ok, err := e.runningOfKind(ctx, j.Ref, sop.KindRegistry)
	if err != nil || !ok {
		return err
	}
	reg := e.registrar(r.TenantID)
	if reg == nil {
		return jobs.Permanent(errors.New("registrar desa.id belum dikonfigurasi: isi nomor referensi registri secara manual"))
	}
	files, err := e.Store.FilesOf(ctx, r.ID)
	if err != nil {
		return err
	}
	app := desaid.Application{Name: r.Values[request.FieldDesaID], VillageCode: r.Values["village"], Village: r.Values["instansi"],
		Registrant: e.ownerName(ctx, r), Email: r.Values["official_mailbox"], Phone: r.Values["phone"], Files: map[string]string{}}
	for _, f := range files {
		app.Files[f.Field] = f.OriginalName
	}
	reference, err := reg.Submit(ctx, owner(r), app)
	if errors.Is(err, desaid.ErrTaken) {
		return jobs.Permanent(fmt.Errorf("registri: nama %s sudah terdaftar", domains.Name(r)))
	}
	if err != nil {
		return err
	}
	s, err := reg.Status(ctx, reference)
	if err != nil {
		return err
	}
	switch s.State {
	case desaid.Rejected:
		return jobs.Permanent(fmt.Errorf("registri menolak permohonan %s: %s", reference, s.Reason))
	case desaid.Active:
	default:
		poll := e.Domains.RegistryPoll
		if poll == 0 {
			poll = time.Hour
		}
		return jobs.Later(poll)
	}
	note := "Domain " + domains.Name(r) + " aktif di registri, referensi " + reference
	if !s.Expires.IsZero() {
		note += ", berlaku sampai " + s.Expires.Format("02-01-2006")
	}
	return e.completeAuto(ctx, r, st, request.StepDone, note, "domain.activated", func(ctx context.Context) error {
		return e.activated(ctx, r, reference, e.now())
	})
}

// domainAct applies a staff action particular to the domain services' steps, in the
// transaction of Act; handled is false for the other actions.
func (e *Engine) domainAct(ctx context.Context, h request.History, t account.Tenant, r *request.Request, def sop.Definition, st *request.Step,
	in Input, act audit.Actor, now time.Time) (handled bool, err error) {
	switch in.Action {
	case Activate:
		if err := h.End(ctx, st, act, request.StepDone, "Domain "+domains.Name(*r)+" aktif di registri, referensi "+in.Reference, now); err != nil {
			return true, err
		}
		if err := e.activated(ctx, *r, in.Reference, now); err != nil {
			return true, err
		}
		if err := e.processing(ctx, t, r, now); err != nil {
			return true, err
		}
		return true, e.advance(ctx, h, t, r, def, st.Key, now)
	case FileRegistry, CreateDNS, RemoveDNS:
		if err := e.processing(ctx, t, r, now); err != nil {
			return true, err
		}
		return true, e.startJob(ctx, h, st, jobOfKind[sop.Kind(st.Kind)], now)
	}
	if in.Action == Forward && st.Kind == string(sop.KindVerifyInstansi) {
		return false, e.verifyInstansi(ctx, *r, act, now)
	}
	return false, nil
}
