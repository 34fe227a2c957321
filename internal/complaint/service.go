package complaint

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Mailer queues a mail in the caller's transaction (notify.Outbox).
type Mailer interface {
	Send(ctx context.Context, m notify.Mail) error
}

// Service files and handles complaints.
type Service struct {
	Store Store
	Book  *sop.Book
	Mail  Mailer
	Audit audit.Writer
	// Settings are a tenant's own time standards by category and its SP4N-LAPOR! link
	// (the standard's settings); nil: the defaults and no link.
	Settings func(ctx context.Context, tenantID int64) (days map[string]int, laporURL string, err error)
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Limits of the form's texts.
const (
	maxSubject = 150
	minBody    = 20
	maxBody    = 4000
	maxName    = 100
)

// Filing is the complaint form as typed.
type Filing struct {
	// User is the signed-in applicant (nil for the public); RequestID one of their
	// requests the complaint is about (0 for none).
	User      *account.User
	RequestID int64
	Name      string
	Email     string
	Phone     string
	Category  string
	Subject   string
	Body      string
	Lang      string
	IP        string
}

// Options are what a tenant's complaint form offers.
type Options struct {
	Categories []Category
	LaporURL   string
}

// Options are tenant t's categories with their time standards, and its LAPOR! link.
func (s *Service) Options(ctx context.Context, tenantID int64) (Options, error) {
	own, lapor, err := s.settings(ctx, tenantID)
	if err != nil {
		return Options{}, err
	}
	o := Options{LaporURL: lapor}
	for _, c := range Categories {
		o.Categories = append(o.Categories, Category{Key: c.Key, Days: Days(own, c.Key)})
	}
	return o, nil
}

func (s *Service) settings(ctx context.Context, tenantID int64) (map[string]int, string, error) {
	if s.Settings == nil {
		return nil, "", nil
	}
	return s.Settings(ctx, tenantID)
}

// text is one form text made storable: words joined by one space, lines kept (for the
// body) without empty runs.
func text(s string, lines bool) string {
	s = input.Clean(s)
	if !lines {
		return strings.Join(strings.Fields(s), " ")
	}
	var out []string
	blank := false
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// Clean trims a filing's fields into their stored form: the contact from the account
// for a signed-in applicant, e-mail lower-cased, phone as 08….
func (f *Filing) Clean() {
	f.Name, f.Subject, f.Body = text(f.Name, false), text(f.Subject, false), text(f.Body, true)
	f.Email = account.NormalizeEmail(text(f.Email, false))
	f.Phone = text(f.Phone, false)
	if p, ok := account.NormalizePhone(f.Phone); ok {
		f.Phone = p
	}
	if f.User != nil {
		f.Name, f.Email, f.Phone = f.User.DisplayName(), f.User.Email, f.User.Phone
	}
}

// Check names every field that breaks a rule, as the form shows them.
func (f Filing) Check() error {
	var fs errs.Fields
	if f.User == nil {
		switch {
		case f.Name == "":
			fs.Add("nama", "required")
		case utf8.RuneCountInString(f.Name) > maxName:
			fs.Add("nama", "max_len", maxName)
		}
		if f.Email == "" && f.Phone == "" {
			fs.Add("email", "contact_one")
		}
		if f.Email != "" {
			account.CheckEmail(&fs, "email", f.Email)
		}
		if _, ok := account.NormalizePhone(f.Phone); f.Phone != "" && !ok {
			fs.Add("phone", "phone")
		}
	}
	if !ValidCategory(f.Category) {
		fs.Add("kategori", "choose")
	}
	switch {
	case f.Subject == "":
		fs.Add("judul", "required")
	case utf8.RuneCountInString(f.Subject) > maxSubject:
		fs.Add("judul", "max_len", maxSubject)
	}
	switch n := utf8.RuneCountInString(f.Body); {
	case n == 0:
		fs.Add("isi", "required")
	case n < minBody:
		fs.Add("isi", "min_len", minBody)
	case n > maxBody:
		fs.Add("isi", "max_len", maxBody)
	}
	return fs.Err()
}

// File records a complaint in tenant t: checked whole first (nothing is written for a
// wrong one), then numbered, given its due time on t's working calendar, audited and
// acknowledged by mail in one transaction.
func (s *Service) File(ctx context.Context, t account.Tenant, f Filing) (Complaint, error) {
	f.Clean()
	err := f.Check()
	var fs errs.Fields
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		fs = e.Fields
	} else if err != nil {
		return Complaint{}, err
	}
	c := Complaint{TenantID: t.ID, Name: f.Name, Email: f.Email, Phone: f.Phone, Lang: f.Lang, Category: f.Category, Subject: f.Subject, Body: f.Body,
		Role: RoleComplaints, Status: Open}
	if c.Lang != "en" {
		c.Lang = "id"
	}
	if f.User != nil {
		c.UserID = f.User.ID
		if f.RequestID != 0 {
			r, err := s.Store.Request(ctx, f.RequestID)
			if err != nil || r.UserID != f.User.ID || r.TenantID != t.ID || r.Number == "" {
				fs.Add("permohonan", "choose")
			} else {
				c.RequestID, c.RequestNumber = r.ID, r.Number
			}
		}
	}
	if err := fs.Err(); err != nil {
		return Complaint{}, err
	}
	_, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return Complaint{}, err
	}
	own, _, err := s.settings(ctx, t.ID)
	if err != nil {
		return Complaint{}, err
	}
	c.StandardDays = Days(own, c.Category)
	c.CreatedAt = s.now().Truncate(time.Microsecond)
	c.Due = cal.AddWorking(c.CreatedAt, sop.WorkingDays(c.StandardDays)).UTC()
	// The public has no account: the trail names them as they wrote their name.
	actor := audit.Actor{Ref: "public", Name: c.Name, Role: "publik"}
	if f.User != nil {
		actor = audit.User(f.User.ID, c.Name)
	}
	for try := 0; ; try++ {
		c.Number = newNumber()
		err = s.Store.Tx(ctx, func(ctx context.Context) error {
			if err := s.Store.CreateComplaint(ctx, &c); err != nil {
				return err
			}
			if err := s.record(ctx, actor.From(f.IP), c, "complaint.file", c.Category); err != nil {
				return err
			}
			return s.mail(ctx, t, c, "complaint_filed", "")
		})
		if !errors.Is(err, errs.ErrConflict) || try == 4 {
			return c, err
		}
	}
}

