package registry

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/staff"
)

// Query selects a page of a tenant's registry. Pages are ranges of the address (or, in
// a search, of the matching word and the address), never offsets: the millionth row
// costs what the first does.
type Query struct {
	TenantID int64
	// Search finds mailboxes by the start of a word of their address, owner's name or
	// NIP ("santoso", "budi.s", "19850312"); every word of it must match.
	Search string
	Status Status // "" for all
	Kind   Kind   // "" for all
	Source Source // "" for all
	// Handover keeps the mailboxes waiting for a new responsible PNS ("perlu serah
	// terima") only.
	Handover bool
	// After is the cursor of the page before (Page.Next); "" for the first page.
	After string
	Limit int
}

// Page is one page of the registry.
type Page struct {
	Mailboxes []Mailbox
	// Next is the cursor of the following page, "" after the last.
	Next string
	// Counts are the tenant's mailboxes by status, whatever the query.
	Counts map[Status]int
	// Handover counts the tenant's mailboxes waiting for a handover, whatever the query.
	Handover int
}

// Total is the number of the tenant's mailboxes in every status.
func (p Page) Total() int {
	n := 0
	for _, c := range p.Counts {
		n += c
	}
	return n
}

// RequestRef is a request that acted on a mailbox, as its page lists them.
type RequestRef struct {
	ID          int64
	Number      string
	Service     string
	Status      string
	Channel     string
	SubmittedAt time.Time
	ClosedAt    time.Time
	// LetterRef is the number of the OPD's letter that started the request, if one did.
	LetterRef string
}

// Store keeps the registry. Methods called with the ctx given to Tx's fn run in it.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	// PutMailbox writes m by its address: a new row, or, when the tenant's registry has
	// the address already, its owner, request, kind and quota (a mailbox a sync found
	// before the create that made it committed). It fills m's ID and Version.
	PutMailbox(ctx context.Context, m *Mailbox) error
	Mailbox(ctx context.Context, id int64) (Mailbox, error)
	// MailboxAt finds a tenant's mailbox by its full address.
	MailboxAt(ctx context.Context, tenantID int64, address string) (Mailbox, error)
	// Mailboxes reads a page of q and the cursor of the next one.
	Mailboxes(ctx context.Context, q Query) ([]Mailbox, string, error)
	// MailboxCounts counts a tenant's mailboxes by status, without reading them.
	MailboxCounts(ctx context.Context, tenantID int64) (map[Status]int, error)
	// MailboxesOwnedBy lists the mailboxes of a portal account, by address.
	MailboxesOwnedBy(ctx context.Context, ownerID int64) ([]Mailbox, error)
	// UpdateMailbox writes m's state (status, quota, use, deactivation and purge times,
	// responsible person and handover flag) if the row is still at m.Version, and moves it to the next version; false, without
	// writing, if another change came first.
	UpdateMailbox(ctx context.Context, m *Mailbox) (bool, error)
	// RequestsOn lists the sent requests that name the mailbox's address, oldest first.
	RequestsOn(ctx context.Context, tenantID int64, address string) ([]RequestRef, error)
	// AuditTrail reads the entries of one object, oldest first.
	AuditTrail(ctx context.Context, object string) ([]audit.Entry, error)
}

// Service reads the registry for staff and owners and records what the mail server
// confirmed.
type Service struct {
	Store Store
	// Audit records each change, in its transaction; nil records nothing.
	Audit audit.Writer
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

// PageSize is how many mailboxes a page lists unless the query says.
const PageSize = 50

// maxPage bounds a page: a query asking for more gets this many.
const maxPage = 500

// List reads a page of staff member m's tenant's registry (q's tenant is m's, whatever
// the caller set).
func (s *Service) List(ctx context.Context, m staff.Member, q Query) (Page, error) {
	q.TenantID = m.TenantID
	q = q.clean()
	var p Page
	var err error
	if p.Mailboxes, p.Next, err = s.Store.Mailboxes(ctx, q); err != nil {
		return p, fmt.Errorf("registry list: %w", err)
	}
	if p.Counts, err = s.Store.MailboxCounts(ctx, m.TenantID); err != nil {
		return p, fmt.Errorf("registry list: %w", err)
	}
	if hs, ok := s.Store.(HandoverStore); ok {
		if p.Handover, err = hs.HandoverCount(ctx, m.TenantID); err != nil {
			return p, fmt.Errorf("registry list: %w", err)
		}
	}
	return p, nil
}

// clean bounds the page size and drops filters that name nothing.
func (q Query) clean() Query {
	if q.Limit <= 0 {
		q.Limit = PageSize
	}
	q.Limit = min(q.Limit, maxPage)
	if !q.Status.Valid() {
		q.Status = ""
	}
	if !q.Kind.Valid() {
		q.Kind = ""
	}
	if !q.Source.Valid() {
		q.Source = ""
	}
	q.Search = strings.TrimSpace(q.Search)
	if len(q.Search) > 200 {
		q.Search = q.Search[:200]
	}
	return q
}

// Detail is the page of one mailbox: the row, its owner's portal e-mail, the requests
// that acted on it and its audit trail.
type Detail struct {
	Mailbox Mailbox
	// OwnerEmail is the owner's portal e-mail, "" when unknown or a placeholder.
	OwnerEmail string
	Requests   []RequestRef
	Trail      []audit.Entry
}

// Users reads portal accounts, for the owner's e-mail.
type Users interface {
	UserByID(ctx context.Context, id int64) (account.User, error)
}

// Get reads one mailbox for staff member m; another tenant's does not exist for them.
func (s *Service) Get(ctx context.Context, m staff.Member, id int64) (Mailbox, error) {
	mb, err := s.Store.Mailbox(ctx, id)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && mb.TenantID != m.TenantID) {
		return Mailbox{}, errs.New(errs.NotFound, "error.not_found")
	}
	return mb, err
}

