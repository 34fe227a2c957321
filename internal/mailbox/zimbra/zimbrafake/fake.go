// Package zimbrafake is a Zimbra Collaboration server for tests and benchmarks: the
// admin SOAP service (the requests the zimbra driver sends) and an IMAP LOGIN, behaving
// as the server's source shows it behaves, not only as its API documentation describes
// the shapes. Every behaviour the driver depends on cites the place in Zimbra/zm-mailbox
// (commit 2b7f9787c69e, paths under store/src/java/com/zimbra/cs/ unless written out)
// that it reproduces:
//
//   - SetPasswordRequest clears zimbraPasswordMustChange (account/ldap/
//     LdapProvisioning.java:6313); an admin holding setAccountPassword sets a password
//     that breaks the policy anyway and reports the violation only in <message>
//     (service/admin/SetPassword.java:95-114, LdapProvisioning.java:6011-6033); one
//     holding only changeAccountPassword gets account.INVALID_PASSWORD.
//   - CreateAccountRequest always checks the class of service's password policy
//     (LdapProvisioning.java:1496).
//   - Distribution lists, aliases and accounts share one LDAP name (account/ldap/
//     LdapDIT.java:284-289, 403-408): creating an account on a list's name answers
//     account.ACCOUNT_EXISTS (LdapProvisioning.java:1576-1577) and GetAccountRequest on
//     it account.NO_SUCH_ACCOUNT.
//   - zimbraAccountStatus closed removes the account from every distribution list, and
//     active does not put it back (account/callback/AccountStatus.java:88-113); closed
//     and pending bounce mail, locked and lockout accept it (lmtpserver/
//     ZimbraLmtpBackend.java:148-181).
//   - GetQuotaUsageRequest without a session searches and sorts again for every page,
//     by totalUsed descending unless told otherwise, and limit 0 means all
//     (service/admin/GetQuotaUsage.java:74-152); it needs getDomainQuotaUsage on the
//     domain (line 110-111), which no domain-admin right set includes (store-conf/conf/
//     rights/zimbra-rights-domainadmin.xml).
//   - ModifyAccountRequest changing zimbraMailQuota needs zimbraDomainAdminMaxMailQuota
//     on a delegated admin: absent forbids, 0 allows any quota, N allows up to
//     N but never unlimited (service/admin/ModifyAccount.java:331-354, account/
//     DomainAccessManager.java:208-231).
//   - AuthRequest answers service.PERM_DENIED "Error in Authentication" for an absent
//     or inactive account before checking the password (service/admin/Auth.java:98-101),
//     "not an admin account" for a user (util/AccountUtil.java:1052-1062), and a
//     two-factor account gets a token good only for the second factor with
//     <twoFactorAuthRequired>true</twoFactorAuthRequired> (Auth.java:115-125, 160-162).
//   - SearchDirectoryRequest runs its LDAP filter again for every page (offsets drift)
//     and answers account.TOO_MANY_SEARCH_RESULTS past maxResults, 5000 by default
//     (service/admin/SearchDirectory.java:86-199, common/…/LC.java:423,
//     LdapProvisioning.java:2309-2310).
//   - CountAccountRequest leaves out system and calendar resources (LdapProvisioning.java:
//     9200-9210).
//   - An attribute a delegated admin may not read comes back as <a n="…" pd="1"/> with no
//     value (service/admin/GetCos.java:118-131).
//   - A failed right check says "permission denied: need right: R for domain D"
//     (service/admin/AdminAccessControl.java:1011-1031).
//   - DeleteAccountRequest takes a zimbraId; for a delegated admin it answers
//     service.PERM_DENIED "can not access account <id>" both for an id that does not
//     exist and for an account it may not delete (service/admin/DeleteAccount.java,
//     AdminDocumentHandler.defendAgainstAccountHarvesting), a global admin
//     account.NO_SUCH_ACCOUNT; the account's aliases and list memberships go with it
//     (LdapProvisioning.deleteAccount). deleteAccount is in the standard domain-admin
//     set (domainAdminAccountRights in zimbra-rights-domainadmin.xml).
//   - IMAP LOGIN checks the status, then the password, then the must-change mark,
//     answering "NO [ALERT] password must be changed before IMAP login permitted" for
//     the last (imap/ImapHandler.java:1714-1748, LdapProvisioning.java:5460-5492).
package zimbrafake

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Rights a delegated admin can hold on a domain, as zimbra-rights.xml names them.
const (
	RightCreateAccount         = "createAccount"
	RightGetAccount            = "getAccount"
	RightListAccount           = "listAccount"
	RightCountAccount          = "countAccount"
	RightSetAccountPassword    = "setAccountPassword"
	RightChangeAccountPassword = "changeAccountPassword"
	RightModifyAccount         = "modifyAccount" // stands for the setAttrs rights on the attributes surel writes
	RightGetMailboxInfo        = "getMailboxInfo"
	RightGetDomainQuotaUsage   = "getDomainQuotaUsage"
	RightGetCos                = "getCos"
	RightAssignCos             = "assignCos"
	RightGetDomain             = "getDomain"
	RightDeleteAccount         = "deleteAccount"
)

// DomainAdminRights is the standard domainAdminRights combination
// (zimbra-rights-domainadmin.xml:634-646; deleteAccount comes with its
// domainAdminAccountRights): no getDomainQuotaUsage, no getCos.
var DomainAdminRights = []string{RightCreateAccount, RightGetAccount, RightListAccount, RightCountAccount,
	RightSetAccountPassword, RightModifyAccount, RightGetMailboxInfo, RightGetDomain, RightDeleteAccount}

