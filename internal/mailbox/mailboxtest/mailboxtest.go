// Package mailboxtest holds the checks every mailbox driver's tests share: the parts of
// the mailbox.Server contract that do not depend on the server behind it.
package mailboxtest

import (
	"context"
	"errors"
	"testing"

	"github.com/surel-id/surel/internal/mailbox"
)

// Missing checks that every call on an address without a mailbox (in a domain the
// server has) fails with mailbox.ErrNoSuchMailbox.
func Missing(t *testing.T, s mailbox.Server, address string) {
	t.Helper()
	ctx := context.Background()
	for name, err := range map[string]error{
		"set password": s.SetPassword(ctx, address, "x1xxxxxx"),
		"set locked":   s.SetLocked(ctx, address, true),
		"set quota":    s.SetQuota(ctx, address, 1),
		"get":          func() error { _, err := s.Get(ctx, address); return err }(),
		"usage":        func() error { _, err := s.Usage(ctx, address); return err }(),
	} {
		if !errors.Is(err, mailbox.ErrNoSuchMailbox) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
