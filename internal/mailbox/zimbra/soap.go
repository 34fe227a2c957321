package zimbra

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/surel-id/surel/internal/mailbox"
)

// The SOAP 1.2 envelope namespace, and Zimbra's namespace for the header context.
const (
	nsSOAP   = "http://www.w3.org/2003/05/soap-envelope"
	nsZimbra = "urn:zimbra"
)

// maxAnswer bounds one answer: GetQuotaUsage with limit 0 lists a whole domain in one
// answer, about 120 bytes an account, so 256 MiB is two million accounts. The answer is
// decoded as it arrives, never held whole.
const maxAnswer = 256 << 20

// Fault is a SOAP fault from Zimbra: Code is Detail/Error/Code ("account.NO_SUCH_DOMAIN"),
// Reason the human text.
type Fault struct {
	Code   string
	Reason string
}

func (f *Fault) Error() string { return "zimbra: " + f.Code + ": " + f.Reason }

// The fault codes the driver acts on.
const (
	codeAuthExpired        = "service.AUTH_EXPIRED"
	codeAuthRequired       = "service.AUTH_REQUIRED"
	codeAuthFailed         = "account.AUTH_FAILED"
	codePermDenied         = "service.PERM_DENIED"
	codeAccountExists      = "account.ACCOUNT_EXISTS"
	codeNoSuchAccount      = "account.NO_SUCH_ACCOUNT"
	codeNoSuchDomain       = "account.NO_SUCH_DOMAIN"
	codeNoSuchCos          = "account.NO_SUCH_COS"
	codeInvalidPasswd      = "account.INVALID_PASSWORD"
	codeTooManyResults     = "account.TOO_MANY_SEARCH_RESULTS"
	codeTwoFactorSetup     = "account.TWO_FACTOR_SETUP_REQUIRED"
	codeMaintenanceMode    = "account.MAINTENANCE_MODE"
	codeInvalidAttrValue   = "account.INVALID_ATTR_VALUE"
	codeServiceFailure     = "service.FAILURE"
	codeServiceUnavailable = "service.UNAVAILABLE"
)

// client speaks SOAP to the admin service, keeping one admin token and signing in again
// when Zimbra says it has expired.
type client struct {
	url      string
	user     string
	password string
	http     *http.Client

	mu    sync.Mutex
	token string
}

type envelope struct {
	XMLName xml.Name `xml:"soap:Envelope"`
	NS      string   `xml:"xmlns:soap,attr"`
	Header  *header  `xml:"soap:Header,omitempty"`
	Body    struct {
		Content any
	} `xml:"soap:Body"`
}

type header struct {
	Context struct {
		XMLName   xml.Name  `xml:"urn:zimbra context"`
		AuthToken string    `xml:"authToken,omitempty"`
		NoSession *struct{} `xml:"nosession"`
	}
}

type soapFault struct {
	Reason struct {
		Text string `xml:"Text"`
	} `xml:"Reason"`
	FaultString string `xml:"faultstring"` // SOAP 1.1
	Detail      struct {
		Code string `xml:"Error>Code"`
	} `xml:"Detail"`
	DetailV11 struct {
		Code string `xml:"Error>Code"`
	} `xml:"detail"`
}

// call sends req and decodes the response element into resp, signing in first when there
// is no token and once more when the token has expired.
func (c *client) call(ctx context.Context, req, resp any) error {
	token, err := c.authToken(ctx, false)
	if err != nil {
		return err
	}
	err = c.roundTrip(ctx, token, req, resp)
	var f *Fault
	if errors.As(err, &f) && (f.Code == codeAuthExpired || f.Code == codeAuthRequired) {
		if token, err = c.authToken(ctx, true); err != nil {
			return err
		}
		err = c.roundTrip(ctx, token, req, resp)
	}
	return err
}

type authRequest struct {
	XMLName  xml.Name `xml:"urn:zimbraAdmin AuthRequest"`
	Name     string   `xml:"name,attr"`
	Password string   `xml:"password,attr"`
}

