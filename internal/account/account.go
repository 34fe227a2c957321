// Package account is the portal account of an applicant (pemohon): registration with
// e-mail activation, login with lockout, password reset and change, sessions, and the
// "Akun Saya" profile that must be complete before a first request.
package account

import (
	"context"
	"time"

	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/sop"
)

// Status of a portal account.
const (
	StatusPending = "pending" // registered, e-mail not yet confirmed
	StatusActive  = "active"
	// StatusWalkIn is an applicant the front desk entered a request for (seeds 002, 004):
	// a record to attach requests to, which cannot log in.
	StatusWalkIn = "walkin"
)

// Token purposes.
const (
	PurposeActivate = "activate"
	PurposeReset    = "reset"
)

// User is a portal account.
type User struct {
	ID                int64
	TenantID          int64
	Username          string
	Email             string
	FirstName         string
	LastName          string
	Phone             string
	PasswordHash      string
	Status            string
	Lang              string
	Profile           Profile
	CreatedAt         time.Time
	ActivatedAt       time.Time
	PasswordChangedAt time.Time
}

// DisplayName is how the portal greets the user.
func (u User) DisplayName() string {
	if u.Profile.FullName != "" {
		return u.Profile.FullName
	}
	return u.RegisteredName()
}

// RegisteredName is Nama Depan and Nama Belakang as given at registration.
func (u User) RegisteredName() string {
	if u.LastName == "" {
		return u.FirstName
	}
	return u.FirstName + " " + u.LastName
}

// Profile is "Akun Saya": the data a request needs about its applicant. The phone number
// lives on User (it is asked at registration) and is edited here too.
type Profile struct {
	FullName    string
	NIP         string
	Jabatan     string
	Instansi    string
	SatuanKerja string
	Phone       string
	Address     string
}

// Missing lists the form names of the fields a request needs that are still empty. NIP is
// not among them: a perangkat desa has none; the request form asks for it per service.
func (p Profile) Missing() []string {
	var m []string
	for _, f := range []struct{ name, v string }{
		{"full_name", p.FullName}, {"jabatan", p.Jabatan}, {"instansi", p.Instansi},
		{"satuan_kerja", p.SatuanKerja}, {"phone", p.Phone}, {"address", p.Address},
	} {
		if f.v == "" {
			m = append(m, f.name)
		}
	}
	return m
}

// Complete tells whether the profile allows a first request.
func (p Profile) Complete() bool { return len(p.Missing()) == 0 }