// Admin is an account that signs in to the admin service.
type Admin struct {
	ID       string
	Password string
	Status   string // zimbraAccountStatus; "" is active
	// Global is zimbraIsAdminAccount: every right everywhere.
	Global bool
	// NotAdmin is an ordinary user account (neither admin flag set).
	NotAdmin bool
	// Rights are a delegated admin's rights, by domain.
	Rights map[string][]string
	// MaxMailQuota is zimbraDomainAdminMaxMailQuota; nil is unset (no quota changes).
	MaxMailQuota *int64
	// TwoFactor: two-factor authentication enabled; TwoFactorRequired without enabled
	// is "setup required".
	TwoFactor, TwoFactorRequired bool
}

// Account is a mailbox account.
type Account struct {
	ID, Name, Password string
	Attrs              map[string]string
	Used               int64 // mailbox size, bytes
	Calendar           bool  // a calendar resource
}

// COS is a class of service.
type COS struct {
	ID, Name string
	Attrs    map[string]string
}

// Domain is a mail domain.
type Domain struct {
	Name  string
	Attrs map[string]string // zimbraDomainDefaultCOSId, zimbraMailDomainQuota
}

// State is the server's directory; tests change it through Server.Do.
type State struct {
	Domains  map[string]*Domain
	COS      map[string]*COS // by name
	Accounts map[string]*Account
	Aliases  map[string]string   // alias → account name
	Lists    map[string][]string // distribution list → member addresses
	Admins   map[string]*Admin
	// AfterQuotaPage runs after every GetQuotaUsage answer, as mail arriving between
	// two pages of a paged read.
	AfterQuotaPage func(*State)
	// AfterSearchPage runs after every SearchDirectory answer, as staff creating
	// accounts between two pages.
	AfterSearchPage func(*State)
	// FailNext makes the next request other than AuthRequest fail with this code.
	FailNext string
	// BeforeRequest runs before every request other than AuthRequest is answered, with
	// its name ("DeleteAccountRequest"), as another admin acting between two of surel's
	// requests.
	BeforeRequest func(st *State, request string)
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	nextID int
	tokens map[string]token
	calls  []string
}

type token struct {
	admin     string
	expired   bool
	twoFactor bool // good only for the second factor
}

// Server is the fake: Start it, point the driver at URL with Client.
type Server struct {
	// URL is the admin service, https://…/service/admin/soap.
	URL string
	// Client trusts the server's self-signed certificate.
	Client *http.Client
	// TLS is the underlying server (its certificate, for a CA file).
	TLS *httptest.Server

	mu sync.Mutex
	st *State
}

// Start runs the admin service over TLS, with the domains given, a "default" class of
// service (no quota: unlimited, Zimbra's shipped default), and the global admin
// admin@<first domain> with password "rahasia".
func Start(t testing.TB, domains ...string) *Server {
	s := New(domains...)
	s.TLS = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.TLS.Close)
	s.URL, s.Client = s.TLS.URL+"/service/admin/soap", s.TLS.Client()
	return s
}

// New makes the directory without serving it (Handler serves it).
func New(domains ...string) *Server {
	st := &State{Domains: map[string]*Domain{}, COS: map[string]*COS{}, Accounts: map[string]*Account{},
		Aliases: map[string]string{}, Lists: map[string][]string{}, Admins: map[string]*Admin{}, tokens: map[string]token{}}
	st.COS["default"] = &COS{ID: "e00428a1-0c00-11d9-836a-000d93afea2a", Name: "default", Attrs: map[string]string{"zimbraMailQuota": "0"}}
	for _, d := range domains {
		st.Domains[d] = &Domain{Name: d, Attrs: map[string]string{}}
	}
	if len(domains) > 0 {
		st.Admins["admin@"+domains[0]] = &Admin{ID: st.newID(), Password: "rahasia", Global: true}
	}
	return &Server{st: st}
}

// Handler is the admin service's HTTP handler.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// Do runs f on the directory under the server's lock.
func (s *Server) Do(f func(*State)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.st)
}

// Account returns a copy of the named account (Attrs copied too), nil when absent.
func (s *Server) Account(name string) *Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[name]
	if a == nil {
		return nil
	}
	c := *a
	c.Attrs = map[string]string{}
	for k, v := range a.Attrs {
		c.Attrs[k] = v
	}
	return &c
}

// Calls returns the request names received, in order.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.calls)
}

// ExpireTokens makes every issued token answer service.AUTH_EXPIRED.
func (s *Server) ExpireTokens() {
	s.Do(func(st *State) {
		for k, t := range st.tokens {
			t.expired = true
			st.tokens[k] = t
		}
	})
}

func (st *State) newID() string {
	st.nextID++
	// Version-4-like ids: the first character varies, as zimbraId's do.
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(st.nextID)*2654435761, st.nextID)
}

func (st *State) now() time.Time {
	if st.Now != nil {
		return st.Now()
	}
	return time.Now()
}

// AddAccount puts an account straight into the directory (as accounts made before
// surel arrived), in the domain's default class of service.
func (st *State) AddAccount(name, password string, attrs map[string]string) *Account {
	a := &Account{ID: st.newID(), Name: name, Password: password, Attrs: map[string]string{
		"zimbraAccountStatus": "active", "zimbraMailStatus": "enabled",
		"zimbraCreateTimestamp": st.now().UTC().Format("20060102150405") + ".000Z",
	}}
	for k, v := range attrs {
		a.Attrs[k] = v
	}
	st.Accounts[name] = a
	return a
}

