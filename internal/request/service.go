package request

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/address"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/wilayah"
)

// Service runs the applicant's side of requests.
type Service struct {
	Store   Store
	Files   Files
	Catalog Catalog
	Regions *wilayah.Data
	Mail    account.Mailer
	// Roster is the employer's data kepegawaian; nil, or empty for a tenant, skips the
	// check.
	Roster Roster
	// Book resolves each tenant's SOP and working calendar (required).
	Book *sop.Book
	// Audit records submissions and corrections in the audit trail; nil records nothing.
	Audit audit.Writer
	// Registry is the tenant's mailboxes, for the services on an existing one (nil:
	// those services cannot be sent).
	Registry Mailboxes
	// Auto starts the job of an automatic step the applicant does themselves (a
	// self-service reset), in the transaction that entered it; nil leaves the step
	// waiting.
	Auto func(ctx context.Context, r Request, st *Step, now time.Time) error
	// Rules are what the domain services add to their requests (internal/domains); nil
	// offers them to nobody.
	Rules ServiceRules
	Now   func() time.Time
	Log   *slog.Logger
}

// record writes what a did to r to the audit trail, in the caller's transaction.
func (s *Service) record(ctx context.Context, a audit.Actor, action string, r Request, detail string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, a.Entry(r.TenantID, action, audit.Object("request", r.ID), detail))
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Form finds a service and kind of the catalogue.
func (s *Service) Form(service, kind string) (sv Offering, k Kind, err error) {
	sv, ok := s.Catalog.Offering(service)
	if !ok {
		return sv, k, errs.New(errs.NotFound, "error.not_found")
	}
	if kind == "" {
		return sv, k, nil
	}
	if k, ok = sv.Kind(kind); !ok {
		return sv, k, errs.New(errs.NotFound, "error.not_found")
	}
	return sv, k, nil
}

// Offerings lists the catalogue's services tenant t offers: the institutional one only
// where t's setting turns it on, the domain services (Ruled) where their rules are wired.
func (s *Service) Offerings(t account.Tenant) []Offering {
	var out []Offering
	for _, sv := range s.Catalog.Services {
		if sv.OfferedTo(t.Institutional) && (!sv.Ruled || s.Rules != nil) {
			out = append(out, sv)
		}
	}
	return out
}

// Offer is Form for tenant t: a service t does not offer is not found.
func (s *Service) Offer(t account.Tenant, service, kind string) (Offering, Kind, error) {
	sv, k, err := s.Form(service, kind)
	if err == nil && (!sv.OfferedTo(t.Institutional) || sv.Ruled && s.Rules == nil) {
		return Offering{}, Kind{}, errs.New(errs.NotFound, "error.not_found")
	}
	return sv, k, err
}

// ServiceRules are what a catalogue service other than e-mail adds to its requests:
// who may file one (a verified instansi of the right kind), the values the applicant does
// not type (the instansi, the village and the official address, from the verification
// and the registry), and the checks of the names against the register and the DNS.
// internal/domains implements it.
type ServiceRules interface {
	// Allowed is nil when u may file a request of service, else an error saying why.
	Allowed(ctx context.Context, t account.Tenant, u account.User, service string) error
	// Fill puts r's fixed values in r.Values (again after each save).
	Fill(ctx context.Context, r *Request) error
	// Check adds to fs the rules r's values break against the register, the DNS and the
	// registry.
	Check(ctx context.Context, r Request, fs *errs.Fields) error
}

// ruled reports whether requests of service follow the ServiceRules: the catalogue marks
// those services (ruled: true, the domain services).
func (s *Service) ruled(service string) bool {
	sv, ok := s.Catalog.Offering(service)
	return ok && sv.Ruled
}

// allowed asks the service rules whether u may file a request of service.
func (s *Service) allowed(ctx context.Context, t account.Tenant, u account.User, service string) error {
	if !s.ruled(service) {
		return nil
	}
	if s.Rules == nil {
		return errs.New(errs.NotFound, "error.not_found")
	}
	return s.Rules.Allowed(ctx, t, u, service)
}

