// Package zimbra is the mailbox driver for Zimbra Collaboration, the server most
// Indonesian government offices run: a small client of the SOAP Admin API (port 7071,
// or the 9071 admin proxy; namespace urn:zimbraAdmin) written with encoding/xml.
//
// The owner of a mailbox is kept in the account's zimbraNotes ("surel owner=request:42"),
// so a create repeated after a crash finds its own account instead of a stranger's.
// Every request carries the admin token in the SOAP header; on service.AUTH_EXPIRED the
// client signs in again and repeats the request once.
//
// The driver follows what Zimbra does, as its source shows (Zimbra/zm-mailbox; the
// fake in zimbrafake reproduces each point and cites it): SetPasswordRequest clears the
// must-change mark, a distribution list's name answers ACCOUNT_EXISTS at create and
// NO_SUCH_ACCOUNT at lookup, "closed" drops list memberships, GetQuotaUsage pages drift,
// and a delegated admin needs rights the standard domain-admin set lacks. The rights
// and settings are listed in docs/mail-server.md.
package zimbra

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/surel-id/surel/internal/mailbox"
)

// Options configure the driver.
type Options struct {
	// URL is the admin service: https://mail.example.go.id:7071/service/admin/soap, or
	// the admin proxy on 9071.
	URL string
	// AdminUser and AdminPassword sign in: a delegated admin with the rights of
	// docs/mail-server.md on the domain, without two-factor authentication.
	AdminUser     string
	AdminPassword string
	// DefaultQuota is given to a mailbox created with QuotaBytes 0; 0 leaves the COS's.
	DefaultQuota int64
	// COS is the class of service new accounts get (its name or id); "" leaves the
	// domain's default class of service.
	COS string
	// OwnerAttribute is the account attribute that records the owner in the tenant's
	// own practice, read into mailbox.Account.OwnerID; "" is employeeNumber.
	OwnerAttribute string
	// PageSize is the most accounts one page of List reads; 0 is 5000, SearchDirectory's
	// own default maxResults (service/admin/SearchDirectory.java, MAX_SEARCH_RESULTS: the
	// localconfig zimbra_directory_max_search_result, 5000 as shipped):
	// a domain of 50,000 is read in about twenty calls, not three hundred. A page is a
	// range of zimbraId prefixes answered in one SearchDirectory call.
	PageSize int
	// HTTPClient carries the requests; nil is a client with a one-minute timeout. Give
	// one with the server's CA (and server name) for a self-signed certificate.
	HTTPClient *http.Client
	// Now is the clock, for the end of a lockout; nil is time.Now.
	Now func() time.Time
}

// Server is a Zimbra server reached through its admin API.
type Server struct {
	c   *client
	opt Options

	mu    sync.Mutex
	usage map[string]usageSnapshot // by domain, for List
}

var (
	_ mailbox.Server          = (*Server)(nil)
	_ mailbox.PasswordPolicer = (*Server)(nil)
)

