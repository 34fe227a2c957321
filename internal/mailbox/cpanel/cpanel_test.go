package cpanel_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/cpanel"
	"github.com/surel-id/surel/internal/mailbox/cpanel/cpanelfake"
	"github.com/surel-id/surel/internal/mailbox/mailboxtest"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/store"
)

const domain = "desamaju.id"

func server(t *testing.T, f *cpanelfake.Server, st *store.Store, opt cpanel.Options) *cpanel.Server {
	t.Helper()
	opt.URL, opt.HTTPClient = f.URL, f.Client
	if opt.User == "" {
		opt.User, opt.Token = "desa", "TOKEN123"
	}
	opt.Owners = sqlmail.NewOwners(st.DB(), st.Dialect(), nil)
	s, err := cpanel.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The shared contract, with the owner marks in surel's database on both engines.
func TestContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		mailboxtest.Contract(t, func(t *testing.T) mailboxtest.Harness {
			f := cpanelfake.Start(t, domain)
			// A fresh owner table per harness: the addresses repeat between subtests.
			if _, err := st.DB().Exec(`DELETE FROM mail_owners`); err != nil {
				t.Fatal(err)
			}
			return mailboxtest.Harness{Server: server(t, f, st, cpanel.Options{PageSize: 4}), Domain: domain, PageSize: 4,
				Password: func(a, pw string) bool { m := f.Mailbox(a); return m != nil && m.Password == pw },
				SetUsed: func(a string, n int64) {
					f.Do(func(s *cpanelfake.State) { s.Mailboxes[a].Used = n })
				},
			}
		})
	})
}

// A mailbox made on cPanel by hand carries no mark of surel's: taken, untouched. A
// refused add_pop leaves no claim behind.
func TestOwnership(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := cpanelfake.Start(t, domain)
		f.Do(func(s *cpanelfake.State) {
			s.Mailboxes["kades@"+domain] = &cpanelfake.Mailbox{Local: "kades", Domain: domain, Password: "Lama12345678"}
		})
		s := server(t, f, st, cpanel.Options{})
		if err := s.Create(ctx, mailbox.New{Address: "kades@" + domain, Password: "Baru123456789", Owner: "request:1"}); !errors.Is(err, mailbox.ErrTaken) {
			t.Fatalf("a mailbox made by hand: %v", err)
		}
		if f.Mailbox("kades@"+domain).Password != "Lama12345678" {
			t.Fatal("a stranger's password changed")
		}
		owners := sqlmail.NewOwners(st.DB(), st.Dialect(), nil)
		// A weak password: refused by cPanel's strength rule, as the policy, and no claim
		// stays.
		err := s.Create(ctx, mailbox.New{Address: "sekdes@" + domain, Password: "abc", Owner: "request:2"})
		if !errors.Is(err, mailbox.ErrPasswordPolicy) || !strings.Contains(err.Error(), "too weak") {
			t.Fatalf("weak password: %v", err)
		}
		if o, _ := owners.Owner(ctx, "sekdes@"+domain); o != "" {
			t.Fatalf("a refused create left the claim of %s", o)
		}
		// Another request's claim (a create under way elsewhere) makes the address taken.
		if _, err := owners.Claim(ctx, "bendahara@"+domain, "request:9"); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, mailbox.New{Address: "bendahara@" + domain, Password: "Kuat123456789", Owner: "request:3"}); !errors.Is(err, mailbox.ErrTaken) {
			t.Fatalf("claimed by another request: %v", err)
		}
	})
}

