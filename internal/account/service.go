package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
	"github.com/surel-id/surel/internal/passwd"
)

// ErrNotFound and ErrConflict are what a Store returns for a missing row and a taken
// unique key.
var (
	ErrNotFound = errs.ErrNotFound
	ErrConflict = errs.ErrConflict
)

// Lifetimes of the one-time links.
const (
	ActivationTTL = 48 * time.Hour
	ResetTTL      = time.Hour
)

// Limits bound login abuse; see config.Limits.
type Limits struct {
	CaptchaAfter int
	LockAfter    int
	LockFor      time.Duration
	SessionIdle  time.Duration
	SessionMax   time.Duration
}

// Service runs the account journeys. Every method that changes state and sends mail does
// both in one transaction.
type Service struct {
	Store  Store
	Mail   Mailer
	Hasher *passwd.Hasher
	Limits Limits
	// Tenants finds a tenant by id, for the jobs that mail on its behalf.
	Tenants func(id int64) (Tenant, bool)
	Now     func() time.Time
	Log     *slog.Logger

	dummy string
}

// Init prepares the hash that unknown logins are checked against, so they take as long
// as known ones.
func (s *Service) Init(ctx context.Context) error {
	h, err := s.Hasher.Hash(ctx, "surel-timing-equaliser-0")
	s.dummy = h
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	return err
}