// IntPtr returns a pointer to n, for Admin.MaxMailQuota.
func IntPtr(n int64) *int64 { return &n }

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

// fault is a SOAP fault to answer.
type fault struct{ code, reason string }

func (f *fault) Error() string { return f.code + ": " + f.reason }

func permDenied(msg string) *fault { return &fault{"service.PERM_DENIED", "permission denied: " + msg} }

func noSuchAccount(name string) *fault {
	return &fault{"account.NO_SUCH_ACCOUNT", "no such account: " + name}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/service/admin/soap" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var env node
	if err := xml.Unmarshal(b, &env); err != nil || env.XMLName.Space != "http://www.w3.org/2003/05/soap-envelope" || env.XMLName.Local != "Envelope" {
		writeFault(w, &fault{"service.PARSE_ERROR", fmt.Sprintf("not a SOAP 1.2 envelope: %v", err)})
		return
	}
	body, _ := env.child("Body")
	if len(body.Nodes) != 1 {
		writeFault(w, &fault{"service.INVALID_REQUEST", "one request per body"})
		return
	}
	req := body.Nodes[0]
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.calls = append(st.calls, req.XMLName.Local)
	if req.XMLName.Space != "urn:zimbraAdmin" && req.XMLName.Space != "urn:zimbraAccount" {
		writeFault(w, &fault{"service.UNKNOWN_DOCUMENT", "unknown document: " + req.XMLName.Space + " " + req.XMLName.Local})
		return
	}
	if req.XMLName.Local == "AuthRequest" {
		out, err := st.auth(req)
		reply(w, out, err)
		return
	}
	hdr, _ := env.child("Header")
	ctx, ok := hdr.child("context")
	tokNode, _ := ctx.child("authToken")
	tok, known := st.tokens[tokNode.Text]
	switch {
	case !ok || ctx.XMLName.Space != "urn:zimbra" || !known || tok.twoFactor:
		writeFault(w, &fault{"service.AUTH_REQUIRED", "no valid authtoken present"})
		return
	case tok.expired:
		writeFault(w, &fault{"service.AUTH_EXPIRED", "auth credentials have expired"})
		return
	}
	if st.FailNext != "" {
		code := st.FailNext
		st.FailNext = ""
		writeFault(w, &fault{code, "injected"})
		return
	}
	if st.BeforeRequest != nil {
		st.BeforeRequest(st, req.XMLName.Local)
	}
	admin := st.Admins[tok.admin]
	h, ok := handlers[req.XMLName.Local]
	if !ok {
		writeFault(w, &fault{"service.UNKNOWN_DOCUMENT", "unknown document: " + req.XMLName.Local})
		return
	}
	out, err := h(st, admin, req)
	reply(w, out, err)
}

var handlers = map[string]func(*State, *Admin, node) (string, error){
	"CreateAccountRequest":   (*State).createAccount,
	"GetAccountRequest":      (*State).getAccount,
	"ModifyAccountRequest":   (*State).modifyAccount,
	"DeleteAccountRequest":   (*State).deleteAccount,
	"SetPasswordRequest":     (*State).setPassword,
	"GetMailboxRequest":      (*State).getMailbox,
	"CountAccountRequest":    (*State).countAccount,
	"GetQuotaUsageRequest":   (*State).getQuotaUsage,
	"SearchDirectoryRequest": (*State).searchDirectory,
	"GetCosRequest":          (*State).getCos,
	"GetDomainRequest":       (*State).getDomain,
	"GetInfoRequest":         (*State).getInfo,
	"CheckRightRequest":      (*State).checkRight,
}

func reply(w http.ResponseWriter, out string, err error) {
	if err != nil {
		f, ok := err.(*fault)
		if !ok {
			f = &fault{"service.FAILURE", err.Error()}
		}
		writeFault(w, f)
		return
	}
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	fmt.Fprintf(w, `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header><context xmlns="urn:zimbra"/></soap:Header><soap:Body>%s</soap:Body></soap:Envelope>`, out)
}

