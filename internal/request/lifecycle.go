package request

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Starters are the roles that may start a service on a mailbox from the registry's page:
// the front desk (a walk-in owner, an OPD's letter), the mail server admin, the Kepala
// Seksi and the tenant admin. The service's steps are then each done by their own role.
var Starters = []sop.Role{sop.RoleFrontDesk, sop.RoleAdminMail, sop.RoleKepalaSeksi, sop.RoleTenantAdmin}

// The services after an account's creation (issue 14: reset, deactivation, reactivation,
// quota) are requests like the creation: the catalogue's form, the SOP's flow for the
// service (sop.Definition.Flow), history, notifications and audit. Their form names an
// existing mailbox (a field of type TypeOwnedMailbox); the applicant must own it.

// Catalogue field types of the services on an existing mailbox.
const (
	// TypeOwnedMailbox is the mailbox the request acts on, the field named mailbox: the
	// local part of one of the applicant's mailboxes in the registry.
	TypeOwnedMailbox = "mailbox_owned"
	// TypeQuota is a quota in MB (whole, 1 to MaxQuotaMB).
	TypeQuota = "quota_mb"
)

// MaxQuotaMB bounds a quota asked for: 1 TB.
const MaxQuotaMB = 1 << 20

// ChannelKantor marks a request staff started from the registry's page of a mailbox
// (the owner at the front desk, an OPD's letter listing several people).
const ChannelKantor = "kantor"

// Mailboxes is the registry as the services on an existing mailbox read it.
type Mailboxes interface {
	At(ctx context.Context, tenantID int64, address string) (registry.Mailbox, error)
	Owned(ctx context.Context, u account.User) ([]registry.Mailbox, error)
}

// ActsOnMailbox reports whether the kind's form names an existing mailbox.
func (k Kind) ActsOnMailbox() bool {
	f, ok := k.Field(FieldMailbox)
	return ok && f.Type == TypeOwnedMailbox
}

// QuotaBytes is the quota a quota request asks, in bytes; 0 when it asks none.
func (r Request) QuotaBytes() int64 {
	mb, err := strconv.ParseInt(r.Values["kuota_mb"], 10, 64)
	if err != nil || mb <= 0 {
		return 0
	}
	return mb << 20
}

// statesFor are the registry statuses a service may start from.
func statesFor(service string) []registry.Status {
	switch service {
	case sop.ServiceReset, sop.ServiceQuota:
		return []registry.Status{registry.Active, registry.Locked}
	case sop.ServiceDeactivate:
		return []registry.Status{registry.Active, registry.Locked}
	case sop.ServiceReactivate:
		return []registry.Status{registry.Inactive, registry.Locked}
	case sop.ServicePurge:
		return []registry.Status{registry.Inactive}
	case sop.ServiceHandover:
		return []registry.Status{registry.Active, registry.Locked}
	}
	return nil
}

// Applies reports whether service may be asked for mailbox m in its present state. A
// handover is for an institutional mailbox only; a reset is not for one waiting for a
// handover, since its password goes to the responsible person and there is none until
// the handover names them.
func Applies(service string, m registry.Mailbox) bool {
	if !m.GoneAt.IsZero() {
		return false
	}
	switch {
	case service == sop.ServiceHandover && m.Kind != registry.Institutional:
		return false
	case service == sop.ServiceReset && m.Handover != "":
		return false
	}
	for _, st := range statesFor(service) {
		if m.Status == st {
			return true
		}
	}
	return false
}

