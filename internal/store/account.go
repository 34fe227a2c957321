package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
)

var _ account.Store = (*Store)(nil)

const userColumns = `id, tenant_id, username, email, first_name, last_name, phone, password_hash, status, lang,
	full_name, nip, jabatan, instansi, satuan_kerja, address, created_at, activated_at, password_changed_at`

func scanUser(row interface{ Scan(...any) error }) (account.User, error) {
	var u account.User
	var activated sql.NullTime
	err := row.Scan(&u.ID, &u.TenantID, &u.Username, &u.Email, &u.FirstName, &u.LastName, &u.Phone, &u.PasswordHash,
		&u.Status, &u.Lang, &u.Profile.FullName, &u.Profile.NIP, &u.Profile.Jabatan, &u.Profile.Instansi,
		&u.Profile.SatuanKerja, &u.Profile.Address, &u.CreatedAt, &activated, &u.PasswordChangedAt)
	u.Profile.Phone = u.Phone
	u.ActivatedAt = timeOf(activated)
	u.CreatedAt, u.PasswordChangedAt = u.CreatedAt.UTC(), u.PasswordChangedAt.UTC()
	return u, err
}

func (s *Store) user(ctx context.Context, op, where string, args ...any) (account.User, error) {
	if err := checkText(args); err != nil {
		return account.User{}, err
	}
	row := s.q(ctx).QueryRowContext(ctx, s.rebind("SELECT "+userColumns+" FROM users WHERE "+where), args...)
	u, err := scanUser(row)
	if err == sql.ErrNoRows {
		return u, ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("%s: %w", op, err)
	}
	return u, nil
}

// CreateUser inserts a portal account and sets its ID.
func (s *Store) CreateUser(ctx context.Context, u *account.User) error {
	id, err := s.insert(ctx, `INSERT INTO users (tenant_id, username, email, first_name, last_name, phone, password_hash,
		status, lang, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.TenantID, u.Username, u.Email, u.FirstName, u.LastName, u.Phone, u.PasswordHash, u.Status, u.Lang,
		utc(u.CreatedAt), utc(u.PasswordChangedAt))
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.ID = id
	return nil
}

// UserByID finds an account by id.
func (s *Store) UserByID(ctx context.Context, id int64) (account.User, error) {
	return s.user(ctx, "user by id", "id = ?", id)
}

// UserByEmail finds an account by its (normalised) e-mail.
func (s *Store) UserByEmail(ctx context.Context, tenantID int64, email string) (account.User, error) {
	return s.user(ctx, "user by email", "tenant_id = ? AND email = ?", tenantID, email)
}

// UserByLogin finds an account by username or e-mail, case-insensitively.
func (s *Store) UserByLogin(ctx context.Context, tenantID int64, login string) (account.User, error) {
	login = strings.ToLower(login)
	if strings.Contains(login, "@") {
		return s.user(ctx, "user by login", "tenant_id = ? AND email = ?", tenantID, login)
	}
	return s.user(ctx, "user by login", "tenant_id = ? AND username = ?", tenantID, login)
}

// UsernamesWithPrefix lists the usernames starting with prefix, for choosing a free one.
func (s *Store) UsernamesWithPrefix(ctx context.Context, tenantID int64, prefix string) ([]string, error) {
	// Usernames are [a-z0-9.], so the prefix needs no LIKE escaping.
	rows, err := s.query(ctx, `SELECT username FROM users WHERE tenant_id = ? AND username LIKE ?`, tenantID, prefix+"%")
	if err != nil {
		return nil, fmt.Errorf("usernames: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("usernames: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ActivateUser marks the e-mail of an account confirmed.
func (s *Store) ActivateUser(ctx context.Context, id int64, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE users SET status = ?, activated_at = ? WHERE id = ?`, account.StatusActive, utc(at), id)
	if err != nil {
		return fmt.Errorf("activate user: %w", err)
	}
	return nil
}

// SetPassword stores a new password hash.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`, hash, utc(at), id)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// UpdateProfile stores "Akun Saya".
func (s *Store) UpdateProfile(ctx context.Context, id int64, p account.Profile) error {
	_, err := s.exec(ctx, `UPDATE users SET full_name = ?, nip = ?, jabatan = ?, instansi = ?, satuan_kerja = ?,
		phone = ?, address = ? WHERE id = ?`, p.FullName, p.NIP, p.Jabatan, p.Instansi, p.SatuanKerja, p.Phone, p.Address, id)
	if err != nil {
		return fmt.Errorf("update profile: %w", err)
	}
	return nil
}