// Get reads a request of u; another user's request is not found, as if it did not exist.
func (s *Service) Get(ctx context.Context, u account.User, id int64) (Request, error) {
	r, err := s.Store.Request(ctx, id)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && r.UserID != u.ID) {
		return Request{}, errs.New(errs.NotFound, "error.not_found")
	}
	return r, err
}

// List gives u's requests, newest first, drafts included.
func (s *Service) List(ctx context.Context, u account.User) ([]Request, error) {
	return s.Store.RequestsOf(ctx, u.ID)
}

// Pending is what of u's requests waits on someone: the ones in the office's hands, which
// stop a second request for the same person (told before a form is filled in), and the
// drafts and returned requests waiting on u.
type Pending struct {
	InFlight []Request // sent, not yet done or refused: newest first
	Unsent   []Request // drafts and requests returned for correction: newest first
}

// Pending reads u's pending requests.
func (s *Service) Pending(ctx context.Context, u account.User) (Pending, error) {
	all, err := s.List(ctx, u)
	if err != nil {
		return Pending{}, err
	}
	var p Pending
	for _, r := range all {
		switch r.Status {
		case Waiting, Processing:
			p.InFlight = append(p.InFlight, r)
		case Returned:
			p.InFlight = append(p.InFlight, r)
			p.Unsent = append(p.Unsent, r)
		case Draft:
			p.Unsent = append(p.Unsent, r)
		}
	}
	return p, nil
}

// NewDraft starts a request of a service and kind for u, prefilled from the profile (and
// from a refused request, for "Ajukan Ulang").
func (s *Service) NewDraft(ctx context.Context, t account.Tenant, u account.User, service, kind string, from *Request) (Request, error) {
	if _, _, err := s.Offer(t, service, kind); err != nil {
		return Request{}, err
	}
	if err := s.allowed(ctx, t, u, service); err != nil {
		return Request{}, err
	}
	values := map[string]string{"instansi": u.Profile.Instansi, "satuan_kerja": u.Profile.SatuanKerja, "phone": u.Profile.Phone, "nip": u.Profile.NIP}
	if from != nil {
		for k, v := range from.Values {
			values[k] = v
		}
	}
	for k, v := range values {
		if v == "" {
			delete(values, k)
		}
	}
	now := s.now()
	r := Request{TenantID: t.ID, UserID: u.ID, Service: service, Kind: kind, Status: Draft, Domain: t.MailDomain,
		Values: values, CreatedAt: now, UpdatedAt: now}
	if from != nil {
		r.ResubmitOf = from.ID
		r.Mailbox = from.Mailbox
	}
	if s.ruled(service) {
		// The profile's NIP and office are not the domain services' fields.
		r.Values = map[string]string{"phone": values["phone"]}
		if from != nil {
			maps.Copy(r.Values, from.Values)
		}
		if err := s.Rules.Fill(ctx, &r); err != nil {
			return r, err
		}
	}
	err := s.Store.CreateRequest(ctx, &r)
	return r, err
}

// SaveDraft stores what the applicant typed (valid or not: nothing typed is lost) and
// returns the form's errors, if any. Only a draft or a request returned for correction
// can be edited.
func (s *Service) SaveDraft(ctx context.Context, u account.User, r Request, values map[string]string) (Request, error) {
	if r.UserID != u.ID {
		return r, errs.New(errs.NotFound, "error.not_found")
	}
	if r.Status != Draft && r.Status != Returned {
		return r, errs.New(errs.Conflict, "request.not_editable")
	}
	_, k, err := s.Form(r.Service, r.Kind)
	if err != nil {
		return r, err
	}
	k.Normalize(values)
	r.takeForm(values)
	if s.ruled(r.Service) && s.Rules != nil {
		if err := s.Rules.Fill(ctx, &r); err != nil {
			return r, err
		}
	}
	r.PersonKey = k.PersonKey(r.Values)
	r.UpdatedAt = s.now()
	if err := s.Store.SaveDraft(ctx, r); err != nil {
		return r, err
	}
	return r, s.check(ctx, r, k)
}

