// Package cpanel is the mailbox driver for cPanel shared hosting, where many desa and
// small offices keep their mail: cPanel's UAPI over HTTPS (port 2083) with an API token
// of the cPanel account, sent as "Authorization: cpanel user:TOKEN". It uses the Email
// module: add_pop, passwd_pop, edit_pop_quota, get_pop_quota, suspend_login,
// unsuspend_login, suspend_incoming, unsuspend_incoming, delete_pop,
// list_pops_with_disk, list_mail_domains and get_default_email_quota.
//
// UAPI has no place for a note on a mailbox, so the owner mark (who a mailbox was made
// for) lives in surel's own database (Owners); a mailbox that exists on cPanel without
// surel's mark belongs to someone else. Parameters go in a POST body, never in the URL,
// which cPanel's access log records. The answer's status is in its body: a refusal is
// HTTP 200 with {"status":0,"errors":[…]}, a refused token HTTP 401 or 403 with HTML.
package cpanel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/mailbox"
)

// Owners records who each mailbox was made for (sqlmail.Owners over surel's database).
type Owners interface {
	// Claim records owner for address unless another is recorded, and returns the
	// owner recorded.
	Claim(ctx context.Context, address, owner string) (string, error)
	// Owner returns the owner recorded for address, "" when none.
	Owner(ctx context.Context, address string) (string, error)
	// Release forgets owner's claim on address.
	Release(ctx context.Context, address, owner string) error
	// OwnersOf returns the owners recorded for those addresses that have one.
	OwnersOf(ctx context.Context, addresses []string) (map[string]string, error)
	// ReplaceStale forgets old's claim on address if recorded before before, then
	// claims it for owner and returns the owner recorded.
	ReplaceStale(ctx context.Context, address, old, owner string, before time.Time) (string, error)
}

// StaleOwnerAfter is how old another owner's mark on an address must be, the mailbox
// being absent from cPanel, to count as stale (a mailbox surel made and someone deleted
// on cPanel) rather than a create under way: well past a create's retries of an
// unanswered add_pop, which keep the mark while they may still find their mailbox.
const StaleOwnerAfter = 24 * time.Hour

// Options configure the driver.
type Options struct {
	// URL is cPanel's service, https://host.example.co.id:2083.
	URL string
	// User is the cPanel account, Token one of its API tokens.
	User, Token string
	// Owners keeps the owner marks; required.
	Owners Owners
	// DefaultQuota is given to a mailbox created with QuotaBytes 0; 0 leaves cPanel's
	// default email quota.
	DefaultQuota int64
	// PageSize is the most mailboxes a page of List holds; 0 is all of them.
	PageSize int
	// HTTPClient carries the requests; nil is a client with a one-minute timeout.
	HTTPClient *http.Client
	// Now is the clock, for the age of an owner mark; nil is time.Now.
	Now func() time.Time
}

// Server is a cPanel account reached through UAPI.
type Server struct{ opt Options }

func (s *Server) now() time.Time {
	if s.opt.Now == nil {
		return time.Now()
	}
	return s.opt.Now()
}

var (
	_ mailbox.Server = (*Server)(nil)
	_ mailbox.Purger = (*Server)(nil)
)

// New returns the driver.
func New(opt Options) (*Server, error) {
	if opt.URL == "" || opt.User == "" || opt.Token == "" {
		return nil, errors.New("cpanel: url, user and token are required")
	}
	if opt.Owners == nil {
		return nil, errors.New("cpanel: an owner store is required")
	}
	if opt.HTTPClient == nil {
		opt.HTTPClient = &http.Client{Timeout: time.Minute}
	}
	opt.URL = strings.TrimSuffix(opt.URL, "/")
	return &Server{opt: opt}, nil
}

// Refusal is a UAPI call answered with status 0: Errors are cPanel's messages.
type Refusal struct {
	Function string
	Errors   []string
}

func (r *Refusal) Error() string {
	return "cpanel " + r.Function + ": " + strings.Join(r.Errors, "; ")
}