func (s *Service) record(ctx context.Context, a audit.Actor, c Complaint, action, detail string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, a.Entry(c.TenantID, action, audit.Object("complaint", c.ID), detail))
}

// mail tells the complainant, when they gave an e-mail, of a complaint's filing, an
// answer or its close.
func (s *Service) mail(ctx context.Context, t account.Tenant, c Complaint, tpl, answer string) error {
	if s.Mail == nil || c.Email == "" {
		return nil
	}
	url := strings.TrimRight(t.BaseURL, "/") + "/pengaduan/lacak?nomor=" + c.Number
	if c.UserID != 0 {
		url = strings.TrimRight(t.BaseURL, "/") + "/pengaduan/saya/" + strconv.FormatInt(c.ID, 10)
	}
	return s.Mail.Send(ctx, notify.Mail{TenantID: t.ID, To: c.Email, Lang: c.Lang, Template: tpl, Data: map[string]any{
		"Name": c.Name, "Number": c.Number, "Subject": c.Subject, "Office": t.Name, "Answer": answer, "Days": c.StandardDays, "URL": url}})
}

// Track is the complaint of number in tenant t whose e-mail or phone is contact, with
// the answers its complainant sees. Any other pair — an unknown number, another's
// contact, a malformed one — is the same not-found error.
func (s *Service) Track(ctx context.Context, t account.Tenant, number, contact string) (Complaint, []Entry, error) {
	notFound := errs.New(errs.NotFound, "complaint.track_unknown")
	n := NormalizeNumber(number)
	contact = strings.TrimSpace(contact)
	if n == "" || contact == "" {
		return Complaint{}, nil, notFound
	}
	c, err := s.Store.ComplaintByNumber(ctx, t.ID, n)
	if errors.Is(err, errs.ErrNotFound) {
		return Complaint{}, nil, notFound
	}
	if err != nil {
		return Complaint{}, nil, err
	}
	phone, isPhone := account.NormalizePhone(contact)
	switch {
	case c.Email != "" && account.NormalizeEmail(contact) == c.Email:
	case isPhone && c.Phone != "" && phone == c.Phone:
	default:
		return Complaint{}, nil, notFound
	}
	es, err := s.publicEntries(ctx, c.ID)
	return c, es, err
}