// check validates a request against its form and the database: the address must be
// free, the person must have no other live request.
func (s *Service) check(ctx context.Context, r Request, k Kind) error {
	files, err := s.Store.FilesOf(ctx, r.ID)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, f := range files {
		have[f.Field] = true
	}
	return s.checkValues(ctx, r, k, have)
}

// checkValues is check with the attached files given (field name → present), for a
// request whose files are not stored yet.
func (s *Service) checkValues(ctx context.Context, r Request, k Kind, have map[string]bool) error {
	fs := k.Validate(r.Form(), have, s.Regions)
	if k.ActsOnMailbox() {
		if err := s.checkTarget(ctx, &fs, r); err != nil {
			return err
		}
		return fs.Err()
	}
	if r.Mailbox != "" && !fs.Has(FieldMailbox) {
		if err := s.checkAddress(ctx, &fs, k, FieldMailbox, r); err != nil {
			return err
		}
	}
	if s.ruled(r.Service) && s.Rules != nil {
		if err := s.Rules.Check(ctx, r, &fs); err != nil {
			return err
		}
	}
	if r.PersonKey != "" && !fs.Has(FieldDesaID) {
		other, err := s.Store.PersonBusy(ctx, r.TenantID, r.Domain, r.PersonKey)
		if err == nil && other.ID != r.ID {
			field, rule := "nip", "person_busy"
			if _, ok := k.Field(FieldDesaID); ok {
				field, rule = FieldDesaID, "desaid_busy"
			} else if _, ok := k.Field("nip"); !ok {
				field = "sk_number"
			}
			fs.Add(field, rule, other.Number)
		} else if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return err
		}
	}
	return fs.Err()
}

// Suggest proposes free addresses for u's name under the tenant's pattern.
//
// An institutional request (except names it) gets none: a unit's short name
// ("diskominfo") is the office's own word, not a pattern of a person's name.
func (s *Service) Suggest(ctx context.Context, t account.Tenant, u account.User, except int64, n int) []string {
	if except != 0 {
		if r, err := s.Store.Request(ctx, except); err == nil {
			if _, k, err := s.Form(r.Service, r.Kind); err == nil && (k.Institutional || k.Claim) {
				return nil
			}
		}
	}
	name := u.Profile.FullName
	if name == "" {
		name = u.FirstName + " " + u.LastName
	}
	return address.Suggest(address.Pattern(t.AddressPattern), name, func(a string) bool {
		taken, err := s.Store.MailboxTaken(ctx, t.ID, t.MailDomain, a, except)
		if err != nil || taken {
			return true
		}
		found, _, _, err := s.Store.RegisteredMailbox(ctx, t.ID, a+"@"+t.MailDomain)
		return err != nil || found
	}, n)
}

// CheckMailbox reads an address typed in any form that takes one (the applicant's live
// check, the front desk's, the create step's amendment) the way the applicant's form
// does (address.Normalize: "Budi.Santoso@mail.go.id" is budi.santoso), and tells whether
// it can be given: the local part, and an Invalid error naming field with the rule it
// breaks, a taken address included. except is the request asking, whose own address is
// not taken from it.
//
// The naming rule is the asking request's kind's (an institutional one's, Kind.checkLocal);
// with no request asking (except 0), a person's.
func (s *Service) CheckMailbox(ctx context.Context, t account.Tenant, typed string, except int64, field string) (string, error) {
	local, _, err := s.CheckClaimable(ctx, t, typed, except, "", field)
	return local, err
}

// The states of an address a claim may take (CheckClaimable), as the live check says
// them.
const (
	// ClaimYours: the mail server (or the roster's match) records the mailbox for the
	// NIP given.
	ClaimYours = "yours"
	// ClaimOwnerUnknown: the mailbox is on the server with no owner recorded; staff
	// check the match with the roster.
	ClaimOwnerUnknown = "owner_unknown"
	// ClaimNeedsNIP: the mailbox is recorded for a NIP, and none was given to compare.
	ClaimNeedsNIP = "needs_nip"
)

