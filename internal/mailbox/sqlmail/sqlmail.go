// Package sqlmail is the default mailbox driver: mailboxes live in surel's own database,
// in the tables of migration 00006 (mail_domains, mailboxes, mail_aliases, mail_quota),
// which Dovecot's SQL passdb/userdb and Postfix's virtual maps read directly
// (docs/mail-server.md). Creating a row is creating the mailbox: Dovecot makes the
// maildir at the first delivery or login.
//
// The driver writes through its own connections, not the caller's transaction, like
// every driver of a remote server: call it outside store.Tx, or SQLite's single writer
// lock makes it wait for the transaction that is waiting for it.
package sqlmail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// Scheme is the password scheme written for Dovecot, as its {SCHEME} prefix names it.
type Scheme string

// The schemes Debian's Dovecot 2.3 verifies: ARGON2ID through libsodium, BLF-CRYPT
// (bcrypt) through libxcrypt.
const (
	Argon2ID Scheme = "ARGON2ID"
	BlfCrypt Scheme = "BLF-CRYPT"
)

// Options tune the driver; the zero value is ARGON2ID with passwd.Default.
type Options struct {
	Scheme Scheme
	// Hasher makes ARGON2ID hashes; nil uses passwd.Default. Dovecot verifies with
	// libsodium, which needs one lane (Threads 1).
	Hasher *passwd.Hasher
	// BcryptCost is the BLF-CRYPT cost; 0 is 10.
	BcryptCost int
	// DefaultQuota is given to a mailbox created with QuotaBytes 0; 0 leaves the quota
	// to Dovecot's own default (quota_rule in its configuration).
	DefaultQuota int64
	// Now is the clock, for tests; nil is time.Now.
	Now func() time.Time
	// PageSize is the number of mailboxes in a page of List; 0 is 1000.
	PageSize int
}

// Server is a mail server whose accounts are rows in surel's database.
type Server struct {
	db  *sql.DB
	pg  bool
	opt Options
}

var _ mailbox.Server = (*Server)(nil)

