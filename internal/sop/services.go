package sop

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The services of the catalogue beyond the account's creation (issue 14): each has its
// own flow of steps, roles and time standards, under "services:" in the SOP's YAML,
// keyed by the service's code.
const (
	// ServiceEmail is the creation of an account ("Pendaftaran Akun Email"): the SOP's
	// own steps.
	ServiceEmail = "email"
	// ServiceReset is "Reset Password Email": a new generated password for a mailbox
	// whose password the owner forgot.
	ServiceReset = "reset_password"
	// ServiceDeactivate is "Penonaktifan Akun Email" (pensiun, mutasi, death, the
	// owner's own request): no login and no delivery, the data kept.
	ServiceDeactivate = "nonaktif"
	// ServiceReactivate is "Pengaktifan Kembali Akun Email" (mutasi back).
	ServiceReactivate = "aktif_kembali"
	// ServiceQuota is "Perubahan Kuota".
	ServiceQuota = "kuota"
	// ServicePurge is "Penghapusan Akun Email": a deactivated mailbox deleted from the
	// server once the tenant's retention period has ended. The leader starts it (a
	// task appears when the period ends); staff confirm it at its purge step.
	ServicePurge = "hapus"
	// ServiceClaim is "Klaim Akun Email" (issue 13): staff verify that a mailbox the
	// server held before surel is the applicant's, and a job records them as its owner;
	// nothing changes on the server.
	ServiceClaim = "klaim"
	// ServiceHandover is "Serah Terima Email Instansi" (issue 19): an institutional
	// mailbox gets a new responsible PNS, who receives a new password.
	ServiceHandover = "serah_terima"
)

// LifecycleServices lists the services acting on an existing mailbox, in catalogue order.
var LifecycleServices = []string{ServiceReset, ServiceDeactivate, ServiceReactivate, ServiceQuota, ServiceHandover, ServicePurge}

// FlowServices are the services with a flow of their own under "services:": those on an
// existing mailbox and the claim.
var FlowServices = append(slices.Clone(LifecycleServices), ServiceClaim)

// HasOwnFlow reports whether service follows a flow of its own (FlowServices) rather
// than the creation's steps.
func HasOwnFlow(service string) bool { return slices.Contains(FlowServices, service) }

// The kinds of the steps that change an existing mailbox on the server: a job calls the
// driver, and the registry records what the server confirmed.
const (
	KindResetPassword Kind = "reset_password" // a new generated password, must change at first login
	KindDeactivate    Kind = "deactivate"     // no login, no delivery; data kept
	KindReactivate    Kind = "reactivate"     // logins and delivery again
	KindQuotaChange   Kind = "quota_change"   // the quota the request asks
	KindPurge         Kind = "purge"          // the mailbox deleted on the server, after its retention
	// KindClaim records the applicant as the owner of the mailbox they claim, once the
	// server confirmed it is there and is no other request's (a job).
	KindClaim Kind = "claim"
	// KindHandover records the new responsible PNS of an institutional mailbox and gives
	// them a new generated password (must change at first login).
	KindHandover Kind = "handover"
)

// ActionKind is the kind of the step that does service's work on the server; "" for
// the creation (ServiceEmail) and unknown services.
func ActionKind(service string) Kind {
	switch service {
	case ServiceReset:
		return KindResetPassword
	case ServiceDeactivate:
		return KindDeactivate
	case ServiceReactivate:
		return KindReactivate
	case ServiceQuota:
		return KindQuotaChange
	case ServicePurge:
		return KindPurge
	case ServiceClaim:
		return KindClaim
	case ServiceHandover:
		return KindHandover
	}
	return ""
}

// Lifecycle reports whether k changes an existing mailbox (a lifecycle action step).
func (k Kind) Lifecycle() bool {
	return k == KindResetPassword || k == KindDeactivate || k == KindReactivate || k == KindQuotaChange || k == KindHandover || k == KindPurge
}

// SealsPassword reports whether a step of kind k gives the mailbox a new password, sealed
// for its one reveal to the request's applicant (or its letter).
func (k Kind) SealsPassword() bool {
	return k == KindProvision || k == KindResetPassword || k == KindHandover
}

