// Package mailbox is the provisioning side of surel: one interface to a tenant's mail
// server (create a mailbox, set its password, lock, unlock or deactivate it, set its
// quota, read its usage, count and list the accounts of a domain) and the drivers that
// speak to real servers, each in a sub-package (sqlmail for Dovecot/Postfix reading
// surel's own tables, zimbra for the Zimbra SOAP Admin API, cpanel for cPanel's UAPI).
//
// Every driver is idempotent in the way the back office needs: creating a mailbox that
// already exists for the same owner succeeds without a second mailbox (and sets the
// password given, so a create repeated after a crash, with a newly generated password,
// still hands over credentials that work); one that exists for another owner, or an
// address the server uses for something else (an alias, a distribution list), is
// ErrTaken, never overwritten.
//
// The shared checks every driver passes are in mailboxtest.
package mailbox

import (
	"context"
	"errors"
	"time"
)

// ErrTaken is returned by Create when the address belongs to another owner, or the server
// uses it for something that is not a mailbox (an alias, a distribution list). It is
// permanent: retrying cannot succeed, staff must choose another address.
var ErrTaken = errors.New("mailbox: address already taken")

// ErrNoSuchMailbox is returned when the address has no mailbox on the server.
var ErrNoSuchMailbox = errors.New("mailbox: no such mailbox")

// ErrNoSuchDomain is returned when the server does not serve the address's domain.
var ErrNoSuchDomain = errors.New("mailbox: the server does not serve this domain")

// ErrPasswordPolicy is returned when the server's password policy refused a password:
// nothing was set. The error's text names the rule.
var ErrPasswordPolicy = errors.New("mailbox: the server's password policy refused the password")

// ErrNotAllowed is returned when the server refuses an operation because surel's
// account on it lacks a right or a setting; the error's text names what to grant
// (docs/mail-server.md lists each driver's rights).
var ErrNotAllowed = errors.New("mailbox: the mail server refused the operation to surel's account")

// PolicyWarning is returned by SetPassword (and Create on a repeated create) when the
// server set the password although it breaks the server's own policy, and said so only
// in a message (Zimbra, for an admin holding setAccountPassword). The password IS set:
// callers treat it as success and show or record Message.
type PolicyWarning struct {
	Address string
	Message string
}

func (w *PolicyWarning) Error() string {
	return "mailbox: password of " + w.Address + " set, but the server reports a policy violation: " + w.Message
}

// New describes a mailbox to create.
type New struct {
	Address  string // full address, lower-case: local@domain
	Name     string // display name of the owner
	Password string // plain text; the driver hashes or sends it and never logs it
	// QuotaBytes is the mailbox quota; 0 means the server's default.
	QuotaBytes int64
	// Owner identifies who the mailbox is for (surel uses "request:<id>"): creating again
	// for the same owner succeeds without a second mailbox and sets Password; for
	// another owner it is ErrTaken.
	Owner string
	// MustChange asks the server to require a new password at first login, where it
	// supports that. It holds after a repeated create too.
	MustChange bool
}

// Status is a mailbox's state on its server, as surel reads it.
type Status string

// The statuses. Only Active accepts logins. Locked and Deactivated are surel's own
// decisions (SetLocked, Deactivate); Lockout, Maintenance and Pending are the server's.
const (
	StatusActive Status = "active"
	// StatusLocked is SetLocked(true): the owner cannot log in; the mailbox, its mail
	// and its list memberships stay, and unlocking restores everything. Whether new
	// mail still arrives is the server's notion of a lock: Zimbra's "locked" and
	// cPanel's suspended login keep accepting it, the sql driver refuses it at RCPT.
	StatusLocked Status = "locked"
	// StatusDeactivated is Deactivate: no login and no delivery (mail to it bounces),
	// for an owner who has left (pensiun, mutasi, death).
	StatusDeactivated Status = "deactivated"
	// StatusLockout is the server's own lock after repeated failed logins; it lifts by
	// itself (Zimbra's zimbraPasswordLockoutDuration) and is nobody's decision.
	StatusLockout Status = "lockout"
	// StatusMaintenance is the server holding the account for its own work (Zimbra
	// moving or restoring a mailbox): logins refused and mail deferred, for a while.
	StatusMaintenance Status = "maintenance"
	// StatusPending is an account the server keeps as not yet in use (Zimbra's
	// "pending"): no login, mail bounces.
	StatusPending Status = "pending"
)

// Info is what the server says about one mailbox.
type Info struct {
	Address    string
	Owner      string // surel's owner mark (New.Owner); "" for a mailbox surel did not make
	Status     Status
	QuotaBytes int64
	CreatedAt  time.Time
}

// Usage is a mailbox's use of its quota.
type Usage struct {
	UsedBytes  int64
	QuotaBytes int64
}

