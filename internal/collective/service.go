package collective

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
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/workflow"
)

// Workflow is the back office's action on several requests at once.
type Workflow interface {
	ActMany(ctx context.Context, m staff.Member, ids []int64, action workflow.Action, note, ip string) ([]workflow.Outcome, error)
}

// Accounts invites an employee to claim the mailbox made for them.
type Accounts interface {
	InviteToClaim(ctx context.Context, t account.Tenant, u account.User, in account.ClaimInvite) error
}

// Users reads portal accounts.
type Users interface {
	UserByID(ctx context.Context, id int64) (account.User, error)
}

// Service runs collective requests.
type Service struct {
	Store    Store
	Look     Lookup
	Users    Users
	Requests *request.Service
	Regions  *wilayah.Data
	Workflow Workflow
	Accounts Accounts
	// Audit records uploads, submissions and invitations, in their transactions; nil
	// records nothing.
	Audit audit.Writer
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

// Offered reports whether tenant t takes collective requests (its institutional setting).
func Offered(t account.Tenant) bool { return t.Institutional }

// Input is an upload: the OPD, its region, the head's letter and the list's bytes. On a
// re-upload (ID set) Letter may be nil to keep the one stored.
type Input struct {
	ID       int64
	Instansi string
	Province string
	Regency  string
	Letter   *request.File
	FileName string
	Data     []byte
}

// Upload checks a list and stores it with its report: a new collective, or (in.ID) the
// fixed list replacing the rows of one not yet submitted. A file that cannot be read as
// a list, and a form missing the OPD or its letter, store nothing: the error names the
// field and the rule. Rows of the list that are already submitted requests of this
// collective (the same NIP) are left as they are.
func (s *Service) Upload(ctx context.Context, t account.Tenant, m staff.Member, in Input) (Collective, error) {
	e, err := Desk(m)
	if err != nil {
		return Collective{}, err
	}
	return s.UploadAs(ctx, t, e, in)
}

// UploadAs is Upload by entrant e: an OPD's operator uploads for their OPD only (the
// form's instansi is theirs, whatever was sent).
func (s *Service) UploadAs(ctx context.Context, t account.Tenant, e Entrant, in Input) (Collective, error) {
	if !Offered(t) || e.TenantID != t.ID {
		return Collective{}, errs.New(errs.NotFound, "error.not_found")
	}
	if e.Instansi != "" {
		in.Instansi = e.Instansi
	}
	var c Collective
	var submitted []Line
	if in.ID != 0 {
		var err error
		if c, err = s.GetAs(ctx, t, e, in.ID); err != nil {
			return c, err
		}
		for _, l := range c.Rows {
			if l.Submitted() {
				submitted = append(submitted, l)
			}
		}
	}
	in.Instansi = strings.Join(strings.Fields(in.Instansi), " ")
	var fs errs.Fields
	switch {
	case in.Instansi == "":
		fs.Add("instansi", "required")
	case utf8.RuneCountInString(in.Instansi) > 150:
		fs.Add("instansi", "max_len", 150)
	}
	if a, ok := s.Regions.Get(in.Province); !ok || a.Level != wilayah.Province {
		fs.Add("province", "region_unknown")
	}
	if a, ok := s.Regions.Get(in.Regency); !ok || a.Level != wilayah.Regency {
		fs.Add("regency", "region_unknown")
	} else if a.Parent != in.Province {
		fs.Add("regency", "region_parent", "field.province")
	}
	if in.Letter == nil && in.ID == 0 {
		fs.Add(request.ScanField.Name, "file_required")
	}
	rows, err := Parse(in.Data)
	var fe *FileError
	if errors.As(err, &fe) {
		fs.Add("daftar", fe.Key, fe.Args...)
	} else if err != nil {
		return c, err
	}
	if err := fs.Err(); err != nil {
		return c, err
	}
	rows = withoutSubmitted(rows, submitted)
	checked, err := Check(ctx, s.Look, t, rows)
	if err != nil {
		return c, fmt.Errorf("collective check: %w", err)
	}
	now := s.now()
	c.TenantID, c.Instansi, c.Province, c.Regency, c.FileName, c.UpdatedAt = t.ID, in.Instansi, in.Province, in.Regency, in.FileName, now
	if in.Letter != nil {
		c.Letter = *in.Letter
	}
	lines := make([]Line, len(checked))
	for i, ch := range checked {
		lines[i] = Line{Checked: ch}
	}
	err = s.Store.Tx(ctx, func(ctx context.Context) error {
		action := "collective.upload"
		if c.ID == 0 {
			c.CreatedBy, c.CreatedByName, c.CreatedAt = e.UserID, e.Name, now
			if err := s.Store.CreateCollective(ctx, &c); err != nil {
				return err
			}
		} else {
			action = "collective.reupload"
			if err := s.Store.UpdateCollective(ctx, c); err != nil {
				return err
			}
		}
		if err := s.Store.ReplaceOpenRows(ctx, c.ID, lines); err != nil {
			return err
		}
		return s.record(ctx, e.Actor, t.ID, c.ID, action, fmt.Sprintf("%s: %d baris (%s)", c.Instansi, len(lines), in.FileName))
	})
	if err != nil {
		return c, fmt.Errorf("collective upload: %w", err)
	}
	return s.GetAs(ctx, t, e, c.ID)
}

// withoutSubmitted drops the rows whose NIP is a submitted row's.
func withoutSubmitted(rows []Row, submitted []Line) []Row {
	if len(submitted) == 0 {
		return rows
	}
	done := map[string]bool{}
	for _, l := range submitted {
		done[l.NIP] = true
	}
	out := rows[:0]
	for _, r := range rows {
		if !done[strings.Join(strings.Fields(r.NIP), "")] {
			out = append(out, r)
		}
	}
	return out
}

func (s *Service) record(ctx context.Context, by audit.Actor, tenantID, id int64, action, detail string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, by.Entry(tenantID, action, Object(id), detail))
}