// Automatic reports whether a job does the step's work (staff start it, or retry it
// when it gave up).
func (k Kind) Automatic() bool {
	return k == KindProvision || k == KindAccountTest || k.Lifecycle() || k == KindClaim
}

// IsLifecycle reports whether service is one of LifecycleServices.
func IsLifecycle(service string) bool { return slices.Contains(LifecycleServices, service) }

// Flow is the definition with the steps of service: for a service with a flow of its own
// (FlowServices: those on an existing mailbox, the claim) its flow under "services:",
// else the default flow of DefaultFlow (a tenant's SOP saved before the flow existed);
// for any other service (a creation, a person's or an institutional mailbox) the SOP's
// own steps. Hours, zone and calendar are the SOP's.
func (d Definition) Flow(service string) Definition {
	if !HasOwnFlow(service) {
		return d
	}
	steps, ok := d.Services[service]
	if !ok {
		steps = DefaultFlow(service)
	}
	d.Steps, d.Total = steps, Standard{}
	return d
}

// HasStep reports whether any flow of d (the creation's or a service's on a mailbox, a
// default one included) has a step with key; a key "service/key" is a domain service's
// step, looked for in its flow only (the tenant's own, or its preset).
func (d Definition) HasStep(key string) bool {
	if _, ok := d.Step(key); ok {
		return true
	}
	for _, svc := range FlowServices {
		if _, ok := d.Flow(svc).Step(key); ok {
			return true
		}
	}
	if svc, k, ok := strings.Cut(key, "/"); ok && IsDomain(svc) {
		// A domain service's step ("subdomain/buat_record"): its own flow, or its preset.
		steps, own := d.Services[svc]
		if !own {
			p, _ := ServicePreset(svc)
			steps = p.Steps
		}
		return slices.ContainsFunc(steps, func(s Step) bool { return s.Key == k })
	}
	return false
}

// DefaultFlow is a service's flow for an SOP that does not give one: the request, the
// Kepala Seksi's check (the Kepala Bidang's capacity check for a quota) and the mail
// server admin's action within the working day. nil for an unknown service.
func DefaultFlow(service string) []Step {
	submit := Step{Key: "pengajuan", Name: "Mengajukan permohonan", NameEN: "Submits the request", Role: RolePemohon, Kind: KindSubmit,
		Standard: Standard{15, 15, Minute}}
	check := Step{Key: "verifikasi", Name: "Memverifikasi permohonan dan kepemilikan akun", NameEN: "Verifies the request and the mailbox's owner",
		Role: RoleKepalaSeksi, Kind: KindManual, Standard: Standard{1, 1, Day}}
	act := Step{Role: RoleAdminMail, Standard: Standard{1, 1, Day}}
	switch service {
	case ServiceReset:
		act.Key, act.Name, act.NameEN, act.Kind = "reset", "Mereset kata sandi akun email", "Resets the mailbox's password", KindResetPassword
		act.Output = "Kata sandi baru (wajib diganti saat login pertama)"
		return []Step{submit, act}
	case ServiceDeactivate:
		act.Key, act.Name, act.NameEN, act.Kind = "nonaktifkan", "Menonaktifkan akun email", "Deactivates the mailbox", KindDeactivate
		act.Output = "Akun nonaktif"
	case ServiceReactivate:
		act.Key, act.Name, act.NameEN, act.Kind = "aktifkan", "Mengaktifkan kembali akun email", "Reactivates the mailbox", KindReactivate
		act.Output = "Akun aktif"
	case ServicePurge:
		// Started by the leader when the retention period ends; the admin's "execute"
		// at the purge step is the staff's confirmation, and refusing keeps the mailbox.
		submit.Name, submit.NameEN, submit.Role = "Masa retensi akun nonaktif berakhir", "The deactivated mailbox's retention period ends", RoleAdminMail
		act.Key, act.Name, act.NameEN, act.Kind = "hapus", "Mengonfirmasi dan menghapus permanen akun email dari mail server", "Confirms and deletes the mailbox from the mail server for good", KindPurge
		act.Output = "Akun dihapus"
		return []Step{submit, act}
	case ServiceClaim:
		check = Step{Key: "verifikasi_kepemilikan", Name: "Memverifikasi kepemilikan akun: NIP, data kepegawaian dan alamat di mail server",
			NameEN: "Verifies the mailbox's ownership: the NIP, the roster and the address on the mail server", Role: RoleKepalaSeksi,
			Kind: KindManual, Standard: Standard{1, 1, Day}, Output: "Kepemilikan terverifikasi", OutputEN: "Ownership verified"}
		act = Step{Key: "konfirmasi", Name: "Mencatat akun sebagai milik pemohon (akun di mail server tidak diubah)",
			NameEN: "Records the mailbox as the applicant's (nothing changes on the mail server)", Role: RoleAdminMail, Kind: KindClaim,
			Standard: Standard{1, 1, Hour}, Output: "Akun tercatat atas nama pemohon", OutputEN: "Mailbox recorded as the applicant's"}
		done := Step{Key: "selesai", Name: "Selesai: pemohon dapat mengganti password akun dari portal", NameEN: "Done: the owner can change the mailbox's password from the portal",
			Role: RolePemohon, Kind: KindDone}
		return []Step{submit, check, act, done}
	case ServiceQuota:
		check = Step{Key: "cek_kapasitas", Name: "Memeriksa ketersediaan kapasitas mail server", NameEN: "Checks the mail server's free capacity",
			Role: RoleKepalaBidang, Kind: KindCapacityCheck, Standard: Standard{1, 1, Day}}
		act.Key, act.Name, act.NameEN, act.Kind = "ubah_kuota", "Mengubah kuota akun email", "Changes the mailbox's quota", KindQuotaChange
		act.Output = "Kuota baru"
	case ServiceHandover:
		check.Key, check.Name, check.NameEN = "verifikasi", "Memverifikasi penanggung jawab baru (NIP dan data kepegawaian)",
			"Verifies the new responsible civil servant (NIP and roster)"
		act.Key, act.Name, act.NameEN, act.Kind = "serah_terima", "Menyerahkan akun email instansi kepada penanggung jawab baru",
			"Hands the institutional mailbox over to its new responsible person", KindHandover
		act.Output = "Penanggung jawab baru dengan kata sandi baru (wajib diganti saat login pertama)"
	default:
		return nil
	}
	return []Step{submit, check, act}
}

