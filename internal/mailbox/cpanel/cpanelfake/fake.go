// Package cpanelfake is a cPanel server's UAPI (https://host:2083/execute/Module/function)
// for the Email functions the cpanel driver calls, answering as cPanel's documentation
// describes it (the UAPI reference of api.docs.cpanel.net and its OpenAPI description,
// "UAPI - Return Data", "API Tokens in cPanel"), quirks included:
//
//   - An API token is sent as "Authorization: cpanel user:TOKEN"; a wrong one gets HTTP
//     401 with an HTML page, a token limited to other addresses HTTP 403 with HTML, not
//     JSON.
//   - A refused call is HTTP 200 with {"status":0,"errors":["…"]}: the status is in the
//     body, never in the HTTP code. Over /execute the answer is the bare result object
//     {"data","errors","messages","metadata","status","warnings"}.
//   - Sizes: add_pop and edit_pop_quota take megabytes, 0 or "unlimited" for none;
//     list_pops_with_disk answers _diskquota and _diskused in bytes, as JSON strings,
//     diskquota "unlimited" or megabytes, and lists the cPanel account's own "Main
//     Account" beside the mailboxes; get_pop_quota answers "unlimited" or a number.
//   - edit_pop_quota applies the account's maximum email quota instead of a larger
//     value, without an error (documented for the function); add_pop refuses it.
//   - suspend_login keeps accepting mail; suspend_incoming refuses it.
//   - A password below the account's minimum strength is refused by add_pop and
//     passwd_pop; a function of a feature the account lacks is refused by name.
//   - delete_pop takes email (a user name, or a full address) and domain, and removes
//     the mailbox with its mail directory unless flags is "passwd", which keeps the
//     directory (the UAPI reference of Email::delete_pop); a mailbox that does not
//     exist is refused "You do not have an email account named “…”."
//     (Cpanel::Exception::Email::AccountNotFound).
package cpanelfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// Mailbox is one e-mail account of the cPanel account.
type Mailbox struct {
	Local, Domain, Password string
	QuotaMB                 int64 // 0 unlimited
	Used                    int64 // bytes
	SuspendedLogin          bool
	SuspendedIncoming       bool
	Mtime                   int64
}

// State is the cPanel account; tests change it through Server.Do.
type State struct {
	User, Token string
	// Domains are the account's mail domains, the main domain first.
	Domains []string
	// Mailboxes by full address.
	Mailboxes map[string]*Mailbox
	// MaxQuotaMB is the account's maximum email quota (0: none); DefaultQuotaMB the
	// quota of a new mailbox given none.
	MaxQuotaMB, DefaultQuotaMB int64
	// MinStrength is the password strength (0-100) add_pop and passwd_pop require.
	MinStrength int
	// NoEmailFeature removes the "popaccts" feature from the account.
	NoEmailFeature bool
	// WrongAddress makes every call answer 403, as a token limited to other IPs.
	WrongAddress bool
	// Wrapped answers in the {"apiversion","func","module","result"} form of the
	// command-line uapi tool instead of the bare result.
	Wrapped bool
	// Calls are the functions called, in order.
	Calls []string
	// Kept are the mail directories delete_pop left on disk (flags=passwd), by address.
	Kept []string
	// BeforeCall runs before every function is answered, with its name ("delete_pop"),
	// as someone working in cPanel between two of surel's calls.
	BeforeCall func(st *State, fn string)
}

// Server is the fake; URL and Client reach it.
type Server struct {
	URL    string
	Client *http.Client

	mu sync.Mutex
	st *State
}

// Start serves the fake over TLS for the cPanel user "desa" with token "TOKEN123",
// owning the domains given.
func Start(t testing.TB, domains ...string) *Server {
	s := &Server{st: &State{User: "desa", Token: "TOKEN123", Domains: domains, Mailboxes: map[string]*Mailbox{},
		DefaultQuotaMB: 1024, MinStrength: 50}}
	srv := httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL, s.Client = srv.URL, srv.Client()
	return s
}

// Do runs f on the state under the server's lock.
func (s *Server) Do(f func(*State)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.st)
}

// Mailbox returns a copy of the mailbox, nil when absent.
func (s *Server) Mailbox(address string) *Mailbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.st.Mailboxes[address]; m != nil {
		c := *m
		return &c
	}
	return nil
}

type result struct {
	Data     any      `json:"data"`
	Errors   []string `json:"errors"`
	Messages []string `json:"messages"`
	Metadata struct{} `json:"metadata"`
	Status   int      `json:"status"`
	Warnings []string `json:"warnings"`
}

func fail(format string, args ...any) result {
	return result{Errors: []string{fmt.Sprintf(format, args...)}}
}

func ok(data any) result { return result{Data: data, Status: 1} }