// New returns the driver; it signs in at the first call.
func New(opt Options) (*Server, error) {
	if opt.URL == "" || opt.AdminUser == "" || opt.AdminPassword == "" {
		return nil, errors.New("zimbra: url, admin user and admin password are required")
	}
	if opt.HTTPClient == nil {
		opt.HTTPClient = &http.Client{Timeout: time.Minute}
	}
	if opt.OwnerAttribute == "" {
		opt.OwnerAttribute = "employeeNumber"
	}
	if opt.PageSize <= 0 {
		opt.PageSize = 5000
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Server{c: &client{url: opt.URL, user: opt.AdminUser, password: opt.AdminPassword, http: opt.HTTPClient}, opt: opt}, nil
}

// attr is Zimbra's <a n="name">value</a>; PermDenied is its pd="1", for an attribute
// the admin may not read, which comes without a value (service/admin/GetCos.java:118-131).
type attr struct {
	N          string `xml:"n,attr"`
	PermDenied bool   `xml:"pd,attr,omitempty"`
	Value      string `xml:",chardata"`
}

type account struct {
	Name  string `xml:"name,attr"`
	ID    string `xml:"id,attr"`
	Attrs []attr `xml:"a"`
}

func (a account) attr(name string) string {
	for _, x := range a.Attrs {
		if x.N == name {
			return x.Value
		}
	}
	return ""
}

const notesPrefix = "surel owner="

// owner reads the owner surel wrote into zimbraNotes; "" for an account surel did not
// create.
func (a account) owner() string {
	for _, line := range strings.Split(a.attr("zimbraNotes"), "\n") {
		if o, ok := strings.CutPrefix(strings.TrimSpace(line), notesPrefix); ok {
			return o
		}
	}
	return ""
}

// ownerID is the tenant's owner attribute, without surel's own line when that
// attribute is zimbraNotes.
func (s *Server) ownerID(a account) string {
	var keep []string
	for _, line := range strings.Split(a.attr(s.opt.OwnerAttribute), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, notesPrefix) {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, " ")
}

type createAccountRequest struct {
	XMLName  xml.Name `xml:"urn:zimbraAdmin CreateAccountRequest"`
	Name     string   `xml:"name,attr"`
	Password string   `xml:"password,attr"`
	Attrs    []attr   `xml:"a"`
}

type createAccountResponse struct {
	Account account `xml:"account"`
}

// Create makes the account with its quota, must-change flag, class of service and
// owner note. When the address exists for the same owner nothing new is made, the
// password becomes m.Password and the must-change mark is set again; for anyone else,
// or when the name belongs to an alias or a distribution list, it is mailbox.ErrTaken.
func (s *Server) Create(ctx context.Context, m mailbox.New) error {
	_, domain, err := mailbox.Split(m.Address)
	if err != nil {
		return fmt.Errorf("zimbra: create: %w", err)
	}
	if m.Owner == "" {
		return errors.New("zimbra: create: an owner is required")
	}
	req := createAccountRequest{Name: m.Address, Password: m.Password}
	if m.Name != "" {
		req.Attrs = append(req.Attrs, attr{N: "displayName", Value: m.Name})
	}
	quota := m.QuotaBytes
	if quota == 0 {
		quota = s.opt.DefaultQuota
	}
	if quota > 0 {
		req.Attrs = append(req.Attrs, attr{N: "zimbraMailQuota", Value: strconv.FormatInt(quota, 10)})
	}
	if m.MustChange {
		req.Attrs = append(req.Attrs, attr{N: "zimbraPasswordMustChange", Value: "TRUE"})
	}
	if s.opt.COS != "" {
		// A name is accepted as well as an id (account/ldap/LdapProvisioning.java:1264-1273).
		req.Attrs = append(req.Attrs, attr{N: "zimbraCOSId", Value: s.opt.COS})
	}
	req.Attrs = append(req.Attrs, attr{N: "zimbraNotes", Value: notesPrefix + m.Owner})
	var resp createAccountResponse
	err = s.c.call(ctx, req, &resp)
	var f *Fault
	switch {
	case err == nil:
		return nil
	case errors.As(err, &f) && f.Code == codeAccountExists:
		return s.createAgain(ctx, m, domain)
	case errors.As(err, &f) && (f.Code == "account.DISTRIBUTION_LIST_EXISTS" || f.Code == "account.ALIAS_EXISTS"):
		return fmt.Errorf("zimbra: create %s: %w (%s)", m.Address, mailbox.ErrTaken, f.Code)
	}
	return fmt.Errorf("zimbra: create %s: %w", m.Address, s.mapFault(err, domain))
}

// createAgain decides about an address Zimbra says exists. Accounts, aliases and
// distribution lists share one LDAP name (account/ldap/LdapDIT.java:284-289, 403-408),
// so ACCOUNT_EXISTS also answers a list's name, and looking the name up then finds no
// account: that is a taken address, never a reason to retry.
func (s *Server) createAgain(ctx context.Context, m mailbox.New, domain string) error {
	a, err := s.account(ctx, m.Address)
	if errors.Is(err, mailbox.ErrNoSuchMailbox) {
		return fmt.Errorf("zimbra: create %s: %w: the name belongs to a distribution list or another entry that is not an account", m.Address, mailbox.ErrTaken)
	}
	if err != nil {
		return fmt.Errorf("zimbra: create %s: exists, but: %w", m.Address, err)
	}
	// GetAccount by name also finds an account through its alias: only the account's
	// own name with our owner is ours.
	if a.Name != m.Address {
		return fmt.Errorf("zimbra: create %s: %w: an alias of %s", m.Address, mailbox.ErrTaken, a.Name)
	}
	if a.owner() != m.Owner {
		return fmt.Errorf("zimbra: create %s: %w", m.Address, mailbox.ErrTaken)
	}
	warn, err := s.setPassword(ctx, a, m.Password, domain)
	if err != nil {
		return fmt.Errorf("zimbra: create %s again: %w", m.Address, err)
	}
	if m.MustChange {
		if err := s.restoreMustChange(ctx, a, domain); err != nil {
			return fmt.Errorf("zimbra: create %s again: %w", m.Address, err)
		}
	}
	if warn != nil {
		return warn
	}
	return nil
}

// restoreMustChange sets zimbraPasswordMustChange again after a SetPasswordRequest,
// which always clears it (account/ldap/LdapProvisioning.java:6313-6314), and reads it
// back: a retried create must still make the owner choose a password at first login.
func (s *Server) restoreMustChange(ctx context.Context, a account, domain string) error {
	var resp getAccountResponse
	if err := s.c.call(ctx, modifyAccountRequest{ID: a.ID, Attrs: []attr{{N: "zimbraPasswordMustChange", Value: "TRUE"}}}, &resp); err != nil {
		return fmt.Errorf("set zimbraPasswordMustChange again: %w", s.mapFault(err, domain))
	}
	b, err := s.account(ctx, a.Name)
	if err != nil {
		return fmt.Errorf("read zimbraPasswordMustChange back: %w", err)
	}
	if !strings.EqualFold(b.attr("zimbraPasswordMustChange"), "TRUE") {
		return fmt.Errorf("zimbraPasswordMustChange is %q after setting it to TRUE", b.attr("zimbraPasswordMustChange"))
	}
	return nil
}

// RequireChange sets zimbraPasswordMustChange by ModifyAccount, read back
// (mailbox.MustChanger): after a SetPassword, which clears it, for a reset of an account
// surel did not make.
func (s *Server) RequireChange(ctx context.Context, address string) error {
	_, domain, err := mailbox.Split(address)
	if err != nil {
		return fmt.Errorf("zimbra: require change: %w", err)
	}
	a, err := s.account(ctx, address)
	if err != nil {
		return fmt.Errorf("zimbra: require change %s: %w", address, err)
	}
	if err := s.restoreMustChange(ctx, a, domain); err != nil {
		return fmt.Errorf("zimbra: require change %s: %w", address, err)
	}
	return nil
}

type getAccountRequest struct {
	XMLName  xml.Name `xml:"urn:zimbraAdmin GetAccountRequest"`
	ApplyCos string   `xml:"applyCos,attr"`
	Attrs    string   `xml:"attrs,attr"`
	Account  struct {
		By   string `xml:"by,attr"`
		Name string `xml:",chardata"`
	} `xml:"account"`
}

type getAccountResponse struct {
	Account account `xml:"account"`
}

// accountAttrs are read for one account: status and its lockout times, quota, owner.
const accountAttrs = "zimbraId,zimbraNotes,zimbraAccountStatus,zimbraMailQuota,zimbraCreateTimestamp,zimbraPasswordMustChange,zimbraPasswordLockoutLockedTime,zimbraPasswordLockoutDuration,zimbraPasswordLockoutEnabled"

func (s *Server) account(ctx context.Context, address string) (account, error) {
	_, domain, _ := strings.Cut(address, "@")
	req := getAccountRequest{ApplyCos: "1", Attrs: accountAttrs}
	req.Account.By, req.Account.Name = "name", address
	var resp getAccountResponse
	if err := s.c.call(ctx, req, &resp); err != nil {
		return account{}, s.mapFault(err, domain)
	}
	return resp.Account, nil
}

type setPasswordRequest struct {
	XMLName     xml.Name `xml:"urn:zimbraAdmin SetPasswordRequest"`
	ID          string   `xml:"id,attr"`
	NewPassword string   `xml:"newPassword,attr"`
}

type setPasswordResponse struct {
	Message string `xml:"message"`
}

// setPassword sets the password. An admin holding setAccountPassword sets it even when
// it breaks the policy, and Zimbra says so only in <message> (service/admin/
// SetPassword.java:95-114, LdapProvisioning.java:6011-6033): that comes back as a
// *mailbox.PolicyWarning beside a nil error.
func (s *Server) setPassword(ctx context.Context, a account, password, domain string) (*mailbox.PolicyWarning, error) {
	var resp setPasswordResponse
	if err := s.c.call(ctx, setPasswordRequest{ID: a.ID, NewPassword: password}, &resp); err != nil {
		return nil, s.mapFault(err, domain)
	}
	if msg := strings.TrimSpace(resp.Message); msg != "" {
		return &mailbox.PolicyWarning{Address: a.Name, Message: msg}, nil
	}
	return nil, nil
}

// SetPassword changes the password (SetPasswordRequest), which also clears the
// must-change mark: the owner chose this password. A policy violation Zimbra let
// through is returned as a *mailbox.PolicyWarning; the password is set.
func (s *Server) SetPassword(ctx context.Context, address, password string) error {
	_, domain, _ := strings.Cut(address, "@")
	a, err := s.account(ctx, address)
	if err != nil {
		return fmt.Errorf("zimbra: set password %s: %w", address, err)
	}
	warn, err := s.setPassword(ctx, a, password, domain)
	if err != nil {
		return fmt.Errorf("zimbra: set password %s: %w", address, err)
	}
	if warn != nil {
		return warn
	}
	return nil
}

type modifyAccountRequest struct {
	XMLName xml.Name `xml:"urn:zimbraAdmin ModifyAccountRequest"`
	ID      string   `xml:"id,attr"`
	Attrs   []attr   `xml:"a"`
}

func (s *Server) modify(ctx context.Context, op, address string, attrs ...attr) error {
	_, domain, _ := strings.Cut(address, "@")
	a, err := s.account(ctx, address)
	if err != nil {
		return fmt.Errorf("zimbra: %s %s: %w", op, address, err)
	}
	var resp getAccountResponse
	if err := s.c.call(ctx, modifyAccountRequest{ID: a.ID, Attrs: attrs}, &resp); err != nil {
		return fmt.Errorf("zimbra: %s %s: %w", op, address, s.mapFault(err, domain))
	}
	return nil
}

// SetLocked sets zimbraAccountStatus to locked (no login; mail still arrives and is
// kept; list memberships stay) or back to active. It never uses closed, which removes
// the account from every distribution list for good (account/callback/
// AccountStatus.java:88-113): unlocking could not restore them.
func (s *Server) SetLocked(ctx context.Context, address string, locked bool) error {
	status := "active"
	if locked {
		status = "locked"
	}
	return s.modify(ctx, "set "+status, address, attr{N: "zimbraAccountStatus", Value: status})
}

// Deactivate sets zimbraAccountStatus to closed: no login, and mail bounces (lmtpserver/
// ZimbraLmtpBackend.java:168-171), Zimbra's own state for an account whose owner has
// left. Closing also takes the account out of every distribution list, and reactivating
// (SetLocked false) does not put it back: the lists must be mended by hand.
func (s *Server) Deactivate(ctx context.Context, address string) error {
	return s.modify(ctx, "deactivate", address, attr{N: "zimbraAccountStatus", Value: "closed"})
}

// SetQuota sets zimbraMailQuota (0 is unlimited in Zimbra). A delegated admin needs
// zimbraDomainAdminMaxMailQuota for this (service/admin/ModifyAccount.java:331-354).
func (s *Server) SetQuota(ctx context.Context, address string, quotaBytes int64) error {
	if quotaBytes < 0 {
		return fmt.Errorf("zimbra: set quota %s: negative quota", address)
	}
	return s.modify(ctx, "set quota", address, attr{N: "zimbraMailQuota", Value: strconv.FormatInt(quotaBytes, 10)})
}

// Get reads the account: owner from zimbraNotes, status from zimbraAccountStatus.
func (s *Server) Get(ctx context.Context, address string) (mailbox.Info, error) {
	a, err := s.account(ctx, address)
	if err != nil {
		return mailbox.Info{}, fmt.Errorf("zimbra: get %s: %w", address, err)
	}
	in := mailbox.Info{Address: a.Name, Owner: a.owner(), Status: s.status(a), CreatedAt: created(a)}
	in.QuotaBytes, _ = strconv.ParseInt(a.attr("zimbraMailQuota"), 10, 64)
	return in, nil
}

// created reads zimbraCreateTimestamp, LDAP generalized time (20260102150405Z,
// sometimes with .000 before the Z).
func created(a account) time.Time {
	ts := a.attr("zimbraCreateTimestamp")
	if len(ts) < 14 {
		return time.Time{}
	}
	t, _ := time.Parse("20060102150405", ts[:14])
	return t
}

// status reads zimbraAccountStatus. A lockout is Zimbra's own, after failed logins, and
// is over once zimbraPasswordLockoutLockedTime + zimbraPasswordLockoutDuration has
// passed, although the attribute still says lockout until the next login (account/
// ldap/LdapLockoutPolicy.java:80-103, 118-126).
func (s *Server) status(a account) mailbox.Status {
	switch a.attr("zimbraAccountStatus") {
	case "active":
		return mailbox.StatusActive
	case "locked":
		return mailbox.StatusLocked
	case "closed":
		return mailbox.StatusDeactivated
	case "pending":
		return mailbox.StatusPending
	case "maintenance":
		return mailbox.StatusMaintenance
	case "lockout":
		locked := a.attr("zimbraPasswordLockoutLockedTime")
		d := interval(a.attr("zimbraPasswordLockoutDuration"))
		if len(locked) >= 14 && d > 0 {
			if t, err := time.Parse("20060102150405", locked[:14]); err == nil && s.opt.Now().After(t.Add(d)) {
				return mailbox.StatusActive
			}
		}
		return mailbox.StatusLockout
	}
	// An unknown status refuses logins (LdapProvisioning.java:5301-5306): treat it as
	// the server's own hold.
	return mailbox.StatusMaintenance
}

// interval reads Zimbra's duration: digits and d, h, m, s or ms; bare digits are
// seconds (common/util/DateUtil.java:508-529). 0 when unreadable.
func interval(v string) time.Duration {
	units := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second, "ms": time.Millisecond, "": time.Second}
	i := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(v)
	}
	n, err := strconv.ParseInt(v[:i], 10, 64)
	unit, ok := units[v[i:]]
	if err != nil || !ok {
		return 0
	}
	return time.Duration(n) * unit
}

type getMailboxRequest struct {
	XMLName xml.Name `xml:"urn:zimbraAdmin GetMailboxRequest"`
	Mbox    struct {
		ID string `xml:"id,attr"`
	} `xml:"mbox"`
}

type getMailboxResponse struct {
	Mbox struct {
		Size int64 `xml:"s,attr"`
	} `xml:"mbox"`
}

// Usage reads the mailbox size (GetMailboxRequest) against zimbraMailQuota.
func (s *Server) Usage(ctx context.Context, address string) (mailbox.Usage, error) {
	_, domain, _ := strings.Cut(address, "@")
	a, err := s.account(ctx, address)
	if err != nil {
		return mailbox.Usage{}, fmt.Errorf("zimbra: usage %s: %w", address, err)
	}
	var req getMailboxRequest
	req.Mbox.ID = a.ID
	var resp getMailboxResponse
	if err := s.c.call(ctx, req, &resp); err != nil {
		return mailbox.Usage{}, fmt.Errorf("zimbra: usage %s: %w", address, s.mapFault(err, domain))
	}
	q, _ := strconv.ParseInt(a.attr("zimbraMailQuota"), 10, 64)
	return mailbox.Usage{UsedBytes: resp.Mbox.Size, QuotaBytes: q}, nil
}