// SetLang stores the user's language.
func (s *Store) SetLang(ctx context.Context, id int64, lang string) error {
	if _, err := s.exec(ctx, `UPDATE users SET lang = ? WHERE id = ?`, lang, id); err != nil {
		return fmt.Errorf("set lang: %w", err)
	}
	return nil
}

// CreateToken stores a one-time link's hash.
func (s *Store) CreateToken(ctx context.Context, t *account.Token) error {
	id, err := s.insert(ctx, `INSERT INTO user_tokens (user_id, purpose, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		t.UserID, t.Purpose, t.Hash, utc(t.CreatedAt), utc(t.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	t.ID = id
	return nil
}

// TokenByHash finds a one-time link.
func (s *Store) TokenByHash(ctx context.Context, purpose, hash string) (account.Token, error) {
	var t account.Token
	var used sql.NullTime
	err := s.get(ctx, `SELECT id, user_id, purpose, hash, created_at, expires_at, used_at FROM user_tokens
		WHERE hash = ? AND purpose = ?`, []any{hash, purpose}, &t.ID, &t.UserID, &t.Purpose, &t.Hash, &t.CreatedAt, &t.ExpiresAt, &used)
	if err != nil {
		if err == ErrNotFound {
			return t, err
		}
		return t, fmt.Errorf("token by hash: %w", err)
	}
	t.UsedAt = timeOf(used)
	return t, nil
}

// UseToken marks a link used; false when it already was, so two clicks cannot both win.
func (s *Store) UseToken(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := s.exec(ctx, `UPDATE user_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL`, utc(at), id)
	if err != nil {
		return false, fmt.Errorf("use token: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UseTokensOf retires a user's unused links of one purpose, so only the newest works.
func (s *Store) UseTokensOf(ctx context.Context, userID int64, purpose string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, utc(at), userID, purpose)
	if err != nil {
		return fmt.Errorf("retire tokens: %w", err)
	}
	return nil
}

// LoginFailures reads the failure count of a login name; none is a zero count.
func (s *Store) LoginFailures(ctx context.Context, key string) (account.Failures, error) {
	var f account.Failures
	var locked sql.NullTime
	var until sql.NullTime
	err := s.get(ctx, `SELECT count, first_at, locked_until, pending, pending_until FROM login_failures WHERE key = ?`, []any{key},
		&f.Count, &f.FirstAt, &locked, &f.Pending, &until)
	if err == ErrNotFound {
		return account.Failures{}, nil
	}
	if err != nil {
		return f, fmt.Errorf("login failures: %w", err)
	}
	f.LockedUntil, f.PendingUntil = timeOf(locked), timeOf(until)
	f.FirstAt = f.FirstAt.UTC()
	return f, nil
}

// CreateLinkRequest stores a request for a mailed link.
func (s *Store) CreateLinkRequest(ctx context.Context, r *account.LinkRequest) error {
	id, err := s.insert(ctx, `INSERT INTO link_requests (tenant_id, purpose, email, created_at) VALUES (?, ?, ?, ?)`,
		r.TenantID, r.Purpose, r.Email, utc(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("create link request: %w", err)
	}
	r.ID = id
	return nil
}

// TakeLinkRequest marks a link request answered, once.
func (s *Store) TakeLinkRequest(ctx context.Context, id int64, at time.Time) (account.LinkRequest, bool, error) {
	var r account.LinkRequest
	err := s.getWrite(ctx, `UPDATE link_requests SET done_at = ? WHERE id = ? AND done_at IS NULL
		RETURNING id, tenant_id, purpose, email, created_at`, []any{utc(at), id}, &r.ID, &r.TenantID, &r.Purpose, &r.Email, &r.CreatedAt)
	if err == ErrNotFound {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("take link request: %w", err)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return r, true, nil
}

// streak holds the expressions of the login_failures row as it stands at a moment
// (account.Lockout.Current's rule), with the arguments each needs: the statements of
// BeginAttempt and EndAttempt read the row through them inside one upsert, which takes
// the row's lock (PostgreSQL) or the write lock (SQLite) for its whole read-modify-write,
// so parallel attempts of this process or others on the same PostgreSQL each see the
// one before.
type streak struct{ now, windowStart time.Time }

// over is true when the stored streak has ended (its lock is over, or it is older than
// the window without a lock).
func (k streak) over() (string, []any) {
	return `((login_failures.locked_until IS NOT NULL AND login_failures.locked_until <= ?)
		OR (login_failures.locked_until IS NULL AND login_failures.first_at < ?))`, []any{k.now, k.windowStart}
}

// count is the streak's failures, 0 once over.
func (k streak) count() (string, []any) {
	o, a := k.over()
	return `(CASE WHEN ` + o + ` THEN 0 ELSE login_failures.count END)`, a
}

// pending is the attempts in flight whose lease has not ended.
func (k streak) pending() (string, []any) {
	return `(CASE WHEN login_failures.pending_until IS NULL OR login_failures.pending_until <= ? THEN 0 ELSE login_failures.pending END)`, []any{k.now}
}

// BeginAttempt admits an attempt under key (account.FailureCounter): one upsert adds it
// to those in flight unless the key is locked or its failures and attempts in flight
// reach l.After; a refused attempt writes nothing, and the row is read to say why.
func (s *Store) BeginAttempt(ctx context.Context, key string, now time.Time, l account.Lockout) (account.Failures, bool, error) {
	now = utc(now)
	k := streak{now, now.Add(-l.Window())}
	over, overArgs := k.over()
	count, countArgs := k.count()
	pend, pendArgs := k.pending()
	lease := now.Add(l.LeaseOf())
	var args []any
	args = append(args, key, now, lease)
	args = append(args, countArgs...)
	args = append(args, overArgs...)
	args = append(args, now)
	args = append(args, overArgs...)
	args = append(args, pendArgs...)
	args = append(args, lease, now)
	args = append(args, countArgs...)
	args = append(args, pendArgs...)
	args = append(args, l.After)
	var f account.Failures
	var locked, until sql.NullTime
	err := s.getWrite(ctx, `INSERT INTO login_failures (key, count, first_at, locked_until, pending, pending_until) VALUES (?, 0, ?, NULL, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
		count = `+count+`,
		first_at = CASE WHEN `+over+` THEN ? ELSE login_failures.first_at END,
		locked_until = CASE WHEN `+over+` THEN NULL ELSE login_failures.locked_until END,
		pending = `+pend+` + 1,
		pending_until = ?
		WHERE NOT (login_failures.locked_until IS NOT NULL AND login_failures.locked_until > ?)
		AND `+count+` + `+pend+` < ?
		RETURNING count, first_at, locked_until, pending, pending_until`, args,
		&f.Count, &f.FirstAt, &locked, &f.Pending, &until)
	if err == ErrNotFound {
		f, err = s.LoginFailures(ctx, key)
		return f, false, err
	}
	if err != nil {
		return f, false, fmt.Errorf("begin attempt: %w", err)
	}
	f.FirstAt, f.LockedUntil, f.PendingUntil = f.FirstAt.UTC(), timeOf(locked), timeOf(until)
	return f, true, nil
}

// EndAttempt ends an admitted attempt under key (account.FailureCounter). A wrong one is
// one upsert (the row may have been cleared meanwhile by a password reset); a right one
// deletes the row when no other attempt is in flight, else clears its streak and leaves
// the others their places.
func (s *Store) EndAttempt(ctx context.Context, key string, now time.Time, l account.Lockout, o account.Outcome) (account.Failures, error) {
	now = utc(now)
	k := streak{now, now.Add(-l.Window())}
	pend, pendArgs := k.pending()
	leave := `CASE WHEN ` + pend + ` > 0 THEN ` + pend + ` - 1 ELSE 0 END`
	leaveArgs := append(append([]any{}, pendArgs...), pendArgs...)
	switch o {
	case account.Right:
		if _, err := s.exec(ctx, `DELETE FROM login_failures WHERE key = ? AND `+pend+` <= 1`, append([]any{key}, pendArgs...)...); err != nil {
			return account.Failures{}, fmt.Errorf("end attempt: %w", err)
		}
		_, err := s.exec(ctx, `UPDATE login_failures SET count = 0, first_at = ?, locked_until = NULL, pending = `+leave+` WHERE key = ?`,
			append(append([]any{now}, leaveArgs...), key)...)
		if err != nil {
			return account.Failures{}, fmt.Errorf("end attempt: %w", err)
		}
		return account.Failures{}, nil
	case account.Undecided:
		if _, err := s.exec(ctx, `UPDATE login_failures SET pending = `+leave+` WHERE key = ?`, append(leaveArgs, key)...); err != nil {
			return account.Failures{}, fmt.Errorf("end attempt: %w", err)
		}
		return s.LoginFailures(ctx, key)
	}
	over, overArgs := k.over()
	count, countArgs := k.count()
	lockAt := now.Add(l.For)
	var firstLock any
	if l.After <= 1 {
		firstLock = lockAt
	}
	var args []any
	args = append(args, key, now, firstLock)
	args = append(args, countArgs...)
	args = append(args, overArgs...)
	args = append(args, now)
	args = append(args, overArgs...)
	args = append(args, firstLock)
	args = append(args, countArgs...)
	args = append(args, l.After, lockAt)
	args = append(args, leaveArgs...)
	var f account.Failures
	var locked, until sql.NullTime
	err := s.getWrite(ctx, `INSERT INTO login_failures (key, count, first_at, locked_until, pending, pending_until) VALUES (?, 1, ?, ?, 0, NULL)
		ON CONFLICT (key) DO UPDATE SET
		count = `+count+` + 1,
		first_at = CASE WHEN `+over+` OR login_failures.count = 0 THEN ? ELSE login_failures.first_at END,
		locked_until = CASE WHEN `+over+` THEN ?
			WHEN login_failures.locked_until IS NULL AND `+count+` + 1 >= ? THEN ?
			ELSE login_failures.locked_until END,
		pending = `+leave+`
		RETURNING count, first_at, locked_until, pending, pending_until`, args,
		&f.Count, &f.FirstAt, &locked, &f.Pending, &until)
	if err != nil {
		return f, fmt.Errorf("end attempt: %w", err)
	}
	f.FirstAt, f.LockedUntil, f.PendingUntil = f.FirstAt.UTC(), timeOf(locked), timeOf(until)
	return f, nil
}

// ClearLoginFailures forgets the failures of login names.
func (s *Store) ClearLoginFailures(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if _, err := s.exec(ctx, `DELETE FROM login_failures WHERE key = ?`, k); err != nil {
			return fmt.Errorf("clear login failures: %w", err)
		}
	}
	return nil
}

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, ss account.Session) error {
	_, err := s.exec(ctx, `INSERT INTO sessions (hash, user_id, created_at, seen_at, expires_at, ip, user_agent, mfa_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ss.Hash, ss.UserID, utc(ss.CreatedAt), utc(ss.SeenAt), utc(ss.ExpiresAt), ss.IP, ss.UserAgent,
		nullTime(ss.MFAAt))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByHash finds a session.
func (s *Store) SessionByHash(ctx context.Context, hash string) (account.Session, error) {
	var ss account.Session
	var mfa sql.NullTime
	err := s.get(ctx, `SELECT hash, user_id, created_at, seen_at, expires_at, ip, user_agent, mfa_at FROM sessions WHERE hash = ?`,
		[]any{hash}, &ss.Hash, &ss.UserID, &ss.CreatedAt, &ss.SeenAt, &ss.ExpiresAt, &ss.IP, &ss.UserAgent, &mfa)
	if err != nil && err != ErrNotFound {
		err = fmt.Errorf("session: %w", err)
	}
	ss.CreatedAt, ss.SeenAt, ss.ExpiresAt, ss.MFAAt = ss.CreatedAt.UTC(), ss.SeenAt.UTC(), ss.ExpiresAt.UTC(), timeOf(mfa)
	return ss, err
}

// SessionUser reads a session and its account in one query: every signed-in page needs
// both.
func (s *Store) SessionUser(ctx context.Context, hash string) (account.Session, account.User, error) {
	var ss account.Session
	var u account.User
	var mfa, activated, staffMFA sql.NullTime
	var roles sql.NullString
	agg := "group_concat(sr.role, ',')"
	if s.dialect == Postgres {
		agg = "string_agg(sr.role, ',')"
	}
	err := s.get(ctx, `SELECT s.hash, s.user_id, s.created_at, s.seen_at, s.expires_at, s.ip, s.user_agent, s.mfa_at,
		u.id, u.tenant_id, u.username, u.email, u.first_name, u.last_name, u.phone, u.password_hash, u.status, u.lang,
		u.full_name, u.nip, u.jabatan, u.instansi, u.satuan_kerja, u.address, u.created_at, u.activated_at, u.password_changed_at,
		(SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL),
		(SELECT `+agg+` FROM staff_roles sr WHERE sr.user_id = u.id), m.enabled_at
		FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN staff_mfa m ON m.user_id = u.id WHERE s.hash = ?`, []any{hash},
		&ss.Hash, &ss.UserID, &ss.CreatedAt, &ss.SeenAt, &ss.ExpiresAt, &ss.IP, &ss.UserAgent, &mfa,
		&u.ID, &u.TenantID, &u.Username, &u.Email, &u.FirstName, &u.LastName, &u.Phone, &u.PasswordHash,
		&u.Status, &u.Lang, &u.Profile.FullName, &u.Profile.NIP, &u.Profile.Jabatan, &u.Profile.Instansi,
		&u.Profile.SatuanKerja, &u.Profile.Address, &u.CreatedAt, &activated, &u.PasswordChangedAt, &ss.Unread, &roles, &staffMFA)
	if err != nil {
		if err != ErrNotFound {
			err = fmt.Errorf("session: %w", err)
		}
		return ss, u, err
	}
	ss.CreatedAt, ss.SeenAt, ss.ExpiresAt, ss.MFAAt = ss.CreatedAt.UTC(), ss.SeenAt.UTC(), ss.ExpiresAt.UTC(), timeOf(mfa)
	if roles.String != "" {
		ss.StaffRoles = strings.Split(roles.String, ",")
	}
	ss.StaffMFASince = timeOf(staffMFA)
	u.Profile.Phone = u.Phone
	u.ActivatedAt = timeOf(activated)
	u.CreatedAt, u.PasswordChangedAt = u.CreatedAt.UTC(), u.PasswordChangedAt.UTC()
	return ss, u, nil
}

// TouchSession records activity on a session.
func (s *Store) TouchSession(ctx context.Context, hash string, at time.Time) error {
	if _, err := s.exec(ctx, `UPDATE sessions SET seen_at = ? WHERE hash = ?`, utc(at), hash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.exec(ctx, `DELETE FROM sessions WHERE hash = ?`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user but the one whose hash is except.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64, except string) error {
	if _, err := s.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND hash <> ?`, userID, except); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}

// EnsureTenant creates a tenant on first run, or renames it, and returns its id.
func (s *Store) EnsureTenant(ctx context.Context, slug, name string, now time.Time) (int64, error) {
	// One statement: processes starting together on an empty database both insert, and
	// the second updates instead of failing on the unique slug.
	var id int64
	err := s.getWrite(ctx, `INSERT INTO tenants (slug, name, created_at) VALUES (?, ?, ?)
		ON CONFLICT (slug) DO UPDATE SET name = excluded.name RETURNING id`, []any{slug, name, utc(now)}, &id)
	if err != nil {
		return 0, fmt.Errorf("ensure tenant %s: %w", slug, err)
	}
	return id, nil
}

// Sweep deletes what can no longer be used: sessions past their absolute expiry or idle
// longer than idle, links expired a day ago, link requests of a day ago (answered by
// then, or their job gave up), failure streaks older than keep, and spent captchas past
// their expiry. It returns how many rows went.
func (s *Store) Sweep(ctx context.Context, now time.Time, idle, keep time.Duration) (int64, error) {
	now = utc(now)
	var total int64
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM sessions WHERE expires_at < ? OR seen_at < ?`, []any{now, now.Add(-idle)}},
		{`DELETE FROM user_tokens WHERE expires_at < ?`, []any{now.Add(-24 * time.Hour)}},
		{`DELETE FROM link_requests WHERE created_at < ?`, []any{now.Add(-24 * time.Hour)}},
		{`DELETE FROM login_failures WHERE first_at < ? AND (locked_until IS NULL OR locked_until < ?) AND (pending_until IS NULL OR pending_until < ?)`,
			[]any{now.Add(-keep), now, now}},
		{`DELETE FROM captcha_spent WHERE expires_at < ?`, []any{now}},
	} {
		res, err := s.exec(ctx, q.sql, q.args...)
		if err != nil {
			return total, fmt.Errorf("sweep: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
