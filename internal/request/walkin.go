package request

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
)

// Walk-in and letter-based requests (seeds 002 and 004): the applicant brings the signed
// form, or sends a letter, and the front desk ("Loket") enters the request for them. The
// request then follows the same path as one sent from the portal.

// ChannelLoket marks a request the front desk entered.
const ChannelLoket = "loket"

// ChannelCollective marks a row of an OPD's collective request (internal/collective): the
// front desk or the OPD's operator entered it with the list, the OPD head's letter its
// document.
const ChannelCollective = "kolektif"

// ByDesk reports whether r was entered for its applicant (at the loket, or in a
// collective request): the front desk enters its corrections and hands over its letter.
func (r Request) ByDesk() bool { return r.Channel == ChannelLoket || r.Channel == ChannelCollective }

// WalkInService is the catalogue service the front desk enters requests for.
const WalkInService = "email"

// ScanField is the document a front-desk request carries besides its kind's own: the
// scan of the signed paper form (seed 002) or of the letter (seed 004). It is not in the
// catalogue because the portal's applicants have neither.
var ScanField = Field{Name: "scan_permohonan", Type: "file", Required: true, Kinds: []string{"pdf", "jpg", "png"}, MaxKB: 10 << 10,
	Label: Text{"id": "Scan formulir bertanda tangan atau surat permohonan", "en": "Scan of the signed form or the request letter"}}

// ForChannel is the kind's form as a channel uses it: the front desk's starts with
// ScanField.
//
// A collective row's form has no document of its own: the OPD head's letter, kept once
// with the collective request (internal/collective), attests the employment the kind's
// documents would show for every row.
func (k Kind) ForChannel(channel string) Kind {
	switch channel {
	case ChannelLoket:
		k.Fields = append([]Field{ScanField}, k.Fields...)
	case ChannelCollective:
		var fields []Field
		for _, f := range k.Fields {
			if f.Type != "file" {
				fields = append(fields, f)
			}
		}
		k.Fields = fields
	}
	return k
}

// FormOf is Form for a stored request, its kind as its channel has it (with the front
// desk's scan for a walk-in request).
func (s *Service) FormOf(r Request) (Offering, Kind, error) {
	sv, k, err := s.Form(r.Service, r.Kind)
	return sv, k.ForChannel(r.Channel), err
}

// Applicant is the person the front desk enters a request for. Email is optional: many
// walk-in applicants are reached by phone only.
type Applicant struct {
	FirstName   string
	LastName    string
	Email       string
	Phone       string
	NIP         string
	Jabatan     string
	Instansi    string
	SatuanKerja string
	Address     string
}

// ApplicantFields are the form names of the applicant section, in order. Those a kind's
// form also has (nip, instansi, satuan_kerja, phone) are asked once, here, and copied
// into the request's values.
var ApplicantFields = []string{"first_name", "last_name", "email", "phone", "nip", "jabatan", "instansi", "satuan_kerja", "address"}

// ApplicantFrom reads an Applicant from form values named as in ApplicantFields.
func ApplicantFrom(get func(string) string) Applicant {
	return Applicant{FirstName: get("first_name"), LastName: get("last_name"), Email: get("email"), Phone: get("phone"),
		NIP: get("nip"), Jabatan: get("jabatan"), Instansi: get("instansi"), SatuanKerja: get("satuan_kerja"), Address: get("address")}
}

// shared are the applicant's values a kind's form may also ask for.
func (a Applicant) shared() map[string]string {
	return map[string]string{"nip": a.NIP, "instansi": a.Instansi, "satuan_kerja": a.SatuanKerja, "phone": a.Phone}
}

func (a *Applicant) normalize() {
	sq := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	a.FirstName, a.LastName = sq(a.FirstName), sq(a.LastName)
	a.Email = account.NormalizeEmail(a.Email)
	if p, ok := account.NormalizePhone(a.Phone); ok {
		a.Phone = p
	}
	a.NIP = strings.Join(strings.Fields(a.NIP), "")
	a.Jabatan, a.Instansi, a.SatuanKerja = sq(a.Jabatan), sq(a.Instansi), sq(a.SatuanKerja)
	a.Address = strings.TrimSpace(a.Address)
}

