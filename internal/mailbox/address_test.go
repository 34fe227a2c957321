package mailbox

import (
	"errors"
	"testing"
)

func TestLimits(t *testing.T) {
	l := Limits{MaxAccounts: 2, TotalQuota: 10}
	for _, c := range []struct {
		name  string
		c     Capacity
		quota int64
		want  error
	}{
		{"fits", Capacity{Accounts: 1, QuotaAllocated: 5}, 5, nil},
		{"accounts full", Capacity{Accounts: 2}, 1, ErrFull},
		{"quota full", Capacity{Accounts: 1, QuotaAllocated: 6}, 5, ErrFull},
		// Mailboxes without a quota count at what they use.
		{"unlimited ones use the rest", Capacity{Accounts: 1, QuotaAllocated: 4, Unlimited: 1, UnlimitedUsedBytes: 3}, 4, ErrFull},
		{"unlimited ones' use unknown", Capacity{Accounts: 1, QuotaAllocated: 4, Unlimited: 1, UnlimitedUsedBytes: -1}, 4, nil},
		// The server's default for a new mailbox: its class of service's quota.
		{"server default known", Capacity{Accounts: 1, QuotaAllocated: 4, NewQuotaBytes: 7}, 0, ErrFull},
		{"server default unlimited", Capacity{Accounts: 1, NewQuotaBytes: 0}, 0, ErrUnbounded},
		{"server default unknown", Capacity{Accounts: 1, NewQuotaBytes: -1}, 0, ErrUnbounded},
	} {
		if err := l.Check(c.c, c.quota); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if err := (Limits{}).Check(Capacity{Accounts: 1 << 20, QuotaAllocated: 1 << 50, NewQuotaBytes: -1}, 0); err != nil {
		t.Fatal(err)
	}
	// Without a total quota, an unknown default is no matter.
	if err := (Limits{MaxAccounts: 5}).Check(Capacity{Accounts: 1, NewQuotaBytes: -1}, 0); err != nil {
		t.Fatal(err)
	}
}