// NewSecret returns a random URL-safe secret and the hash to store for it.
func NewSecret() (secret, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux; a failure leaves nothing safe to do
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// BusyRetry is the wait a request turned away by a full hash queue is told to keep.
const BusyRetry = time.Second

// admit takes the Hasher's admission ticket for a person's request that will hash; a
// full queue is errs.Unavailable with a Retry-After, answered at once.
func (s *Service) admit() (release func(), err error) {
	release, err = s.Hasher.Admit()
	if err != nil {
		return nil, Busy()
	}
	return release, nil
}

// HashSecret is the stored form of a link or session secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Register creates a pending account and mails its activation link. It answers the same
// way, after the same work, whether or not the e-mail is already registered: an existing
// owner gets a notice (or, if still pending, a new link) instead.
func (s *Service) Register(ctx context.Context, t Tenant, in RegisterInput) error {
	in.Normalize()
	if err := in.Validate(t.Policy); err != nil {
		return err
	}
	release, err := s.admit()
	if err != nil {
		return err
	}
	defer release()
	hash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	now := s.Now().UTC()
	// A unique-key race on username is settled by trying again with the next number.
	for attempt := 0; ; attempt++ {
		err = s.Store.Tx(ctx, func(ctx context.Context) error {
			existing, err := s.Store.UserByEmail(ctx, t.ID, in.Email)
			switch {
			case err == nil && existing.Status == StatusPending:
				return s.sendActivation(ctx, t, existing, now)
			case err == nil && existing.Status == StatusWalkIn:
				// The front desk entered a request for this address. The password typed
				// here is not used: whoever reads this mailbox sets their own through the
				// link, so no one can take over the applicant's request (and its
				// credentials) by registering with their address first.
				secret, err := s.issueLink(ctx, existing, PurposeReset, InviteTTL, now)
				if err != nil {
					return err
				}
				return s.Mail.Send(ctx, Mail{TenantID: t.ID, To: existing.Email, Lang: existing.Lang, Template: "walkin_claim",
					Data: map[string]any{"Name": existing.DisplayName(), "Username": existing.Username, "URL": t.Link("/lupa-password/" + secret),
						"Tenant": t.Name, "Hours": int(InviteTTL.Hours())}})
			case err == nil:
				return s.Mail.Send(ctx, Mail{TenantID: t.ID, To: existing.Email, Lang: existing.Lang, Template: "already_registered",
					Data: map[string]any{"Name": existing.DisplayName(), "Username": existing.Username, "ResetURL": t.Link("/lupa-password"), "Tenant": t.Name}})
			case !errors.Is(err, ErrNotFound):
				return err
			}
			username, err := s.freeUsername(ctx, t.ID, usernameBase(in.FirstName, in.LastName))
			if err != nil {
				return err
			}
			u := User{TenantID: t.ID, Username: username, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
				Phone: in.Phone, PasswordHash: hash, Status: StatusPending, Lang: langOf(ctx), CreatedAt: now, PasswordChangedAt: now}
			u.Profile.Phone = in.Phone
			if err := s.Store.CreateUser(ctx, &u); err != nil {
				return err
			}
			return s.sendActivation(ctx, t, u, now)
		})
		if !errors.Is(err, ErrConflict) || attempt == 20 {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	return nil
}

func (s *Service) freeUsername(ctx context.Context, tenantID int64, base string) (string, error) {
	taken, err := s.Store.UsernamesWithPrefix(ctx, tenantID, base)
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	for _, u := range taken {
		used[u] = true
	}
	if !used[base] {
		return base, nil
	}
	for i := 2; ; i++ {
		if c := base + strconv.Itoa(i); !used[c] {
			return c, nil
		}
	}
}

// issueLink makes a one-time link secret for u, retiring the earlier ones of the same
// purpose so only the newest link works.
func (s *Service) issueLink(ctx context.Context, u User, purpose string, ttl time.Duration, now time.Time) (string, error) {
	secret, hash := NewSecret()
	if err := s.Store.UseTokensOf(ctx, u.ID, purpose, now); err != nil {
		return "", err
	}
	tok := Token{UserID: u.ID, Purpose: purpose, Hash: hash, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	return secret, s.Store.CreateToken(ctx, &tok)
}

func (s *Service) sendActivation(ctx context.Context, t Tenant, u User, now time.Time) error {
	secret, err := s.issueLink(ctx, u, PurposeActivate, ActivationTTL, now)
	if err != nil {
		return err
	}
	return s.Mail.Send(ctx, Mail{TenantID: t.ID, To: u.Email, Lang: u.Lang, Template: "activation",
		Data: map[string]any{"Name": u.DisplayName(), "URL": t.Link("/aktivasi/" + secret), "Tenant": t.Name, "Hours": int(ActivationTTL.Hours())}})
}

// ResendActivation mails a new activation link to a pending account; it answers the same
// for any address, after the same work (requestLink).
func (s *Service) ResendActivation(ctx context.Context, t Tenant, email string) error {
	return s.requestLink(ctx, t, PurposeActivate, email)
}

// JobSendLink is the job kind that answers a LinkRequest (Service.SendLink).
const JobSendLink = "account.link"

// requestLink records a request for a mailed link and queues its job: the same two
// writes whether or not the address is an account's, so neither the answer nor its
// timing tells (a known address used to write a token, a message and a job in the
// request, and answered up to 4 ms later).
func (s *Service) requestLink(ctx context.Context, t Tenant, purpose, email string) error {
	email = NormalizeEmail(email)
	var fs errs.Fields
	checkEmail(&fs, "email", email)
	if err := fs.Err(); err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.Store.Tx(ctx, func(ctx context.Context) error {
		lr := LinkRequest{TenantID: t.ID, Purpose: purpose, Email: email, CreatedAt: now}
		if err := s.Store.CreateLinkRequest(ctx, &lr); err != nil {
			return err
		}
		_, err := s.Store.EnqueueJob(ctx, JobSendLink, lr.ID, 5, now)
		return err
	})
}

// SendLink answers the link request id, as the job JobSendLink: to an active account a
// password-reset link (for PurposeReset), to a pending one a new activation link; to
// any other address nothing. It is idempotent: the request is taken in the transaction
// that mails, so a second run finds it answered.
func (s *Service) SendLink(ctx context.Context, id int64) error {
	now := s.Now().UTC()
	return s.Store.Tx(ctx, func(ctx context.Context) error {
		lr, ok, err := s.Store.TakeLinkRequest(ctx, id, now)
		if err != nil || !ok {
			return err
		}
		t, ok := s.tenant(lr.TenantID)
		if !ok {
			s.Log.WarnContext(ctx, "link request of an unknown tenant", "link_request", id, "tenant", lr.TenantID)
			return nil
		}
		u, err := s.Store.UserByEmail(ctx, t.ID, lr.Email)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case u.Status == StatusPending:
			return s.sendActivation(ctx, t, u, now)
		case lr.Purpose != PurposeReset:
			return nil
		}
		secret, err := s.issueLink(ctx, u, PurposeReset, ResetTTL, now)
		if err != nil {
			return err
		}
		return s.Mail.Send(ctx, Mail{TenantID: t.ID, To: u.Email, Lang: u.Lang, Template: "reset",
			Data: map[string]any{"Name": u.DisplayName(), "Username": u.Username, "URL": t.Link("/lupa-password/" + secret), "Tenant": t.Name, "Minutes": int(ResetTTL.Minutes())}})
	})
}

// tenant finds a tenant by id through Tenants.
func (s *Service) tenant(id int64) (Tenant, bool) {
	if s.Tenants == nil {
		return Tenant{}, false
	}
	return s.Tenants(id)
}

// Activate confirms the e-mail behind an activation link and mails the username. A link
// already used on an active account is answered with errs.Conflict "activation.done", so
// a mail scanner that followed the link first does not confuse the owner.
func (s *Service) Activate(ctx context.Context, t Tenant, secret string) (User, error) {
	now := s.Now().UTC()
	var u User
	err := s.Store.Tx(ctx, func(ctx context.Context) error {
		tok, err := s.Store.TokenByHash(ctx, PurposeActivate, HashSecret(secret))
		if errors.Is(err, ErrNotFound) {
			return errs.New(errs.NotFound, "token.invalid")
		}
		if err != nil {
			return err
		}
		if u, err = s.Store.UserByID(ctx, tok.UserID); err != nil {
			return err
		}
		if u.TenantID != t.ID {
			return errs.New(errs.NotFound, "token.invalid")
		}
		if !tok.UsedAt.IsZero() {
			if u.Status == StatusActive {
				return errs.New(errs.Conflict, "activation.done")
			}
			return errs.New(errs.NotFound, "token.used")
		}
		if now.After(tok.ExpiresAt) {
			return errs.New(errs.NotFound, "token.expired")
		}
		if ok, err := s.Store.UseToken(ctx, tok.ID, now); err != nil || !ok {
			if err == nil {
				err = errs.New(errs.Conflict, "activation.done")
			}
			return err
		}
		if err := s.Store.ActivateUser(ctx, u.ID, now); err != nil {
			return err
		}
		u.Status, u.ActivatedAt = StatusActive, now
		// Akun Saya's "Nama lengkap" starts as the names given at registration, so a
		// request does not list it as missing: the applicant adds titles if needed.
		if u.Profile.FullName == "" {
			u.Profile.FullName = u.RegisteredName()
			if err := s.Store.UpdateProfile(ctx, u.ID, u.Profile); err != nil {
				return err
			}
		}
		return s.Mail.Send(ctx, Mail{TenantID: t.ID, To: u.Email, Lang: u.Lang, Template: "welcome",
			Data: map[string]any{"Name": u.DisplayName(), "Username": u.Username, "LoginURL": t.Link("/masuk"), "Tenant": t.Name}})
	})
	return u, err
}

// failureKey is the key login failures for a typed name count under: its account's, so
// that every name of an account shares one lock, or the name's own when it is no
// account. u is the account found for the name (err nil) or the lookup's error.
func failureKey(t Tenant, login string, u User, err error) string {
	if err == nil {
		return FailureKeyOf(u.ID)
	}
	return unknownFailureKey(t, strings.ToLower(strings.TrimSpace(login)))
}

// lockout is the rule of login guessing.
func (s *Service) lockout() Lockout { return Lockout{After: s.Limits.LockAfter, For: s.Limits.LockFor} }

// CaptchaNeeded tells whether a login for this name must pass the captcha, after
// Limits.CaptchaAfter failures of its account (or, for an unknown name, of the name).
func (s *Service) CaptchaNeeded(ctx context.Context, t Tenant, login string) bool {
	login = strings.TrimSpace(login)
	if login == "" {
		return false
	}
	u, err := s.Store.UserByLogin(ctx, t.ID, login)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false
	}
	f, err := s.Store.LoginFailures(ctx, failureKey(t, login, u, err))
	return err == nil && s.lockout().Current(f, s.Now().UTC()).Count >= s.Limits.CaptchaAfter
}

// Login checks a username or e-mail and password. Failures are counted per account,
// whichever of its names was typed, and per typed name for names that are no account
// (which behave like known ones, so that the count and the lock reveal nothing about
// which names exist); after Limits.LockAfter of them the key is locked for
// Limits.LockFor (never longer: a lock is not extended by further attempts, and a
// password reset by e-mail lifts it). Each attempt is admitted before its password is
// hashed (Lockout), so parallel guesses cannot pass the lock, and a right password never
// counts as a failure: more simultaneous attempts than the lock allows are turned away
// with 503 and Retry-After, never locked. captchaOK says the request solved the captcha.
func (s *Service) Login(ctx context.Context, t Tenant, login, password string, captchaOK bool) (User, error) {
	login = strings.TrimSpace(login)
	var fs errs.Fields
	if login == "" {
		fs.Add("login", "required")
	}
	if password == "" {
		fs.Add("password", "required")
	}
	if err := fs.Err(); err != nil {
		return User{}, err
	}
	// Admission first: a login turned away for a full hash queue has read and counted
	// nothing, so a storm neither waits nor spends anyone's failed attempts.
	release, err := s.admit()
	if err != nil {
		return User{}, err
	}
	defer release()
	now := s.Now().UTC()
	u, uerr := s.Store.UserByLogin(ctx, t.ID, login)
	if uerr != nil && !errors.Is(uerr, ErrNotFound) {
		return User{}, fmt.Errorf("login: %w", uerr)
	}
	key := failureKey(t, login, u, uerr)
	lock := s.lockout()
	f, err := s.Store.LoginFailures(ctx, key)
	if err != nil {
		return User{}, fmt.Errorf("login: %w", err)
	}
	f = lock.Current(f, now)
	if now.Before(f.LockedUntil) {
		return User{}, &errs.Error{Code: errs.TooMany, Key: "login.locked", RetryAfter: f.LockedUntil.Sub(now)}
	}
	if f.Count >= s.Limits.CaptchaAfter && !captchaOK {
		return User{}, &errs.Error{Code: errs.Invalid, Key: "form.invalid", Fields: []errs.Field{{Name: "captcha", Rule: "captcha_required"}}}
	}

	// A walk-in applicant has no password, and an unknown name none either: both are
	// checked against the dummy hash, the same work and answer as a wrong password.
	hash := s.dummy
	if uerr == nil && u.Status != StatusWalkIn {
		hash = u.PasswordHash
	}
	var rehash bool
	ok, locked, err := lock.Try(ctx, s.Store, key, now, func() (bool, error) {
		ok, rh, err := s.Hasher.Verify(ctx, hash, password)
		rehash = rh
		return ok && uerr == nil && u.Status != StatusWalkIn, err
	})
	switch {
	case errs.CodeOf(err) == errs.Unavailable:
		return User{}, err
	case err != nil:
		return User{}, fmt.Errorf("login: %w", err)
	case locked > 0:
		return User{}, &errs.Error{Code: errs.TooMany, Key: "login.locked", RetryAfter: locked}
	case !ok:
		return User{}, errs.New(errs.Unauthorized, "login.failed")
	}
	if u.Status == StatusPending {
		return User{}, errs.New(errs.Forbidden, "login.pending")
	}
	if rehash {
		if h, err := s.Hasher.Hash(ctx, password); err == nil {
			if err := s.Store.SetPassword(ctx, u.ID, h, u.PasswordChangedAt); err != nil {
				s.Log.WarnContext(ctx, "rehash password", "user", u.ID, "err", err)
			}
		}
	}
	return u, nil
}

// RequestReset mails a password-reset link to an active account (an activation link to a
// pending one); the answer, and the work before it, is the same for any address
// (requestLink).
func (s *Service) RequestReset(ctx context.Context, t Tenant, email string) error {
	return s.requestLink(ctx, t, PurposeReset, email)
}

// CheckResetToken tells whether a reset link can still be used, before its form is shown.
func (s *Service) CheckResetToken(ctx context.Context, t Tenant, secret string) error {
	_, _, err := s.resetToken(ctx, t, secret)
	return err
}

func (s *Service) resetToken(ctx context.Context, t Tenant, secret string) (Token, User, error) {
	tok, err := s.Store.TokenByHash(ctx, PurposeReset, HashSecret(secret))
	if errors.Is(err, ErrNotFound) {
		return tok, User{}, errs.New(errs.NotFound, "token.invalid")
	}
	if err != nil {
		return tok, User{}, err
	}
	u, err := s.Store.UserByID(ctx, tok.UserID)
	if err != nil {
		return tok, u, err
	}
	switch {
	case u.TenantID != t.ID:
		return tok, u, errs.New(errs.NotFound, "token.invalid")
	case !tok.UsedAt.IsZero():
		return tok, u, errs.New(errs.NotFound, "token.used")
	case s.Now().After(tok.ExpiresAt):
		return tok, u, errs.New(errs.NotFound, "token.expired")
	}
	return tok, u, nil
}

// ResetPassword sets a new password through a reset link, lifts any login lock on the
// account, ends all its sessions and tells the owner by e-mail.
func (s *Service) ResetPassword(ctx context.Context, t Tenant, secret, pw, pw2 string) (User, error) {
	var u User
	if _, u0, err := s.resetToken(ctx, t, secret); err != nil {
		return u, err
	} else if err := checkNewPassword(t.Policy, u0, pw, pw2); err != nil {
		return u, err
	}
	release, err := s.admit()
	if err != nil {
		return u, err
	}
	defer release()
	hash, err := s.Hasher.Hash(ctx, pw)
	if err != nil {
		return u, fmt.Errorf("reset password: %w", err)
	}
	now := s.Now().UTC()
	err = s.Store.Tx(ctx, func(ctx context.Context) error {
		var tok Token
		var err error
		if tok, u, err = s.resetToken(ctx, t, secret); err != nil {
			return err
		}
		if ok, err := s.Store.UseToken(ctx, tok.ID, now); err != nil || !ok {
			if err == nil {
				err = errs.New(errs.NotFound, "token.used")
			}
			return err
		}
		return s.passwordChanged(ctx, t, u, hash, now, "")
	})
	return u, err
}

func checkNewPassword(p Policy, u User, pw, pw2 string) error {
	var fs errs.Fields
	p.CheckPassword(&fs, "password", pw, u.FirstName, u.LastName, u.Email, u.Username)
	if pw2 == "" {
		fs.Add("password2", "required")
	} else if !fs.Has("password") && pw2 != pw {
		fs.Add("password2", "password_match")
	}
	return fs.Err()
}

func (s *Service) passwordChanged(ctx context.Context, t Tenant, u User, hash string, now time.Time, keepSession string) error {
	if err := s.Store.SetPassword(ctx, u.ID, hash, now); err != nil {
		return err
	}
	if u.Status == StatusWalkIn {
		// A walk-in applicant who set a password through a mailed link has shown they
		// read the address: the account becomes a portal account.
		if err := s.Store.ActivateUser(ctx, u.ID, now); err != nil {
			return err
		}
	}
	if err := s.Store.ClearLoginFailures(ctx, FailureKeyOf(u.ID)); err != nil {
		return err
	}
	if err := s.Store.DeleteUserSessions(ctx, u.ID, keepSession); err != nil {
		return err
	}
	return s.Mail.Send(ctx, Mail{TenantID: t.ID, To: u.Email, Lang: u.Lang, Template: "password_changed",
		Data: map[string]any{"Name": u.DisplayName(), "ResetURL": t.Link("/lupa-password"), "Tenant": t.Name, "At": now}})
}

// ChangePassword sets a new password after checking the current one; the other sessions
// of the account end, the one making the change stays.
func (s *Service) ChangePassword(ctx context.Context, t Tenant, u User, session, old, pw, pw2 string) error {
	var fs errs.Fields
	if old == "" {
		fs.Add("old_password", "required")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	release, err := s.admit()
	if err != nil {
		return err
	}
	defer release()
	ok, _, err := s.Hasher.Verify(ctx, u.PasswordHash, old)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !ok {
		return &errs.Error{Code: errs.Invalid, Key: "form.invalid", Fields: []errs.Field{{Name: "old_password", Rule: "password_wrong"}}}
	}
	if err := checkNewPassword(t.Policy, u, pw, pw2); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, pw)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	now := s.Now().UTC()
	return s.Store.Tx(ctx, func(ctx context.Context) error {
		return s.passwordChanged(ctx, t, u, hash, now, HashSecret(session))
	})
}

// UpdateProfile saves "Akun Saya". The phone number is kept on the account too.
func (s *Service) UpdateProfile(ctx context.Context, u User, p Profile) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	return s.Store.UpdateProfile(ctx, u.ID, p)
}

// SetLang remembers the user's language for pages and mail.
func (s *Service) SetLang(ctx context.Context, u User, lang string) error {
	return s.Store.SetLang(ctx, u.ID, lang)
}

// StartSession creates a session for u and returns the cookie secret. A new secret is
// made at every login, so a session id planted before login is worthless.
func (s *Service) StartSession(ctx context.Context, u User, ip, userAgent string) (string, error) {
	return s.startSession(ctx, u, ip, userAgent, false)
}

// StartSessionMFA is StartSession for a user who has just passed a second factor too
// (staff): the session records when.
func (s *Service) StartSessionMFA(ctx context.Context, u User, ip, userAgent string) (string, error) {
	return s.startSession(ctx, u, ip, userAgent, true)
}

func (s *Service) startSession(ctx context.Context, u User, ip, userAgent string, mfa bool) (string, error) {
	secret, hash := NewSecret()
	now := s.Now().UTC()
	// Kept for the owner to recognise the browser; any header bytes, cut whole.
	userAgent = input.Truncate(input.Clean(userAgent), 200)
	ss := Session{Hash: hash, UserID: u.ID, CreatedAt: now, SeenAt: now,
		ExpiresAt: now.Add(s.Limits.SessionMax), IP: ip, UserAgent: userAgent}
	if mfa {
		ss.MFAAt = now
	}
	return secret, s.Store.CreateSession(ctx, ss)
}

// touchEvery limits the writes made to keep a session alive.
const touchEvery = time.Minute

// Authenticate finds the user of a session cookie presented to tenant t, ending
// sessions past their idle or absolute timeout.
func (s *Service) Authenticate(ctx context.Context, t Tenant, secret string) (User, error) {
	u, _, err := s.AuthenticateSession(ctx, t, secret)
	return u, err
}

// AuthenticateSession is Authenticate that also gives the session, whose MFAAt tells
// whether it passed a second factor. A session is valid only on its own tenant's
// hosts: presented to another tenant it is ErrNotFound there (and lives on at home),
// or a session of one office would open another's Akun Saya and requests, skipping
// that office's registration and password rules.
func (s *Service) AuthenticateSession(ctx context.Context, t Tenant, secret string) (User, Session, error) {
	if secret == "" {
		return User{}, Session{}, ErrNotFound
	}
	hash := HashSecret(secret)
	sess, u, err := s.Store.SessionUser(ctx, hash)
	if err != nil {
		return User{}, Session{}, err
	}
	if u.TenantID != t.ID {
		return User{}, Session{}, ErrNotFound
	}
	now := s.Now().UTC()
	if now.After(sess.ExpiresAt) || now.After(sess.SeenAt.Add(s.Limits.SessionIdle)) {
		// Over either way; a row the delete misses (the database busy) the sweep takes.
		s.Store.DeleteSession(ctx, hash)
		return User{}, Session{}, ErrNotFound
	}
	return u, sess, nil
}

// TouchDue tells whether a session just authenticated should record the activity
// (TouchSession): at most once a minute, so most pages write nothing.
func (s *Service) TouchDue(sess Session) bool {
	return s.Now().UTC().Sub(sess.SeenAt) > touchEvery
}

// TouchSession records activity on the session of secret, which keeps it from expiring
// while idle. It is the only write a page view makes and may wait for the database's
// write lock: callers run it off the request's path, and one that fails only costs the
// session a minute of its idle allowance.
func (s *Service) TouchSession(ctx context.Context, secret string) error {
	return s.Store.TouchSession(ctx, HashSecret(secret), s.Now().UTC())
}

// EndSession logs a session out.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	return s.Store.DeleteSession(ctx, HashSecret(secret))
}

type langKey struct{}

// WithLang records the language of the request, which a new account keeps.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

func langOf(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok && l != "" {
		return l
	}
	return "id"
}
