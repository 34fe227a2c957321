package sqlmail_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/dovecottest"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/store"
)

// The Dovecot and Postfix suite: Debian's dovecot and postmap binaries, configured from the
// blocks of docs/mail-server.md, reading the tables the driver writes. With CI=true a
// missing binary fails the test; elsewhere it skips.
func TestDovecot(t *testing.T) {
	if err := dovecottest.Installed(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) { dovecotSuite(t, d) })
	}
}

func dovecotSuite(t *testing.T, d store.Dialect) {
	ctx := context.Background()
	env := newMailEnv(t, d)
	st := env.st
	// The production defaults (19 MiB argon2id) for the main mailbox, proving Dovecot
	// verifies what surel writes; a cheap hash elsewhere.
	s, err := sqlmail.New(st.DB(), st.Dialect(), sqlmail.Options{DefaultQuota: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	blf, err := sqlmail.New(st.DB(), st.Dialect(), sqlmail.Options{Scheme: sqlmail.BlfCrypt, BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	const domain = "kaltimprov.go.id"
	budi := "budi.santoso@" + domain
	siti := "siti.aminah@" + domain
	pw := mailbox.GeneratePassword()
	if err := s.AddDomain(ctx, domain); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, mailbox.New{Address: budi, Name: "Budi Santoso", Password: pw, Owner: "request:1"}); err != nil {
		t.Fatal(err)
	}
	if err := blf.Create(ctx, mailbox.New{Address: siti, Name: "Siti Aminah", Password: "Siti12345", Owner: "request:2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias(ctx, "postmaster@"+domain, budi); err != nil {
		t.Fatal(err)
	}

	dv := env.startDovecot(t)

	// Account test of seed 003 step 4, for both schemes.
	if err := mailbox.TestLogin(ctx, dv.IMAP, budi, pw); err != nil {
		t.Fatalf("ARGON2ID login: %v\n%s", err, dv.log())
	}
	if err := mailbox.TestLogin(ctx, dv.IMAP, siti, "Siti12345"); err != nil {
		t.Fatalf("BLF-CRYPT login: %v\n%s", err, dv.log())
	}
	if err := mailbox.TestLogin(ctx, dv.IMAP, budi, pw+"x"); !errors.Is(err, mailbox.ErrLoginRefused) {
		t.Fatalf("wrong password: %v", err)
	}
	// Login names are lower-cased by auth_username_format.
	if err := mailbox.TestLogin(ctx, dv.IMAP, "Budi.Santoso@KaltimProv.go.id", pw); err != nil {
		t.Fatalf("mixed-case login: %v", err)
	}
	if err := mailbox.TestDelivery(ctx, dv.LMTP, dv.IMAP, budi, pw); err != nil {
		t.Fatalf("delivery: %v\n%s", err, dv.log())
	}
	// The quota plugin writes the space used to mail_quota through dict-sql; a message
	// delivered and then deleted leaves 0, so deliver one to keep.
	if err := dv.deliver(ctx, siti); err != nil {
		t.Fatalf("deliver to siti: %v\n%s", err, dv.log())
	}
	waitFor(t, dv, "quota usage recorded", func() bool {
		u, err := blf.Usage(ctx, siti)
		return err == nil && u.UsedBytes > 0
	})
	if c, err := s.Capacity(ctx, domain); err != nil || c.Accounts != 2 || c.UsedBytes == 0 {
		t.Fatalf("capacity %+v %v", c, err)
	}

	// Postfix's maps answer from the same rows.
	pf := env.postfixMaps(t)
	pf.expect(t, "domains", domain, domain)
	pf.expect(t, "domains", "other.go.id", "")
	pf.expect(t, "mailboxes", budi, domain+"/budi.santoso/")
	pf.expect(t, "mailboxes", "nobody@"+domain, "")
	pf.expect(t, "aliases", "postmaster@"+domain, budi)

	// A new password replaces the old one at once (no auth cache).
	pw2 := mailbox.GeneratePassword()
	if err := s.SetPassword(ctx, budi, pw2); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.TestLogin(ctx, dv.IMAP, budi, pw); !errors.Is(err, mailbox.ErrLoginRefused) {
		t.Fatalf("old password after change: %v", err)
	}
	if err := mailbox.TestLogin(ctx, dv.IMAP, budi, pw2); err != nil {
		t.Fatalf("new password: %v", err)
	}
	// A repeated create for the same owner leaves one mailbox whose password is the
	// repeated one (a retry after a crash hands over working credentials).
	if err := s.Create(ctx, mailbox.New{Address: budi, Password: pw, Owner: "request:1"}); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.TestLogin(ctx, dv.IMAP, budi, pw); err != nil {
		t.Fatalf("password of the repeated create: %v", err)
	}

	// Locked: no login, no delivery, unknown to Postfix; unlocked: all back.
	if err := s.SetLocked(ctx, budi, true); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.TestLogin(ctx, dv.IMAP, budi, pw); !errors.Is(err, mailbox.ErrLoginRefused) {
		t.Fatalf("locked login: %v", err)
	}
	if err := dv.deliver(ctx, budi); err == nil {
		t.Fatal("locked mailbox accepted mail")
	}
	pf.expect(t, "mailboxes", budi, "")
	if err := s.SetLocked(ctx, budi, false); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.TestDelivery(ctx, dv.LMTP, dv.IMAP, budi, pw); err != nil {
		t.Fatalf("delivery after unlock: %v", err)
	}
	pf.expect(t, "mailboxes", budi, domain+"/budi.santoso/")

	// Deactivated (the owner has left): no login, mail bounces; reactivated: all back.
	if err := s.Deactivate(ctx, budi); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.TestLogin(ctx, dv.IMAP, budi, pw); !errors.Is(err, mailbox.ErrLoginRefused) {
		t.Fatalf("deactivated login: %v", err)
	}
	if err := dv.deliver(ctx, budi); err == nil {
		t.Fatal("deactivated mailbox accepted mail")
	}
	pf.expect(t, "mailboxes", budi, "")
	if err := s.SetLocked(ctx, budi, false); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.TestLogin(ctx, dv.IMAP, budi, pw); err != nil {
		t.Fatalf("login after reactivation: %v", err)
	}

	// The quota from the row is enforced: a mailbox full to its quota refuses mail.
	u, _ := blf.Usage(ctx, siti)
	if err := blf.SetQuota(ctx, siti, u.UsedBytes); err != nil {
		t.Fatal(err)
	}
	if err := dv.deliver(ctx, siti); err == nil || !strings.Contains(err.Error(), "uota") {
		t.Fatalf("delivery beyond quota: %v", err)
	}
}

// mailEnv is one test's database and scratch directory, which dovecottest makes
// traversable for Dovecot's unprivileged processes.
type mailEnv struct {
	st  *store.Store
	dir string
	db  dovecottest.DB
}

func newMailEnv(t *testing.T, d store.Dialect) *mailEnv {
	dir, err := dovecottest.ScratchDir()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	e := &mailEnv{dir: dir, db: dovecottest.DB{Dialect: d}}
	var dbURL string
	if d == store.SQLite {
		e.db.SQLitePath = filepath.Join(dir, "surel.db")
		dbURL = "sqlite:" + e.db.SQLitePath
	} else {
		dbURL = dbtest.URL(t, d)
		if e.db.Postgres, err = url.Parse(dbURL); err != nil {
			t.Fatal(err)
		}
	}
	if e.st, err = store.Open(context.Background(), dbURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	return e
}

type dovecot struct{ *dovecottest.Server }

func (d dovecot) log() string { return d.Log() }

func (e *mailEnv) startDovecot(t *testing.T) dovecot {
	return dovecot{dovecottest.StartT(t, e.dir, e.db)}
}

// deliver hands a message to LMTP without looking for it.
func (d dovecot) deliver(ctx context.Context, address string) error {
	conn, err := net.DialTimeout("tcp", d.LMTP, 5*time.Second)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("test.invalid"); err != nil {
		return err
	}
	if err := c.Mail("postmaster@test.invalid", nil); err != nil {
		return err
	}
	if err := c.Rcpt(address, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "From: <postmaster@test.invalid>\r\nTo: <%s>\r\nSubject: kept\r\n\r\n%s\r\n", address, strings.Repeat("isi pesan ", 100))
	_, err = w.CloseWithLMTPResponse()
	return err
}

type postfix struct{ *dovecottest.Maps }

func (e *mailEnv) postfixMaps(t *testing.T) postfix {
	m, err := dovecottest.Postfix(e.dir, e.db)
	if err != nil {
		t.Fatal(err)
	}
	return postfix{m}
}

// expect runs postmap -q key against the map; want "" means not found.
func (p postfix) expect(t *testing.T, name, key, want string) {
	t.Helper()
	got, err := p.Query(name, key)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("postmap -q %s %s: got %q, want %q", key, name, got, want)
	}
}

func waitFor(t *testing.T, dv dovecot, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\n%s", what, dv.log())
		}
	}
}