// result is UAPI's answer over /execute. The command-line tool wraps it as
// {"apiversion","func","module","result"}; both are read.
type result struct {
	Data     json.RawMessage `json:"data"`
	Errors   []string        `json:"errors"`
	Status   *int            `json:"status"`
	Warnings []string        `json:"warnings"`
	Result   *result         `json:"result"`
}

// call runs Email::fn with params in a POST body and decodes data into out (nil to
// ignore it).
func (s *Server) call(ctx context.Context, fn string, params url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opt.URL+"/execute/Email/"+fn, strings.NewReader(params.Encode()))
	if err != nil {
		return fmt.Errorf("cpanel %s: %w", fn, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "cpanel "+s.opt.User+":"+s.opt.Token)
	res, err := s.opt.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("cpanel %s: %w", fn, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("cpanel %s: %w", fn, err)
	}
	switch res.StatusCode {
	case http.StatusUnauthorized:
		return fmt.Errorf("cpanel %s: %w: HTTP 401: cPanel refused the API token of %s (cpanel.user, cpanel.token: revoked, expired or mistyped?)", fn, mailbox.ErrNotAllowed, s.opt.User)
	case http.StatusForbidden:
		return fmt.Errorf("cpanel %s: %w: HTTP 403: cPanel refused the API token of %s from this address (a token limited to other IP addresses, or cPHulk's block): %.200q", fn, mailbox.ErrNotAllowed, s.opt.User, body)
	}
	var r result
	if err := json.Unmarshal(body, &r); err != nil || (r.Status == nil && r.Result == nil) {
		return fmt.Errorf("cpanel %s: HTTP %s, not a UAPI answer (is url cPanel's https://host:2083?): %.200q", fn, res.Status, body)
	}
	if r.Result != nil {
		r = *r.Result
	}
	if r.Status == nil || *r.Status != 1 {
		if len(r.Errors) == 0 {
			r.Errors = []string{"status 0 without a message"}
		}
		return &Refusal{Function: fn, Errors: r.Errors}
	}
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return fmt.Errorf("cpanel %s: decode data: %w", fn, err)
		}
	}
	return nil
}

// refusal classifies cPanel's refusals by their text (UAPI gives no codes): a missing
// feature is a right to grant, a weak password the policy.
func refusal(err error) error {
	var r *Refusal
	if !errors.As(err, &r) {
		return err
	}
	text := strings.ToLower(strings.Join(r.Errors, " "))
	switch {
	case strings.Contains(text, "feature"):
		return fmt.Errorf("%w: the cPanel account lacks the feature (WHM » Feature Manager: enable “Email Accounts” for its package): %v", mailbox.ErrNotAllowed, err)
	case strings.Contains(text, "too weak") || strings.Contains(text, "strength"):
		return fmt.Errorf("%w: %v", mailbox.ErrPasswordPolicy, err)
	}
	return err
}

// size reads cPanel's numbers, which come as JSON numbers or strings, "unlimited",
// "None" or "∞" for no quota (0).
type size int64

func (n *size) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	switch s {
	case "", "null", "unlimited", "None", "∞":
		*n = 0
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("cpanel: size %s", b)
	}
	*n = size(f)
	return nil
}

// pop is an entry of list_pops_with_disk: _diskquota and _diskused are bytes.
type pop struct {
	Email             string `json:"email"`
	User              string `json:"user"`
	Domain            string `json:"domain"`
	DiskQuota         size   `json:"_diskquota"`
	DiskUsed          size   `json:"_diskused"`
	SuspendedLogin    size   `json:"suspended_login"`
	SuspendedIncoming size   `json:"suspended_incoming"`
}

func (p pop) status() mailbox.Status {
	switch {
	case p.SuspendedIncoming != 0 && p.SuspendedLogin != 0:
		return mailbox.StatusDeactivated
	case p.SuspendedLogin != 0:
		return mailbox.StatusLocked
	case p.SuspendedIncoming != 0:
		// Mail refused but logins allowed: not a state surel makes; the owner can still
		// read what is there.
		return mailbox.StatusActive
	}
	return mailbox.StatusActive
}