// CheckClaimable is CheckMailbox that also says, when the asking request is a claim
// and the address may be claimed, what the registry knows of it (ClaimYours or
// ClaimOwnerUnknown; "" for any other request). nip, when not empty, is the NIP typed on
// the form, which stands for the draft's until it is saved. An address that cannot be
// claimed is refused with its rule: claim_unknown (not on the server), address_owned (a
// portal account owns it), claim_other_nip (recorded for another NIP), address_taken.
func (s *Service) CheckClaimable(ctx context.Context, t account.Tenant, typed string, except int64, nip, field string) (string, string, error) {
	var k Kind
	var asking Request
	if except != 0 {
		if r, err := s.Store.Request(ctx, except); err == nil && r.TenantID == t.ID {
			_, k, _ = s.Form(r.Service, r.Kind)
			asking = r
		}
	}
	if nip = strings.TrimSpace(nip); nip != "" && k.Claim {
		values := maps.Clone(asking.Values)
		if values == nil {
			values = map[string]string{}
		}
		values["nip"] = nip
		asking.Values = values
	}
	local, err := s.checkMailbox(ctx, t, k, asking, typed, except, field)
	if err != nil || !k.Claim {
		return local, "", err
	}
	_, _, recorded, err := s.Store.RegisteredMailbox(ctx, t.ID, local+"@"+t.MailDomain)
	if err != nil {
		return local, "", err
	}
	switch {
	case recorded == "":
		return local, ClaimOwnerUnknown, nil
	case asking.Values["nip"] == "":
		return local, ClaimNeedsNIP, nil
	}
	// checkClaim refused a NIP other than the recorded one.
	return local, ClaimYours, nil
}

// checkMailbox is CheckMailbox's check for the asking request's kind k.
func (s *Service) checkMailbox(ctx context.Context, t account.Tenant, k Kind, asking Request, typed string, except int64, field string) (string, error) {
	local := k.NormalizeMailbox(typed)
	var fs errs.Fields
	k.checkLocal(&fs, field, local)
	if len(fs) == 0 {
		r := Request{ID: except, TenantID: t.ID, Domain: t.MailDomain, Mailbox: local, Values: asking.Values}
		if err := s.checkAddress(ctx, &fs, k, field, r); err != nil {
			return local, err
		}
	}
	return local, fs.Err()
}

// CheckField is the live check of one field of u's draft or returned request id, as
// typed: the value as the save would store it, and the errors the save would give that
// field (the form's rules, the service rules' checks against the register and the
// registry, another live request holding it). Nothing is saved.
func (s *Service) CheckField(ctx context.Context, u account.User, id int64, field, typed string) (string, error) {
	r, err := s.Get(ctx, u, id)
	if err != nil {
		return "", err
	}
	if r.Status != Draft && r.Status != Returned {
		return "", errs.New(errs.Conflict, "request.not_editable")
	}
	_, k, err := s.Form(r.Service, r.Kind)
	if err != nil {
		return "", err
	}
	f, ok := k.Field(field)
	if !ok || f.Type == "file" {
		return "", errs.New(errs.NotFound, "error.not_found")
	}
	values := r.Form()
	values[field] = typed
	k.Normalize(values)
	r.takeForm(values)
	if s.ruled(r.Service) && s.Rules != nil {
		if err := s.Rules.Fill(ctx, &r); err != nil {
			return "", err
		}
	}
	r.PersonKey = k.PersonKey(r.Values)
	value := r.Form()[field]
	if value == "" {
		var fs errs.Fields
		fs.Add(field, "required")
		return "", fs.Err()
	}
	// Every document counts as attached: only this field's errors are wanted.
	have := map[string]bool{}
	for _, f := range k.Fields {
		have[f.Name] = true
	}
	err = s.checkValues(ctx, r, k, have)
	e, isForm := errs.As(err)
	if err == nil || !isForm || e.Code != errs.Invalid {
		return value, err
	}
	var mine errs.Fields
	for _, fe := range e.Fields {
		if fe.Name == field {
			mine = append(mine, fe)
		}
	}
	return value, mine.Err()
}

