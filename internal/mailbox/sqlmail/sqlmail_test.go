package sqlmail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/mailboxtest"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/store"
)

// fast keeps the tests quick; Dovecot accepts any cost, so the integration test uses
// the same.
var fast = passwd.New(passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})

func newServer(t *testing.T, st *store.Store, opt sqlmail.Options) *sqlmail.Server {
	t.Helper()
	if opt.Hasher == nil {
		opt.Hasher = fast
	}
	s, err := sqlmail.New(st.DB(), st.Dialect(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddDomain(context.Background(), "kaltimprov.go.id"); err != nil {
		t.Fatal(err)
	}
	// Twice: adding a domain is idempotent.
	if err := s.AddDomain(context.Background(), "kaltimprov.go.id"); err != nil {
		t.Fatal(err)
	}
	return s
}

// The shared contract, on both engines.
func TestContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		n := 0
		mailboxtest.Contract(t, func(t *testing.T) mailboxtest.Harness {
			// One database per engine: each harness gets a domain of its own.
			n++
			domain := fmt.Sprintf("d%d.kaltimprov.go.id", n)
			s, err := sqlmail.New(st.DB(), st.Dialect(), sqlmail.Options{Hasher: fast, PageSize: 4})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.AddDomain(context.Background(), domain); err != nil {
				t.Fatal(err)
			}
			return mailboxtest.Harness{Server: s, Domain: domain, PageSize: 4,
				Password: func(address, password string) bool {
					ok, _, err := fast.Verify(context.Background(), strings.TrimPrefix(storedPassword(t, st, address), "{ARGON2ID}"), password)
					return ok && err == nil
				},
				MustChange: func(address string) bool {
					var must bool
					if err := st.DB().QueryRow(rebind(st, `SELECT must_change FROM mailboxes WHERE address = ?`), address).Scan(&must); err != nil {
						t.Fatal(err)
					}
					return must
				},
				SetUsed: func(address string, bytes int64) {
					if _, err := st.DB().Exec(rebind2(st, `INSERT INTO mail_quota (username, bytes, messages) VALUES (?, ?, 1)`), address, bytes); err != nil {
						t.Fatal(err)
					}
				},
			}
		})
	})
}

func TestLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newServer(t, st, sqlmail.Options{DefaultQuota: 2 << 30})
		m := mailbox.New{Address: "budi.santoso@kaltimprov.go.id", Name: "Budi Santoso", Password: "Rahasia123", Owner: "request:1", MustChange: true}
		if err := s.Create(ctx, m); err != nil {
			t.Fatal(err)
		}
		in, err := s.Get(ctx, m.Address)
		if err != nil || in.Owner != "request:1" || in.Status != mailbox.StatusActive || in.QuotaBytes != 2<<30 || in.CreatedAt.IsZero() {
			t.Fatalf("get: %+v %v", in, err)
		}
		hash := storedPassword(t, st, m.Address)
		if !strings.HasPrefix(hash, "{ARGON2ID}$argon2id$v=19$m=64,t=1,p=1$") {
			t.Fatalf("stored password %q", hash)
		}
		if ok, _, err := fast.Verify(ctx, strings.TrimPrefix(hash, "{ARGON2ID}"), "Rahasia123"); !ok || err != nil {
			t.Fatalf("hash does not verify: %v", err)
		}

		// Again for the same owner (a retry after a crash, with a new password): still one
		// mailbox, and the new password is the one that works.
		m2 := m
		m2.Password = "Baru456abc"
		if err := s.Create(ctx, m2); err != nil {
			t.Fatalf("repeated create: %v", err)
		}
		if ok, _, _ := fast.Verify(ctx, strings.TrimPrefix(storedPassword(t, st, m.Address), "{ARGON2ID}"), "Baru456abc"); !ok {
			t.Fatal("repeated create kept the old password")
		}
		// For another owner: taken, and nothing changes.
		before := storedPassword(t, st, m.Address)
		m3 := m
		m3.Owner, m3.Password = "request:2", "Lain789xyz"
		if err := s.Create(ctx, m3); !errors.Is(err, mailbox.ErrTaken) {
			t.Fatalf("other owner: %v", err)
		}
		if storedPassword(t, st, m.Address) != before {
			t.Fatal("another owner's create overwrote the password")
		}
		if c, err := s.Capacity(ctx, "kaltimprov.go.id"); err != nil || c.Accounts != 1 || c.QuotaAllocated != 2<<30 {
			t.Fatalf("capacity %+v %v", c, err)
		}

		if err := s.SetLocked(ctx, m.Address, true); err != nil {
			t.Fatal(err)
		}
		if in, _ := s.Get(ctx, m.Address); in.Status != mailbox.StatusLocked {
			t.Fatalf("not locked: %s", in.Status)
		}
		if err := s.SetLocked(ctx, m.Address, false); err != nil {
			t.Fatal(err)
		}
		if err := s.SetQuota(ctx, m.Address, 5<<30); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(ctx, m.Address, "Ketiga000abc"); err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := fast.Verify(ctx, strings.TrimPrefix(storedPassword(t, st, m.Address), "{ARGON2ID}"), "Ketiga000abc"); !ok {
			t.Fatal("password not changed")
		}
		// Dovecot's quota dict writes mail_quota; Usage and Capacity read it.
		if _, err := st.DB().Exec(rebind(st, `INSERT INTO mail_quota (username, bytes, messages) VALUES (?, 1234, 2)`), m.Address); err != nil {
			t.Fatal(err)
		}
		if u, err := s.Usage(ctx, m.Address); err != nil || u.UsedBytes != 1234 || u.QuotaBytes != 5<<30 {
			t.Fatalf("usage %+v %v", u, err)
		}
		if c, err := s.Capacity(ctx, "kaltimprov.go.id"); err != nil || c.Accounts != 1 || c.QuotaAllocated != 5<<30 || c.UsedBytes != 1234 {
			t.Fatalf("capacity %+v %v", c, err)
		}
	})
}

func TestErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newServer(t, st, sqlmail.Options{})
		mailboxtest.Missing(t, s, "nobody@kaltimprov.go.id")
		err := s.Create(ctx, mailbox.New{Address: "a@other.go.id", Password: "x1", Owner: "request:1"})
		if !errors.Is(err, mailbox.ErrNoSuchDomain) {
			t.Errorf("unknown domain: %v", err)
		}
		if _, err := s.Capacity(ctx, "other.go.id"); !errors.Is(err, mailbox.ErrNoSuchDomain) {
			t.Errorf("capacity of unknown domain: %v", err)
		}
		if c, err := s.Capacity(ctx, "kaltimprov.go.id"); err != nil || c.Accounts != 0 || c.QuotaAllocated != 0 || c.NewQuotaBytes != -1 {
			t.Errorf("empty domain: %+v %v", c, err)
		}
		for _, a := range []string{"Budi@kaltimprov.go.id", "budi", "@kaltimprov.go.id", "a b@kaltimprov.go.id", "a@b@kaltimprov.go.id", "a%b@kaltimprov.go.id"} {
			if err := s.Create(ctx, mailbox.New{Address: a, Password: "x1", Owner: "r"}); !errors.Is(err, mailbox.ErrInvalidAddress) {
				t.Errorf("%q: %v", a, err)
			}
		}
		if err := s.Create(ctx, mailbox.New{Address: "a@kaltimprov.go.id", Password: "x1"}); err == nil {
			t.Error("created without an owner")
		}
		if err := s.SetAlias(ctx, "postmaster@other.go.id", "a@kaltimprov.go.id"); !errors.Is(err, mailbox.ErrNoSuchDomain) {
			t.Errorf("alias on unknown domain: %v", err)
		}
	})
}

// Many creates of one address at once, half for each of two owners: one mailbox, and
// every call of the losing owner is ErrTaken.
func TestConcurrentCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newServer(t, st, sqlmail.Options{})
		var wg sync.WaitGroup
		errs := make([]error, 16)
		for i := range errs {
			wg.Go(func() {
				errs[i] = s.Create(ctx, mailbox.New{Address: "sama@kaltimprov.go.id", Password: "Pw123456", Owner: []string{"request:a", "request:b"}[i%2]})
			})
		}
		wg.Wait()
		in, err := s.Get(ctx, "sama@kaltimprov.go.id")
		if err != nil {
			t.Fatal(err)
		}
		for i, err := range errs {
			mine := []string{"request:a", "request:b"}[i%2] == in.Owner
			if mine && err != nil || !mine && !errors.Is(err, mailbox.ErrTaken) {
				t.Errorf("call %d (winner %s): %v", i, in.Owner, err)
			}
		}
		if c, _ := s.Capacity(ctx, "kaltimprov.go.id"); c.Accounts != 1 {
			t.Fatalf("%d mailboxes", c.Accounts)
		}
	})
}

func TestBlfCrypt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		s := newServer(t, st, sqlmail.Options{Scheme: sqlmail.BlfCrypt, BcryptCost: 4})
		if err := s.Create(context.Background(), mailbox.New{Address: "x@kaltimprov.go.id", Password: "Pw123456", Owner: "r"}); err != nil {
			t.Fatal(err)
		}
		if h := storedPassword(t, st, "x@kaltimprov.go.id"); !strings.HasPrefix(h, "{BLF-CRYPT}$2a$04$") {
			t.Fatalf("stored %q", h)
		}
	})
	if _, err := sqlmail.New(nil, store.SQLite, sqlmail.Options{Scheme: "MD5"}); err == nil {
		t.Error("unknown scheme accepted")
	}
	if _, err := sqlmail.New(nil, store.SQLite, sqlmail.Options{Hasher: passwd.New(passwd.Params{Memory: 64, Time: 1, Threads: 4, KeyLen: 32, SaltLen: 16})}); err == nil {
		t.Error("four lanes accepted")
	}
}

func storedPassword(t *testing.T, st *store.Store, address string) string {
	t.Helper()
	var h string
	if err := st.DB().QueryRow(rebind(st, `SELECT password FROM mailboxes WHERE address = ?`), address).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

// rebind2 numbers two placeholders for PostgreSQL.
func rebind2(st *store.Store, q string) string {
	if st.Dialect() == store.Postgres {
		return strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1)
	}
	return q
}

func rebind(st *store.Store, q string) string {
	if st.Dialect() == store.Postgres {
		return strings.ReplaceAll(q, "?", "$1")
	}
	return q
}