// Capacity is the whole domain on the server: the figures the capacity check (seed 004
// step 3) sets against the tenant's limits.
type Capacity struct {
	Accounts int // mailboxes on the domain (the server's own system accounts left out)
	// QuotaAllocated is the sum of the mailboxes' finite quotas, bytes.
	QuotaAllocated int64
	// Unlimited counts the mailboxes without a quota (0: Zimbra's and cPanel's
	// "unlimited", the sql driver's "Dovecot's default"); they are not in
	// QuotaAllocated. UnlimitedUsedBytes is the space those use, -1 when unknown.
	Unlimited          int
	UnlimitedUsedBytes int64
	// UsedBytes is the sum of the space used, -1 when the server would not say (Notes
	// says why).
	UsedBytes int64
	// NewQuotaBytes is the quota a mailbox created with QuotaBytes 0 gets (the driver's
	// default, or Zimbra's class of service): 0 unlimited, -1 unknown.
	NewQuotaBytes int64
	// Notes name the figures that are missing and what to grant to get them ("space
	// used unknown: grant getDomainQuotaUsage on …"), for staff beside the figures.
	Notes []string
}

// Account is one mailbox in a listing of a domain (Server.List): what a sync of the
// mailboxes a tenant already runs reads.
type Account struct {
	Address string
	Name    string // display name, "" when the server has none
	Status  Status
	// QuotaBytes is the quota in effect, 0 unlimited (see Capacity.Unlimited).
	QuotaBytes int64
	// UsedBytes is the space used, -1 when the server would not say.
	UsedBytes int64
	// Owner is surel's owner mark (New.Owner); "" for a mailbox surel did not make.
	Owner string
	// OwnerID is the owner as the server records it in the attribute the tenant names
	// (Zimbra: employeeNumber by default, often the NIP); "" when absent or the server
	// has no such attribute.
	OwnerID string
	// Unit is the owner's unit as the server records it (Zimbra: ou), "" when absent:
	// with the name, it picks the owner among namesakes in the roster.
	Unit      string
	CreatedAt time.Time // zero when the server does not say
	// System marks the server's own accounts (Zimbra's spam, ham, GAL sync, quarantine
	// accounts): never a person's.
	System bool
}

// Page is one page of a listing.
type Page struct {
	Accounts []Account
	// Next is the cursor of the next page, "" after the last one.
	Next string
}

// Server is a tenant's mail server.
type Server interface {
	// Create makes the mailbox (see New.Owner for repeated calls).
	Create(ctx context.Context, m New) error
	// SetPassword changes the password of an existing mailbox; it may return a
	// *PolicyWarning, after which the password is set.
	SetPassword(ctx context.Context, address, password string) error
	// SetLocked locks the mailbox (StatusLocked) or makes it active again; unlocking a
	// deactivated mailbox reactivates it.
	SetLocked(ctx context.Context, address string, locked bool) error
	// Deactivate blocks login and delivery (StatusDeactivated), for an owner who has
	// left; SetLocked(false) reverses it. Nothing is deleted.
	Deactivate(ctx context.Context, address string) error
	// SetQuota changes the mailbox's quota.
	SetQuota(ctx context.Context, address string, quotaBytes int64) error
	// Usage reads the mailbox's use of its quota.
	Usage(ctx context.Context, address string) (Usage, error)
	// Get reads one mailbox; ErrNoSuchMailbox when absent.
	Get(ctx context.Context, address string) (Info, error)
	// Capacity counts the accounts and quota of a domain.
	Capacity(ctx context.Context, domain string) (Capacity, error)
	// List reads the domain's mailboxes a page at a time, from cursor "" to a page
	// whose Next is "". Pages are ranges of a key, never offsets: a mailbox that exists
	// for the whole listing is returned exactly once however the domain changes
	// meanwhile; one created or removed during it appears once or not at all.
	List(ctx context.Context, domain, cursor string) (Page, error)
	// CheckAccess verifies that surel's account on the server may do everything the
	// interface needs on the domain, and returns one error (errors.Join) naming each
	// missing right or setting, nil when all is well. Run at start, it turns a refusal
	// at the first create into a message the operator reads the day surel starts.
	CheckAccess(ctx context.Context, domain string) error
}

// MustChanger is implemented by drivers whose server keeps a "choose a new password at
// the next login" mark apart from the password (Zimbra's zimbraPasswordMustChange, the
// sql driver's must_change). SetPassword clears the mark on both, so a reset of a mailbox
// surel did not make (adopted by a sync: Create cannot set its password, the owner mark
// being another's) sets the password, then RequireChange. cPanel keeps no such mark.
type MustChanger interface {
	RequireChange(ctx context.Context, address string) error
}

// Purger is implemented by drivers that can delete a mailbox for good: the purge of a
// deactivated mailbox after the tenant's retention period. Purge refuses a mailbox that
// is not deactivated (ErrNotAllowed), so no slip deletes a live one, and answers
// ErrNoSuchMailbox for one the server does not have. The sql, zimbra and cpanel drivers
// implement it; docs/mail-server.md ("Purge") says what each deletes and what stays.
type Purger interface {
	Purge(ctx context.Context, address string) error
}

// PasswordPolicer is implemented by drivers whose server imposes a password policy surel
// can read (Zimbra's class of service): generated passwords are made to fit it.
type PasswordPolicer interface {
	PasswordPolicy(ctx context.Context, domain string) (PasswordPolicy, error)
}
