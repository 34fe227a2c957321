// Package mailboxtest holds the checks every mailbox driver's tests share: the parts of
// the mailbox.Server contract that do not depend on the server behind it. Each driver's
// tests run Contract against its real server (sqlmail: surel's tables, on SQLite and
// PostgreSQL) or against the fake that reproduces its server (zimbra, cpanel).
package mailboxtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/surel-id/surel/internal/mailbox"
)

// Harness is a driver under test, with the means to look behind it.
type Harness struct {
	Server mailbox.Server
	// Domain is served by the server and holds no mailbox yet.
	Domain string
	// PageSize is the driver's page size for List, as the harness configured it
	// (small, so the listing spans several pages).
	PageSize int
	// Password reports whether password opens the mailbox.
	Password func(address, password string) bool
	// MustChange reads the server's "change the password at first login" mark; nil
	// where the server has none.
	MustChange func(address string) bool
	// SetUsed makes the server report bytes used by the mailbox, as after deliveries;
	// nil where the test cannot.
	SetUsed func(address string, bytes int64)
}

// Contract runs the checks of the mailbox.Server contract against a fresh harness per
// subtest.
func Contract(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("create", func(t *testing.T) { create(t, newHarness(t)) })
	t.Run("status", func(t *testing.T) { statuses(t, newHarness(t)) })
	t.Run("quota", func(t *testing.T) { quota(t, newHarness(t)) })
	t.Run("list", func(t *testing.T) { list(t, newHarness(t)) })
	t.Run("purge", func(t *testing.T) {
		h := newHarness(t)
		if _, ok := h.Server.(mailbox.Purger); !ok {
			t.Skip("the driver cannot purge (mailbox.Purger)")
		}
		purge(t, h)
	})
	t.Run("missing", func(t *testing.T) {
		h := newHarness(t)
		Missing(t, h.Server, "nobody@"+h.Domain)
	})
	t.Run("access", func(t *testing.T) {
		h := newHarness(t)
		if err := h.Server.CheckAccess(context.Background(), h.Domain); err != nil {
			t.Fatalf("check access: %v", err)
		}
	})
}

func create(t *testing.T, h Harness) {
	ctx := context.Background()
	m := mailbox.New{Address: "budi.santoso@" + h.Domain, Name: "Budi Santoso", Password: "Rahasia123abc", Owner: "request:1", MustChange: true, QuotaBytes: 2 << 30}
	if err := h.Server.Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	in, err := h.Server.Get(ctx, m.Address)
	if err != nil || in.Address != m.Address || in.Owner != m.Owner || in.Status != mailbox.StatusActive || in.QuotaBytes != m.QuotaBytes {
		t.Fatalf("get: %+v %v", in, err)
	}
	if !h.Password(m.Address, m.Password) {
		t.Fatal("the password given does not open the mailbox")
	}
	if h.MustChange != nil && !h.MustChange(m.Address) {
		t.Fatal("no must-change mark after create")
	}

	// Again for the same owner (a retry after a crash, with a new password): one
	// mailbox, the new password works, and the first-login mark still holds.
	again := m
	again.Password = "Baru456abcXYZ"
	if err := h.Server.Create(ctx, again); err != nil {
		t.Fatalf("repeated create: %v", err)
	}
	if !h.Password(m.Address, again.Password) {
		t.Fatal("repeated create: the new password does not open the mailbox")
	}
	if h.MustChange != nil && !h.MustChange(m.Address) {
		t.Fatal("repeated create lost the must-change mark")
	}
	// Another owner: taken, nothing changes.
	other := m
	other.Owner, other.Password = "request:2", "Lain789xyzABC"
	if err := h.Server.Create(ctx, other); !errors.Is(err, mailbox.ErrTaken) {
		t.Fatalf("another owner: %v", err)
	}
	if !h.Password(m.Address, again.Password) {
		t.Fatal("another owner's create changed the password")
	}
	if err := h.Server.Create(ctx, mailbox.New{Address: "x@" + h.Domain, Password: "Pw123456abcd"}); err == nil {
		t.Fatal("created without an owner")
	}
	if err := h.Server.Create(ctx, mailbox.New{Address: "Budi@" + h.Domain, Password: "Pw123456abcd", Owner: "r"}); !errors.Is(err, mailbox.ErrInvalidAddress) {
		t.Fatalf("upper-case address: %v", err)
	}
	if err := h.Server.Create(ctx, mailbox.New{Address: "a@unknown-" + h.Domain, Password: "Pw123456abcd", Owner: "r"}); !errors.Is(err, mailbox.ErrNoSuchDomain) {
		t.Fatalf("unknown domain: %v", err)
	}

	if err := h.Server.SetPassword(ctx, m.Address, "Ketiga000abcXY"); err != nil {
		t.Fatal(err)
	}
	if !h.Password(m.Address, "Ketiga000abcXY") {
		t.Fatal("set password: the new password does not open the mailbox")
	}
}