func writeFault(w http.ResponseWriter, f *fault) {
	value := "soap:Sender"
	if f.code == "service.FAILURE" || f.code == "account.TOO_MANY_SEARCH_RESULTS" {
		value = "soap:Receiver"
	}
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header><context xmlns="urn:zimbra"/></soap:Header><soap:Body><soap:Fault><soap:Code><soap:Value>%s</soap:Value></soap:Code><soap:Reason><soap:Text>%s</soap:Text></soap:Reason><soap:Detail><Error xmlns="urn:zimbra"><Code>%s</Code><Trace>qtp1-1:1700000000000:abc</Trace></Error></soap:Detail></soap:Fault></soap:Body></soap:Envelope>`, value, esc(f.reason), f.code)
}

func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// auth is AuthRequest (service/admin/Auth.java:77-125).
func (st *State) auth(req node) (string, error) {
	name := req.attr("name")
	a := st.Admins[name]
	if a == nil {
		if acct := st.Accounts[name]; acct != nil {
			// An ordinary account: active, then "not an admin account".
			if acct.Attrs["zimbraAccountStatus"] != "active" {
				return "", permDenied("Error in Authentication")
			}
			return "", permDenied("not an admin account")
		}
		return "", permDenied("Error in Authentication")
	}
	if a.Status != "" && a.Status != "active" {
		return "", permDenied("Error in Authentication")
	}
	if a.NotAdmin {
		return "", permDenied("not an admin account")
	}
	if req.attr("password") != a.Password {
		return "", &fault{"account.AUTH_FAILED", "authentication failed for [" + name + "]"}
	}
	if a.TwoFactorRequired && !a.TwoFactor {
		return "", &fault{"account.TWO_FACTOR_SETUP_REQUIRED", "two-factor authentication setup required"}
	}
	tok := fmt.Sprintf("0_%040x_%d", len(st.tokens)+1, len(st.tokens)+1)
	st.tokens[tok] = token{admin: name, twoFactor: a.TwoFactor}
	if a.TwoFactor {
		return fmt.Sprintf(`<AuthResponse xmlns="urn:zimbraAdmin"><authToken>%s</authToken><lifetime>300000</lifetime><twoFactorAuthRequired>true</twoFactorAuthRequired><trustedDevicesEnabled>false</trustedDevicesEnabled></AuthResponse>`, tok), nil
	}
	return fmt.Sprintf(`<AuthResponse xmlns="urn:zimbraAdmin"><authToken>%s</authToken><lifetime>43199998</lifetime></AuthResponse>`, tok), nil
}

// can reports whether the admin holds right on domain; need returns the fault of
// AdminAccessControl when not.
func (a *Admin) can(right, domain string) bool {
	return a.Global || slices.Contains(a.Rights[domain], right)
}

func (a *Admin) need(right, domain string) error {
	if a.can(right, domain) {
		return nil
	}
	return permDenied("need right: " + right + " for domain " + domain)
}

func domainOf(name string) string {
	_, d, _ := strings.Cut(name, "@")
	return d
}

// cosOf is the class of service an account (or a new one in domain with cosID) gets.
func (st *State) cosOf(domain, cosID string) *COS {
	if cosID == "" {
		if d := st.Domains[domain]; d != nil {
			cosID = d.Attrs["zimbraDomainDefaultCOSId"]
		}
	}
	for _, c := range st.COS {
		if c.ID == cosID {
			return c
		}
	}
	return st.COS["default"]
}

// effective is an account attribute with the class of service applied.
func (st *State) effective(a *Account, attr string) string {
	if v, ok := a.Attrs[attr]; ok {
		return v
	}
	return st.cosOf(domainOf(a.Name), a.Attrs["zimbraCOSId"]).Attrs[attr]
}

// createAccount is CreateAccountRequest (service/admin/CreateAccount.java,
// LdapProvisioning.createAccount).
func (st *State) createAccount(admin *Admin, req node) (string, error) {
	name := strings.ToLower(req.attr("name"))
	domain := domainOf(name)
	if st.Domains[domain] == nil {
		return "", &fault{"account.NO_SUCH_DOMAIN", "no such domain: " + domain}
	}
	if err := admin.need(RightCreateAccount, domain); err != nil {
		return "", err
	}
	attrs := map[string]string{}
	for _, n := range req.Nodes {
		if n.XMLName.Local == "a" {
			attrs[n.attr("n")] = n.Text
		}
	}
	if id := attrs["zimbraCOSId"]; id != "" {
		var cos *COS
		for _, c := range st.COS {
			if c.ID == id || c.Name == id {
				cos = c
			}
		}
		if cos == nil {
			return "", &fault{"account.NO_SUCH_COS", "no such cos: " + id}
		}
		if !admin.Global && !slices.Contains(admin.Rights["cos:"+cos.Name], RightAssignCos) {
			return "", permDenied("need right: assignCos for cos " + cos.Name)
		}
		attrs["zimbraCOSId"] = cos.ID
	}
	// One LDAP name for accounts, aliases and lists (LdapDIT.java:284-289, 403-408).
	_, isList := st.Lists[name]
	_, isAlias := st.Aliases[name]
	if st.Accounts[name] != nil || isList || isAlias {
		return "", &fault{"account.ACCOUNT_EXISTS", "email address already exists: " + name + ", at DN: uid=" + strings.Split(name, "@")[0] + ",ou=people," + dn(domain)}
	}
	local, _, _ := strings.Cut(name, "@")
	cos := st.cosOf(domain, attrs["zimbraCOSId"])
	if err := checkStrength(req.attr("password"), local, attrs, cos.Attrs); err != nil {
		return "", err
	}
	a := st.AddAccount(name, req.attr("password"), attrs)
	return `<CreateAccountResponse xmlns="urn:zimbraAdmin">` + st.accountXML(admin, a, nil, true) + `</CreateAccountResponse>`, nil
}

func dn(domain string) string {
	return "dc=" + strings.ReplaceAll(domain, ".", ",dc=")
}

// getAccount is GetAccountRequest: by name (an alias finds its account, a list
// nothing), with harvesting defence for delegated admins (AdminDocumentHandler.java:
// 170-184).
func (st *State) getAccount(admin *Admin, req node) (string, error) {
	sel, _ := req.child("account")
	key := strings.ToLower(sel.Text)
	var a *Account
	switch sel.attr("by") {
	case "name":
		a = st.lookup(key)
	case "id":
		a = st.byID(key)
	default:
		return "", &fault{"service.INVALID_REQUEST", "invalid request: unknown by " + sel.attr("by")}
	}
	domain := domainOf(key)
	if a != nil {
		domain = domainOf(a.Name)
	}
	if !admin.can(RightGetAccount, domain) {
		return "", permDenied("can not access account " + key)
	}
	if a == nil {
		return "", noSuchAccount(key)
	}
	var want []string
	if s := req.attr("attrs"); s != "" {
		want = strings.Split(s, ",")
	}
	return `<GetAccountResponse xmlns="urn:zimbraAdmin">` + st.accountXML(admin, a, want, req.attr("applyCos") != "0") + `</GetAccountResponse>`, nil
}

func (st *State) lookup(name string) *Account {
	if a := st.Accounts[name]; a != nil {
		return a
	}
	if target, ok := st.Aliases[name]; ok {
		return st.Accounts[target]
	}
	return nil
}

func (st *State) byID(id string) *Account {
	for _, a := range st.Accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// accountXML encodes an account with the attributes asked (all when want is nil).
func (st *State) accountXML(admin *Admin, a *Account, want []string, applyCos bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<account name="%s" id="%s">`, esc(a.Name), a.ID)
	attrs := map[string]string{"zimbraId": a.ID, "uid": strings.Split(a.Name, "@")[0], "mail": a.Name}
	if applyCos {
		for k, v := range st.cosOf(domainOf(a.Name), a.Attrs["zimbraCOSId"]).Attrs {
			attrs[k] = v
		}
	}
	for k, v := range a.Attrs {
		attrs[k] = v
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		if want == nil || slices.Contains(want, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, `<a n="%s">%s</a>`, k, esc(attrs[k]))
	}
	b.WriteString(`</account>`)
	return b.String()
}