// checkTarget checks the mailbox a service acts on: the registry has it at the tenant's
// domain, r's applicant owns it (a request staff entered names its owner themselves, or
// a mailbox without a portal owner), and its status allows the service. A mailbox the
// applicant does not own is not found, whether it exists or not: nothing is revealed.
func (s *Service) checkTarget(ctx context.Context, fs *errs.Fields, r Request) error {
	if r.Mailbox == "" || fs.Has(FieldMailbox) {
		return nil
	}
	if s.Registry == nil {
		return errors.New("request: no registry for a service on an existing mailbox")
	}
	m, err := s.Registry.At(ctx, r.TenantID, r.MailboxAddress())
	if errors.Is(err, errs.ErrNotFound) || (err == nil && r.Channel != ChannelKantor && (m.OwnerID == 0 || m.OwnerID != r.UserID)) {
		return errs.New(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return fmt.Errorf("request: mailbox %s: %w", r.MailboxAddress(), err)
	}
	switch {
	case r.Service == sop.ServiceReset && m.Handover != "":
		fs.Add(FieldMailbox, "mailbox_handover")
	case !Applies(r.Service, m):
		fs.Add(FieldMailbox, "mailbox_state", "registry.status."+string(m.Status))
	case r.Service == sop.ServiceHandover && !fs.Has("nip") && r.Values["nip"] == m.NIP && m.Handover == "":
		// Naming the same person again is no handover (a flagged one may be renamed:
		// the roster may have been wrong, or they moved back).
		fs.Add("nip", "handover_same")
	}
	if r.Service == sop.ServicePurge && (m.PurgeAfter.IsZero() || s.now().Before(m.PurgeAfter)) {
		fs.Add(FieldMailbox, "purge_not_due")
	}
	if r.Service == sop.ServiceQuota && !fs.Has("kuota_mb") && r.QuotaBytes() == m.QuotaBytes {
		fs.Add("kuota_mb", "quota_same")
	}
	return nil
}

// checkQuota adds the rule a quota in MB breaks.
func checkQuota(fs *errs.Fields, field, v string) {
	mb, err := strconv.ParseInt(v, 10, 64)
	if err != nil || mb < 1 || mb > MaxQuotaMB {
		fs.Add(field, "quota_range", 1, MaxQuotaMB)
	}
}

// OwnedMailboxes lists the mailboxes u owns, for the form's choice.
func (s *Service) OwnedMailboxes(ctx context.Context, u account.User) ([]registry.Mailbox, error) {
	if s.Registry == nil {
		return nil, nil
	}
	return s.Registry.Owned(ctx, u)
}

// StaffStart is a request staff start from the registry's page of mailbox m, for its
// owner (a walk-in record in their name when the mailbox has no portal owner): the
// service and kind of the catalogue, with values for the kind's other fields (a note, a
// quota). It is checked as the owner's request would be, sent at once (its first step
// recorded as the staff member's), and follows the service's flow in the tenant's SOP.
func (s *Service) StaffStart(ctx context.Context, t account.Tenant, by staff.Member, ip string, m registry.Mailbox, service, kind string, values map[string]string) (Request, error) {
	if !by.HasAny(Starters...) {
		return Request{}, errs.New(errs.Forbidden, "workflow.not_your_role", sop.RoleFrontDesk.Label("id"))
	}
	return s.startOn(ctx, t, by.Actor().From(ip), m, service, kind, values, "")
}

// SystemStart is StaffStart by surel itself (the leader's purge after the retention
// period): the first step is recorded as the system's.
func (s *Service) SystemStart(ctx context.Context, t account.Tenant, m registry.Mailbox, service, kind string, values map[string]string) (Request, error) {
	return s.startOn(ctx, t, audit.System, m, service, kind, values, "")
}

// startOn is StaffStart and SystemStart once the starter is known: desk. letterRef is
// the number of the OPD's letter that asks for it (ResetsByLetter), "" for none: the
// request records it as it is created.
func (s *Service) startOn(ctx context.Context, t account.Tenant, desk audit.Actor, m registry.Mailbox, service, kind string, values map[string]string, letterRef string) (Request, error) {
	st, ok := s.Store.(WalkInStore)
	if !ok {
		return Request{}, errors.New("staff start: the request store keeps no accounts")
	}
	_, k, err := s.Form(service, kind)
	if err != nil || !k.ActsOnMailbox() {
		return Request{}, errs.New(errs.NotFound, "error.not_found")
	}
	if m.TenantID != t.ID {
		return Request{}, errs.New(errs.NotFound, "error.not_found")
	}
	if values == nil {
		values = map[string]string{}
	}
	values[FieldMailbox] = m.Local()
	k.Normalize(values)
	now := s.now()
	r := Request{TenantID: t.ID, Service: service, Kind: kind, Status: Draft, Domain: m.Domain(), Channel: ChannelKantor, LetterRef: letterRef,
		CreatedAt: now, UpdatedAt: now}
	r.takeForm(values)
	r.Mailbox = m.Local()
	fs := k.Validate(r.Form(), nil, s.Regions)
	if err := s.checkTarget(ctx, &fs, r); err != nil {
		return r, err
	}
	if err := fs.Err(); err != nil {
		return r, err
	}
	err = st.Tx(ctx, func(ctx context.Context) error {
		var u account.User
		var err error
		if service == sop.ServiceHandover {
			// The applicant is the new responsible PNS: the password goes to them.
			if u, err = s.responsible(ctx, st, t, r.Values["nip"], r.Values["nama_pj"], m, now); err != nil {
				return err
			}
		} else if m.OwnerID != 0 {
			if u, err = st.UserByID(ctx, m.OwnerID); err != nil {
				return err
			}
		} else {
			first, last, _ := strings.Cut(m.Name, " ")
			if first == "" {
				first = m.Address
			}
			if u, err = s.walkInUser(ctx, st, t, Applicant{FirstName: first, LastName: last, NIP: m.NIP, Instansi: m.Instansi, SatuanKerja: m.Unit}, now); err != nil {
				return err
			}
		}
		r.UserID = u.ID
		if err := st.CreateRequest(ctx, &r); err != nil {
			return err
		}
		r, err = s.submit(ctx, t, u, r, &desk)
		return err
	})
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

// RosterCheck is a reactivation request checked against the tenant's roster (the latest
// import's entries): the mailbox's owner, by the NIP the registry records for it (or the
// owner's profile), must be in it and active. Staff see the result on the request page;
// a failing check refuses every approval of the request (Blocks).
type RosterCheck struct {
	// NIP is the NIP checked; "" when neither the registry nor the owner's profile has
	// one.
	NIP string
	// Loaded says whether the tenant has imported a roster at all: without one nothing
	// can be checked, and nothing is blocked.
	Loaded bool
	// Entry is the roster's entry of NIP, when Found.
	Found bool
	Entry roster.Entry
	// Reason is why the check fails (roster.ReasonNotInRoster, roster.ReasonInactive,
	// ReasonNoNIP); "" when it passes or could not run.
	Reason string
}

// ReasonNoNIP: a reactivation whose mailbox has no NIP, against a loaded roster.
const ReasonNoNIP = "no_nip"

// Blocks reports whether the check refuses the request's approval.
func (c RosterCheck) Blocks() bool { return c.Reason != "" }

// Passed reports whether the owner was found active in the roster.
func (c RosterCheck) Passed() bool { return c.Loaded && c.Found && c.Reason == "" }

// ReactivationCheck checks reactivation request r against the roster as it is now; a
// request of another service has nothing to check (a zero RosterCheck).
func (s *Service) ReactivationCheck(ctx context.Context, r Request) (RosterCheck, error) {
	var c RosterCheck
	if r.Service != sop.ServiceReactivate || s.Roster == nil {
		return c, nil
	}
	n, err := s.Roster.RosterCount(ctx, r.TenantID)
	if err != nil || n == 0 {
		return c, err
	}
	c.Loaded = true
	if s.Registry != nil {
		m, err := s.Registry.At(ctx, r.TenantID, r.MailboxAddress())
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return c, fmt.Errorf("reactivation check: %w", err)
		}
		c.NIP = m.NIP
	}
	if c.NIP == "" {
		if st, ok := s.Store.(WalkInStore); ok {
			if u, err := st.UserByID(ctx, r.UserID); err == nil {
				c.NIP = u.Profile.NIP
			}
		}
	}
	if c.NIP == "" {
		c.Reason = ReasonNoNIP
		return c, nil
	}
	c.Entry, err = s.Roster.RosterEntry(ctx, r.TenantID, c.NIP)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		c.Reason = roster.ReasonNotInRoster
		return c, nil
	case err != nil:
		return c, fmt.Errorf("reactivation check: %w", err)
	}
	c.Found = true
	if !c.Entry.Active {
		c.Reason = roster.ReasonInactive
	}
	return c, nil
}