// Detail reads the page of mailbox id for staff member m, in one call.
func (s *Service) Detail(ctx context.Context, m staff.Member, id int64) (Detail, error) {
	mb, err := s.Get(ctx, m, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Mailbox: mb}
	if u, ok := s.Store.(Users); ok && mb.OwnerID != 0 {
		o, err := u.UserByID(ctx, mb.OwnerID)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return d, fmt.Errorf("registry detail %d: owner: %w", id, err)
		}
		if err == nil && !strings.HasSuffix(o.Email, ".invalid") {
			d.OwnerEmail = o.Email
		}
	}
	if d.Requests, err = s.Store.RequestsOn(ctx, mb.TenantID, mb.Address); err != nil {
		return d, fmt.Errorf("registry detail %d: requests: %w", id, err)
	}
	if d.Trail, err = s.Store.AuditTrail(ctx, Object(mb.ID)); err != nil {
		return d, fmt.Errorf("registry detail %d: trail: %w", id, err)
	}
	return d, nil
}

// Owned lists the mailboxes u owns in u's tenant, by address.
func (s *Service) Owned(ctx context.Context, u account.User) ([]Mailbox, error) {
	all, err := s.Store.MailboxesOwnedBy(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("mailboxes of %d: %w", u.ID, err)
	}
	out := all[:0]
	for _, m := range all {
		if m.TenantID == u.TenantID {
			out = append(out, m)
		}
	}
	return out, nil
}

// OwnedAt is the mailbox at address if u owns it; any other address, whether it exists
// or not, is not found, so that nothing about another person's mailbox is revealed.
func (s *Service) OwnedAt(ctx context.Context, u account.User, address string) (Mailbox, error) {
	m, err := s.Store.MailboxAt(ctx, u.TenantID, strings.ToLower(strings.TrimSpace(address)))
	if errors.Is(err, errs.ErrNotFound) || (err == nil && (m.OwnerID != u.ID || m.OwnerID == 0)) {
		return Mailbox{}, errs.New(errs.NotFound, "error.not_found")
	}
	return m, err
}

// At is a tenant's mailbox at address, for the back office; errs.ErrNotFound when the
// registry has none.
func (s *Service) At(ctx context.Context, tenantID int64, address string) (Mailbox, error) {
	return s.Store.MailboxAt(ctx, tenantID, strings.ToLower(address))
}

// Created records a mailbox the server has just confirmed it made for a request, in the
// caller's transaction, with its audit entry.
func (s *Service) Created(ctx context.Context, m Mailbox, by audit.Actor) (Mailbox, error) {
	m.Address = strings.ToLower(m.Address)
	if m.Kind == "" {
		m.Kind = Personal
	}
	if m.Status == "" {
		m.Status = Active
	}
	if m.Source == "" {
		m.Source = FromRequest
	}
	now := s.now()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	m.UpdatedAt = now
	if m.UsedBytes == 0 && m.UsageAt.IsZero() {
		m.UsedBytes = -1
	}
	if err := s.Store.PutMailbox(ctx, &m); err != nil {
		return m, fmt.Errorf("registry: record %s: %w", m.Address, err)
	}
	detail := m.Address
	if m.RequestID != 0 {
		detail += " (" + audit.Object("request", m.RequestID) + ")"
	}
	return m, s.record(ctx, by, m, "mailbox.registered", detail)
}