// modifyAccount is ModifyAccountRequest, with its quota rule for delegated admins and
// the zimbraAccountStatus callback.
func (st *State) modifyAccount(admin *Admin, req node) (string, error) {
	a := st.byID(req.attr("id"))
	if a == nil {
		if admin.Global {
			return "", noSuchAccount(req.attr("id"))
		}
		return "", permDenied("can not access account " + req.attr("id"))
	}
	domain := domainOf(a.Name)
	if err := admin.need(RightModifyAccount, domain); err != nil {
		return "", permDenied("cannot set attrs on  for account " + a.Name)
	}
	attrs := map[string]string{}
	for _, n := range req.Nodes {
		if n.XMLName.Local == "a" {
			attrs[n.attr("n")] = n.Text
		}
	}
	if q, ok := attrs["zimbraMailQuota"]; ok && !admin.Global {
		quota, _ := strconv.ParseInt(q, 10, 64)
		if q == "" {
			quota, _ = strconv.ParseInt(st.cosOf(domain, a.Attrs["zimbraCOSId"]).Attrs["zimbraMailQuota"], 10, 64)
		}
		max := int64(-1)
		if admin.MaxMailQuota != nil {
			max = *admin.MaxMailQuota
		}
		if max != 0 && (max == -1 || quota == 0 || quota > max) {
			return "", permDenied("can not modify mail quota, domain admin can only modify quota if zimbraDomainAdminMaxMailQuota is set to 0 or set to a certain value and quota is less than that value.")
		}
	}
	if status, ok := attrs["zimbraAccountStatus"]; ok {
		switch status {
		case "active", "locked", "closed", "pending", "maintenance", "lockout":
		default:
			return "", &fault{"account.INVALID_ATTR_VALUE", "zimbraAccountStatus must be one of: active,maintenance,locked,closed,lockout,pending"}
		}
		// AccountStatus.java:53-66.
		if status == "closed" || status == "pending" {
			a.Attrs["zimbraMailStatus"] = "disabled"
		} else {
			a.Attrs["zimbraMailStatus"] = "enabled"
		}
		if status == "active" {
			delete(a.Attrs, "zimbraPasswordLockoutLockedTime")
			delete(a.Attrs, "zimbraPasswordLockoutFailureTime")
		}
		// AccountStatus.java:88-113: closed leaves every list; nothing brings it back.
		if status == "closed" {
			for l, members := range st.Lists {
				st.Lists[l] = slices.DeleteFunc(members, func(m string) bool { return m == a.Name })
			}
		}
	}
	for k, v := range attrs {
		if v == "" {
			delete(a.Attrs, k)
		} else {
			a.Attrs[k] = v
		}
	}
	return `<ModifyAccountResponse xmlns="urn:zimbraAdmin">` + st.accountXML(admin, a, nil, true) + `</ModifyAccountResponse>`, nil
}

// deleteAccount is DeleteAccountRequest (service/admin/DeleteAccount.java, handle): the
// account by zimbraId, behind the harvesting defence (service/admin/AdminDocumentHandler.
// java, defendAgainstAccountHarvesting and AccountHarvestingCheckerBase.hasRight): a
// delegated admin gets service.PERM_DENIED "can not access account <id>"
// (ServiceException.DEFEND_ACCOUNT_HARVEST) alike for an id that does not exist and for
// an account it lacks deleteAccount on, a global admin account.NO_SUCH_ACCOUNT for the
// first. The mailbox goes with the entry, and the entry takes its aliases and its list
// memberships with it (account/ldap/LdapProvisioning.java, deleteAccount).
func (st *State) deleteAccount(admin *Admin, req node) (string, error) {
	id := req.attr("id")
	if id == "" {
		return "", &fault{"service.INVALID_REQUEST", "invalid request: missing required attribute: id"}
	}
	a := st.byID(id)
	if a == nil {
		if admin.Global {
			return "", noSuchAccount(id)
		}
		return "", permDenied("can not access account " + id)
	}
	if !admin.can(RightDeleteAccount, domainOf(a.Name)) {
		return "", permDenied("can not access account " + id)
	}
	delete(st.Accounts, a.Name)
	for alias, target := range st.Aliases {
		if target == a.Name {
			delete(st.Aliases, alias)
		}
	}
	for l, members := range st.Lists {
		st.Lists[l] = slices.DeleteFunc(members, func(m string) bool { return m == a.Name })
	}
	return `<DeleteAccountResponse xmlns="urn:zimbraAdmin"/>`, nil
}