// pops lists the domain's mailboxes (one of them with local), without the cPanel
// account's own "Main Account", which is no mailbox of the domain.
func (s *Server) pops(ctx context.Context, domain, local string) ([]pop, error) {
	p := url.Values{"domain": {domain}, "no_validate": {"1"}}
	if local != "" {
		p.Set("email", local)
	}
	var all []pop
	if err := s.call(ctx, "list_pops_with_disk", p, &all); err != nil {
		return nil, refusal(err)
	}
	out := all[:0]
	for _, x := range all {
		if strings.EqualFold(x.Domain, domain) && strings.Contains(x.Email, "@") && (local == "" || strings.EqualFold(x.User, local)) {
			x.Email = strings.ToLower(x.Email)
			out = append(out, x)
		}
	}
	return out, nil
}

// find reads one mailbox; mailbox.ErrNoSuchMailbox when absent.
func (s *Server) find(ctx context.Context, address string) (pop, error) {
	local, domain, err := mailbox.Split(address)
	if err != nil {
		return pop{}, err
	}
	ps, err := s.pops(ctx, domain, local)
	if err != nil {
		return pop{}, err
	}
	for _, p := range ps {
		if p.Email == address {
			return p, nil
		}
	}
	return pop{}, fmt.Errorf("%w: %s", mailbox.ErrNoSuchMailbox, address)
}

func megabytes(b int64) string {
	if b == 0 {
		return "unlimited"
	}
	return strconv.FormatInt((b+1<<20-1)>>20, 10) // rounded up: never less than asked
}

// Create claims the address for m.Owner in surel's records, then makes the mailbox
// (add_pop). The claim comes first so that a create repeated after a crash finds the
// mailbox its own; a mailbox that exists on cPanel without surel's mark for this owner
// is mailbox.ErrTaken. cPanel has no must-change mark: m.MustChange is not kept.
func (s *Server) Create(ctx context.Context, m mailbox.New) error {
	local, domain, err := mailbox.Split(m.Address)
	if err != nil {
		return fmt.Errorf("cpanel: create: %w", err)
	}
	if m.Owner == "" {
		return errors.New("cpanel: create: an owner is required")
	}
	_, err = s.find(ctx, m.Address)
	switch {
	case err == nil:
		owner, err := s.opt.Owners.Owner(ctx, m.Address)
		if err != nil {
			return fmt.Errorf("cpanel: create %s: %w", m.Address, err)
		}
		if owner != m.Owner {
			return fmt.Errorf("cpanel: create %s: %w", m.Address, mailbox.ErrTaken)
		}
		if err := s.call(ctx, "passwd_pop", url.Values{"email": {local}, "domain": {domain}, "password": {m.Password}}, nil); err != nil {
			return fmt.Errorf("cpanel: create %s again: %w", m.Address, refusal(err))
		}
		return nil
	case !errors.Is(err, mailbox.ErrNoSuchMailbox):
		return fmt.Errorf("cpanel: create %s: %w", m.Address, err)
	}
	owner, err := s.opt.Owners.Claim(ctx, m.Address, m.Owner)
	if err != nil {
		return fmt.Errorf("cpanel: create %s: %w", m.Address, err)
	}
	if owner != m.Owner {
		// The mailbox is not on cPanel: the other mark is a create under way, or stale
		// (its mailbox deleted on cPanel since), which is replaced once old enough.
		if owner, err = s.opt.Owners.ReplaceStale(ctx, m.Address, owner, m.Owner, s.now().Add(-StaleOwnerAfter)); err != nil {
			return fmt.Errorf("cpanel: create %s: %w", m.Address, err)
		}
	}
	if owner != m.Owner {
		return fmt.Errorf("cpanel: create %s: %w: surel's records give it to %s, whose create may still be under way (a mark older than %s would be replaced)", m.Address, mailbox.ErrTaken, owner, StaleOwnerAfter)
	}
	p := url.Values{"email": {local}, "domain": {domain}, "password": {m.Password}, "skip_update_db": {"0"}}
	quota := m.QuotaBytes
	if quota == 0 {
		quota = s.opt.DefaultQuota
	}
	if quota > 0 {
		p.Set("quota", megabytes(quota))
	}
	err = s.call(ctx, "add_pop", p, nil)
	var refused *Refusal
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &refused):
		// No answer: the mailbox may exist now. The claim stays, so a retry finds it ours.
		return fmt.Errorf("cpanel: create %s: %w", m.Address, err)
	}
	// cPanel said no: nothing was made for us, and the claim goes. If the mailbox
	// exists now, someone made it on cPanel meanwhile, and it is theirs.
	if rerr := s.opt.Owners.Release(ctx, m.Address, m.Owner); rerr != nil {
		return fmt.Errorf("cpanel: create %s: %w (and %v)", m.Address, refusal(err), rerr)
	}
	if _, ferr := s.find(ctx, m.Address); ferr == nil {
		return fmt.Errorf("cpanel: create %s: %w: made on cPanel meanwhile", m.Address, mailbox.ErrTaken)
	}
	if domains, derr := s.domains(ctx); derr == nil && !slices.Contains(domains, domain) {
		return fmt.Errorf("cpanel: create %s: %w (the cPanel account %s has %s)", m.Address, mailbox.ErrNoSuchDomain, s.opt.User, strings.Join(domains, ", "))
	}
	return fmt.Errorf("cpanel: create %s: %w", m.Address, refusal(err))
}

