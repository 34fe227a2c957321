package zimbra

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeZimbra answers the admin requests the driver sends with the request and response
// shapes of Zimbra's SOAP Admin API documentation: a SOAP 1.2 envelope, the token in
// Header/context (urn:zimbra), requests and responses in urn:zimbraAdmin, and faults as
// HTTP 500 with Fault/Reason/Text and Fault/Detail/Error/Code.
type fakeZimbra struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	domains  map[string]bool
	accounts map[string]*fakeAccount // by name
	aliases  map[string]string       // alias → account name
	tokens   map[string]bool
	nextID   int
	calls    []string // request names, in order
	failNext string   // fault code for the next non-auth request
}

type fakeAccount struct {
	id, name, password string
	attrs              map[string]string
	size               int64
}

func newFakeZimbra(t *testing.T, domains ...string) *fakeZimbra {
	f := &fakeZimbra{t: t, domains: map[string]bool{}, accounts: map[string]*fakeAccount{}, aliases: map[string]string{}, tokens: map[string]bool{}}
	for _, d := range domains {
		f.domains[d] = true
	}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeZimbra) server(t *testing.T) *Server {
	s, err := New(Options{URL: f.srv.URL + "/service/admin/soap", AdminUser: "admin@kaltimprov.go.id", AdminPassword: "rahasia", HTTPClient: f.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// expireTokens makes every issued token answer service.AUTH_EXPIRED.
func (f *fakeZimbra) expireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.tokens {
		f.tokens[k] = false
	}
}

func (f *fakeZimbra) callNames() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// node is any XML element, for reading requests generically.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []node     `xml:",any"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) child(name string) (node, bool) {
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			return c, true
		}
	}
	return node{}, false
}