// setPassword is SetPasswordRequest (service/admin/SetPassword.java:69-118,
// LdapProvisioning.java:6011-6033 and 6271-6330).
func (st *State) setPassword(admin *Admin, req node) (string, error) {
	a := st.byID(req.attr("id"))
	if a == nil {
		if admin.Global {
			return "", noSuchAccount(req.attr("id"))
		}
		return "", permDenied("can not access account " + req.attr("id"))
	}
	domain := domainOf(a.Name)
	enforce := false
	switch {
	case admin.can(RightSetAccountPassword, domain):
	case admin.can(RightChangeAccountPassword, domain):
		enforce = true
	default:
		return "", permDenied("need right: setAccountPassword for account " + a.Name)
	}
	pw := req.attr("newPassword")
	cos := st.cosOf(domain, a.Attrs["zimbraCOSId"])
	// The dry run collects the violation; setAccountPassword sets the password anyway.
	// For an existing account the user-name check reads zimbraUCUsername, which these
	// accounts do not have (LdapProvisioning.java:6130-6144).
	violation := checkStrength(pw, "", a.Attrs, cos.Attrs)
	if violation != nil && enforce {
		return "", violation
	}
	a.Password = pw
	delete(a.Attrs, "zimbraPasswordMustChange")
	a.Attrs["zimbraPasswordModifiedTime"] = st.now().UTC().Format("20060102150405") + ".000Z"
	if violation != nil {
		msg := fmt.Sprintf("Password violation: account=%s, violation=%s.  Password is set successfully.", a.Name, violation.(*fault).reason)
		return `<SetPasswordResponse xmlns="urn:zimbraAdmin"><message>` + esc(msg) + `</message></SetPasswordResponse>`, nil
	}
	return `<SetPasswordResponse xmlns="urn:zimbraAdmin"/>`, nil
}

// checkStrength is LdapProvisioning.checkPasswordStrength (6118-6264): account
// attributes over the class of service's.
func checkStrength(pw, userName string, acct, cos map[string]string) error {
	get := func(k string) int {
		v, ok := acct[k]
		if !ok {
			v = cos[k]
		}
		n, _ := strconv.Atoi(v)
		return n
	}
	invalid := func(desc string) error { return &fault{"account.INVALID_PASSWORD", "invalid password: " + desc} }
	if n := get("zimbraPasswordMinLength"); n > 0 && len(pw) < n {
		return invalid("too short")
	}
	if n := get("zimbraPasswordMaxLength"); n > 0 && len(pw) > n {
		return invalid("too long")
	}
	if userName != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(userName)) {
		return invalid("password contains username")
	}
	var upper, lower, digit, punct, alpha int
	for _, r := range pw {
		isAlpha := true
		switch {
		case r >= 'A' && r <= 'Z':
			upper++
		case r >= 'a' && r <= 'z':
			lower++
		case r >= '0' && r <= '9':
			digit++
			isAlpha = false
		case r >= 33 && r <= 47, r >= 58 && r <= 64, r >= 91 && r <= 96, r >= 123 && r <= 126:
			punct++
			isAlpha = false
		}
		if isAlpha {
			alpha++
		}
	}
	for _, c := range []struct {
		have int
		attr string
		desc string
	}{
		{upper, "zimbraPasswordMinUpperCaseChars", "not enough upper case characters"},
		{lower, "zimbraPasswordMinLowerCaseChars", "not enough lower case characters"},
		{digit, "zimbraPasswordMinNumericChars", "not enough numeric characters"},
		{punct, "zimbraPasswordMinPunctuationChars", "not enough punctuation characters"},
		{alpha, "zimbraPasswordMinAlphaChars", "not enough alpha characters"},
		{digit + punct, "zimbraPasswordMinDigitsOrPuncs", "not enough numeric or punctuation characters"},
	} {
		if c.have < get(c.attr) {
			return invalid(c.desc)
		}
	}
	return nil
}

// getMailbox is GetMailboxRequest: the mailbox size.
func (st *State) getMailbox(admin *Admin, req node) (string, error) {
	mb, _ := req.child("mbox")
	a := st.byID(mb.attr("id"))
	if a == nil {
		return "", noSuchAccount(mb.attr("id"))
	}
	if err := admin.need(RightGetMailboxInfo, domainOf(a.Name)); err != nil {
		return "", err
	}
	return fmt.Sprintf(`<GetMailboxResponse xmlns="urn:zimbraAdmin"><mbox mbxid="%d" s="%d"/></GetMailboxResponse>`, len(a.ID), a.Used), nil
}

// countAccount is CountAccountRequest: per class of service, without system and
// calendar resources.
func (st *State) countAccount(admin *Admin, req node) (string, error) {
	d, _ := req.child("domain")
	if st.Domains[d.Text] == nil {
		return "", &fault{"account.NO_SUCH_DOMAIN", "no such domain: " + d.Text}
	}
	if err := admin.need(RightCountAccount, d.Text); err != nil {
		return "", err
	}
	byCos := map[string]int{}
	for _, a := range st.Accounts {
		if domainOf(a.Name) == d.Text && !a.Calendar && a.Attrs["zimbraIsSystemResource"] != "TRUE" {
			byCos[st.cosOf(d.Text, a.Attrs["zimbraCOSId"]).Name]++
		}
	}
	var out strings.Builder
	for name, n := range byCos {
		fmt.Fprintf(&out, `<cos name="%s" id="%s">%d</cos>`, name, st.COS[name].ID, n)
	}
	return `<CountAccountResponse xmlns="urn:zimbraAdmin">` + out.String() + `</CountAccountResponse>`, nil
}