// Object is the audit trail's name of a collective: "collective:<id>".
func Object(id int64) string { return audit.Object("collective", id) }

// Get reads a collective with its rows for a staff member of its tenant; another
// tenant's does not exist for them.
func (s *Service) Get(ctx context.Context, t account.Tenant, m staff.Member, id int64) (Collective, error) {
	return s.GetAs(ctx, t, Entrant{TenantID: m.TenantID}, id)
}

// GetAs reads a collective with its rows for e: another tenant's, or for an operator
// another OPD's, does not exist for them.
func (s *Service) GetAs(ctx context.Context, t account.Tenant, e Entrant, id int64) (Collective, error) {
	c, err := s.Store.Collective(ctx, id)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && (!e.mayOpen(c) || c.TenantID != t.ID)) {
		return Collective{}, errs.New(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return c, err
	}
	if c.Rows, err = s.Store.CollectiveRows(ctx, id); err != nil {
		return c, fmt.Errorf("collective %d rows: %w", id, err)
	}
	return c, nil
}

// List gives the tenant's collectives, newest first.
func (s *Service) List(ctx context.Context, t account.Tenant, m staff.Member) ([]Collective, error) {
	return s.ListAs(ctx, t, Entrant{TenantID: m.TenantID})
}

// ListAs gives the collectives e may open, newest first.
func (s *Service) ListAs(ctx context.Context, t account.Tenant, e Entrant) ([]Collective, error) {
	if e.TenantID != t.ID {
		return nil, errs.New(errs.NotFound, "error.not_found")
	}
	all, err := s.Store.Collectives(ctx, t.ID, 200)
	if err != nil || e.Instansi == "" {
		return all, err
	}
	var out []Collective
	for _, c := range all {
		if e.mayOpen(c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Result is what a submission or an action on rows did.
type Result struct {
	Done   int
	Failed int
}

// Submit sends the valid rows not yet submitted, each as a personal request of its own
// (request.Service.CollectiveRow: its number, history, SLA, roster flags and first staff
// step), the row recording its request in the same transaction. Rows are checked again
// first (an address may have been given meanwhile); a row that fails keeps its new
// problems and the others go on. Rows with problems wait for a fixed upload.
func (s *Service) Submit(ctx context.Context, t account.Tenant, m staff.Member, id int64) (Result, error) {
	e, err := Desk(m)
	if err != nil {
		return Result{}, err
	}
	return s.SubmitAs(ctx, t, e, id)
}

// SubmitAs is Submit by entrant e (the front desk, or the OPD's operator for their OPD's
// list): the rows' first step names e.
func (s *Service) SubmitAs(ctx context.Context, t account.Tenant, e Entrant, id int64) (Result, error) {
	var res Result
	c, err := s.GetAs(ctx, t, e, id)
	if err != nil {
		return res, err
	}
	var open []Line
	var rows []Row
	for _, l := range c.Rows {
		if !l.Submitted() && l.Valid() {
			open = append(open, l)
			rows = append(rows, l.Row)
		}
	}
	if len(open) == 0 {
		return res, errs.New(errs.Conflict, "collective.nothing_valid")
	}
	checked, err := Check(ctx, s.Look, t, rows)
	if err != nil {
		return res, err
	}
	desk := e.Actor
	for i, l := range open {
		proposed := l.Proposed
		l.Checked = checked[i]
		l.Proposed = proposed
		if !l.Valid() {
			if err := s.Store.SetRowProblems(ctx, l); err != nil {
				return res, err
			}
			res.Failed++
			continue
		}
		_, err := s.Requests.CollectiveRow(ctx, t, desk, applicant(c, l.Row), values(c, l.Row), func(ctx context.Context, r request.Request) error {
			ok, err := s.Store.SetRowRequest(ctx, l.ID, r.ID)
			if err == nil && !ok {
				err = errs.New(errs.Conflict, "collective.row_submitted")
			}
			if err != nil {
				return err
			}
			return s.record(ctx, desk, t.ID, c.ID, "collective.submit_row", fmt.Sprintf("baris %d: %s %s", l.Line, r.Number, r.MailboxAddress()))
		})
		if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
			l.Problems = problemsOf(e)
			if err := s.Store.SetRowProblems(ctx, l); err != nil {
				return res, err
			}
			res.Failed++
			continue
		} else if err != nil {
			return res, fmt.Errorf("collective %d line %d: %w", c.ID, l.Line, err)
		}
		res.Done++
	}
	return res, nil
}

// columnOf maps a request form's field to the list's column.
var columnOf = map[string]string{"nip": ColNIP, "first_name": ColNama, "last_name": ColNama, "jabatan": ColJabatan, "satuan_kerja": ColUnit,
	"phone": ColPhone, "email": ColEmail, request.FieldMailbox: ColMailbox}

// problemsOf turns the request form's field errors into a row's problems.
func problemsOf(e *errs.Error) []Problem {
	var out []Problem
	for _, f := range e.Fields {
		col := columnOf[f.Name]
		if col == "" {
			col = f.Name
		}
		out = append(out, Problem{Column: col, Rule: f.Rule, Args: f.Args})
	}
	return out
}

// applicant is a row's employee as the request's applicant: the front desk's record of
// them, reached at their personal e-mail when given.
func applicant(c Collective, r Row) request.Applicant {
	first, last := splitName(r.Nama)
	return request.Applicant{FirstName: first, LastName: last, Email: r.Email, Phone: r.Phone, NIP: r.NIP, Jabatan: r.Jabatan,
		Instansi: c.Instansi, SatuanKerja: r.Unit, Address: c.Instansi}
}

// values are a row's request form values: the OPD and its region from the collective.
func values(c Collective, r Row) map[string]string {
	return map[string]string{"nip": r.NIP, "instansi": c.Instansi, "province": c.Province, "regency": c.Regency,
		"satuan_kerja": r.Unit, "phone": r.Phone, request.FieldMailbox: r.Mailbox}
}

// splitName puts the last word of a full name (degrees after a comma left with it) as
// the last name: the record's first and last name, the profile keeps the whole.
func splitName(full string) (string, string) {
	name, _, _ := strings.Cut(full, ",")
	w := strings.Fields(name)
	if len(w) < 2 {
		return strings.TrimSpace(full), ""
	}
	return strings.Join(w[:len(w)-1], " "), w[len(w)-1]
}

// Act takes an action on rows of a collective (their requests): Approve on every
// submitted row the member can move (rowIDs nil) or on the selected ones, Return or
// Refuse with a reason on the selected ones. Each request keeps its own history and SLA
// (workflow.Engine.ActMany).
func (s *Service) Act(ctx context.Context, t account.Tenant, m staff.Member, id int64, action workflow.Action, rowIDs []int64, note, ip string) (Result, error) {
	var res Result
	c, err := s.Get(ctx, t, m, id)
	if err != nil {
		return res, err
	}
	if action != workflow.Approve && len(rowIDs) == 0 {
		var fs errs.Fields
		fs.Add("baris", "choose_rows")
		return res, fs.Err()
	}
	chosen := map[int64]bool{}
	for _, r := range rowIDs {
		chosen[r] = true
	}
	var ids []int64
	for _, l := range c.Rows {
		if !l.Submitted() || (len(rowIDs) > 0 && !chosen[l.ID]) {
			continue
		}
		if len(rowIDs) == 0 && (l.Role == "" || !m.Has(sop.Role(l.Role)) || (l.StepState != request.StepOpen && l.StepState != request.StepFailed)) {
			continue
		}
		ids = append(ids, l.RequestID)
	}
	if len(ids) == 0 {
		return res, errs.New(errs.Conflict, "collective.nothing_to_act")
	}
	out, err := s.Workflow.ActMany(ctx, m, ids, action, note, ip)
	if err != nil {
		return res, err
	}
	for _, o := range out {
		if o.Err == nil {
			res.Done++
		} else {
			res.Failed++
		}
	}
	return res, nil
}

// Invite sends the claim invitation to every employee of the collective whose mailbox
// is made and who gave a personal e-mail, once each: a link to set their portal password
// (or to sign in) and open their request, where the password is revealed once, to them.
// The others get their sealed letter at the front desk.
func (s *Service) Invite(ctx context.Context, t account.Tenant, m staff.Member, id int64) (Result, error) {
	var res Result
	if _, err := Desk(m); err != nil {
		return res, err
	}
	c, err := s.Get(ctx, t, m, id)
	if err != nil {
		return res, err
	}
	now := s.now()
	for _, l := range c.Rows {
		if !l.Submitted() || l.Status != request.Done || l.Email == "" || !l.InvitedAt.IsZero() {
			continue
		}
		r, err := s.Requests.Store.Request(ctx, l.RequestID)
		if err != nil {
			return res, err
		}
		u, err := s.Users.UserByID(ctx, r.UserID)
		if err != nil {
			return res, err
		}
		if !request.Reachable(u.Email) {
			continue
		}
		err = s.Store.Tx(ctx, func(ctx context.Context) error {
			ok, err := s.Store.MarkInvited(ctx, l.ID, now)
			if err != nil || !ok {
				return err
			}
			if err := s.Accounts.InviteToClaim(ctx, t, u, account.ClaimInvite{Address: r.MailboxAddress(), Number: r.Number, Instansi: c.Instansi}); err != nil {
				return err
			}
			res.Done++
			return s.record(ctx, m.Actor(), t.ID, c.ID, "collective.invite", "baris "+strconv.Itoa(l.Line)+": "+r.MailboxAddress())
		})
		if err != nil {
			return res, fmt.Errorf("collective invite: %w", err)
		}
	}
	return res, nil
}
