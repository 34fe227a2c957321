package zimbra

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// The SOAP 1.2 envelope namespace, and Zimbra's namespaces for the header context and
// the admin service.
const (
	nsSOAP   = "http://www.w3.org/2003/05/soap-envelope"
	nsZimbra = "urn:zimbra"
	nsAdmin  = "urn:zimbraAdmin"
)

// Fault is a SOAP fault from Zimbra: Code is Detail/Error/Code ("account.NO_SUCH_DOMAIN"),
// Reason the human text.
type Fault struct {
	Code   string
	Reason string
}

func (f *Fault) Error() string { return "zimbra: " + f.Code + ": " + f.Reason }

// The fault codes the driver acts on.
const (
	codeAuthExpired   = "service.AUTH_EXPIRED"
	codeAuthRequired  = "service.AUTH_REQUIRED"
	codeAuthFailed    = "account.AUTH_FAILED"
	codePermDenied    = "service.PERM_DENIED"
	codeAccountExists = "account.ACCOUNT_EXISTS"
	codeNoSuchAccount = "account.NO_SUCH_ACCOUNT"
	codeNoSuchDomain  = "account.NO_SUCH_DOMAIN"
	codeInvalidPasswd = "account.INVALID_PASSWORD"
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

type responseEnvelope struct {
	Body struct {
		Inner []byte `xml:",innerxml"`
		Fault *struct {
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
		} `xml:"Fault"`
	} `xml:"Body"`
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
	AuthToken string `xml:"authToken"`
}

// authToken returns the current admin token, signing in when there is none or when
// renew is set (after service.AUTH_EXPIRED).
func (c *client) authToken(ctx context.Context, renew bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && !renew {
		return c.token, nil
	}
	var resp authResponse
	err := c.roundTrip(ctx, "", authRequest{Name: c.user, Password: c.password}, &resp)
	var f *Fault
	if errors.As(err, &f) && f.Code == codeAuthFailed {
		return "", fmt.Errorf("zimbra: the admin account %s was refused (admin_user, admin_password): %w", c.user, err)
	}
	if err != nil {
		return "", err
	}
	if resp.AuthToken == "" {
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
	body, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("zimbra %s: %w", name, err)
	}
	// Zimbra answers faults with status 500 and a SOAP body; anything else that is not
	// XML is a proxy or a wrong URL.
	var env2 responseEnvelope
	if err := xml.Unmarshal(body, &env2); err != nil {
		return fmt.Errorf("zimbra %s: HTTP %s, not a SOAP answer (is url the admin service, https://host:7071/service/admin/soap?): %.200q", name, res.Status, body)
	}
	if f := env2.Body.Fault; f != nil {
		fault := &Fault{Code: f.Detail.Code, Reason: f.Reason.Text}
		if fault.Code == "" {
			fault.Code = f.DetailV11.Code
		}
		if fault.Reason == "" {
			fault.Reason = f.FaultString
		}
		return fault
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("zimbra %s: HTTP %s", name, res.Status)
	}
	if err := xml.Unmarshal(env2.Body.Inner, resp); err != nil {
		return fmt.Errorf("zimbra %s: decode response: %w", name, err)
	}
	return nil
}

func requestName(req any) string {
	t := fmt.Sprintf("%T", req)
	return strings.TrimPrefix(strings.TrimPrefix(t, "*"), "zimbra.")
}