// New returns the driver over db, whose schema store.Migrate has brought up to date.
func New(db *sql.DB, dialect store.Dialect, opt Options) (*Server, error) {
	switch opt.Scheme {
	case "":
		opt.Scheme = Argon2ID
	case Argon2ID, BlfCrypt:
	default:
		return nil, fmt.Errorf("sqlmail: unknown password scheme %q (want ARGON2ID or BLF-CRYPT)", opt.Scheme)
	}
	if opt.Hasher == nil {
		opt.Hasher = passwd.New(passwd.Default)
	}
	if opt.Hasher.Params().Threads != 1 {
		return nil, errors.New("sqlmail: Dovecot's ARGON2ID (libsodium) verifies only one lane: want Threads 1")
	}
	if opt.BcryptCost == 0 {
		opt.BcryptCost = bcrypt.DefaultCost
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.PageSize <= 0 {
		opt.PageSize = 1000
	}
	if dialect != store.SQLite && dialect != store.Postgres {
		return nil, fmt.Errorf("sqlmail: unknown dialect %q", dialect)
	}
	return &Server{db: db, pg: dialect == store.Postgres, opt: opt}, nil
}

// AddDomain makes the server serve domain (idempotent); Create refuses addresses of
// other domains with mailbox.ErrNoSuchDomain.
func (s *Server) AddDomain(ctx context.Context, domain string) error {
	if _, _, err := mailbox.Split("postmaster@" + domain); err != nil {
		return fmt.Errorf("sqlmail: add domain: %w", err)
	}
	_, err := s.exec(ctx, `INSERT INTO mail_domains (domain, active, created_at) VALUES (?, TRUE, ?)
		ON CONFLICT (domain) DO NOTHING`, domain, s.now())
	if err != nil {
		return fmt.Errorf("sqlmail: add domain: %w", err)
	}
	return nil
}

// SetAlias makes mail to address go to destination (comma-separated addresses), for
// Postfix's virtual_alias_maps; an existing alias is replaced.
func (s *Server) SetAlias(ctx context.Context, address, destination string) error {
	_, domain, err := mailbox.Split(address)
	if err != nil {
		return fmt.Errorf("sqlmail: set alias: %w", err)
	}
	res, err := s.exec(ctx, `INSERT INTO mail_aliases (address, domain, destination, active, created_at)
		SELECT ?, ?, ?, TRUE, ? WHERE EXISTS (SELECT 1 FROM mail_domains WHERE domain = ?)
		ON CONFLICT (address) DO UPDATE SET destination = excluded.destination, active = TRUE`,
		address, domain, destination, s.now(), domain)
	if err != nil {
		return fmt.Errorf("sqlmail: set alias: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlmail: set alias %s: %w", address, mailbox.ErrNoSuchDomain)
	}
	return nil
}

// Create inserts the mailbox. When the address exists for the same owner, nothing new is
// made but the password becomes m.Password, so a create repeated after a crash (with a
// freshly generated password) still hands over credentials that work.
func (s *Server) Create(ctx context.Context, m mailbox.New) error {
	local, domain, err := mailbox.Split(m.Address)
	if err != nil {
		return fmt.Errorf("sqlmail: create: %w", err)
	}
	if m.Owner == "" {
		return errors.New("sqlmail: create: an owner is required")
	}
	if m.QuotaBytes < 0 {
		return fmt.Errorf("sqlmail: create %s: negative quota", m.Address)
	}
	hash, err := s.hash(ctx, m.Password)
	if err != nil {
		return fmt.Errorf("sqlmail: create %s: %w", m.Address, err)
	}
	quota := m.QuotaBytes
	if quota == 0 {
		quota = s.opt.DefaultQuota
	}
	now := s.now()
	// One statement decides between concurrent creates: the primary key lets exactly one
	// insert through, and the domain check rides along.
	res, err := s.exec(ctx, `INSERT INTO mailboxes
		(address, local_part, domain, name, password, quota_bytes, active, must_change, owner, created_at, updated_at)
		SELECT ?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?, ?
		WHERE EXISTS (SELECT 1 FROM mail_domains WHERE domain = ? AND active)
		ON CONFLICT (address) DO NOTHING`,
		m.Address, local, domain, m.Name, hash, quota, m.MustChange, m.Owner, now, now, domain)
	if err != nil {
		return fmt.Errorf("sqlmail: create %s: %w", m.Address, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var owner string
	err = s.db.QueryRowContext(ctx, s.rebind(`SELECT owner FROM mailboxes WHERE address = ?`), m.Address).Scan(&owner)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlmail: create %s: %w", m.Address, mailbox.ErrNoSuchDomain)
	case err != nil:
		return fmt.Errorf("sqlmail: create %s: %w", m.Address, err)
	case owner != m.Owner:
		return fmt.Errorf("sqlmail: create %s: %w", m.Address, mailbox.ErrTaken)
	}
	_, err = s.exec(ctx, `UPDATE mailboxes SET password = ?, must_change = ?, updated_at = ? WHERE address = ? AND owner = ?`,
		hash, m.MustChange, now, m.Address, m.Owner)
	if err != nil {
		return fmt.Errorf("sqlmail: create %s again: %w", m.Address, err)
	}
	return nil
}

// SetPassword replaces the password and clears the must-change mark.
func (s *Server) SetPassword(ctx context.Context, address, password string) error {
	hash, err := s.hash(ctx, password)
	if err != nil {
		return fmt.Errorf("sqlmail: set password %s: %w", address, err)
	}
	return s.update(ctx, "set password", address,
		`UPDATE mailboxes SET password = ?, must_change = FALSE, updated_at = ? WHERE address = ?`, hash, s.now(), address)
}

// RequireChange sets the must-change mark (mailbox.MustChanger): surel's mailbox
// self-service reads it (Dovecot does not enforce it, docs/mail-server.md).
func (s *Server) RequireChange(ctx context.Context, address string) error {
	return s.update(ctx, "require change", address,
		`UPDATE mailboxes SET must_change = TRUE, updated_at = ? WHERE address = ?`, s.now(), address)
}

// SetLocked clears or sets the active flag, which every query of Dovecot and Postfix
// tests: a locked mailbox can neither log in nor receive mail (Postfix refuses it at
// RCPT). Nothing is deleted. Unlocking also ends a deactivation; locking a deactivated
// mailbox leaves it deactivated.
func (s *Server) SetLocked(ctx context.Context, address string, locked bool) error {
	if locked {
		return s.update(ctx, "set locked", address,
			`UPDATE mailboxes SET active = FALSE, updated_at = ? WHERE address = ?`, s.now(), address)
	}
	return s.update(ctx, "set unlocked", address,
		`UPDATE mailboxes SET active = TRUE, deactivated_at = NULL, updated_at = ? WHERE address = ?`, s.now(), address)
}

// Deactivate clears the active flag as a lock does (no login, no delivery) and records
// the deactivation, so Get and List tell it from a lock.
func (s *Server) Deactivate(ctx context.Context, address string) error {
	now := s.now()
	return s.update(ctx, "deactivate", address,
		`UPDATE mailboxes SET active = FALSE, deactivated_at = COALESCE(deactivated_at, ?), updated_at = ? WHERE address = ?`, now, now, address)
}

// Purge deletes a deactivated mailbox's row (mailbox.Purger): Dovecot and Postfix no
// longer know the address. Its mail on Dovecot's disk (mail_location) is the operator's
// to remove, as docs/mail-server.md says. A mailbox that is not deactivated is refused.
func (s *Server) Purge(ctx context.Context, address string) error {
	res, err := s.exec(ctx, `DELETE FROM mailboxes WHERE address = ? AND deactivated_at IS NOT NULL AND NOT active`, address)
	if err != nil {
		return fmt.Errorf("sqlmail: purge %s: %w", address, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var active bool
	err = s.db.QueryRowContext(ctx, s.rebind(`SELECT active FROM mailboxes WHERE address = ?`), address).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlmail: purge %s: %w", address, mailbox.ErrNoSuchMailbox)
	}
	if err != nil {
		return fmt.Errorf("sqlmail: purge %s: %w", address, err)
	}
	return fmt.Errorf("sqlmail: purge %s: %w: the mailbox is not deactivated", address, mailbox.ErrNotAllowed)
}

// SetQuota changes the quota Dovecot's userdb hands to the quota plugin.
func (s *Server) SetQuota(ctx context.Context, address string, quotaBytes int64) error {
	if quotaBytes < 0 {
		return fmt.Errorf("sqlmail: set quota %s: negative quota", address)
	}
	return s.update(ctx, "set quota", address,
		`UPDATE mailboxes SET quota_bytes = ?, updated_at = ? WHERE address = ?`, quotaBytes, s.now(), address)
}

func (s *Server) update(ctx context.Context, op, address, query string, args ...any) error {
	res, err := s.exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("sqlmail: %s %s: %w", op, address, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlmail: %s %s: %w", op, address, err)
	} else if n == 0 {
		return fmt.Errorf("sqlmail: %s %s: %w", op, address, mailbox.ErrNoSuchMailbox)
	}
	return nil
}

// Usage reads the quota and the space Dovecot's quota plugin has recorded (zero until
// the first delivery, or when the quota dict is not configured).
func (s *Server) Usage(ctx context.Context, address string) (mailbox.Usage, error) {
	var u mailbox.Usage
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT m.quota_bytes, COALESCE(q.bytes, 0)
		FROM mailboxes m LEFT JOIN mail_quota q ON q.username = m.address WHERE m.address = ?`), address).
		Scan(&u.QuotaBytes, &u.UsedBytes)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("sqlmail: usage %s: %w", address, mailbox.ErrNoSuchMailbox)
	}
	if err != nil {
		return u, fmt.Errorf("sqlmail: usage %s: %w", address, err)
	}
	return u, nil
}

// Get reads one mailbox.
func (s *Server) Get(ctx context.Context, address string) (mailbox.Info, error) {
	var (
		in          mailbox.Info
		active      bool
		deactivated sql.NullTime
	)
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT address, owner, active, deactivated_at, quota_bytes, created_at
		FROM mailboxes WHERE address = ?`), address).Scan(&in.Address, &in.Owner, &active, &deactivated, &in.QuotaBytes, &in.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("sqlmail: get %s: %w", address, mailbox.ErrNoSuchMailbox)
	}
	if err != nil {
		return in, fmt.Errorf("sqlmail: get %s: %w", address, err)
	}
	in.Status = status(active, deactivated.Valid)
	in.CreatedAt = in.CreatedAt.UTC()
	return in, nil
}

func status(active, deactivated bool) mailbox.Status {
	switch {
	case active:
		return mailbox.StatusActive
	case deactivated:
		return mailbox.StatusDeactivated
	}
	return mailbox.StatusLocked
}

// Capacity counts the domain's mailboxes, locked and deactivated ones included (they
// keep their space). A quota of 0 is Dovecot's own default (quota_rule), which surel
// cannot read: such mailboxes count as without quota, at the space they use.
func (s *Server) Capacity(ctx context.Context, domain string) (mailbox.Capacity, error) {
	c := mailbox.Capacity{NewQuotaBytes: s.opt.DefaultQuota}
	if c.NewQuotaBytes == 0 {
		c.NewQuotaBytes = -1
	}
	var known int
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT
		(SELECT COUNT(*) FROM mail_domains WHERE domain = ?),
		COUNT(m.address), COALESCE(SUM(m.quota_bytes), 0), COALESCE(SUM(q.bytes), 0),
		COALESCE(SUM(CASE WHEN m.quota_bytes = 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.quota_bytes = 0 THEN q.bytes ELSE 0 END), 0)
		FROM mailboxes m LEFT JOIN mail_quota q ON q.username = m.address WHERE m.domain = ?`), domain, domain).
		Scan(&known, &c.Accounts, &c.QuotaAllocated, &c.UsedBytes, &c.Unlimited, &c.UnlimitedUsedBytes)
	if err != nil {
		return c, fmt.Errorf("sqlmail: capacity %s: %w", domain, err)
	}
	if known == 0 {
		return c, fmt.Errorf("sqlmail: capacity %s: %w", domain, mailbox.ErrNoSuchDomain)
	}
	return c, nil
}

// List reads the domain's mailboxes in address order, PageSize at a time; the cursor is
// the last address of the page before, so a page starts where the last one ended
// whatever was added or removed meanwhile. The owner attribute is not kept here
// (Account.OwnerID is empty): the owner mark is the request that made the mailbox.
func (s *Server) List(ctx context.Context, domain, cursor string) (mailbox.Page, error) {
	var p mailbox.Page
	var known int
	if err := s.db.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM mail_domains WHERE domain = ?`), domain).Scan(&known); err != nil {
		return p, fmt.Errorf("sqlmail: list %s: %w", domain, err)
	}
	if known == 0 {
		return p, fmt.Errorf("sqlmail: list %s: %w", domain, mailbox.ErrNoSuchDomain)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`SELECT m.address, m.name, m.owner, m.active, m.deactivated_at,
		m.quota_bytes, COALESCE(q.bytes, 0), m.created_at
		FROM mailboxes m LEFT JOIN mail_quota q ON q.username = m.address
		WHERE m.domain = ? AND m.address > ? ORDER BY m.address LIMIT ?`), domain, cursor, s.opt.PageSize)
	if err != nil {
		return p, fmt.Errorf("sqlmail: list %s: %w", domain, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			a           mailbox.Account
			active      bool
			deactivated sql.NullTime
		)
		if err := rows.Scan(&a.Address, &a.Name, &a.Owner, &active, &deactivated, &a.QuotaBytes, &a.UsedBytes, &a.CreatedAt); err != nil {
			return p, fmt.Errorf("sqlmail: list %s: %w", domain, err)
		}
		a.Status, a.CreatedAt = status(active, deactivated.Valid), a.CreatedAt.UTC()
		p.Accounts = append(p.Accounts, a)
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("sqlmail: list %s: %w", domain, err)
	}
	if len(p.Accounts) == s.opt.PageSize {
		p.Next = p.Accounts[len(p.Accounts)-1].Address
	}
	return p, nil
}