// checkFree adds address_taken to fs when a live request other than except holds local,
// and, when the mail server has the mailbox already (the registry, which a sync fills
// with the accounts the tenant ran before surel), address_owned or, its owner not yet
// known, address_exists, which points its owner to the claim service.
func (s *Service) checkFree(ctx context.Context, fs *errs.Fields, field string, tenantID int64, domain, local string, except int64) error {
	taken, err := s.Store.MailboxTaken(ctx, tenantID, domain, local, except)
	if err != nil {
		return err
	}
	if taken {
		fs.Add(field, "address_taken", local+"@"+domain)
		return nil
	}
	found, owner, nip, err := s.Store.RegisteredMailbox(ctx, tenantID, local+"@"+domain)
	switch {
	case err != nil:
		return err
	case owner != 0 || nip != "":
		fs.Add(field, "address_owned", local+"@"+domain)
	case found:
		fs.Add(field, "address_exists", local+"@"+domain)
	}
	return nil
}

// checkClaim adds to fs why the mailbox local@domain cannot be claimed by the holder of
// nipValue: another live request holds it (a claim already made), the server does not
// have it (as the last sync saw it), a portal account owns it already, or the server
// records it for another NIP. A mailbox recorded for this NIP, or for nobody, may be
// claimed; staff confirm it along the SOP.
func (s *Service) checkClaim(ctx context.Context, fs *errs.Fields, field string, tenantID int64, domain, local, nipValue string, except int64) error {
	address := local + "@" + domain
	taken, err := s.Store.MailboxTaken(ctx, tenantID, domain, local, except)
	if err != nil {
		return err
	}
	if taken {
		fs.Add(field, "address_taken", address)
		return nil
	}
	found, owner, nip, err := s.Store.RegisteredMailbox(ctx, tenantID, address)
	switch {
	case err != nil:
		return err
	case !found:
		fs.Add(field, "claim_unknown", address)
	case owner != 0:
		fs.Add(field, "address_owned", address)
	case nip != "" && nipValue != "" && nip != nipValue:
		fs.Add(field, "claim_other_nip", address)
	}
	return nil
}

// checkAddress is checkFree for a new mailbox, checkClaim for a claim's existing one.
func (s *Service) checkAddress(ctx context.Context, fs *errs.Fields, k Kind, field string, r Request) error {
	if k.Claim {
		return s.checkClaim(ctx, fs, field, r.TenantID, r.Domain, r.Mailbox, r.Values["nip"], r.ID)
	}
	return s.checkFree(ctx, fs, field, r.TenantID, r.Domain, r.Mailbox, r.ID)
}

// Submit is "Kirim": the draft becomes a request with a number, its first history rows
// and a notification and e-mail, in one transaction. The profile must be complete. Two
// simultaneous submissions for one person or address cannot both pass: the store's
// unique indexes settle it.
func (s *Service) Submit(ctx context.Context, t account.Tenant, u account.User, id int64) (Request, error) {
	if !u.Profile.Complete() {
		return Request{}, errs.New(errs.Forbidden, "request.profile_incomplete")
	}
	r, err := s.Get(ctx, u, id)
	if err != nil {
		return r, err
	}
	if r.Status != Draft && r.Status != Returned {
		return r, errs.New(errs.Conflict, "request.not_editable")
	}
	if err := s.allowed(ctx, t, u, r.Service); err != nil {
		return r, err
	}
	return s.submit(ctx, t, u, r, nil)
}