type authResponse struct {
	AuthToken             string `xml:"authToken"`
	TwoFactorAuthRequired bool   `xml:"twoFactorAuthRequired"`
}

// authToken returns the current admin token, signing in when there is none or when
// renew is set (after service.AUTH_EXPIRED). The refusals of AuthRequest are told apart
// here, because each needs a different fix from the operator.
func (c *client) authToken(ctx context.Context, renew bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && !renew {
		return c.token, nil
	}
	var resp authResponse
	err := c.roundTrip(ctx, "", authRequest{Name: c.user, Password: c.password}, &resp)
	var f *Fault
	switch {
	case errors.As(err, &f) && f.Code == codeAuthFailed:
		return "", fmt.Errorf("zimbra: %w: the admin account %s was refused: wrong password (admin_password): %v", mailbox.ErrNotAllowed, c.user, err)
	// service/admin/Auth.java:98-101 answers this before looking at the password, for an
	// account that does not exist or whose status is not active.
	case errors.As(err, &f) && f.Code == codePermDenied && strings.Contains(f.Reason, "Error in Authentication"):
		return "", fmt.Errorf("zimbra: %w: the admin account %s does not exist or is not active (locked, closed, lockout after failed logins, maintenance): check admin_user and the account's status in the admin console: %v", mailbox.ErrNotAllowed, c.user, err)
	// util/AccountUtil.java:1052-1062.
	case errors.As(err, &f) && f.Code == codePermDenied && strings.Contains(f.Reason, "not an admin account"):
		return "", fmt.Errorf("zimbra: %w: %s is an ordinary account, not an admin: make it a delegated admin (zimbraIsDelegatedAdminAccount TRUE) with the rights in docs/mail-server.md: %v", mailbox.ErrNotAllowed, c.user, err)
	case errors.As(err, &f) && f.Code == codeTwoFactorSetup:
		return "", fmt.Errorf("zimbra: %w: the admin account %s must set up two-factor authentication before it can sign in; surel signs in unattended and cannot answer a code: give surel its own delegated admin account without two-factor authentication (docs/mail-server.md): %v", mailbox.ErrNotAllowed, c.user, err)
	case err != nil:
		return "", err
	// service/admin/Auth.java:115-125, 160-162: the password was right, but the token
	// is good only for sending the second factor.
	case resp.TwoFactorAuthRequired:
		return "", fmt.Errorf("zimbra: %w: the admin account %s has two-factor authentication: surel signs in unattended and cannot answer a code; give surel its own delegated admin account without two-factor authentication, limited to the tenant's domain (docs/mail-server.md)", mailbox.ErrNotAllowed, c.user)
	case resp.AuthToken == "":
		return "", errors.New("zimbra: AuthResponse without authToken")
	}
	c.token = resp.AuthToken
	return c.token, nil
}

func (c *client) roundTrip(ctx context.Context, token string, req, resp any) error {
	env := envelope{NS: nsSOAP}
	if token != "" {
		env.Header = &header{}
		env.Header.Context.AuthToken = token
		env.Header.Context.NoSession = &struct{}{}
	}
	env.Body.Content = req
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(env); err != nil {
		return fmt.Errorf("zimbra: encode: %w", err)
	}
	name := requestName(req)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, &buf)
	if err != nil {
		return fmt.Errorf("zimbra: %w", err)
	}
	hr.Header.Set("Content-Type", "application/soap+xml; charset=utf-8")
	res, err := c.http.Do(hr)
	if err != nil {
		return fmt.Errorf("zimbra %s: %w", name, err)
	}
	defer res.Body.Close()
	// The first bytes are kept for the message when the answer is not SOAP.
	var head prefix
	found, err := decodeBody(xml.NewDecoder(io.TeeReader(io.LimitReader(res.Body, maxAnswer), &head)), resp)
	if !found {
		// Zimbra answers faults with status 500 and a SOAP body; anything else that is
		// not SOAP is a proxy or a wrong URL.
		return fmt.Errorf("zimbra %s: HTTP %s, not a SOAP answer (is url the admin service, https://host:7071/service/admin/soap?): %.200q", name, res.Status, head.b)
	}
	if err != nil {
		var f *Fault
		if errors.As(err, &f) {
			return f
		}
		return fmt.Errorf("zimbra %s: decode response: %w", name, err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("zimbra %s: HTTP %s", name, res.Status)
	}
	return nil
}