// Token failures are HTML pages with 401 or 403, refusals HTTP 200 with status 0: each
// is told apart and named.
func TestErrorShapes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := cpanelfake.Start(t, domain)
		bad := server(t, f, st, cpanel.Options{User: "desa", Token: "SALAH"})
		if err := bad.CheckAccess(ctx, domain); !errors.Is(err, mailbox.ErrNotAllowed) || !strings.Contains(err.Error(), "HTTP 401") {
			t.Fatalf("wrong token: %v", err)
		}
		s := server(t, f, st, cpanel.Options{})
		f.Do(func(s *cpanelfake.State) { s.WrongAddress = true })
		if err := s.CheckAccess(ctx, domain); !errors.Is(err, mailbox.ErrNotAllowed) || !strings.Contains(err.Error(), "HTTP 403") {
			t.Fatalf("token limited to other addresses: %v", err)
		}
		f.Do(func(s *cpanelfake.State) { s.WrongAddress, s.NoEmailFeature = false, true })
		if err := s.Create(ctx, mailbox.New{Address: "a1@" + domain, Password: "Kuat123456789", Owner: "r"}); !errors.Is(err, mailbox.ErrNotAllowed) || !strings.Contains(err.Error(), "popaccts") {
			t.Fatalf("without the feature: %v", err)
		}
		f.Do(func(s *cpanelfake.State) { s.NoEmailFeature = false })
		if err := s.CheckAccess(ctx, "lain.id"); !errors.Is(err, mailbox.ErrNoSuchDomain) {
			t.Fatalf("a domain of another account: %v", err)
		}
		if err := s.Create(ctx, mailbox.New{Address: "a@lain.id", Password: "Kuat123456789", Owner: "r"}); !errors.Is(err, mailbox.ErrNoSuchDomain) {
			t.Fatalf("create in another domain: %v", err)
		}
		// The command-line tool's wrapped answer reads the same.
		f.Do(func(s *cpanelfake.State) { s.Wrapped = true })
		if err := s.Create(ctx, mailbox.New{Address: "wrap@" + domain, Password: "Kuat123456789", Owner: "r"}); err != nil {
			t.Fatalf("wrapped answers: %v", err)
		}
		wrong, _ := cpanel.New(cpanel.Options{URL: f.URL + "/login", User: "desa", Token: "TOKEN123", HTTPClient: f.Client, Owners: sqlmail.NewOwners(st.DB(), st.Dialect(), nil)})
		if err := wrong.CheckAccess(ctx, domain); err == nil || !strings.Contains(err.Error(), "not a UAPI answer") {
			t.Fatalf("wrong URL: %v", err)
		}
	})
}

// The cPanel account's own "Main Account" is no mailbox of the domain; a lock suspends
// logins only (mail still arrives), a deactivation incoming mail too.
func TestListAndSuspensions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := cpanelfake.Start(t, domain)
		s := server(t, f, st, cpanel.Options{})
		a := "kasi@" + domain
		if err := s.Create(ctx, mailbox.New{Address: a, Password: "Kuat123456789", Owner: "request:5", QuotaBytes: 1}); err != nil {
			t.Fatal(err)
		}
		if m := f.Mailbox(a); m.QuotaMB != 1 {
			t.Fatalf("one byte of quota became %d MB, want 1 (rounded up)", m.QuotaMB)
		}
		p, err := s.List(ctx, domain, "")
		if err != nil || len(p.Accounts) != 1 || p.Accounts[0].Address != a || p.Accounts[0].Owner != "request:5" || p.Next != "" {
			t.Fatalf("list %+v %v", p, err)
		}
		if err := s.SetLocked(ctx, a, true); err != nil {
			t.Fatal(err)
		}
		if m := f.Mailbox(a); !m.SuspendedLogin || m.SuspendedIncoming {
			t.Fatalf("lock: %+v", m)
		}
		if err := s.Deactivate(ctx, a); err != nil {
			t.Fatal(err)
		}
		if m := f.Mailbox(a); !m.SuspendedLogin || !m.SuspendedIncoming {
			t.Fatalf("deactivate: %+v", m)
		}
		c, err := s.Capacity(ctx, domain)
		if err != nil || c.Accounts != 1 || c.NewQuotaBytes != 1<<30 {
			t.Fatalf("capacity %+v %v", c, err)
		}
	})
}

// Above the cPanel account's maximum email quota, edit_pop_quota applies the maximum
// without an error: surel reads the quota back and says so.
func TestQuotaCappedSilently(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := cpanelfake.Start(t, domain)
		f.Do(func(s *cpanelfake.State) { s.MaxQuotaMB = 1024 })
		s := server(t, f, st, cpanel.Options{})
		a := "kasi@" + domain
		if err := s.Create(ctx, mailbox.New{Address: a, Password: "Kuat123456789", Owner: "r", QuotaBytes: 512 << 20}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetQuota(ctx, a, 1<<30); err != nil {
			t.Fatal(err)
		}
		if err := s.SetQuota(ctx, a, 2<<30); err == nil || !strings.Contains(err.Error(), "maximum email quota") {
			t.Fatalf("quota above the maximum: %v", err)
		}
		if err := s.Create(ctx, mailbox.New{Address: "b@" + domain, Password: "Kuat123456789", Owner: "r", QuotaBytes: 2 << 30}); err == nil {
			t.Fatal("add_pop above the maximum accepted")
		}
	})
}