// Token is a one-time link secret, kept only as its hash.
type Token struct {
	ID        int64
	UserID    int64
	Purpose   string
	Hash      string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// LinkRequest is a request for a mailed link (PurposeReset: a password reset;
// PurposeActivate: the activation link again) to an address that may be no account's.
// The page answers once the request and its job are written, the same work for any
// address; the job (Service.SendLink) looks the address up and mails the link.
type LinkRequest struct {
	ID        int64
	TenantID  int64
	Purpose   string
	Email     string
	CreatedAt time.Time
}

// Session is a signed-in browser.
type Session struct {
	Hash      string
	UserID    int64
	CreatedAt time.Time
	SeenAt    time.Time
	ExpiresAt time.Time
	IP        string
	UserAgent string
	// MFAAt is when the session passed a second factor (staff); zero for applicants.
	MFAAt time.Time
	// Unread is how many of the user's notifications were unread when the session was
	// read: the header's badge, counted in the same query.
	Unread int
	// StaffRoles are the back-office roles the account holds (none for an applicant)
	// and StaffMFASince when its second factor was enrolled, read in the same query too:
	// a staff page needs no second one to know what its viewer may do.
	StaffRoles    []string
	StaffMFASince time.Time
}

// Failures is a streak of failed attempts under one key of a Lockout: an account's
// password, a typed name that is no account, a staff member's second factor.
type Failures struct {
	Count       int
	FirstAt     time.Time
	LockedUntil time.Time
	// Pending is how many attempts are in flight (admitted, not yet checked), holding
	// their places until PendingUntil.
	Pending      int
	PendingUntil time.Time
}

// Tenant is what the portal needs to know of the office running it.
type Tenant struct {
	ID     int64
	Slug   string
	Name   string
	Policy Policy
	// MailDomain is the domain of the addresses it gives out ("mail.go.id").
	MailDomain string
	// AddressPattern is its naming rule ("firstname.lastname").
	AddressPattern string
	// SOP is the slug of the workflow it follows.
	SOP string
	// FrontDesk is how applicants reach the office in person.
	FrontDesk FrontDesk
	// BaseURL is the tenant's public URL, on one of its own hosts
	// (config.Config.TenantBaseURL): its mailed links start with it.
	BaseURL string
	// Institutional is the tenant's setting for institutional mailboxes and collective
	// requests from an OPD (issue 19): on for a pemda, off for the national service.
	Institutional bool
	// ScanRetention is how long after a request entered the archive its uploaded scans
	// are purged (internal/archive); 0 keeps them.
	ScanRetention time.Duration
	// TimeZone and Hours replace its SOP preset's working calendar when set, on the
	// first-run page (internal/setup).
	TimeZone string
	Hours    *[7][]sop.Span
	// Unconfigured: no tenant file describes it and its admin has not yet saved the
	// first-run page; the back office points the admin there.
	Unconfigured bool
}

// Link is the absolute URL of path on the tenant's own site, for mail.
func (t Tenant) Link(path string) string { return t.BaseURL + path }

// FrontDesk is the office's counter (loket pelayanan) as applicants are told of it when
// they cannot use the portal: no JavaScript for the captcha, or a site served over plain
// HTTP. Every part is optional.
type FrontDesk struct {
	Address string // "Jl. Basuki Rahmat No. 41, Samarinda"
	Hours   string // "Senin–Kamis 08.00–16.00, Jumat 08.00–11.30 WITA"
	Phone   string
	Email   string
}

// Store is the persistence the account service needs. Methods called with the ctx given
// to Tx's fn run in that transaction.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error

	CreateUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id int64) (User, error)
	UserByEmail(ctx context.Context, tenantID int64, email string) (User, error)
	UserByLogin(ctx context.Context, tenantID int64, login string) (User, error)
	UsernamesWithPrefix(ctx context.Context, tenantID int64, prefix string) ([]string, error)
	ActivateUser(ctx context.Context, id int64, at time.Time) error
	SetPassword(ctx context.Context, id int64, hash string, at time.Time) error
	UpdateProfile(ctx context.Context, id int64, p Profile) error
	SetLang(ctx context.Context, id int64, lang string) error

	CreateToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, purpose, hash string) (Token, error)
	UseToken(ctx context.Context, id int64, at time.Time) (bool, error)
	UseTokensOf(ctx context.Context, userID int64, purpose string, at time.Time) error

	// CreateLinkRequest stores a request for a mailed link and sets its ID.
	CreateLinkRequest(ctx context.Context, r *LinkRequest) error
	// TakeLinkRequest marks a link request answered and returns it; false when it was
	// already, so a job run twice mails once.
	TakeLinkRequest(ctx context.Context, id int64, at time.Time) (LinkRequest, bool, error)
	// EnqueueJob queues background work (internal/jobs) in the caller's transaction.
	EnqueueJob(ctx context.Context, kind string, ref int64, maxAttempts int, runAt time.Time) (int64, error)

	FailureCounter

	CreateSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, hash string) (Session, error)
	// SessionUser is SessionByHash and UserByID of its account in one read.
	SessionUser(ctx context.Context, hash string) (Session, User, error)
	TouchSession(ctx context.Context, hash string, at time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	DeleteUserSessions(ctx context.Context, userID int64, except string) error
}

// Mail is a message queued for sending.
type Mail = notify.Mail

// Mailer queues mail. Called inside a transaction, the mail is sent only if the
// transaction commits.
type Mailer interface {
	Send(ctx context.Context, m notify.Mail) error
}
