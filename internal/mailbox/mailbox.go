// Package mailbox is the provisioning side of surel: one interface to a tenant's mail
// server (create a mailbox, set its password, lock or unlock it, set its quota, read its
// usage, count the accounts) and the drivers that speak to real servers, each in a
// sub-package (sqlmail for Dovecot/Postfix reading surel's own tables, zimbra for the
// Zimbra SOAP Admin API).
//
// Every driver is idempotent in the way the back office needs: creating a mailbox that
// already exists for the same owner succeeds without a second mailbox (and sets the
// password given, so a create repeated after a crash, with a newly generated password,
// still hands over credentials that work); one that exists for another owner is
// ErrTaken, never overwritten.
package mailbox

import (
	"context"
	"errors"
	"time"
)

// ErrTaken is returned by Create when the address belongs to another owner.
var ErrTaken = errors.New("mailbox: address already belongs to another owner")

// ErrNoSuchMailbox is returned when the address has no mailbox on the server.
var ErrNoSuchMailbox = errors.New("mailbox: no such mailbox")

// ErrNoSuchDomain is returned when the server does not serve the address's domain.
var ErrNoSuchDomain = errors.New("mailbox: the server does not serve this domain")

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
	// supports that.
	MustChange bool
}

// Info is what the server says about one mailbox.
type Info struct {
	Address    string
	Owner      string
	Locked     bool
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
	Accounts       int   // mailboxes on the domain
	QuotaAllocated int64 // sum of the mailboxes' quotas, bytes
	UsedBytes      int64 // sum of the space used, where the server reports it
}

// Server is a tenant's mail server.
type Server interface {
	// Create makes the mailbox (see New.Owner for repeated calls).
	Create(ctx context.Context, m New) error
	// SetPassword changes the password of an existing mailbox.
	SetPassword(ctx context.Context, address, password string) error
	// SetLocked locks (refuses logins and delivery) or unlocks the mailbox.
	SetLocked(ctx context.Context, address string, locked bool) error
	// SetQuota changes the mailbox's quota.
	SetQuota(ctx context.Context, address string, quotaBytes int64) error
	// Usage reads the mailbox's use of its quota.
	Usage(ctx context.Context, address string) (Usage, error)
	// Get reads one mailbox; ErrNoSuchMailbox when absent.
	Get(ctx context.Context, address string) (Info, error)
	// Capacity counts the accounts and quota of a domain.
	Capacity(ctx context.Context, domain string) (Capacity, error)
}
