package mailbox

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidAddress is returned for an address that is not lower-case local@domain.
var ErrInvalidAddress = errors.New("mailbox: invalid address")

// ErrFull is returned by Limits.Check when a new mailbox would exceed the tenant's limits.
var ErrFull = errors.New("mailbox: the mail server's limit is reached")

// ErrUnbounded is returned by Limits.Check when the tenant bounds the total quota but a
// new mailbox would get no quota, or one surel cannot know (the server's default): it
// could not be counted against the bound.
var ErrUnbounded = errors.New("mailbox: a new mailbox's quota cannot be counted against total_quota")

// Split checks that address is a lower-case local@domain of printable ASCII, as the
// naming rules produce, and returns its two halves. Drivers call it before talking to the
// server, so a typo never becomes a mailbox.
func Split(address string) (local, domain string, err error) {
	local, domain, ok := strings.Cut(address, "@")
	if !ok || local == "" || domain == "" || len(address) > 254 || len(local) > 64 ||
		strings.ContainsAny(domain, "@") || !strings.Contains(domain, ".") {
		return "", "", fmt.Errorf("%w: %q", ErrInvalidAddress, address)
	}
	for _, r := range address {
		if r <= ' ' || r >= 0x7f || (r >= 'A' && r <= 'Z') || strings.ContainsRune(`"'\%,;:<>()[]`, r) {
			return "", "", fmt.Errorf("%w: %q", ErrInvalidAddress, address)
		}
	}
	return local, domain, nil
}

// Limits are a tenant's bounds on its mail server (config mail_server.limits); zero
// means no bound.
type Limits struct {
	MaxAccounts int
	TotalQuota  int64 // bytes
}

// Check tells whether one more mailbox of quotaBytes fits beside the domain's current
// capacity; quotaBytes 0 is the server's default for a new mailbox (c.NewQuotaBytes).
// Mailboxes without a quota count at the space they use, where the server says. The
// error wraps ErrFull (with the figures and the bound reached) or ErrUnbounded.
func (l Limits) Check(c Capacity, quotaBytes int64) error {
	if l.MaxAccounts > 0 && c.Accounts+1 > l.MaxAccounts {
		return fmt.Errorf("%w: %d of %d accounts in use", ErrFull, c.Accounts, l.MaxAccounts)
	}
	if l.TotalQuota == 0 {
		return nil
	}
	if quotaBytes == 0 {
		quotaBytes = c.NewQuotaBytes
	}
	switch {
	case quotaBytes < 0:
		return fmt.Errorf("%w: the server's default quota for a new mailbox is unknown; set limits.default_quota", ErrUnbounded)
	case quotaBytes == 0:
		return fmt.Errorf("%w: a new mailbox would have no quota (the server's default is unlimited); set limits.default_quota", ErrUnbounded)
	}
	allocated := c.QuotaAllocated
	if c.UnlimitedUsedBytes > 0 {
		allocated += c.UnlimitedUsedBytes
	}
	if allocated+quotaBytes > l.TotalQuota {
		unlimited := ""
		if c.Unlimited > 0 {
			unlimited = fmt.Sprintf(" (%d mailboxes without quota counted at their use)", c.Unlimited)
		}
		return fmt.Errorf("%w: %d of %d bytes of quota allocated%s, %d more asked", ErrFull, allocated, l.TotalQuota, unlimited, quotaBytes)
	}
	return nil
}