// MaxLetterLines bounds the mailboxes one letter lists for reset.
const MaxLetterLines = 100

// MaxLetterRef bounds the letter's number, in characters.
const MaxLetterRef = 100

// maxLetterRequests bounds the requests the result page of one letter lists: the same
// number entered a few times (a second batch of the letter's people).
const maxLetterRequests = 5 * MaxLetterLines

// LetterNote is the history's note on the first step of a request an OPD's letter
// started: the step's record says what it was based on.
func LetterNote(ref string) string { return letterNotePrefix + ref }

const letterNotePrefix = "Berdasarkan surat nomor "

// LetterOfNote is the letter's number a first step's note (LetterNote) names, for the
// pages in another language; ok is false for any other note.
func LetterOfNote(note string) (ref string, ok bool) {
	ref, ok = strings.CutPrefix(note, letterNotePrefix)
	return ref, ok && ref != ""
}

// OPDLetter is one OPD letter that started requests, as the front desk's list of recent
// letters shows it.
type OPDLetter struct {
	Ref string
	// At is when its first request was sent; Requests how many it started, Done how
	// many of those are done.
	At             time.Time
	Requests, Done int
}

// LetterRequests lists the requests the OPD letter numbered ref started in by's tenant,
// in the order they were started; another tenant's letter, like a number no letter has,
// is not found.
func (s *Service) LetterRequests(ctx context.Context, by staff.Member, ref string) ([]Request, error) {
	if !by.HasAny(Starters...) {
		return nil, errs.New(errs.Forbidden, "workflow.not_your_role", sop.RoleFrontDesk.Label("id"))
	}
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, errs.New(errs.NotFound, "error.not_found")
	}
	rs, err := s.Store.LetterRequests(ctx, by.TenantID, ref, maxLetterRequests)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, errs.New(errs.NotFound, "error.not_found")
	}
	return rs, nil
}