func statuses(t *testing.T, h Harness) {
	ctx := context.Background()
	a := "dewi@" + h.Domain
	if err := h.Server.Create(ctx, mailbox.New{Address: a, Password: "Pw123456abcd", Owner: "request:7"}); err != nil {
		t.Fatal(err)
	}
	expect := func(step string, want mailbox.Status) {
		t.Helper()
		in, err := h.Server.Get(ctx, a)
		if err != nil || in.Status != want {
			t.Fatalf("%s: get %+v %v, want %s", step, in, err, want)
		}
		found := false
		for acc := range accounts(t, h) {
			if acc.Address == a {
				found = true
				if acc.Status != want {
					t.Fatalf("%s: listed as %s, want %s", step, acc.Status, want)
				}
			}
		}
		if !found {
			t.Fatalf("%s: not listed", step)
		}
	}
	if err := h.Server.SetLocked(ctx, a, true); err != nil {
		t.Fatal(err)
	}
	expect("locked", mailbox.StatusLocked)
	if err := h.Server.SetLocked(ctx, a, false); err != nil {
		t.Fatal(err)
	}
	expect("unlocked", mailbox.StatusActive)
	if err := h.Server.Deactivate(ctx, a); err != nil {
		t.Fatal(err)
	}
	expect("deactivated", mailbox.StatusDeactivated)
	if err := h.Server.SetLocked(ctx, a, false); err != nil {
		t.Fatal(err)
	}
	expect("reactivated", mailbox.StatusActive)
	if !h.Password(a, "Pw123456abcd") {
		t.Fatal("the password does not open the mailbox after reactivation")
	}
}