const accessDenied = `<!DOCTYPE html>
<html><head><title>cPanel Login</title></head><body><div id="login-wrapper"><h1>Access denied</h1>
<p>The login is invalid.</p></div></body></html>`

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	if st.WrongAddress {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<html><body><h1>403 Forbidden</h1><p>Access denied: the API token may not be used from this IP address.</p></body></html>`)
		return
	}
	if r.Header.Get("Authorization") != "cpanel "+st.User+":"+st.Token {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, accessDenied)
		return
	}
	fn, found := strings.CutPrefix(r.URL.Path, "/execute/Email/")
	if !found {
		http.NotFound(w, r)
		return
	}
	r.ParseForm()
	st.Calls = append(st.Calls, fn)
	if st.BeforeCall != nil {
		st.BeforeCall(st, fn)
	}
	var res result
	switch h := functions[fn]; {
	case h == nil:
		res = fail("The system could not find the function “%s” in the module “Email”.", fn)
	case st.NoEmailFeature && fn != "list_mail_domains":
		res = fail("You do not have the feature “popaccts”.")
	default:
		res = h(st, r.Form)
	}
	w.Header().Set("Content-Type", "application/json")
	if st.Wrapped {
		json.NewEncoder(w).Encode(map[string]any{"apiversion": 3, "func": fn, "module": "Email", "result": res})
		return
	}
	json.NewEncoder(w).Encode(res)
}

var functions = map[string]func(*State, map[string][]string) result{
	"add_pop":                 (*State).addPop,
	"passwd_pop":              (*State).passwdPop,
	"edit_pop_quota":          (*State).editPopQuota,
	"get_pop_quota":           (*State).getPopQuota,
	"suspend_login":           func(st *State, f map[string][]string) result { return st.suspend(f, true, false, true) },
	"unsuspend_login":         func(st *State, f map[string][]string) result { return st.suspend(f, true, false, false) },
	"suspend_incoming":        func(st *State, f map[string][]string) result { return st.suspend(f, false, true, true) },
	"unsuspend_incoming":      func(st *State, f map[string][]string) result { return st.suspend(f, false, true, false) },
	"delete_pop":              (*State).deletePop,
	"list_pops_with_disk":     (*State).listPopsWithDisk,
	"list_mail_domains":       (*State).listMailDomains,
	"get_default_email_quota": (*State).getDefaultEmailQuota,
}

func get(f map[string][]string, k string) string {
	if v := f[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// address reads email (a user name or an address) and domain (default: the main one).
func (st *State) address(f map[string][]string) (string, string) {
	email, domain := get(f, "email"), get(f, "domain")
	if local, d, ok := strings.Cut(email, "@"); ok {
		return strings.ToLower(local), strings.ToLower(d)
	}
	if domain == "" && len(st.Domains) > 0 {
		domain = st.Domains[0]
	}
	return strings.ToLower(email), strings.ToLower(domain)
}

// quota reads a quota in megabytes: 0 or "unlimited" is none.
func quota(v string) (int64, bool) {
	if v == "unlimited" || v == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n >= 0
}

// strength scores a password roughly as cPanel's meter does: length and the kinds of
// characters.
func strength(pw string) int {
	var kinds [4]bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			kinds[0] = true
		case unicode.IsUpper(r):
			kinds[1] = true
		case unicode.IsDigit(r):
			kinds[2] = true
		default:
			kinds[3] = true
		}
	}
	score := 4 * len(pw)
	for _, k := range kinds {
		if k {
			score += 10
		}
	}
	return min(score, 100)
}

func (st *State) weak(pw string) bool { return strength(pw) < st.MinStrength }

func weakMessage(min int) result {
	return fail("The password you selected cannot be used because it is too weak and would be too easy to guess. Please select a password with strength rating of %d or higher.", min)
}

func (st *State) addPop(f map[string][]string) result {
	local, domain := st.address(f)
	if local == "" || get(f, "password") == "" {
		return fail("You must specify an email account name and a password.")
	}
	if !slices.Contains(st.Domains, domain) {
		return fail("The domain “%s” does not exist on this account.", domain)
	}
	if st.Mailboxes[local+"@"+domain] != nil {
		return fail("The account %s@%s already exists!", local, domain)
	}
	if st.weak(get(f, "password")) {
		return weakMessage(st.MinStrength)
	}
	q := st.DefaultQuotaMB
	if v := get(f, "quota"); v != "" {
		var valid bool
		if q, valid = quota(v); !valid {
			return fail("The quota “%s” is not valid.", v)
		}
	}
	if st.MaxQuotaMB > 0 && (q == 0 || q > st.MaxQuotaMB) {
		return fail("The quota must be a positive integer no larger than the maximum email quota of %d MB.", st.MaxQuotaMB)
	}
	st.Mailboxes[local+"@"+domain] = &Mailbox{Local: local, Domain: domain, Password: get(f, "password"), QuotaMB: q, Mtime: time.Now().Unix()}
	return ok(local + "+" + domain)
}

func (st *State) mailbox(f map[string][]string) (*Mailbox, result, bool) {
	local, domain := st.address(f)
	m := st.Mailboxes[local+"@"+domain]
	if m == nil {
		return nil, fail("The email account “%s@%s” does not exist.", local, domain), false
	}
	return m, result{}, true
}

func (st *State) passwdPop(f map[string][]string) result {
	m, res, found := st.mailbox(f)
	if !found {
		return res
	}
	if st.weak(get(f, "password")) {
		return weakMessage(st.MinStrength)
	}
	m.Password, m.Mtime = get(f, "password"), time.Now().Unix()
	return ok(nil)
}

func (st *State) editPopQuota(f map[string][]string) result {
	m, res, found := st.mailbox(f)
	if !found {
		return res
	}
	q, valid := quota(get(f, "quota"))
	if !valid {
		return fail("The quota “%s” is not valid.", get(f, "quota"))
	}
	// Documented: above the maximum (or unlimited), the maximum applies instead.
	if st.MaxQuotaMB > 0 && (q == 0 || q > st.MaxQuotaMB) {
		q = st.MaxQuotaMB
	}
	m.QuotaMB = q
	return ok(nil)
}

func (st *State) getPopQuota(f map[string][]string) result {
	m, res, found := st.mailbox(f)
	if !found {
		return res
	}
	if m.QuotaMB == 0 {
		return ok("unlimited")
	}
	if get(f, "as_bytes") == "1" {
		return ok(m.QuotaMB << 20)
	}
	return ok(m.QuotaMB)
}

func (st *State) suspend(f map[string][]string, login, incoming, on bool) result {
	m, res, found := st.mailbox(f)
	if !found {
		return res
	}
	if login {
		m.SuspendedLogin = on
	}
	if incoming {
		m.SuspendedIncoming = on
	}
	return ok(nil)
}

// deletePop is Email::delete_pop. A mailbox that does not exist is refused with
// Cpanel::Exception::Email::AccountNotFound (Cpanel/Email/Exists.pm, pop_exists_or_die:
// the mailbox's directory under ~/mail is what exists).
func (st *State) deletePop(f map[string][]string) result {
	local, domain := st.address(f)
	address := local + "@" + domain
	if st.Mailboxes[address] == nil {
		return fail("You do not have an email account named “%s”.", address)
	}
	delete(st.Mailboxes, address)
	if get(f, "flags") == "passwd" {
		st.Kept = append(st.Kept, address)
	}
	return ok(nil)
}

func (st *State) listPopsWithDisk(f map[string][]string) result {
	domain := get(f, "domain")
	local := strings.ToLower(get(f, "email"))
	var out []map[string]any
	if domain == "" || (len(st.Domains) > 0 && domain == st.Domains[0] && local == "") {
		// The cPanel account's own mailbox, listed with the others.
		out = append(out, map[string]any{"email": "Main Account", "login": st.User, "user": st.User, "domain": st.Domains[0],
			"_diskquota": "0", "_diskused": "1234", "diskquota": "unlimited", "diskused": 0.00118, "humandiskquota": "None",
			"suspended_login": 0, "suspended_incoming": 0, "mtime": 1415894498})
	}
	names := make([]string, 0, len(st.Mailboxes))
	for a := range st.Mailboxes {
		names = append(names, a)
	}
	slices.Sort(names)
	for _, a := range names {
		m := st.Mailboxes[a]
		if (domain != "" && m.Domain != domain) || (local != "" && m.Local != local) {
			continue
		}
		e := map[string]any{"email": a, "login": a, "user": m.Local, "domain": m.Domain,
			"_diskquota": strconv.FormatInt(m.QuotaMB<<20, 10), "_diskused": strconv.FormatInt(m.Used, 10),
			"diskused": float64(m.Used) / (1 << 20), "humandiskused": fmt.Sprintf("%d\u00a0bytes", m.Used),
			"suspended_login": b2i(m.SuspendedLogin), "suspended_incoming": b2i(m.SuspendedIncoming), "mtime": m.Mtime}
		if m.QuotaMB == 0 {
			e["diskquota"], e["txtdiskquota"], e["humandiskquota"] = "unlimited", "unlimited", "None"
		} else {
			e["diskquota"], e["txtdiskquota"], e["humandiskquota"] = m.QuotaMB, m.QuotaMB, fmt.Sprintf("%d\u00a0MB", m.QuotaMB)
		}
		out = append(out, e)
	}
	if out == nil {
		out = []map[string]any{}
	}
	return ok(out)
}

func (st *State) listMailDomains(map[string][]string) result {
	out := []map[string]string{}
	for _, d := range st.Domains {
		out = append(out, map[string]string{"domain": d})
	}
	return ok(out)
}

func (st *State) getDefaultEmailQuota(map[string][]string) result {
	return ok(st.DefaultQuotaMB << 20)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