// decodeBody walks to Envelope/Body and decodes its element into resp, or returns the
// Fault it holds. found is false when the stream is not a SOAP envelope.
func decodeBody(dec *xml.Decoder, resp any) (found bool, err error) {
	inBody := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return found, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case !found:
			if se.Name.Local != "Envelope" {
				return false, errors.New("not an envelope")
			}
			found = true
		case !inBody && se.Name.Local == "Body":
			inBody = true
		case !inBody:
			if err := dec.Skip(); err != nil {
				return found, err
			}
		case se.Name.Local == "Fault":
			var f soapFault
			if err := dec.DecodeElement(&f, &se); err != nil {
				return found, err
			}
			fault := &Fault{Code: f.Detail.Code, Reason: f.Reason.Text}
			if fault.Code == "" {
				fault.Code = f.DetailV11.Code
			}
			if fault.Reason == "" {
				fault.Reason = f.FaultString
			}
			return found, fault
		default:
			return found, dec.DecodeElement(resp, &se)
		}
	}
}

// prefix keeps the first 512 bytes written to it.
type prefix struct{ b []byte }

func (p *prefix) Write(b []byte) (int, error) {
	if n := 512 - len(p.b); n > 0 {
		p.b = append(p.b, b[:min(n, len(b))]...)
	}
	return len(b), nil
}

func requestName(req any) string {
	t := fmt.Sprintf("%T", req)
	return strings.TrimPrefix(strings.TrimPrefix(t, "*"), "zimbra.")
}

// needRight finds the right a refusal names: "permission denied: need right:
// getDomainQuotaUsage for domain d" (service/admin/AdminAccessControl.java:1011-1031).
var needRight = regexp.MustCompile(`need right: ([A-Za-z.]+)`)

// mapFault turns the faults with a meaning for the caller into the mailbox errors,
// keeping Zimbra's code and reason in the message. A refusal for a missing right names
// the right and how to grant it.
func (s *Server) mapFault(err error, domain string) error {
	var f *Fault
	if !errors.As(err, &f) {
		return err
	}
	switch f.Code {
	case codeNoSuchAccount:
		return fmt.Errorf("%w (%s)", mailbox.ErrNoSuchMailbox, f.Reason)
	case codeNoSuchDomain:
		return fmt.Errorf("%w (%s)", mailbox.ErrNoSuchDomain, f.Reason)
	case codeInvalidPasswd:
		return fmt.Errorf("%w: Zimbra: %s", mailbox.ErrPasswordPolicy, f.Reason)
	case codePermDenied:
		if strings.Contains(f.Reason, "zimbraDomainAdminMaxMailQuota") {
			return fmt.Errorf("%w: %s may not change quotas: set zimbraDomainAdminMaxMailQuota on it (0 allows any quota; zmprov ma %s zimbraDomainAdminMaxMailQuota 0)", mailbox.ErrNotAllowed, s.c.user, s.c.user)
		}
		if m := needRight.FindStringSubmatch(f.Reason); m != nil {
			return fmt.Errorf("%w: grant %s", mailbox.ErrNotAllowed, grant(s.c.user, m[1], domain))
		}
		return fmt.Errorf("%w: %v", mailbox.ErrNotAllowed, err)
	}
	return err
}

// fix is what an ErrNotAllowed error asks the operator to do, for a note beside the
// capacity figures.
func fix(err error) string {
	return strings.TrimPrefix(err.Error(), mailbox.ErrNotAllowed.Error()+": ")
}

// grant says how to give the admin a right on the domain.
func grant(admin, right, domain string) string {
	if domain == "" {
		return fmt.Sprintf("the right %s to %s", right, admin)
	}
	return fmt.Sprintf("the right %s on domain %s to %s (zmprov grantRight domain %s usr %s %s)", right, domain, admin, domain, admin, right)
}