// CheckAccess checks that the mail tables are reachable and the domain is served; the
// driver writes surel's own database, so there is no right to lack.
func (s *Server) CheckAccess(ctx context.Context, domain string) error {
	var active bool
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT active FROM mail_domains WHERE domain = ?`), domain).Scan(&active)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlmail: %s: %w", domain, mailbox.ErrNoSuchDomain)
	case err != nil:
		return fmt.Errorf("sqlmail: check %s: %w", domain, err)
	case !active:
		return fmt.Errorf("sqlmail: %s is inactive in mail_domains: Dovecot and Postfix refuse all of its mailboxes", domain)
	}
	return nil
}

// hash gives the stored form of password: scheme prefix and hash, as Dovecot reads it.
func (s *Server) hash(ctx context.Context, password string) (string, error) {
	if password == "" {
		return "", errors.New("empty password")
	}
	if s.opt.Scheme == BlfCrypt {
		h, err := bcrypt.GenerateFromPassword([]byte(password), s.opt.BcryptCost)
		if err != nil {
			return "", err
		}
		return "{BLF-CRYPT}" + string(h), nil
	}
	h, err := s.opt.Hasher.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	return "{ARGON2ID}" + h, nil
}

func (s *Server) now() time.Time { return s.opt.Now().UTC() }

func (s *Server) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.rebind(query), args...)
}

// rebind turns "?" into PostgreSQL's "$n"; the queries carry no literal "?".
func (s *Server) rebind(q string) string {
	if !s.pg {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
