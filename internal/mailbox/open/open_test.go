package open_test

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/open"
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

func TestZimbraWithCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
		env := `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>%s</soap:Body></soap:Envelope>`
		if strings.Contains(string(b), "AuthRequest") {
			io.WriteString(w, strings.Replace(env, "%s", `<AuthResponse xmlns="urn:zimbraAdmin"><authToken>t</authToken></AuthResponse>`, 1))
			return
		}
		w.WriteHeader(500)
		io.WriteString(w, strings.Replace(env, "%s", `<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code><soap:Reason><soap:Text>no such account: x@b.go.id</soap:Text></soap:Reason><soap:Detail><Error xmlns="urn:zimbra"><Code>account.NO_SUCH_ACCOUNT</Code></Error></soap:Detail></soap:Fault>`, 1))
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	tenant := config.Tenant{Slug: "b", MailDomain: "b.go.id", Mail: config.MailServer{Driver: "zimbra",
		Zimbra: config.ZimbraServer{URL: srv.URL + "/service/admin/soap", AdminUser: "admin@b.go.id", AdminPassword: "x", CAFile: ca}}}
	s, err := open.Open(context.Background(), tenant, nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(context.Background(), "x@b.go.id"); !errors.Is(err, mailbox.ErrNoSuchMailbox) {
		t.Fatalf("through the CA file: %v", err)
	}
	// Without the CA the self-signed certificate is refused.
	tenant.Mail.Zimbra.CAFile = ""
	s, _ = open.Open(context.Background(), tenant, nil, "", nil)
	if _, err := s.Get(context.Background(), "x@b.go.id"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the CA: %v", err)
	}
}

func TestAccountTestNeedsAddress(t *testing.T) {
	if err := open.AccountTest(context.Background(), config.MailServer{}, "a@b.go.id", "x"); !errors.Is(err, open.ErrNoTest) {
		t.Fatal(err)
	}
	if _, err := open.Open(context.Background(), config.Tenant{Mail: config.MailServer{Driver: "exchange"}}, nil, "", nil); err == nil {
		t.Fatal("unknown driver accepted")
	}
}