// quotaOf is AccountUtil.getEffectiveQuota (util/AccountUtil.java:111-125).
func (st *State) quotaOf(a *Account) int64 {
	acct, _ := strconv.ParseInt(st.effective(a, "zimbraMailQuota"), 10, 64)
	dom, _ := strconv.ParseInt(st.Domains[domainOf(a.Name)].Attrs["zimbraMailDomainQuota"], 10, 64)
	switch {
	case acct == 0:
		return dom
	case dom == 0:
		return acct
	}
	return min(acct, dom)
}

// getQuotaUsage is GetQuotaUsageRequest: computed and sorted afresh for every request
// (no admin session), then cut at offset and limit.
func (st *State) getQuotaUsage(admin *Admin, req node) (string, error) {
	domain := req.attr("domain")
	if st.Domains[domain] == nil {
		return "", &fault{"account.NO_SUCH_DOMAIN", "no such domain: " + domain}
	}
	if err := admin.need(RightGetDomainQuotaUsage, domain); err != nil {
		return "", err
	}
	limit, offset := 1<<31-1, 0
	if v := req.attr("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
		if limit == 0 {
			limit = 1<<31 - 1
		}
	}
	offset, _ = strconv.Atoi(req.attr("offset"))
	sortBy := req.attr("sortBy")
	if sortBy == "" {
		sortBy = "totalUsed"
	}
	asc := req.attr("sortAscending") == "1" || req.attr("sortAscending") == "true"
	type row struct {
		name, id    string
		used, limit int64
	}
	var rows []row
	for _, a := range st.Accounts {
		if domainOf(a.Name) == domain && !a.Calendar {
			rows = append(rows, row{a.Name, a.ID, a.Used, st.quotaOf(a)})
		}
	}
	slices.SortStableFunc(rows, func(x, y row) int {
		c := 0
		switch sortBy {
		case "totalUsed":
			c = cmp(x.used, y.used)
		case "quotaLimit":
			c = cmp(lim(x.limit), lim(y.limit))
		case "account":
			c = strings.Compare(x.name, y.name)
		default:
			c = cmpf(pct(x.used, x.limit), pct(y.used, y.limit))
		}
		if !asc {
			c = -c
		}
		return c
	})
	var out strings.Builder
	i := offset
	for ; i < offset+limit && i < len(rows); i++ {
		r := rows[i]
		fmt.Fprintf(&out, `<account name="%s" id="%s" used="%d" limit="%d"/>`, r.name, r.id, r.used, r.limit)
	}
	if st.AfterQuotaPage != nil {
		defer st.AfterQuotaPage(st)
	}
	return fmt.Sprintf(`<GetQuotaUsageResponse xmlns="urn:zimbraAdmin" more="%d" searchTotal="%d">%s</GetQuotaUsageResponse>`, b2i(i < len(rows)), len(rows), out.String()), nil
}

func lim(n int64) int64 {
	if n == 0 {
		return 1<<63 - 1
	}
	return n
}

func pct(used, limit int64) float64 {
	if limit == 0 {
		return 0
	}
	return float64(used) / float64(limit)
}

