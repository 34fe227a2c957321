package zimbra

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/mailboxtest"
)

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFakeZimbra(t, "kaltimprov.go.id")
	s := f.server(t)
	m := mailbox.New{Address: "budi.santoso@kaltimprov.go.id", Name: "Budi Santoso", Password: "Rahasia123", Owner: "request:1", MustChange: true, QuotaBytes: 2 << 30}
	if err := s.Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	a := f.accounts[m.Address]
	if a.password != "Rahasia123" || a.attrs["zimbraMailQuota"] != "2147483648" || a.attrs["zimbraPasswordMustChange"] != "TRUE" ||
		a.attrs["zimbraNotes"] != "surel owner=request:1" || a.attrs["displayName"] != "Budi Santoso" {
		t.Fatalf("created %+v", a)
	}
	in, err := s.Get(ctx, m.Address)
	want := mailbox.Info{Address: m.Address, Owner: "request:1", QuotaBytes: 2 << 30, CreatedAt: time.Date(2026, 1, 5, 8, 30, 0, 0, time.UTC)}
	if err != nil || in != want {
		t.Fatalf("get %+v %v", in, err)
	}

	// Repeated for the same owner: one account, the new password set.
	m2 := m
	m2.Password = "Baru456abc"
	if err := s.Create(ctx, m2); err != nil {
		t.Fatal(err)
	}
	if len(f.accounts) != 1 || a.password != "Baru456abc" {
		t.Fatalf("repeated create: %d accounts, password %q", len(f.accounts), a.password)
	}
	// Another owner: taken, nothing changed.
	m3 := m
	m3.Owner, m3.Password = "request:2", "Lain789xyz"
	if err := s.Create(ctx, m3); !errors.Is(err, mailbox.ErrTaken) {
		t.Fatalf("other owner: %v", err)
	}
	if a.password != "Baru456abc" {
		t.Fatal("overwritten")
	}

	if err := s.SetLocked(ctx, m.Address, true); err != nil {
		t.Fatal(err)
	}
	if in, _ := s.Get(ctx, m.Address); !in.Locked || a.attrs["zimbraAccountStatus"] != "closed" {
		t.Fatalf("lock: %+v %s", in, a.attrs["zimbraAccountStatus"])
	}
	if err := s.SetLocked(ctx, m.Address, false); err != nil {
		t.Fatal(err)
	}
	if in, _ := s.Get(ctx, m.Address); in.Locked {
		t.Fatal("still locked")
	}
	if err := s.SetQuota(ctx, m.Address, 5<<30); err != nil || a.attrs["zimbraMailQuota"] != "5368709120" {
		t.Fatalf("quota: %v %s", err, a.attrs["zimbraMailQuota"])
	}
	if err := s.SetPassword(ctx, m.Address, "Ketiga000"); err != nil || a.password != "Ketiga000" {
		t.Fatalf("password: %v", err)
	}
	a.size = 12345
	if u, err := s.Usage(ctx, m.Address); err != nil || u != (mailbox.Usage{UsedBytes: 12345, QuotaBytes: 5 << 30}) {
		t.Fatalf("usage %+v %v", u, err)
	}
}