// A mailbox surel made and someone deleted on cPanel leaves its owner mark behind: a day
// on, a create for another request replaces the stale mark; a fresh mark (a create that
// may still be under way) keeps the address.
func TestStaleOwnerMark(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := cpanelfake.Start(t, domain)
		s := server(t, f, st, cpanel.Options{})
		addr := "sekdes@" + domain
		if err := s.Create(ctx, mailbox.New{Address: addr, Password: "Rahasia2026x", Owner: "request:1"}); err != nil {
			t.Fatal(err)
		}
		f.Do(func(s *cpanelfake.State) { delete(s.Mailboxes, addr) })
		if err := s.Create(ctx, mailbox.New{Address: addr, Password: "Rahasia2026y", Owner: "request:2"}); !errors.Is(err, mailbox.ErrTaken) {
			t.Fatalf("over a fresh mark: %v", err)
		}
		later := server(t, f, st, cpanel.Options{Now: func() time.Time { return time.Now().Add(cpanel.StaleOwnerAfter + time.Hour) }})
		if err := later.Create(ctx, mailbox.New{Address: addr, Password: "Rahasia2026y", Owner: "request:2"}); err != nil {
			t.Fatalf("over a stale mark: %v", err)
		}
		if info, err := later.Get(ctx, addr); err != nil || info.Owner != "request:2" {
			t.Fatalf("after: %+v %v", info, err)
		}
	})
}

// Purge calls delete_pop without flags=passwd, so the mail directory goes too, and only
// for a mailbox whose logins and incoming mail are both suspended; the owner mark goes
// with the mailbox. A mailbox deleted in cPanel between the read and delete_pop is no
// such mailbox; a missing feature is named.
func TestPurge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := cpanelfake.Start(t, domain)
		s := server(t, f, st, cpanel.Options{})
		owners := sqlmail.NewOwners(st.DB(), st.Dialect(), nil)
		a := "purna@" + domain
		if err := s.Create(ctx, mailbox.New{Address: a, Password: "Kuat123456789", Owner: "request:5"}); err != nil {
			t.Fatal(err)
		}
		// Incoming mail refused but logins allowed is not a deactivation.
		f.Do(func(s *cpanelfake.State) { s.Mailboxes[a].SuspendedIncoming = true })
		if err := s.Purge(ctx, a); !errors.Is(err, mailbox.ErrNotAllowed) || f.Mailbox(a) == nil {
			t.Fatalf("purge with logins allowed: %v", err)
		}
		if err := s.Deactivate(ctx, a); err != nil {
			t.Fatal(err)
		}
		f.Do(func(s *cpanelfake.State) { s.NoEmailFeature = true })
		if err := s.Purge(ctx, a); !errors.Is(err, mailbox.ErrNotAllowed) || !strings.Contains(err.Error(), "popaccts") {
			t.Fatalf("purge without the feature: %v", err)
		}
		f.Do(func(s *cpanelfake.State) { s.NoEmailFeature = false })
		if err := s.Purge(ctx, a); err != nil {
			t.Fatal(err)
		}
		f.Do(func(s *cpanelfake.State) {
			if s.Mailboxes[a] != nil || len(s.Kept) != 0 {
				t.Errorf("after delete_pop: mailbox %v, directories kept %v", s.Mailboxes[a], s.Kept)
			}
		})
		if o, _ := owners.Owner(ctx, a); o != "" {
			t.Fatalf("the owner mark of %s stayed", o)
		}

		b := "pindah@" + domain
		if err := s.Create(ctx, mailbox.New{Address: b, Password: "Kuat123456789", Owner: "request:6"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Deactivate(ctx, b); err != nil {
			t.Fatal(err)
		}
		f.Do(func(s *cpanelfake.State) {
			s.BeforeCall = func(s *cpanelfake.State, fn string) {
				if fn == "delete_pop" {
					delete(s.Mailboxes, b)
				}
			}
		})
		if err := s.Purge(ctx, b); !errors.Is(err, mailbox.ErrNoSuchMailbox) || !strings.Contains(err.Error(), "You do not have an email account named") {
			t.Fatalf("deleted meanwhile: %v", err)
		}
	})
}