func (f *fakeZimbra) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/service/admin/soap" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/soap+xml") {
		f.t.Errorf("Content-Type %q", ct)
	}
	b, _ := io.ReadAll(r.Body)
	var env node
	if err := xml.Unmarshal(b, &env); err != nil || env.XMLName.Space != "http://www.w3.org/2003/05/soap-envelope" || env.XMLName.Local != "Envelope" {
		f.fault(w, "soap:Sender", "service.PARSE_ERROR", fmt.Sprintf("not a SOAP 1.2 envelope: %v", err))
		return
	}
	body, _ := env.child("Body")
	if len(body.Nodes) != 1 {
		f.fault(w, "soap:Sender", "service.INVALID_REQUEST", "one request per body")
		return
	}
	req := body.Nodes[0]
	if req.XMLName.Space != "urn:zimbraAdmin" {
		f.fault(w, "soap:Sender", "service.UNKNOWN_DOCUMENT", "unknown document: "+req.XMLName.Space+" "+req.XMLName.Local)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req.XMLName.Local)

	if req.XMLName.Local == "AuthRequest" {
		if req.attr("name") != "admin@kaltimprov.go.id" || req.attr("password") != "rahasia" {
			f.fault(w, "soap:Sender", "account.AUTH_FAILED", "authentication failed for "+req.attr("name"))
			return
		}
		tok := fmt.Sprintf("0_token%d", len(f.tokens)+1)
		f.tokens[tok] = true
		f.reply(w, `<AuthResponse xmlns="urn:zimbraAdmin"><authToken>%s</authToken><lifetime>43199998</lifetime></AuthResponse>`, tok)
		return
	}
	hdr, _ := env.child("Header")
	ctx, ok := hdr.child("context")
	tokNode, _ := ctx.child("authToken")
	if !ok || ctx.XMLName.Space != "urn:zimbra" || tokNode.Text == "" {
		f.fault(w, "soap:Sender", "service.AUTH_REQUIRED", "no valid authtoken present")
		return
	}
	if valid, known := f.tokens[tokNode.Text]; !known {
		f.fault(w, "soap:Sender", "service.AUTH_REQUIRED", "no valid authtoken present")
		return
	} else if !valid {
		f.fault(w, "soap:Sender", "service.AUTH_EXPIRED", "auth credentials have expired")
		return
	}
	if f.failNext != "" {
		code := f.failNext
		f.failNext = ""
		f.fault(w, "soap:Receiver", code, "injected")
		return
	}

	switch req.XMLName.Local {
	case "CreateAccountRequest":
		name := req.attr("name")
		_, domain, _ := strings.Cut(name, "@")
		if !f.domains[domain] {
			f.fault(w, "soap:Sender", "account.NO_SUCH_DOMAIN", "no such domain: "+domain)
			return
		}
		if _, ok := f.accounts[name]; ok {
			f.fault(w, "soap:Sender", "account.ACCOUNT_EXISTS", "email address already exists: "+name)
			return
		}
		if _, ok := f.aliases[name]; ok {
			f.fault(w, "soap:Sender", "account.ACCOUNT_EXISTS", "email address already exists: "+name)
			return
		}
		f.nextID++
		a := &fakeAccount{id: fmt.Sprintf("0000-%04d", f.nextID), name: name, password: req.attr("password"),
			attrs: map[string]string{"zimbraAccountStatus": "active", "zimbraCreateTimestamp": "20260105083000.123Z"}}
		for _, n := range req.Nodes {
			if n.XMLName.Local == "a" {
				a.attrs[n.attr("n")] = n.Text
			}
		}
		f.accounts[name] = a
		f.reply(w, `<CreateAccountResponse xmlns="urn:zimbraAdmin">%s</CreateAccountResponse>`, f.accountXML(a))
	case "GetAccountRequest":
		sel, _ := req.child("account")
		if sel.attr("by") != "name" {
			f.fault(w, "soap:Sender", "service.INVALID_REQUEST", "by")
			return
		}
		a := f.lookup(sel.Text)
		if a == nil {
			f.fault(w, "soap:Sender", "account.NO_SUCH_ACCOUNT", "no such account: "+sel.Text)
			return
		}
		f.reply(w, `<GetAccountResponse xmlns="urn:zimbraAdmin">%s</GetAccountResponse>`, f.accountXML(a))
	case "ModifyAccountRequest":
		a := f.byID(req.attr("id"))
		if a == nil {
			f.fault(w, "soap:Sender", "account.NO_SUCH_ACCOUNT", "no such account: "+req.attr("id"))
			return
		}
		for _, n := range req.Nodes {
			if n.XMLName.Local == "a" {
				a.attrs[n.attr("n")] = n.Text
			}
		}
		f.reply(w, `<ModifyAccountResponse xmlns="urn:zimbraAdmin">%s</ModifyAccountResponse>`, f.accountXML(a))
	case "SetPasswordRequest":
		a := f.byID(req.attr("id"))
		if a == nil {
			f.fault(w, "soap:Sender", "account.NO_SUCH_ACCOUNT", "no such account: "+req.attr("id"))
			return
		}
		if len(req.attr("newPassword")) < 6 {
			f.fault(w, "soap:Sender", "account.INVALID_PASSWORD", "invalid password: too short")
			return
		}
		a.password = req.attr("newPassword")
		f.reply(w, `<SetPasswordResponse xmlns="urn:zimbraAdmin"/>`)
	case "GetMailboxRequest":
		mb, _ := req.child("mbox")
		a := f.byID(mb.attr("id"))
		if a == nil {
			f.fault(w, "soap:Sender", "account.NO_SUCH_ACCOUNT", "no such account: "+mb.attr("id"))
			return
		}
		f.reply(w, `<GetMailboxResponse xmlns="urn:zimbraAdmin"><mbox mbxid="%s" s="%d"/></GetMailboxResponse>`, a.id[5:], a.size)
	case "CountAccountRequest":
		d, _ := req.child("domain")
		if !f.domains[d.Text] {
			f.fault(w, "soap:Sender", "account.NO_SUCH_DOMAIN", "no such domain: "+d.Text)
			return
		}
		byCos := map[string]int{}
		for _, a := range f.accounts {
			if strings.HasSuffix(a.name, "@"+d.Text) {
				byCos[or(a.attrs["zimbraCOSId"], "default")]++
			}
		}
		var out strings.Builder
		for cos, n := range byCos {
			fmt.Fprintf(&out, `<cos name="%s" id="cos-%s">%d</cos>`, cos, cos, n)
		}
		f.reply(w, `<CountAccountResponse xmlns="urn:zimbraAdmin">%s</CountAccountResponse>`, out.String())
	case "GetQuotaUsageRequest":
		domain := req.attr("domain")
		limit, _ := strconv.Atoi(req.attr("limit"))
		offset, _ := strconv.Atoi(req.attr("offset"))
		var names []string
		for n := range f.accounts {
			if strings.HasSuffix(n, "@"+domain) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		more := offset+limit < len(names)
		page := names[min(offset, len(names)):min(offset+limit, len(names))]
		var out strings.Builder
		for _, n := range page {
			a := f.accounts[n]
			q, _ := strconv.ParseInt(a.attrs["zimbraMailQuota"], 10, 64)
			fmt.Fprintf(&out, `<account name="%s" id="%s" used="%d" limit="%d"/>`, a.name, a.id, a.size, q)
		}
		f.reply(w, `<GetQuotaUsageResponse xmlns="urn:zimbraAdmin" more="%d" searchTotal="%d">%s</GetQuotaUsageResponse>`, b2i(more), len(names), out.String())
	default:
		f.fault(w, "soap:Sender", "service.UNKNOWN_DOCUMENT", "unknown document: "+req.XMLName.Local)
	}
}

func (f *fakeZimbra) lookup(name string) *fakeAccount {
	if a, ok := f.accounts[name]; ok {
		return a
	}
	if target, ok := f.aliases[name]; ok {
		return f.accounts[target]
	}
	return nil
}

func (f *fakeZimbra) byID(id string) *fakeAccount {
	for _, a := range f.accounts {
		if a.id == id {
			return a
		}
	}
	return nil
}

func (f *fakeZimbra) accountXML(a *fakeAccount) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<account name="%s" id="%s">`, esc(a.name), a.id)
	keys := make([]string, 0, len(a.attrs))
	for k := range a.attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, `<a n="%s">%s</a>`, k, esc(a.attrs[k]))
	}
	b.WriteString(`</account>`)
	return b.String()
}

func (f *fakeZimbra) reply(w http.ResponseWriter, format string, args ...any) {
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	fmt.Fprintf(w, `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header><context xmlns="urn:zimbra"/></soap:Header><soap:Body>`+format+`</soap:Body></soap:Envelope>`, args...)
}

func (f *fakeZimbra) fault(w http.ResponseWriter, value, code, reason string) {
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header><context xmlns="urn:zimbra"/></soap:Header><soap:Body><soap:Fault><soap:Code><soap:Value>%s</soap:Value></soap:Code><soap:Reason><soap:Text>%s</soap:Text></soap:Reason><soap:Detail><Error xmlns="urn:zimbra"><Code>%s</Code><Trace>qtp1-1:1700000000000:abc</Trace></Error></soap:Detail></soap:Fault></soap:Body></soap:Envelope>`, value, esc(reason), code)
}

func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