func (s *Server) domains(ctx context.Context) ([]string, error) {
	var ds []struct {
		Domain string `json:"domain"`
	}
	if err := s.call(ctx, "list_mail_domains", nil, &ds); err != nil {
		return nil, refusal(err)
	}
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = strings.ToLower(d.Domain)
	}
	return out, nil
}

// SetPassword changes the password (passwd_pop).
func (s *Server) SetPassword(ctx context.Context, address, password string) error {
	if _, err := s.find(ctx, address); err != nil {
		return fmt.Errorf("cpanel: set password %s: %w", address, err)
	}
	local, domain, _ := strings.Cut(address, "@")
	if err := s.call(ctx, "passwd_pop", url.Values{"email": {local}, "domain": {domain}, "password": {password}}, nil); err != nil {
		return fmt.Errorf("cpanel: set password %s: %w", address, refusal(err))
	}
	return nil
}

// suspend calls the suspension functions in order, after checking the mailbox exists
// (they take the full address).
func (s *Server) suspend(ctx context.Context, op, address string, fns ...string) error {
	if _, err := s.find(ctx, address); err != nil {
		return fmt.Errorf("cpanel: %s %s: %w", op, address, err)
	}
	for _, fn := range fns {
		if err := s.call(ctx, fn, url.Values{"email": {address}}, nil); err != nil {
			return fmt.Errorf("cpanel: %s %s: %w", op, address, refusal(err))
		}
	}
	return nil
}

// SetLocked suspends logins (suspend_login: mail still arrives and is kept) or lifts
// every suspension, a deactivation's included.
func (s *Server) SetLocked(ctx context.Context, address string, locked bool) error {
	if locked {
		return s.suspend(ctx, "lock", address, "suspend_login")
	}
	return s.suspend(ctx, "unlock", address, "unsuspend_login", "unsuspend_incoming")
}

// Deactivate suspends logins and incoming mail, which cPanel then refuses.
func (s *Server) Deactivate(ctx context.Context, address string) error {
	return s.suspend(ctx, "deactivate", address, "suspend_login", "suspend_incoming")
}