// purge checks mailbox.Purger: only a deactivated mailbox is deleted (an active or
// locked one is refused and stays), it is then gone from Get and List, a second purge
// finds nothing, and the address can be created again, for another owner.
func purge(t *testing.T, h Harness) {
	ctx := context.Background()
	p := h.Server.(mailbox.Purger)
	a := "purna.tugas@" + h.Domain
	if err := h.Server.Create(ctx, mailbox.New{Address: a, Password: "Pw123456abcd", Owner: "request:3"}); err != nil {
		t.Fatal(err)
	}
	listed := func() bool {
		for acc := range accounts(t, h) {
			if acc.Address == a {
				return true
			}
		}
		return false
	}
	if err := p.Purge(ctx, a); !errors.Is(err, mailbox.ErrNotAllowed) {
		t.Fatalf("purge of an active mailbox: %v", err)
	}
	if err := h.Server.SetLocked(ctx, a, true); err != nil {
		t.Fatal(err)
	}
	if err := p.Purge(ctx, a); !errors.Is(err, mailbox.ErrNotAllowed) {
		t.Fatalf("purge of a locked mailbox: %v", err)
	}
	if in, err := h.Server.Get(ctx, a); err != nil || in.Status != mailbox.StatusLocked || !listed() || !h.Password(a, "Pw123456abcd") {
		t.Fatalf("after the refused purges: %+v %v", in, err)
	}
	if err := h.Server.Deactivate(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := p.Purge(ctx, a); err != nil {
		t.Fatalf("purge of a deactivated mailbox: %v", err)
	}
	if _, err := h.Server.Get(ctx, a); !errors.Is(err, mailbox.ErrNoSuchMailbox) {
		t.Fatalf("get after the purge: %v", err)
	}
	if listed() {
		t.Fatal("listed after the purge")
	}
	if err := p.Purge(ctx, a); !errors.Is(err, mailbox.ErrNoSuchMailbox) {
		t.Fatalf("second purge: %v", err)
	}
	if err := h.Server.Create(ctx, mailbox.New{Address: a, Password: "Baru456abcXYZ", Owner: "request:4"}); err != nil {
		t.Fatalf("create again after the purge: %v", err)
	}
	if in, err := h.Server.Get(ctx, a); err != nil || in.Owner != "request:4" || in.Status != mailbox.StatusActive || !h.Password(a, "Baru456abcXYZ") {
		t.Fatalf("created again: %+v %v", in, err)
	}
}

func quota(t *testing.T, h Harness) {
	ctx := context.Background()
	// Local parts that no test password contains: Zimbra refuses a password holding the
	// user name.
	a, b := "kuota.satu@"+h.Domain, "kuota.dua@"+h.Domain
	for _, x := range []string{a, b} {
		if err := h.Server.Create(ctx, mailbox.New{Address: x, Password: "Pw123456abcd", Owner: "r:" + x, QuotaBytes: 1 << 30}); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Server.SetQuota(ctx, a, 5<<30); err != nil {
		t.Fatal(err)
	}
	if in, err := h.Server.Get(ctx, a); err != nil || in.QuotaBytes != 5<<30 {
		t.Fatalf("quota: %+v %v", in, err)
	}
	if h.SetUsed != nil {
		h.SetUsed(a, 3<<20)
		if u, err := h.Server.Usage(ctx, a); err != nil || u != (mailbox.Usage{UsedBytes: 3 << 20, QuotaBytes: 5 << 30}) {
			t.Fatalf("usage: %+v %v", u, err)
		}
	}
	c, err := h.Server.Capacity(ctx, h.Domain)
	if err != nil || c.Accounts != 2 || c.QuotaAllocated != 6<<30 || c.Unlimited != 0 {
		t.Fatalf("capacity: %+v %v", c, err)
	}
	if h.SetUsed != nil && c.UsedBytes != 3<<20 {
		t.Fatalf("capacity used: %+v", c)
	}
	if _, err := h.Server.Capacity(ctx, "unknown-"+h.Domain); !errors.Is(err, mailbox.ErrNoSuchDomain) {
		t.Fatalf("capacity of an unknown domain: %v", err)
	}
}

// list creates mailboxes across several pages, then lists while mailboxes are added
// before, inside and after the range already read: every mailbox that existed from the
// start is listed exactly once, and none twice.
func list(t *testing.T, h Harness) {
	ctx := context.Background()
	n := 3*h.PageSize + 1
	var want []string
	for i := range n {
		a := fmt.Sprintf("u%04d@%s", i*10, h.Domain)
		if err := h.Server.Create(ctx, mailbox.New{Address: a, Password: "Pw123456abcd", Owner: fmt.Sprintf("request:%d", i)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, a)
	}
	seen := map[string]int{}
	cursor, pages, added := "", 0, 0
	for {
		p, err := h.Server.List(ctx, h.Domain, cursor)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		for _, a := range p.Accounts {
			seen[a.Address]++
			if a.UsedBytes < -1 || a.Status == "" {
				t.Fatalf("listed %+v", a)
			}
		}
		if p.Next == "" {
			break
		}
		if pages > 10*n {
			t.Fatal("the listing does not end")
		}
		// Mail arrives and staff create mailboxes while the sync reads: new ones sort
		// among those already read and those still to come.
		for _, name := range []string{"a", "u0005", "u5", "zz"} {
			added++
			a := fmt.Sprintf("%s-%d@%s", name, added, h.Domain)
			if err := h.Server.Create(ctx, mailbox.New{Address: a, Password: "Pw123456abcd", Owner: "new:" + a}); err != nil {
				t.Fatal(err)
			}
		}
		cursor = p.Next
	}
	if pages < 2 {
		t.Fatalf("%d mailboxes in %d page: PageSize %d not honoured", n, pages, h.PageSize)
	}
	for _, a := range want {
		if seen[a] != 1 {
			t.Errorf("%s listed %d times", a, seen[a])
		}
	}
	for a, k := range seen {
		if k > 1 {
			t.Errorf("%s listed %d times", a, k)
		}
	}
	if _, err := h.Server.List(ctx, "unknown-"+h.Domain, ""); !errors.Is(err, mailbox.ErrNoSuchDomain) {
		t.Fatalf("list of an unknown domain: %v", err)
	}
}

// accounts yields every mailbox of the harness's domain, following the cursors.
func accounts(t *testing.T, h Harness) func(func(mailbox.Account) bool) {
	return func(yield func(mailbox.Account) bool) {
		cursor := ""
		for range 10000 {
			p, err := h.Server.List(context.Background(), h.Domain, cursor)
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			for _, a := range p.Accounts {
				if !yield(a) {
					return
				}
			}
			if p.Next == "" {
				return
			}
			cursor = p.Next
		}
		t.Fatal("the listing does not end")
	}
}

// Missing checks that every call on an address without a mailbox (in a domain the
// server has) fails with mailbox.ErrNoSuchMailbox.
func Missing(t *testing.T, s mailbox.Server, address string) {
	t.Helper()
	ctx := context.Background()
	calls := map[string]error{
		"set password": s.SetPassword(ctx, address, "x1xxxxxxAAAA"),
		"set locked":   s.SetLocked(ctx, address, true),
		"deactivate":   s.Deactivate(ctx, address),
		"set quota":    s.SetQuota(ctx, address, 1<<20),
		"get":          func() error { _, err := s.Get(ctx, address); return err }(),
		"usage":        func() error { _, err := s.Usage(ctx, address); return err }(),
	}
	if p, ok := s.(mailbox.Purger); ok {
		calls["purge"] = p.Purge(ctx, address)
	}
	names := make([]string, 0, len(calls))
	for name := range calls {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := calls[name]; !errors.Is(err, mailbox.ErrNoSuchMailbox) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