// Change is a state the mail server confirmed for a mailbox.
type Change struct {
	// Status is the new status; "" keeps the current one.
	Status Status
	// Quota is the new quota in bytes; nil keeps the current one.
	Quota *int64
	// Retention is how long a deactivated mailbox is kept before its purge step; used
	// when Status is Inactive.
	Retention time.Duration
	// Responsible is the new responsible PNS of an institutional mailbox (a handover);
	// nil keeps the current one. Setting one clears the handover flag.
	Responsible *Responsible
	// Action and Detail are the audit entry's ("mailbox.deactivate", the request's
	// number).
	Action string
	Detail string
}

// ErrChanged is what Apply answers when the mailbox changed between its read and its
// write: another change came first; the caller retries on what is there now.
var ErrChanged = errs.New(errs.Conflict, "registry.changed")

// Apply writes a change the mail server has confirmed to the mailbox at address of the
// tenant, in the caller's transaction, with its audit entry by by. A mailbox the
// registry does not hold is recorded first (one made before the registry existed).
// ErrChanged if the row moved on meanwhile.
func (s *Service) Apply(ctx context.Context, tenantID int64, address string, c Change, by audit.Actor) (Mailbox, error) {
	m, err := s.Store.MailboxAt(ctx, tenantID, strings.ToLower(address))
	if err != nil {
		return m, fmt.Errorf("registry: apply %s to %s: %w", c.Action, address, err)
	}
	now := s.now()
	if c.Status != "" && c.Status != m.Status {
		switch c.Status {
		case Inactive:
			m.DeactivatedAt, m.PurgeAfter = now, now.Add(c.Retention)
		case Active, Locked:
			m.DeactivatedAt, m.PurgeAfter = time.Time{}, time.Time{}
		}
		m.Status = c.Status
	}
	if c.Quota != nil {
		m.QuotaBytes = *c.Quota
	}
	if r := c.Responsible; r != nil {
		m.OwnerID, m.NIP, m.Name, m.OwnerMatch = r.OwnerID, r.NIP, r.Name, MatchNone
		m.Handover, m.HandoverAt = "", time.Time{}
	}
	m.UpdatedAt = now
	ok, err := s.Store.UpdateMailbox(ctx, &m)
	if err != nil {
		return m, fmt.Errorf("registry: apply %s to %s: %w", c.Action, address, err)
	}
	if !ok {
		return m, ErrChanged
	}
	return m, s.record(ctx, by, m, c.Action, c.Detail)
}

func (s *Service) record(ctx context.Context, by audit.Actor, m Mailbox, action, detail string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, by.Entry(m.TenantID, action, Object(m.ID), detail))
}

// csvHeader names the export's columns; the status and kind are their codes, sizes are
// bytes and times RFC 3339 in UTC, so a spreadsheet or a script reads them alike.
var csvHeader = []string{"alamat", "jenis", "status", "sumber", "nip", "nama", "instansi", "unit", "kuota_byte", "terpakai_byte",
	"dibuat", "perubahan_terakhir", "nomor_permohonan_pembuatan", "terakhir_sinkron", "hilang_di_server", "perlu_serah_terima"}

// exportBatch is how many rows the export reads at a time.
const exportBatch = 1000

// Export writes the rows of q (every page, not one) as CSV for staff member m's tenant.
// It reads page by page, so a million rows are never in memory at once.
func (s *Service) Export(ctx context.Context, m staff.Member, q Query, w io.Writer) error {
	q.TenantID = m.TenantID
	q = q.clean()
	q.Limit, q.After = exportBatch, ""
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for {
		rows, next, err := s.Store.Mailboxes(ctx, q)
		if err != nil {
			return fmt.Errorf("registry export: %w", err)
		}
		for _, r := range rows {
			if err := cw.Write(csvRow(r)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		q.After = next
	}
}

func csvRow(m Mailbox) []string {
	t := func(at time.Time) string {
		if at.IsZero() {
			return ""
		}
		return at.UTC().Format(time.RFC3339)
	}
	used := ""
	if m.UsedBytes >= 0 {
		used = strconv.FormatInt(m.UsedBytes, 10)
	}
	return []string{m.Address, string(m.Kind), string(m.Status), string(m.Source), m.NIP, safeCell(m.Name), safeCell(m.Instansi),
		safeCell(m.Unit), strconv.FormatInt(m.QuotaBytes, 10), used, t(m.CreatedAt), t(m.UpdatedAt), m.RequestNumber, t(m.SyncedAt), t(m.GoneAt),
		m.Handover}
}

// safeCell keeps a spreadsheet from reading a name as a formula (CSV injection): a cell
// starting with =, +, - or @ gets a leading apostrophe.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}