// profile is the "Akun Saya" the applicant's record gets.
func (a Applicant) profile() account.Profile {
	return account.Profile{FullName: strings.TrimSpace(a.FirstName + " " + a.LastName), NIP: a.NIP, Jabatan: a.Jabatan,
		Instansi: a.Instansi, SatuanKerja: a.SatuanKerja, Phone: a.Phone, Address: a.Address}
}

// check gives the rules the applicant section breaks: the fields a request's profile
// needs are required; the e-mail is optional but must be an address when given.
func (a Applicant) check() errs.Fields {
	var fs errs.Fields
	for _, f := range []struct{ name, v string }{{"first_name", a.FirstName}, {"phone", a.Phone}, {"jabatan", a.Jabatan},
		{"instansi", a.Instansi}, {"satuan_kerja", a.SatuanKerja}, {"address", a.Address}} {
		if f.v == "" {
			fs.Add(f.name, "required")
		}
	}
	if a.Email != "" {
		m, err := mail.ParseAddress(a.Email)
		at := strings.LastIndexByte(a.Email, '@')
		if err != nil || m.Address != a.Email || at < 1 || !strings.Contains(a.Email[at:], ".") || len(a.Email) > 254 ||
			!Reachable(a.Email) {
			fs.Add("email", "email")
		}
	}
	if err := a.profile().Validate(); err != nil {
		e, _ := errs.As(err)
		for _, f := range e.Fields {
			if f.Name == "full_name" {
				f.Name = "first_name"
			}
			if !fs.Has(f.Name) {
				fs = append(fs, f)
			}
		}
	}
	return fs
}

// WalkInStore is a Store that also keeps the portal accounts, in the same database: a
// walk-in applicant's record and their request are written in one transaction.
type WalkInStore interface {
	Store
	UserByEmail(ctx context.Context, tenantID int64, email string) (account.User, error)
	UserByID(ctx context.Context, id int64) (account.User, error)
	CreateUser(ctx context.Context, u *account.User) error
	UpdateProfile(ctx context.Context, id int64, p account.Profile) error
}

// CheckWalkIn validates a front-desk request without writing anything: the applicant,
// the kind's form with the given documents (field name → present) and the database's
// rules (address free, no other live request of the person). It gives the request as it
// would be stored, so the form can be shown again with what was typed.
func (s *Service) CheckWalkIn(ctx context.Context, t account.Tenant, a Applicant, kind string, values map[string]string, have map[string]bool) (Request, Kind, error) {
	return s.checkEntered(ctx, t, ChannelLoket, a, kind, values, have)
}

// checkEntered is CheckWalkIn for a request entered through channel.
func (s *Service) checkEntered(ctx context.Context, t account.Tenant, channel string, a Applicant, kind string, values map[string]string, have map[string]bool) (Request, Kind, error) {
	_, k, err := s.Form(WalkInService, kind)
	if err != nil {
		return Request{}, k, err
	}
	now := s.now()
	r := Request{TenantID: t.ID, Service: WalkInService, Kind: kind, Status: Draft, Domain: t.MailDomain,
		Channel: channel, CreatedAt: now, UpdatedAt: now}
	return s.checkDesk(ctx, &r, k.ForChannel(channel), a, values, have)
}

// checkDesk puts the front desk's values on r (the applicant's shared ones copied into
// the kind's) and checks the applicant and the request together, so that one answer
// names every field to fix.
func (s *Service) checkDesk(ctx context.Context, r *Request, k Kind, a Applicant, values map[string]string, have map[string]bool) (Request, Kind, error) {
	a.normalize()
	if values == nil {
		values = map[string]string{}
	}
	for name, v := range a.shared() {
		if _, ok := k.Field(name); ok {
			values[name] = v
		}
	}
	k.Normalize(values)
	r.takeForm(values)
	r.PersonKey = k.PersonKey(r.Values)
	fs := a.check()
	err := s.checkValues(ctx, *r, k, have)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		for _, f := range e.Fields {
			if !fs.Has(f.Name) {
				fs = append(fs, f)
			}
		}
	} else if err != nil {
		return *r, k, err
	}
	return *r, k, fs.Err()
}