// submit is Submit of a loaded draft. desk is the front-desk officer who sent it for u
// (walkin.go), or nil when u sent it from the portal: the first history row names who
// filled in the form.
func (s *Service) submit(ctx context.Context, t account.Tenant, u account.User, r Request, desk *audit.Actor) (Request, error) {
	_, k, err := s.FormOf(r)
	if err != nil {
		return r, err
	}
	if err := s.check(ctx, r, k); err != nil {
		return r, err
	}
	def, cal, err := s.Book.ServiceWorkflow(ctx, t.SOPRef(), r.Service)
	if err != nil {
		return r, err
	}
	def = def.Flow(r.Service)
	if r.Flags, err = s.rosterFlags(ctx, t, u, r); err != nil {
		return r, err
	}
	now := s.now()
	if r.Status == Returned {
		return r, s.resubmit(ctx, t, u, r, cal, now, desk)
	}
	err = s.Store.Tx(ctx, func(ctx context.Context) error {
		r.Status, r.SubmittedAt, r.UpdatedAt = Waiting, now, now
		if err := s.Store.SubmitRequest(ctx, &r); err != nil {
			if errors.Is(err, errs.ErrConflict) {
				return errs.New(errs.Conflict, "request.duplicate")
			}
			return err
		}
		h := History{Store: s.Store, Cal: cal}
		// The applicant's step is timed from the draft's start: filling in the form is
		// the first step of every SOP.
		by, jabatan := audit.User(u.ID, u.DisplayName()), "Pemohon"
		if desk != nil {
			by, jabatan = *desk, sop.RoleFrontDesk.Label("id")
		}
		if _, err := h.Record(ctx, r, def.Steps[0], by, jabatan, r.CreatedAt, now); err != nil {
			return err
		}
		if len(def.Steps) > 1 {
			st, err := h.Enter(ctx, r, def.Steps[1], now)
			if err != nil {
				return err
			}
			if def.SelfService() && s.Auto != nil {
				if err := s.Auto(ctx, r, &st, now); err != nil {
					return err
				}
			}
		}
		return s.announce(ctx, t, u, r, desk, sent, now)
	})
	return r, err
}

// event is what a sending of a request is called in each place it is told.
type event struct {
	notif, action, deskAction, mail string
}

var (
	sent   = event{notif: "notif.submitted", action: "request.submit", deskAction: "request.walkin", mail: "request_submitted"}
	resent = event{notif: "notif.resubmitted", action: "request.resubmit", deskAction: "request.resubmit", mail: "request_resubmitted"}
)

// announce tells of ev in the caller's transaction: the applicant u's notification, the
// audit entry (by u, or by the front desk for u) and, when u's address takes mail, the
// e-mail.
func (s *Service) announce(ctx context.Context, t account.Tenant, u account.User, r Request, desk *audit.Actor, ev event, now time.Time) error {
	if err := s.Store.Notify(ctx, Notification{UserID: u.ID, RequestID: r.ID, Key: ev.notif, Arg: r.Number, CreatedAt: now}); err != nil {
		return err
	}
	// The front desk acted for the applicant: its entry names them too.
	who, action, detail := audit.User(u.ID, u.DisplayName()), ev.action, r.Number+" "+r.MailboxAddress()
	if desk != nil {
		who, action, detail = *desk, ev.deskAction, detail+" ("+u.DisplayName()+")"
	}
	if err := s.record(ctx, who, action, r, detail); err != nil || !Reachable(u.Email) {
		return err
	}
	return s.Mail.Send(ctx, notify.Mail{TenantID: t.ID, To: u.Email, Lang: u.Lang, Template: ev.mail,
		Data: map[string]any{"Name": u.DisplayName(), "Number": r.Number, "Address": r.MailboxAddress(), "URL": t.Link(fmt.Sprintf("/permohonan/%d", r.ID)), "Tenant": t.Name}})
}

// resubmit sends a corrected request back to the step that returned it: the correction
// row ends, and the paused step's clock runs again with the working time it had left (its
// due time moves by the pause). desk is the front-desk officer who entered the correction
// of a walk-in request, nil when the applicant corrected it in the portal.
func (s *Service) resubmit(ctx context.Context, t account.Tenant, u account.User, r Request, cal *sop.Calendar, now time.Time, desk *audit.Actor) error {
	by := audit.User(u.ID, u.DisplayName())
	if desk != nil {
		by = *desk
	}
	return s.Store.Tx(ctx, func(ctx context.Context) error {
		if err := (History{Store: s.Store, Cal: cal}).Resume(ctx, r, by, now); err != nil {
			if errors.Is(err, ErrStepMoved) {
				err = errs.New(errs.Conflict, "request.not_editable")
			}
			return err
		}
		if err := (History{Store: s.Store, Cal: cal}).Reattribute(ctx, r); err != nil {
			return err
		}
		r.Status, r.UpdatedAt, r.Note = Processing, now, ""
		if err := s.Store.SubmitRequest(ctx, &r); err != nil {
			if errors.Is(err, errs.ErrConflict) {
				return errs.New(errs.Conflict, "request.duplicate")
			}
			return err
		}
		return s.announce(ctx, t, u, r, desk, resent, now)
	})
}

