// Package open builds a tenant's mail server driver from its configuration, so the
// wiring needs one call per tenant and the domain package stays free of configuration.
package open

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/cpanel"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/mailbox/zimbra"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/store"
)

// ErrNoTest is returned by AccountTest when the tenant configures neither imap_addr nor
// lmtp_addr: the account test is then left to staff.
var ErrNoTest = errors.New("mailbox: no imap_addr configured, the account test is manual")

// Open returns the mail server of tenant t. db and dialect are surel's own database
// (store.DB(), store.Dialect()), used by the sql driver, which also makes sure the
// tenant's mail_domain is served, and by the cpanel driver for its owner marks. hasher makes the sql driver's ARGON2ID hashes; nil is
// passwd.Default (share the portal's Hasher to share its CPU bound).
func Open(ctx context.Context, t config.Tenant, db *sql.DB, dialect store.Dialect, hasher *passwd.Hasher) (mailbox.Server, error) {
	m := t.Mail
	switch m.Driver {
	case "", "sql":
		s, err := sqlmail.New(db, dialect, sqlmail.Options{
			Scheme:       sqlmail.Scheme(m.PasswordScheme),
			Hasher:       hasher,
			DefaultQuota: m.Limits.DefaultQuotaBytes,
		})
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", t.Slug, err)
		}
		if err := s.AddDomain(ctx, t.MailDomain); err != nil {
			return nil, fmt.Errorf("tenant %s: %w", t.Slug, err)
		}
		return s, nil
	case "zimbra":
		hc, err := httpClient(m.Zimbra.TLS)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: mail_server.zimbra.ca_file: %w", t.Slug, err)
		}
		s, err := zimbra.New(zimbra.Options{
			URL:            m.Zimbra.URL,
			AdminUser:      m.Zimbra.AdminUser,
			AdminPassword:  m.Zimbra.AdminPassword,
			DefaultQuota:   m.Limits.DefaultQuotaBytes,
			COS:            m.Zimbra.COS,
			OwnerAttribute: m.Zimbra.OwnerAttribute,
			HTTPClient:     hc,
		})
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", t.Slug, err)
		}
		return s, nil
	case "cpanel":
		hc, err := httpClient(m.CPanel.TLS)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: mail_server.cpanel.ca_file: %w", t.Slug, err)
		}
		s, err := cpanel.New(cpanel.Options{
			URL:          m.CPanel.URL,
			User:         m.CPanel.User,
			Token:        m.CPanel.Token,
			Owners:       sqlmail.NewOwners(db, dialect, nil),
			DefaultQuota: m.Limits.DefaultQuotaBytes,
			HTTPClient:   hc,
		})
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", t.Slug, err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("tenant %s: unknown mail_server.driver %q", t.Slug, m.Driver)
}

// Limits are the tenant's configured bounds, for mailbox.Limits.Check against Capacity.
func Limits(m config.MailServer) mailbox.Limits {
	return mailbox.Limits{MaxAccounts: m.Limits.MaxAccounts, TotalQuota: m.Limits.TotalQuotaBytes}
}

// AccountTest is seed 003 step 4 with what the tenant configures: a test message
// delivered by LMTP and found over IMAP when lmtp_addr is set, an IMAP login when only
// imap_addr is, ErrNoTest when neither. mailbox.ErrPasswordChangePending is a pass.
func AccountTest(ctx context.Context, m config.MailServer, address, password string) error {
	switch {
	case m.IMAPAddr == "":
		return ErrNoTest
	case m.LMTPAddr != "":
		return mailbox.TestDelivery(ctx, m.LMTPAddr, m.IMAPAddr, address, password)
	default:
		return mailbox.TestLogin(ctx, m.IMAPAddr, address, password)
	}
}

// httpClient trusts the CA file's certificates besides the system's, and checks the
// server's certificate against ServerName when set (a server reached by IP or by an
// internal name, with a certificate made for its public name).
func httpClient(t config.TLS) (*http.Client, error) {
	c := &http.Client{Timeout: time.Minute}
	if t.CAFile == "" && t.ServerName == "" {
		return c, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, err
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", t.CAFile)
		}
		tc.RootCAs = pool
	}
	c.Transport = &http.Transport{
		TLSClientConfig:     tc,
		Proxy:               http.ProxyFromEnvironment,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return c, nil
}