func cmp(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpf(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// searchDirectory is SearchDirectoryRequest for accounts: the LDAP filter over the
// domain's accounts, sorted by name, searched afresh for every page.
func (st *State) searchDirectory(admin *Admin, req node) (string, error) {
	domain := req.attr("domain")
	if st.Domains[domain] == nil {
		return "", &fault{"account.NO_SUCH_DOMAIN", "no such domain: " + domain}
	}
	if t := req.attr("types"); t != "" && t != "accounts" {
		return "", &fault{"service.INVALID_REQUEST", "the fake lists accounts only"}
	}
	f, err := parseFilter(req.attr("query"))
	if err != nil {
		return "", &fault{"service.INVALID_REQUEST", "invalid request: " + err.Error()}
	}
	maxResults := 5000
	if v := req.attr("maxResults"); v != "" {
		maxResults, _ = strconv.Atoi(v)
	}
	limit := 1<<31 - 1
	if v := req.attr("limit"); v != "" {
		if limit, _ = strconv.Atoi(v); limit == 0 {
			limit = 1<<31 - 1
		}
	}
	offset, _ := strconv.Atoi(req.attr("offset"))
	var hits []*Account
	for _, a := range st.Accounts {
		if domainOf(a.Name) != domain || a.Calendar || !f.match(entryAttr(a)) {
			continue
		}
		// SearchDirectory.java:197-198: what the admin may not list is left out.
		if !admin.can(RightListAccount, domain) {
			continue
		}
		hits = append(hits, a)
	}
	if maxResults > 0 && len(hits) > maxResults {
		return "", &fault{"account.TOO_MANY_SEARCH_RESULTS", "number of results exceeded the limit: too many search results returned"}
	}
	slices.SortFunc(hits, func(x, y *Account) int { return strings.Compare(x.Name, y.Name) })
	var want []string
	if s := req.attr("attrs"); s != "" {
		want = strings.Split(s, ",")
	}
	var out strings.Builder
	i := offset
	for ; i < offset+limit && i < len(hits); i++ {
		out.WriteString(st.accountXML(admin, hits[i], want, req.attr("applyCos") != "0"))
	}
	if st.AfterSearchPage != nil {
		defer st.AfterSearchPage(st)
	}
	return fmt.Sprintf(`<SearchDirectoryResponse xmlns="urn:zimbraAdmin" more="%d" searchTotal="%d">%s</SearchDirectoryResponse>`, b2i(i < len(hits)), len(hits), out.String()), nil
}

// entryAttr gives the LDAP attributes a filter sees, by lower-case name.
func entryAttr(a *Account) func(string) (string, bool) {
	return func(name string) (string, bool) {
		switch name {
		case "zimbraid":
			return a.ID, true
		case "uid":
			return strings.Split(a.Name, "@")[0], true
		case "mail", "zimbramaildeliveryaddress":
			return a.Name, true
		case "objectclass":
			return "zimbraAccount", true
		}
		for k, v := range a.Attrs {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
		return "", false
	}
}

// getCos is GetCosRequest: attributes a delegated admin without getCos may not read
// come back marked pd="1" without a value.
func (st *State) getCos(admin *Admin, req node) (string, error) {
	sel, _ := req.child("cos")
	var c *COS
	for _, x := range st.COS {
		if (sel.attr("by") == "id" && x.ID == sel.Text) || (sel.attr("by") != "id" && x.Name == sel.Text) {
			c = x
		}
	}
	if c == nil {
		return "", &fault{"account.NO_SUCH_COS", "no such cos: " + sel.Text}
	}
	allowed := admin.Global || slices.Contains(admin.Rights["cos:"+c.Name], RightGetCos)
	var b strings.Builder
	fmt.Fprintf(&b, `<GetCosResponse xmlns="urn:zimbraAdmin"><cos name="%s" id="%s">`, esc(c.Name), c.ID)
	keys := make([]string, 0, len(c.Attrs))
	for k := range c.Attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if allowed {
			fmt.Fprintf(&b, `<a n="%s">%s</a>`, k, esc(c.Attrs[k]))
		} else {
			fmt.Fprintf(&b, `<a n="%s" pd="1"/>`, k)
		}
	}
	b.WriteString(`</cos></GetCosResponse>`)
	return b.String(), nil
}

// getDomain is GetDomainRequest.
func (st *State) getDomain(admin *Admin, req node) (string, error) {
	sel, _ := req.child("domain")
	d := st.Domains[sel.Text]
	if d == nil {
		return "", &fault{"account.NO_SUCH_DOMAIN", "no such domain: " + sel.Text}
	}
	if err := admin.need(RightGetDomain, d.Name); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<GetDomainResponse xmlns="urn:zimbraAdmin"><domain name="%s" id="dom-%s">`, d.Name, d.Name)
	for k, v := range d.Attrs {
		fmt.Fprintf(&b, `<a n="%s">%s</a>`, k, esc(v))
	}
	b.WriteString(`</domain></GetDomainResponse>`)
	return b.String(), nil
}

// getInfo is the account service's GetInfoRequest, which the admin service also
// dispatches (store/conf/web.xml.production:297-310): the signed-in account itself.
func (st *State) getInfo(admin *Admin, req node) (string, error) {
	var name string
	for n, a := range st.Admins {
		if a == admin {
			name = n
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<GetInfoResponse xmlns="urn:zimbraAccount"><id>%s</id><name>%s</name><attrs>`, admin.ID, esc(name))
	fmt.Fprintf(&b, `<attr name="zimbraIsAdminAccount">%s</attr>`, strings.ToUpper(strconv.FormatBool(admin.Global)))
	fmt.Fprintf(&b, `<attr name="zimbraIsDelegatedAdminAccount">%s</attr>`, strings.ToUpper(strconv.FormatBool(!admin.Global && !admin.NotAdmin)))
	if admin.MaxMailQuota != nil {
		fmt.Fprintf(&b, `<attr name="zimbraDomainAdminMaxMailQuota">%d</attr>`, *admin.MaxMailQuota)
	}
	b.WriteString(`</attrs></GetInfoResponse>`)
	return b.String(), nil
}

// checkRight is CheckRightRequest for the signed-in admin itself (service/admin/
// CheckRight.java:80-85 needs no further right then).
func (st *State) checkRight(admin *Admin, req node) (string, error) {
	target, _ := req.child("target")
	grantee, _ := req.child("grantee")
	right, _ := req.child("right")
	if grantee.Text != admin.ID {
		return "", permDenied("need right: checkRightUsr")
	}
	var allow bool
	switch target.attr("type") {
	case "domain":
		if st.Domains[target.Text] == nil {
			return "", &fault{"account.NO_SUCH_DOMAIN", "no such domain: " + target.Text}
		}
		allow = admin.can(right.Text, target.Text)
	case "cos":
		allow = admin.Global || slices.Contains(admin.Rights["cos:"+target.Text], right.Text)
	case "account":
		// The target must exist (account/accesscontrol/TargetType.java, lookupTarget);
		// a right granted on the domain holds on its accounts.
		var a *Account
		if target.attr("by") == "id" {
			a = st.byID(target.Text)
		} else {
			a = st.lookup(strings.ToLower(target.Text))
		}
		if a == nil {
			return "", noSuchAccount(target.Text)
		}
		allow = admin.can(right.Text, domainOf(a.Name))
	default:
		return "", &fault{"service.INVALID_REQUEST", "target type " + target.attr("type")}
	}
	return fmt.Sprintf(`<CheckRightResponse xmlns="urn:zimbraAdmin" allow="%d"/>`, b2i(allow)), nil
}