// RecentLetters lists the latest OPD letters that started requests in by's tenant, at
// most limit.
func (s *Service) RecentLetters(ctx context.Context, by staff.Member, limit int) ([]OPDLetter, error) {
	if !by.HasAny(Starters...) {
		return nil, errs.New(errs.Forbidden, "workflow.not_your_role", sop.RoleFrontDesk.Label("id"))
	}
	return s.Store.RecentLetters(ctx, by.TenantID, limit)
}

// FieldLetterList and FieldLetterRef are the form names of the front desk's reset by
// letter: the addresses, one per line, and the letter's number.
const (
	FieldLetterList = "daftar_akun"
	FieldLetterRef  = "nomor_surat"
)

// ResetsByLetter starts a password reset, each its own request in its owner's name, for
// every mailbox an OPD's letter lists (Kalbar's practice): list holds one address per
// line (the local part alone means the tenant's domain). The whole list is checked
// before anything is started, and a wrong line is named by its number and address (not
// in the registry, in a state a reset does not apply to, listed twice), so nothing is
// half-done by a typing mistake. Each request records the letter's number (ref, trimmed)
// as it is created, and the history of its first step says so. Each then follows the
// reset's flow; its password is printed in the account letter of that one person, never
// in a list. A mailbox with a reset already open is not started twice: its line says so
// in the error, after the others have been started.
func (s *Service) ResetsByLetter(ctx context.Context, t account.Tenant, by staff.Member, ip, list, ref string) ([]Request, error) {
	if !by.HasAny(Starters...) {
		return nil, errs.New(errs.Forbidden, "workflow.not_your_role", sop.RoleFrontDesk.Label("id"))
	}
	if s.Registry == nil {
		return nil, errors.New("request: no registry for a reset by letter")
	}
	var fs errs.Fields
	ref = strings.TrimSpace(ref)
	if ref == "" {
		fs.Add(FieldLetterRef, "required")
	} else if utf8.RuneCountInString(ref) > MaxLetterRef {
		fs.Add(FieldLetterRef, "max_len", MaxLetterRef)
	}
	var boxes []registry.Mailbox
	seen := map[string]int{}
	n := 0
	for i, line := range strings.Split(list, "\n") {
		addr := strings.ToLower(strings.TrimSpace(line))
		if addr == "" {
			continue
		}
		if n++; n > MaxLetterLines {
			fs.Add(FieldLetterList, "list_too_long", MaxLetterLines)
			break
		}
		if !strings.Contains(addr, "@") {
			addr += "@" + t.MailDomain
		}
		if first, dup := seen[addr]; dup {
			fs.Add(FieldLetterList, "list_line_twice", i+1, addr, first)
			continue
		}
		seen[addr] = i + 1
		m, err := s.Registry.At(ctx, t.ID, addr)
		switch {
		case errors.Is(err, errs.ErrNotFound):
			fs.Add(FieldLetterList, "list_line_unknown", i+1, addr)
			continue
		case err != nil:
			return nil, fmt.Errorf("resets by letter: %w", err)
		case !Applies(sop.ServiceReset, m):
			fs.Add(FieldLetterList, "list_line_state", i+1, addr, "registry.status."+string(m.Status))
			continue
		}
		boxes = append(boxes, m)
	}
	if n == 0 && !fs.Has(FieldLetterList) {
		fs.Add(FieldLetterList, "required")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	var out []Request
	for _, m := range boxes {
		r, err := s.startOn(ctx, t, by.Actor().From(ip), m, sop.ServiceReset, "pemilik", nil, ref)
		switch {
		case errs.CodeOf(err) == errs.Conflict || errs.CodeOf(err) == errs.Invalid:
			fs.Add(FieldLetterList, "list_line_open", seen[m.Address], m.Address)
		case err != nil:
			return out, err
		default:
			out = append(out, r)
		}
	}
	return out, fs.Err()
}

// UsersByNIP finds a tenant's portal account by the NIP of its profile.
type UsersByNIP interface {
	UserByNIP(ctx context.Context, tenantID int64, nip string) (account.User, error)
}

// responsible is the portal account of the new responsible PNS of institutional mailbox
// m: the tenant's account holding the NIP, or a walk-in record in their name (reached
// at the front desk, where their letter is printed, until they claim it).
func (s *Service) responsible(ctx context.Context, st WalkInStore, t account.Tenant, nip, name string, m registry.Mailbox, now time.Time) (account.User, error) {
	if byNIP, ok := st.(UsersByNIP); ok {
		u, err := byNIP.UserByNIP(ctx, t.ID, nip)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, errs.ErrNotFound) {
			return u, err
		}
	}
	first, last := name, ""
	if i := strings.LastIndexByte(name, ' '); i > 0 {
		first, last = name[:i], name[i+1:]
	}
	return s.walkInUser(ctx, st, t, Applicant{FirstName: first, LastName: last, NIP: nip, Instansi: m.Instansi, SatuanKerja: m.Unit}, now)
}