// Discard deletes a draft and its files.
func (s *Service) Discard(ctx context.Context, u account.User, id int64) error {
	r, err := s.Get(ctx, u, id)
	if err != nil {
		return err
	}
	if r.Status != Draft {
		return errs.New(errs.Conflict, "request.not_editable")
	}
	files, err := s.Store.FilesOf(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteRequest(ctx, id); err != nil {
		return err
	}
	for _, f := range files {
		if err := s.Files.Remove(ctx, f.Name); err != nil {
			s.Log.WarnContext(ctx, "remove draft file", "file", f.Name, "err", err)
		}
	}
	return nil
}

// Roster reads a tenant's data kepegawaian.
type Roster interface {
	RosterEntry(ctx context.Context, tenantID int64, nip string) (roster.Entry, error)
	RosterCount(ctx context.Context, tenantID int64) (int, error)
}

// rosterFlags compares a PNS request with the roster, when the tenant has loaded one.
// Mismatches do not refuse the request: they are flags the verifier sees with the
// reason (PRODUCT.md, Rules).
func (s *Service) rosterFlags(ctx context.Context, t account.Tenant, u account.User, r Request) ([]Flag, error) {
	nip := r.Values["nip"]
	if s.Roster == nil || nip == "" {
		return nil, nil
	}
	n, err := s.Roster.RosterCount(ctx, t.ID)
	if err != nil || n == 0 {
		return nil, err
	}
	e, err := s.Roster.RosterEntry(ctx, t.ID, nip)
	found := err == nil
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	name := u.Profile.FullName
	if name == "" {
		name = u.DisplayName()
	}
	var flags []Flag
	for _, m := range roster.Check(&e, found, name, roster.Policy{}) {
		flags = append(flags, Flag{Reason: m.Reason, Detail: m.Detail})
	}
	return flags, nil
}

// Attach records a checked document on an editable request, replacing the one the field
// had; the replaced file's bytes are removed after the change commits.
func (s *Service) Attach(ctx context.Context, u account.User, r Request, f File) error {
	if r.UserID != u.ID {
		return errs.New(errs.NotFound, "error.not_found")
	}
	if r.Status != Draft && r.Status != Returned {
		return errs.New(errs.Conflict, "request.not_editable")
	}
	var old []File
	err := s.Store.Tx(ctx, func(ctx context.Context) error {
		stored, err := s.Store.FilesOf(ctx, r.ID)
		if err != nil {
			return err
		}
		old, err = s.putFiles(ctx, r, stored, []File{f}, s.now())
		return err
	})
	if err != nil {
		return err
	}
	s.removeFiles(ctx, old)
	return nil
}

// putFiles adds files to r, each replacing the stored document of its field (stored are
// r's documents before); it gives the replaced ones, whose files the caller removes with
// removeFiles once the transaction has committed.
func (s *Service) putFiles(ctx context.Context, r Request, stored, files []File, now time.Time) ([]File, error) {
	var replaced []File
	for _, f := range files {
		for _, o := range stored {
			if o.Field == f.Field {
				if err := s.Store.DeleteFile(ctx, o.ID); err != nil {
					return nil, err
				}
				replaced = append(replaced, o)
			}
		}
		f.RequestID, f.CreatedAt = r.ID, now
		if err := s.Store.AddFile(ctx, &f); err != nil {
			return nil, err
		}
	}
	return replaced, nil
}

// removeFiles deletes the stored files of documents no longer in the database; a failure
// only leaves an orphan file, so it is logged.
func (s *Service) removeFiles(ctx context.Context, files []File) {
	for _, o := range files {
		if err := s.Files.Remove(ctx, o.Name); err != nil {
			s.Log.WarnContext(ctx, "remove replaced file", "file", o.Name, "err", err)
		}
	}
}

// File finds a document of u's request; anyone else's is not found.
func (s *Service) File(ctx context.Context, u account.User, requestID, fileID int64) (File, error) {
	r, err := s.Get(ctx, u, requestID)
	if err != nil {
		return File{}, err
	}
	return s.Document(ctx, r, fileID)
}