// Purge deletes a deactivated mailbox for good (mailbox.Purger): delete_pop, without
// flags=passwd, which would keep the mailbox's mail directory, so its mail goes too.
// Only a mailbox whose logins and incoming mail are both suspended (Deactivate) is
// deleted; a locked one, or one refusing only mail, is mailbox.ErrNotAllowed. A
// refusal of a mailbox that is gone when read again (deleted on cPanel meanwhile) is
// mailbox.ErrNoSuchMailbox; a missing feature is named as for every call. Once the
// mailbox is gone, surel's owner mark for it goes too, so the address can be given to
// someone else.
func (s *Server) Purge(ctx context.Context, address string) error {
	p, err := s.find(ctx, address)
	if err != nil {
		return fmt.Errorf("cpanel: purge %s: %w", address, err)
	}
	if p.status() != mailbox.StatusDeactivated {
		return fmt.Errorf("cpanel: purge %s: %w: the mailbox is not deactivated (logins and incoming mail must both be suspended)", address, mailbox.ErrNotAllowed)
	}
	local, domain, _ := strings.Cut(address, "@")
	err = s.call(ctx, "delete_pop", url.Values{"email": {local}, "domain": {domain}}, nil)
	var refused *Refusal
	if errors.As(err, &refused) {
		if _, ferr := s.find(ctx, address); errors.Is(ferr, mailbox.ErrNoSuchMailbox) {
			return fmt.Errorf("cpanel: purge %s: %w: deleted meanwhile (%v)", address, mailbox.ErrNoSuchMailbox, err)
		}
	}
	if err != nil {
		return fmt.Errorf("cpanel: purge %s: %w", address, refusal(err))
	}
	owner, err := s.opt.Owners.Owner(ctx, address)
	if err == nil && owner != "" {
		err = s.opt.Owners.Release(ctx, address, owner)
	}
	if err != nil {
		return fmt.Errorf("cpanel: purge %s: deleted, but the owner mark stays (stale after %s): %w", address, StaleOwnerAfter, err)
	}
	return nil
}

// SetQuota changes the quota (edit_pop_quota, megabytes rounded up; 0 unlimited) and
// reads it back (get_pop_quota): above the cPanel account's maximum email quota, cPanel
// applies the maximum instead without an error, which surel reports.
func (s *Server) SetQuota(ctx context.Context, address string, quotaBytes int64) error {
	if quotaBytes < 0 {
		return fmt.Errorf("cpanel: set quota %s: negative quota", address)
	}
	if _, err := s.find(ctx, address); err != nil {
		return fmt.Errorf("cpanel: set quota %s: %w", address, err)
	}
	local, domain, _ := strings.Cut(address, "@")
	if err := s.call(ctx, "edit_pop_quota", url.Values{"email": {local}, "domain": {domain}, "quota": {megabytes(quotaBytes)}}, nil); err != nil {
		return fmt.Errorf("cpanel: set quota %s: %w", address, refusal(err))
	}
	var got size
	if err := s.call(ctx, "get_pop_quota", url.Values{"email": {local}, "domain": {domain}, "as_bytes": {"1"}}, &got); err != nil {
		return fmt.Errorf("cpanel: set quota %s: read back: %w", address, refusal(err))
	}
	want, _ := strconv.ParseInt(megabytes(quotaBytes), 10, 64)
	if int64(got) != want<<20 {
		return fmt.Errorf("cpanel: set quota %s: cPanel applied %d bytes instead of %d: the cPanel account's maximum email quota is lower (WHM » Tweak Settings or the package)", address, got, want<<20)
	}
	return nil
}

// Usage reads the space used and the quota (list_pops_with_disk, bytes).
func (s *Server) Usage(ctx context.Context, address string) (mailbox.Usage, error) {
	p, err := s.find(ctx, address)
	if err != nil {
		return mailbox.Usage{}, fmt.Errorf("cpanel: usage %s: %w", address, err)
	}
	return mailbox.Usage{UsedBytes: int64(p.DiskUsed), QuotaBytes: int64(p.DiskQuota)}, nil
}

// Get reads the mailbox and its owner from surel's records. cPanel does not say when a
// mailbox was made: CreatedAt is zero.
func (s *Server) Get(ctx context.Context, address string) (mailbox.Info, error) {
	p, err := s.find(ctx, address)
	if err != nil {
		return mailbox.Info{}, fmt.Errorf("cpanel: get %s: %w", address, err)
	}
	owner, err := s.opt.Owners.Owner(ctx, address)
	if err != nil {
		return mailbox.Info{}, fmt.Errorf("cpanel: get %s: %w", address, err)
	}
	return mailbox.Info{Address: p.Email, Owner: owner, Status: p.status(), QuotaBytes: int64(p.DiskQuota)}, nil
}

