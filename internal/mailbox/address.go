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
// capacity; the error wraps ErrFull and says which bound is reached.
func (l Limits) Check(c Capacity, quotaBytes int64) error {
	if l.MaxAccounts > 0 && c.Accounts+1 > l.MaxAccounts {
		return fmt.Errorf("%w: %d of %d accounts in use", ErrFull, c.Accounts, l.MaxAccounts)
	}
	if l.TotalQuota > 0 && c.QuotaAllocated+quotaBytes > l.TotalQuota {
		return fmt.Errorf("%w: %d of %d bytes of quota allocated, %d more asked", ErrFull, c.QuotaAllocated, l.TotalQuota, quotaBytes)
	}
	return nil
}