// WalkInCorrection is the note a front-desk request was returned with, while it waits for
// the front desk to enter its correction (CorrectWalkIn); Conflict for any other request.
func (s *Service) WalkInCorrection(ctx context.Context, r Request) (string, error) {
	steps, err := s.Store.StepsOf(ctx, r.ID)
	if err != nil {
		return "", fmt.Errorf("walk-in correction of %d: %w", r.ID, err)
	}
	st, ok := Running(steps)
	if !r.ByDesk() || r.Status != Returned || !ok || st.Kind != KindCorrection {
		return "", errs.New(errs.Conflict, "request.not_editable")
	}
	return st.Note, nil
}

// CorrectWalkIn enters the correction of a front-desk request that staff returned: the
// desk reached the applicant (u) and brings the corrected applicant data, values and
// documents. files replace the stored document of the same field; a field without a new
// file keeps its document. The applicant's e-mail stays as it is. Everything is checked
// first; then, in one transaction, the profile, the values and the documents are saved
// and the request goes back to the step that returned it, as a resubmission from the
// portal would (the desk is named as who corrected it). Replaced documents' files are
// removed once the change has committed.
func (s *Service) CorrectWalkIn(ctx context.Context, t account.Tenant, desk audit.Actor, u account.User, r Request, a Applicant, values map[string]string, files []File) (Request, error) {
	st, ok := s.Store.(WalkInStore)
	if !ok {
		return r, errors.New("walk-in correction: the request store keeps no accounts")
	}
	if !r.ByDesk() || r.Status != Returned || r.UserID != u.ID || r.TenantID != t.ID {
		return r, errs.New(errs.Conflict, "request.not_editable")
	}
	_, k, err := s.FormOf(r)
	if err != nil {
		return r, err
	}
	stored, err := s.Store.FilesOf(ctx, r.ID)
	if err != nil {
		return r, err
	}
	have := map[string]bool{}
	for _, f := range stored {
		have[f.Field] = true
	}
	for _, f := range files {
		have[f.Field] = true
	}
	a.Email = ""
	if Reachable(u.Email) {
		a.Email = u.Email
	}
	if r, _, err = s.checkDesk(ctx, &r, k, a, values, have); err != nil {
		return r, err
	}
	a.normalize()
	now := s.now()
	r.UpdatedAt = now
	var replaced []File
	err = st.Tx(ctx, func(ctx context.Context) error {
		u.Profile = a.profile()
		if err := st.UpdateProfile(ctx, u.ID, u.Profile); err != nil {
			return err
		}
		if err := st.SaveDraft(ctx, r); err != nil {
			return err
		}
		if replaced, err = s.putFiles(ctx, r, stored, files, now); err != nil {
			return err
		}
		r, err = s.submit(ctx, t, u, r, &desk)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("walk-in correction: %w", err)
	}
	s.removeFiles(ctx, replaced)
	return r, nil
}

// WalkIn enters a request the front desk received on paper, for an applicant who has no
// portal account or does not use it. Everything is checked before anything is written;
// then, in one transaction, the applicant's record is made (or the portal account with
// that e-mail is used, so the applicant sees the request there), the request is created
// with its documents and sent through Submit: numbering, the one-live-request rule,
// roster flags and the first staff step are those of the portal. files are documents
// already checked and stored (internal/upload), one per file field of the kind's form
// for the front desk (ForChannel).
func (s *Service) WalkIn(ctx context.Context, t account.Tenant, desk audit.Actor, a Applicant, kind string, values map[string]string, files []File) (Request, error) {
	return s.enter(ctx, t, ChannelLoket, desk, a, kind, values, files, nil)
}

// CollectiveRow enters one employee of an OPD's collective request as WalkIn enters a
// walk-in applicant's: the same checks, numbering, history and first step; its document
// is the collective's letter (ForChannel). also runs in the request's transaction with
// the request made (the collective's row records it there).
func (s *Service) CollectiveRow(ctx context.Context, t account.Tenant, desk audit.Actor, a Applicant, values map[string]string, also func(ctx context.Context, r Request) error) (Request, error) {
	return s.enter(ctx, t, ChannelCollective, desk, a, "pns", values, nil, also)
}

// enter is WalkIn through channel, with also run in its transaction.
func (s *Service) enter(ctx context.Context, t account.Tenant, channel string, desk audit.Actor, a Applicant, kind string, values map[string]string, files []File, also func(ctx context.Context, r Request) error) (Request, error) {
	st, ok := s.Store.(WalkInStore)
	if !ok {
		return Request{}, errors.New("walk-in: the request store keeps no accounts")
	}
	have := map[string]bool{}
	for _, f := range files {
		have[f.Field] = true
	}
	r, _, err := s.checkEntered(ctx, t, channel, a, kind, values, have)
	if err != nil {
		return r, err
	}
	a.normalize()
	now := s.now()
	err = st.Tx(ctx, func(ctx context.Context) error {
		u, err := s.walkInUser(ctx, st, t, a, now)
		if err != nil {
			return err
		}
		r.UserID = u.ID
		if err := st.CreateRequest(ctx, &r); err != nil {
			return err
		}
		if _, err := s.putFiles(ctx, r, nil, files, now); err != nil {
			return err
		}
		if r, err = s.submit(ctx, t, u, r, &desk); err != nil || also == nil {
			return err
		}
		return also(ctx, r)
	})
	if err != nil {
		return Request{}, fmt.Errorf("walk-in: %w", err)
	}
	return r, nil
}

// walkInUser finds the portal account with the applicant's e-mail, filling what its
// profile lacks, or makes a walk-in record that cannot log in. Without an e-mail the
// record gets a unique placeholder (placeholderEmail).
func (s *Service) walkInUser(ctx context.Context, st WalkInStore, t account.Tenant, a Applicant, now time.Time) (account.User, error) {
	if a.Email != "" {
		u, err := st.UserByEmail(ctx, t.ID, a.Email)
		if err == nil {
			p, changed := u.Profile, false
			fill := func(dst *string, v string) {
				if *dst == "" && v != "" {
					*dst, changed = v, true
				}
			}
			q := a.profile()
			fill(&p.FullName, q.FullName)
			fill(&p.NIP, q.NIP)
			fill(&p.Jabatan, q.Jabatan)
			fill(&p.Instansi, q.Instansi)
			fill(&p.SatuanKerja, q.SatuanKerja)
			fill(&p.Phone, q.Phone)
			fill(&p.Address, q.Address)
			if changed {
				if err := st.UpdateProfile(ctx, u.ID, p); err != nil {
					return u, err
				}
				u.Profile = p
			}
			return u, nil
		}
		if !errors.Is(err, errs.ErrNotFound) {
			return u, err
		}
	}
	b := make([]byte, 8)
	rand.Read(b)
	tag := "walkin-" + hex.EncodeToString(b)
	email := a.Email
	if email == "" {
		email = placeholderEmail(tag, t.Slug)
	}
	// "!" is no PHC string: no password matches it, and Login refuses the status anyway.
	u := account.User{TenantID: t.ID, Username: tag, Email: email, FirstName: a.FirstName, LastName: a.LastName, Phone: a.Phone,
		PasswordHash: "!", Status: account.StatusWalkIn, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
	if err := st.CreateUser(ctx, &u); err != nil {
		return u, err
	}
	u.Profile = a.profile()
	return u, st.UpdateProfile(ctx, u.ID, u.Profile)
}

// Reachable reports whether an applicant's e-mail address takes mail: a walk-in
// applicant who gave none has a placeholder (placeholderEmail), which no mail is sent to.
func Reachable(email string) bool {
	return email != "" && !strings.HasSuffix(email, placeholderDomain)
}

// placeholderDomain ends the placeholder address of a walk-in applicant without e-mail:
// .invalid is reserved by RFC 2606 and never resolves.
const placeholderDomain = ".invalid"

// placeholderEmail is the unique address a walk-in applicant's record gets when they
// gave none: the account table wants one, and no message may ever reach it.
func placeholderEmail(tag, tenantSlug string) string {
	if tenantSlug == "" {
		tenantSlug = "loket"
	}
	return tag + "@" + tenantSlug + placeholderDomain
}