func TestCapacityPages(t *testing.T) {
	ctx := context.Background()
	f := newFakeZimbra(t, "kaltimprov.go.id", "other.go.id")
	s := f.server(t)
	for i := range 1203 {
		s.defaultQuota = 1000
		if err := s.Create(ctx, mailbox.New{Address: fmt.Sprintf("u%04d@kaltimprov.go.id", i), Password: "Pw123456", Owner: "r"}); err != nil {
			t.Fatal(err)
		}
	}
	f.accounts["u0001@kaltimprov.go.id"].size = 7
	f.accounts["u1202@kaltimprov.go.id"].size = 9
	f.accounts["u0002@kaltimprov.go.id"].attrs["zimbraCOSId"] = "premium"
	if err := s.Create(ctx, mailbox.New{Address: "x@other.go.id", Password: "Pw123456", Owner: "r", QuotaBytes: 1 << 40}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Capacity(ctx, "kaltimprov.go.id")
	if err != nil || c != (mailbox.Capacity{Accounts: 1203, QuotaAllocated: 1203 * 1000, UsedBytes: 16}) {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := s.Capacity(ctx, "nowhere.go.id"); !errors.Is(err, mailbox.ErrNoSuchDomain) {
		t.Fatalf("unknown domain: %v", err)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	f := newFakeZimbra(t, "kaltimprov.go.id")
	s := f.server(t)
	err := s.Create(ctx, mailbox.New{Address: "a@other.go.id", Password: "Pw123456", Owner: "r"})
	if !errors.Is(err, mailbox.ErrNoSuchDomain) || !strings.Contains(err.Error(), "no such domain: other.go.id") {
		t.Fatalf("unknown domain: %v", err)
	}
	mailboxtest.Missing(t, s, "nobody@kaltimprov.go.id")
	if err := s.Create(ctx, mailbox.New{Address: "budi@kaltimprov.go.id", Password: "Pw123456", Owner: "r"}); err != nil {
		t.Fatal(err)
	}
	// An address that is another account's alias is taken, even though GetAccount by
	// that name answers with the other account.
	f.aliases["b@kaltimprov.go.id"] = "budi@kaltimprov.go.id"
	if err := s.Create(ctx, mailbox.New{Address: "b@kaltimprov.go.id", Password: "Pw123456", Owner: "r"}); !errors.Is(err, mailbox.ErrTaken) {
		t.Fatalf("alias: %v", err)
	}
	// An account surel did not make (no owner note) is taken.
	delete(f.accounts["budi@kaltimprov.go.id"].attrs, "zimbraNotes")
	if err := s.Create(ctx, mailbox.New{Address: "budi@kaltimprov.go.id", Password: "Pw123456", Owner: "r"}); !errors.Is(err, mailbox.ErrTaken) {
		t.Fatalf("foreign account: %v", err)
	}
	err = s.SetPassword(ctx, "budi@kaltimprov.go.id", "short")
	var fault *Fault
	if !errors.As(err, &fault) || fault.Code != "account.INVALID_PASSWORD" || !strings.Contains(err.Error(), "password policy") {
		t.Fatalf("password policy: %v", err)
	}
	f.failNext = "service.PERM_DENIED"
	if err := s.SetQuota(ctx, "budi@kaltimprov.go.id", 1); err == nil || !strings.Contains(err.Error(), "lacks the right") {
		t.Fatalf("permission: %v", err)
	}
	f.failNext = "service.FAILURE"
	if _, err := s.Get(ctx, "budi@kaltimprov.go.id"); !errors.As(err, &fault) || fault.Code != "service.FAILURE" {
		t.Fatalf("other fault: %v", err)
	}
}

// An expired admin token is renewed once and the request repeated.
func TestExpiredToken(t *testing.T) {
	ctx := context.Background()
	f := newFakeZimbra(t, "kaltimprov.go.id")
	s := f.server(t)
	if err := s.Create(ctx, mailbox.New{Address: "budi@kaltimprov.go.id", Password: "Pw123456", Owner: "r"}); err != nil {
		t.Fatal(err)
	}
	f.expireTokens()
	if _, err := s.Get(ctx, "budi@kaltimprov.go.id"); err != nil {
		t.Fatal(err)
	}
	want := []string{"AuthRequest", "CreateAccountRequest", "GetAccountRequest", "AuthRequest", "GetAccountRequest"}
	if got := f.callNames(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	// The new token is kept: no sign-in for the next request.
	if _, err := s.Get(ctx, "budi@kaltimprov.go.id"); err != nil || len(f.callNames()) != 6 {
		t.Fatalf("%v %v", err, f.callNames())
	}
}

func TestBadCredentialsAndURL(t *testing.T) {
	ctx := context.Background()
	f := newFakeZimbra(t, "kaltimprov.go.id")
	s, _ := New(Options{URL: f.srv.URL + "/service/admin/soap", AdminUser: "admin@kaltimprov.go.id", AdminPassword: "salah", HTTPClient: f.srv.Client()})
	if _, err := s.Get(ctx, "budi@kaltimprov.go.id"); err == nil || !strings.Contains(err.Error(), "admin account admin@kaltimprov.go.id was refused") {
		t.Fatalf("wrong admin password: %v", err)
	}
	s, _ = New(Options{URL: f.srv.URL + "/wrong", AdminUser: "admin@kaltimprov.go.id", AdminPassword: "rahasia", HTTPClient: f.srv.Client()})
	if _, err := s.Get(ctx, "budi@kaltimprov.go.id"); err == nil || !strings.Contains(err.Error(), "not a SOAP answer") {
		t.Fatalf("wrong URL: %v", err)
	}
	if _, err := New(Options{URL: "https://x"}); err == nil {
		t.Fatal("no credentials accepted")
	}
}