// validateServices checks each flow under "services:": a known service; a first step of
// kind submit; exactly one step of the service's action kind; no creation steps; the
// applicant doing only a submit, a self-service reset or a deliver step.
func validateServices(d Definition, bad func(path, rule, format string, args ...any)) {
	codes := make([]string, 0, len(d.Services))
	for c := range d.Services {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, code := range codes {
		steps := d.Services[code]
		base := "services." + code
		if _, ok := domainKinds[code]; ok {
			validateDomainFlow(code, steps, bad)
			continue
		}
		want := ActionKind(code)
		if want == "" {
			bad(base, "service.unknown", "unknown service %q; want one of %v or %v", code, FlowServices, DomainServices)
			continue
		}
		if len(steps) == 0 {
			bad(base, "steps.empty", "a service needs at least one step")
			continue
		}
		seen := map[string]int{}
		actions := 0
		for i, s := range steps {
			p := fmt.Sprintf("%s[%d]", base, i)
			if _, kindOK := checkStep(s, p, seen, i, bad); kindOK {
				switch {
				case domainKind(s.Kind):
					bad(p+".kind", "kind.service", "a %s step belongs to the flow of a domain service, not to %s", s.Kind, code)
				case s.Kind == KindProvision || s.Kind == KindAccountTest:
					bad(p+".kind", "service.kind", "a %s step creates or tests a new mailbox; service %s acts on an existing one", s.Kind, code)
				case (s.Kind.Lifecycle() || s.Kind == KindClaim) && s.Kind != want:
					bad(p+".kind", "service.kind", "service %s does a %s step, not %s", code, want, s.Kind)
				case s.Kind == KindSubmit && i > 0:
					bad(p+".kind", "kind.submit_once", "only the first step may be a submit step")
				case s.Kind == KindDone && i != len(steps)-1:
					bad(p+".kind", "kind.done_last", "a done step must be the last")
				}
			}
			if s.Kind == want {
				actions++
			}
			selfReset := s.Kind == KindResetPassword && i == 1
			if s.Role == RolePemohon && s.Kind.Valid() && s.Kind != KindSubmit && s.Kind != KindDeliver && s.Kind != KindDone && !selfReset {
				bad(p+".role", "role.pemohon_kind", "the applicant can only submit, reset their own password right after asking (self-service), receive the result or close, not do a %s step", s.Kind)
			}
		}
		if k := steps[0].Kind; k != KindSubmit && k.Valid() {
			bad(base+"[0].kind", "kind.submit_first", "the first step must be of kind submit, not %s", k)
		}
		if actions != 1 {
			bad(base, "service.action", "service %s needs exactly one step of kind %s (it has %d)", code, want, actions)
		}
	}
}

// SelfService reports whether the flow's step after the request is the applicant's own
// (a self-service reset: the job runs as soon as the request is sent).
func (d Definition) SelfService() bool {
	return len(d.Steps) > 1 && d.Steps[1].Role == RolePemohon && d.Steps[1].Kind.Automatic()
}

// DomainServices are the catalogue's domain services (issue 20), in catalogue order. Each
// follows its preset (ServicePreset) unless the tenant's SOP gives its own flow under
// "services:", keyed by the service's code, as it does for the services on a mailbox.
var DomainServices = []string{"verifikasi-instansi", "domain-desa-id", "subdomain", "hapus-subdomain"}

// domainKinds are the kinds of step particular to each domain service; the first is the
// step that does the service's work, which its flow has exactly once.
var domainKinds = map[string][]Kind{
	"verifikasi-instansi": {KindVerifyInstansi},
	"domain-desa-id":      {KindRegistry, KindPayment},
	"subdomain":           {KindDNSCreate, KindDNSTest},
	"hapus-subdomain":     {KindDNSRemove},
}

// IsDomain reports whether service is one of DomainServices.
func IsDomain(service string) bool { _, ok := domainKinds[service]; return ok }

// validateDomainFlow checks a domain service's flow under "services:": what every step
// must have; a first step of kind submit, a done step only last; the applicant only
// submitting or closing; besides manual steps, only the kinds of this service, its work
// step exactly once, a payment at most once and before the registry, a name tested only
// after it is written.
func validateDomainFlow(code string, steps []Step, bad func(path, rule, format string, args ...any)) {
	base := "services." + code
	if len(steps) == 0 {
		bad(base, "steps.empty", "a service needs at least one step")
		return
	}
	own := domainKinds[code]
	seen := map[string]int{}
	count := map[Kind]int{}
	for i, s := range steps {
		p := fmt.Sprintf("%s[%d]", base, i)
		roleOK, kindOK := checkStep(s, p, seen, i, bad)
		if !kindOK {
			continue
		}
		count[s.Kind]++
		switch {
		case s.Kind == KindSubmit && i > 0:
			bad(p+".kind", "kind.submit_once", "only the first step may be a submit step")
		case s.Kind == KindDone && i != len(steps)-1:
			bad(p+".kind", "kind.done_last", "a done step must be the last")
		case s.Kind == KindSubmit || s.Kind == KindDone || s.Kind == KindManual || slices.Contains(own, s.Kind):
		default:
			bad(p+".kind", "kind.service", "a %s step does not belong to the flow of %s (its own kinds: %v, besides submit, manual and done)", s.Kind, code, own)
		}
		if roleOK && s.Role == RolePemohon && s.Kind != KindSubmit && s.Kind != KindDone {
			bad(p+".role", "role.pemohon_kind", "the applicant can only submit or close, not do a %s step", s.Kind)
		}
		switch {
		case s.Kind == KindDNSTest && count[KindDNSCreate] == 0:
			bad(p+".kind", "kind.test_before_create", "the name is tested before any dns_create step writes it")
		case s.Kind == KindPayment && count[KindRegistry] > 0:
			bad(p+".kind", "kind.payment_after_registry", "the payment is confirmed before the name is filed with the registry")
		}
	}
	if k := steps[0].Kind; k != KindSubmit && k.Valid() {
		bad(base+"[0].kind", "kind.submit_first", "the first step must be of kind submit, not %s", k)
	}
	if n := count[own[0]]; n != 1 {
		bad(base, "service.action", "service %s needs exactly one step of kind %s (it has %d)", code, own[0], n)
	}
	for _, k := range own[1:] {
		if count[k] > 1 {
			bad(base, "service.action", "service %s has %d steps of kind %s; at most one", code, count[k], k)
		}
	}
}