// Capacity counts the domain's mailboxes from one list_pops_with_disk answer; a new
// mailbox without a quota gets DefaultQuota, else cPanel's default email quota.
func (s *Server) Capacity(ctx context.Context, domain string) (mailbox.Capacity, error) {
	c := mailbox.Capacity{NewQuotaBytes: s.opt.DefaultQuota}
	if err := s.knownDomain(ctx, domain); err != nil {
		return c, fmt.Errorf("cpanel: capacity %s: %w", domain, err)
	}
	ps, err := s.pops(ctx, domain, "")
	if err != nil {
		return c, fmt.Errorf("cpanel: capacity %s: %w", domain, err)
	}
	for _, p := range ps {
		c.Accounts++
		c.UsedBytes += int64(p.DiskUsed)
		if p.DiskQuota == 0 {
			c.Unlimited++
			c.UnlimitedUsedBytes += int64(p.DiskUsed)
		} else {
			c.QuotaAllocated += int64(p.DiskQuota)
		}
	}
	if c.NewQuotaBytes == 0 {
		var q size
		if err := s.call(ctx, "get_default_email_quota", nil, &q); err != nil {
			c.NewQuotaBytes = -1
			c.Notes = append(c.Notes, "quota of a new mailbox unknown: "+err.Error())
		} else {
			c.NewQuotaBytes = int64(q)
		}
	}
	return c, nil
}

func (s *Server) knownDomain(ctx context.Context, domain string) error {
	ds, err := s.domains(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(ds, domain) {
		return fmt.Errorf("%w: the cPanel account %s has %s", mailbox.ErrNoSuchDomain, s.opt.User, strings.Join(ds, ", "))
	}
	return nil
}

// List reads the domain's mailboxes in address order. cPanel lists a domain in one
// answer; with PageSize set, each page is the next PageSize addresses after the cursor
// (the last address of the page before) in a fresh answer, so a page starts where the
// last one ended whatever changed meanwhile. cPanel has no owner attribute: OwnerID is
// empty, Owner comes from surel's records.
func (s *Server) List(ctx context.Context, domain, cursor string) (mailbox.Page, error) {
	var page mailbox.Page
	if err := s.knownDomain(ctx, domain); err != nil {
		return page, fmt.Errorf("cpanel: list %s: %w", domain, err)
	}
	ps, err := s.pops(ctx, domain, "")
	if err != nil {
		return page, fmt.Errorf("cpanel: list %s: %w", domain, err)
	}
	slices.SortFunc(ps, func(a, b pop) int { return strings.Compare(a.Email, b.Email) })
	ps = slices.DeleteFunc(ps, func(p pop) bool { return p.Email <= cursor })
	if s.opt.PageSize > 0 && len(ps) > s.opt.PageSize {
		ps = ps[:s.opt.PageSize]
		page.Next = ps[len(ps)-1].Email
	}
	addresses := make([]string, len(ps))
	for i, p := range ps {
		addresses[i] = p.Email
	}
	owners, err := s.opt.Owners.OwnersOf(ctx, addresses)
	if err != nil {
		return page, fmt.Errorf("cpanel: list %s: %w", domain, err)
	}
	for _, p := range ps {
		page.Accounts = append(page.Accounts, mailbox.Account{Address: p.Email, Status: p.status(), QuotaBytes: int64(p.DiskQuota),
			UsedBytes: int64(p.DiskUsed), Owner: owners[p.Email]})
	}
	return page, nil
}

// CheckAccess calls UAPI with the token (a refused token, a missing Email feature or a
// domain the cPanel account lacks each named) and lists the domain's mailboxes.
func (s *Server) CheckAccess(ctx context.Context, domain string) error {
	if err := s.knownDomain(ctx, domain); err != nil {
		return fmt.Errorf("cpanel: check access: %w", err)
	}
	if _, err := s.pops(ctx, domain, ""); err != nil {
		return fmt.Errorf("cpanel: check access: %w", err)
	}
	return nil
}