func (s *Service) publicEntries(ctx context.Context, id int64) ([]Entry, error) {
	all, err := s.Store.ComplaintEntries(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, e := range all {
		if e.Public() {
			out = append(out, e)
		}
	}
	return out, nil
}

// Mine are u's complaints in tenant t, newest first.
func (s *Service) Mine(ctx context.Context, t account.Tenant, u account.User) ([]Complaint, error) {
	return s.Store.ComplaintsOfUser(ctx, t.ID, u.ID)
}

// MineOne is u's complaint id with the answers they see; not found for another's.
func (s *Service) MineOne(ctx context.Context, t account.Tenant, u account.User, id int64) (Complaint, []Entry, error) {
	c, err := s.Store.Complaint(ctx, id)
	if err != nil || c.UserID != u.ID || c.TenantID != t.ID {
		return Complaint{}, nil, errs.New(errs.NotFound, "error.not_found")
	}
	es, err := s.publicEntries(ctx, c.ID)
	return c, es, err
}

// handles reports whether m handles c: a member of its tenant holding RoleComplaints, or
// the role it was forwarded to.
func handles(m staff.Member, c Complaint) bool {
	return m.TenantID == c.TenantID && (m.Has(RoleComplaints) || m.Has(c.Role))
}

// Item is a complaint in the staff's list with its SLA state now.
type Item struct {
	Complaint
	SLA SLA
}

// SLA is a complaint's state against its time standard.
type SLA string

// The SLA states: within it, due within a working day, past its due time (open), and
// for a closed one whether it closed in time.
const (
	SLAOk   SLA = "ok"
	SLASoon SLA = "soon"
	SLAOver SLA = "over"
	SLAIn   SLA = "in"
	SLALate SLA = "late"
)

// SLAOf is c's SLA state at now on cal.
func SLAOf(c Complaint, cal *sop.Calendar, now time.Time) SLA {
	switch {
	case c.Status == Closed && c.ClosedInTime:
		return SLAIn
	case c.Status == Closed:
		return SLALate
	case now.After(c.Due):
		return SLAOver
	case cal.AddWorking(now, sop.WorkingDays(1)).After(c.Due):
		return SLASoon
	}
	return SLAOk
}

// List is the complaints m handles, open ones only unless all, soonest due first.
func (s *Service) List(ctx context.Context, m staff.Member, t account.Tenant, all bool) ([]Item, error) {
	var roles []sop.Role
	if !m.Has(RoleComplaints) {
		roles = m.Roles
	}
	if m.TenantID != t.ID || len(m.Roles) == 0 {
		return nil, errs.New(errs.Forbidden, "staff.forbidden_role")
	}
	cs, err := s.Store.ComplaintsFor(ctx, t.ID, roles, all, 500)
	if err != nil {
		return nil, err
	}
	_, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Item, len(cs))
	for i, c := range cs {
		out[i] = Item{Complaint: c, SLA: SLAOf(c, cal, now)}
	}
	return out, nil
}

// Get is complaint id of tenant t with its whole history, for m who handles it.
func (s *Service) Get(ctx context.Context, m staff.Member, t account.Tenant, id int64) (Item, []Entry, error) {
	c, err := s.Store.Complaint(ctx, id)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && (m.TenantID != c.TenantID || c.TenantID != t.ID)) {
		return Item{}, nil, errs.New(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return Item{}, nil, err
	}
	if !handles(m, c) {
		return Item{}, nil, errs.New(errs.Forbidden, "complaint.forbidden")
	}
	es, err := s.Store.ComplaintEntries(ctx, c.ID)
	if err != nil {
		return Item{}, nil, err
	}
	it := Item{Complaint: c}
	_, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return Item{}, nil, err
	}
	it.SLA = SLAOf(c, cal, s.now())
	return it, es, nil
}

