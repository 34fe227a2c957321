package open_test

import (
	"context"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/cpanel/cpanelfake"
	"github.com/surel-id/surel/internal/mailbox/open"
	"github.com/surel-id/surel/internal/mailbox/zimbra/zimbrafake"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/store"
)

var fast = passwd.New(passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})

func TestSQL(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tenant := config.Tenant{Slug: "kaltim", MailDomain: "kaltimprov.go.id",
			Mail: config.MailServer{Driver: "sql", PasswordScheme: "ARGON2ID", Limits: config.MailLimits{DefaultQuotaBytes: 2 << 30, MaxAccounts: 1}}}
		s, err := open.Open(ctx, tenant, st.DB(), st.Dialect(), fast)
		if err != nil {
			t.Fatal(err)
		}
		// Opening again (every start) keeps the one domain.
		if s, err = open.Open(ctx, tenant, st.DB(), st.Dialect(), fast); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, mailbox.New{Address: "budi@kaltimprov.go.id", Password: mailbox.GeneratePassword(), Owner: "request:1"}); err != nil {
			t.Fatal(err)
		}
		c, err := s.Capacity(ctx, "kaltimprov.go.id")
		if err != nil || c.Accounts != 1 || c.QuotaAllocated != 2<<30 {
			t.Fatalf("%+v %v", c, err)
		}
		if err := open.Limits(tenant.Mail).Check(c, 2<<30); !errors.Is(err, mailbox.ErrFull) {
			t.Fatalf("limit: %v", err)
		}
	})
}

// A self-signed admin port: trusted through ca_file, checked against tls_server_name
// when the URL names the server otherwise (the test server's certificate is for
// example.com and 127.0.0.1).
func TestZimbraTLS(t *testing.T) {
	ctx := context.Background()
	f := zimbrafake.Start(t, "b.go.id")
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.TLS.Certificate().Raw}), 0o600)
	tenant := config.Tenant{Slug: "b", MailDomain: "b.go.id", Mail: config.MailServer{Driver: "zimbra",
		Zimbra: config.ZimbraServer{URL: f.URL, AdminUser: "admin@b.go.id", AdminPassword: "rahasia", COS: "default",
			TLS: config.TLS{CAFile: ca, ServerName: "example.com"}}}}
	s, err := open.Open(ctx, tenant, nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckAccess(ctx, "b.go.id"); err != nil {
		t.Fatalf("through the CA file and the server name: %v", err)
	}
	// The certificate does not carry another name.
	tenant.Mail.Zimbra.ServerName = "mail.b.go.id"
	s, _ = open.Open(ctx, tenant, nil, "", nil)
	if _, err := s.Get(ctx, "x@b.go.id"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("with a name the certificate lacks: %v", err)
	}
	// Without the CA the self-signed certificate is refused.
	tenant.Mail.Zimbra.TLS = config.TLS{}
	s, _ = open.Open(ctx, tenant, nil, "", nil)
	if _, err := s.Get(ctx, "x@b.go.id"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the CA: %v", err)
	}
}

// The cpanel driver keeps its owner marks in surel's database.
func TestCPanel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := cpanelfake.Start(t, "desamaju.id")
		ca := filepath.Join(t.TempDir(), "ca.pem")
		os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cpanelCert(t, f)}), 0o600)
		tenant := config.Tenant{Slug: "maju", MailDomain: "desamaju.id", Mail: config.MailServer{Driver: "cpanel",
			CPanel: config.CPanelServer{URL: f.URL, User: "desa", Token: "TOKEN123", TLS: config.TLS{CAFile: ca}}}}
		s, err := open.Open(ctx, tenant, st.DB(), st.Dialect(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, mailbox.New{Address: "kades@desamaju.id", Password: "Kuat123456789", Owner: "request:1"}); err != nil {
			t.Fatal(err)
		}
		if in, err := s.Get(ctx, "kades@desamaju.id"); err != nil || in.Owner != "request:1" {
			t.Fatalf("%+v %v", in, err)
		}
	})
}

// cpanelCert is the fake's self-signed certificate, as the server presents it.
func cpanelCert(t *testing.T, f *cpanelfake.Server) []byte {
	t.Helper()
	res, err := f.Client.Get(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.TLS.PeerCertificates[0].Raw
}

func TestAccountTestNeedsAddress(t *testing.T) {
	if err := open.AccountTest(context.Background(), config.MailServer{}, "a@b.go.id", "x"); !errors.Is(err, open.ErrNoTest) {
		t.Fatal(err)
	}
	if _, err := open.Open(context.Background(), config.Tenant{Mail: config.MailServer{Driver: "exchange"}}, nil, "", nil); err == nil {
		t.Fatal("unknown driver accepted")
	}
}