// Action is a staff member's action on a complaint.
type Action struct {
	Kind EntryKind
	Text string
	// To is the role a forward goes to.
	To sop.Role
	IP string
}

// Check names the fields an action lacks: its text (answer, note or final answer) and a
// forward's role.
func (a *Action) Check() error {
	a.Text = text(a.Text, true)
	var fs errs.Fields
	field := map[EntryKind]string{EntryAnswer: "tanggapan", EntryForward: "catatan", EntryClose: "jawaban_akhir"}[a.Kind]
	if field == "" {
		return errs.New(errs.Invalid, "error.bad_form")
	}
	switch n := utf8.RuneCountInString(a.Text); {
	case n == 0:
		fs.Add(field, "required")
	case n > maxBody:
		fs.Add(field, "max_len", maxBody)
	}
	if a.Kind == EntryForward && (!a.To.Valid() || a.To == sop.RolePemohon) {
		fs.Add("peran", "choose")
	}
	return fs.Err()
}

// Act does m's action on complaint id of tenant t: the answer, forward or close with its
// history entry, audit line and (for an answer or close) the complainant's mail, in one
// transaction. A complaint closed meanwhile is a conflict and nothing is written.
func (s *Service) Act(ctx context.Context, m staff.Member, t account.Tenant, id int64, a Action) (Complaint, error) {
	if err := a.Check(); err != nil {
		return Complaint{}, err
	}
	c, err := s.Store.Complaint(ctx, id)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && (c.TenantID != t.ID || m.TenantID != t.ID)) {
		return c, errs.New(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return c, err
	}
	if !handles(m, c) {
		return c, errs.New(errs.Forbidden, "complaint.forbidden")
	}
	if c.Status == Closed {
		return c, errs.New(errs.Conflict, "complaint.closed_already")
	}
	if a.Kind == EntryForward && a.To == c.Role {
		return c, errs.Fields{{Name: "peran", Rule: "forward_same"}}.Err()
	}
	_, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return c, err
	}
	now := s.now().Truncate(time.Microsecond)
	days := hundredths(cal.WorkingDaysBetween(c.CreatedAt, now))
	from := c.Role
	if m.Has(RoleComplaints) {
		from = RoleComplaints
	}
	e := Entry{ComplaintID: c.ID, Kind: a.Kind, Body: a.Text, FromRole: from, ActorID: m.UserID, ActorName: m.Name, At: now}
	err = s.Store.Tx(ctx, func(ctx context.Context) error {
		var err error
		switch a.Kind {
		case EntryAnswer:
			err = s.Store.AnswerComplaint(ctx, c.ID, now, days)
		case EntryForward:
			e.ToRole = a.To
			err = s.Store.ForwardComplaint(ctx, c.ID, a.To)
		case EntryClose:
			answer := days
			if !c.AnsweredAt.IsZero() {
				answer = c.AnswerDays
			}
			err = s.Store.CloseComplaint(ctx, c.ID, now, answer, days, !now.After(c.Due))
		}
		if errors.Is(err, errs.ErrConflict) {
			return errs.New(errs.Conflict, "complaint.closed_already")
		}
		if err != nil {
			return err
		}
		if err := s.Store.AddComplaintEntry(ctx, &e); err != nil {
			return err
		}
		detail := string(a.Kind)
		if a.Kind == EntryForward {
			detail = string(from) + " → " + string(a.To)
		}
		if err := s.record(ctx, m.Actor().From(a.IP), c, "complaint."+string(a.Kind), detail); err != nil {
			return err
		}
		if a.Kind != EntryForward && c.UserID != 0 {
			if err := s.Store.Notify(ctx, request.Notification{UserID: c.UserID, Key: "notif.complaint_" + string(a.Kind), Arg: c.Number, CreatedAt: now}); err != nil {
				return err
			}
		}
		switch a.Kind {
		case EntryAnswer:
			return s.mail(ctx, t, c, "complaint_answer", a.Text)
		case EntryClose:
			return s.mail(ctx, t, c, "complaint_closed", a.Text)
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	return s.Store.Complaint(ctx, c.ID)
}

// hundredths is a number of working days as stored: in hundredths, rounded.
func hundredths(d float64) int { return int(math.Round(d * 100)) }
