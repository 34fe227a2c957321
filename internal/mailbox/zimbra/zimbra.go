// Package zimbra is the mailbox driver for Zimbra Collaboration, the server most
// Indonesian government offices run: a small client of the SOAP Admin API (port 7071,
// namespace urn:zimbraAdmin) written with encoding/xml.
//
// The owner of a mailbox is kept in the account's zimbraNotes ("surel owner=request:42"),
// so a create repeated after a crash finds its own account instead of a stranger's.
// Every request carries the admin token in the SOAP header; on service.AUTH_EXPIRED the
// client signs in again and repeats the request once.
package zimbra

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/mailbox"
)

// Options configure the driver.
type Options struct {
	// URL is the admin service, https://mail.example.go.id:7071/service/admin/soap.
	URL string
	// AdminUser and AdminPassword sign in (a domain admin with rights on the domain is
	// enough).
	AdminUser     string
	AdminPassword string
	// DefaultQuota is given to a mailbox created with QuotaBytes 0; 0 leaves the COS's.
	DefaultQuota int64
	// HTTPClient carries the requests; nil is a client with a one-minute timeout. Give
	// one with the server's CA for a self-signed certificate.
	HTTPClient *http.Client
}

// Server is a Zimbra server reached through its admin API.
type Server struct {
	c            *client
	defaultQuota int64
}

var _ mailbox.Server = (*Server)(nil)

// New returns the driver; it signs in at the first call.
func New(opt Options) (*Server, error) {
	if opt.URL == "" || opt.AdminUser == "" || opt.AdminPassword == "" {
		return nil, errors.New("zimbra: url, admin user and admin password are required")
	}
	hc := opt.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	return &Server{
		c:            &client{url: opt.URL, user: opt.AdminUser, password: opt.AdminPassword, http: hc},
		defaultQuota: opt.DefaultQuota,
	}, nil
}

// attr is Zimbra's <a n="name">value</a>.
type attr struct {
	N     string `xml:"n,attr"`
	Value string `xml:",chardata"`
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

type createAccountRequest struct {
	XMLName  xml.Name `xml:"urn:zimbraAdmin CreateAccountRequest"`
	Name     string   `xml:"name,attr"`
	Password string   `xml:"password,attr"`
	Attrs    []attr   `xml:"a"`
}

type createAccountResponse struct {
	Account account `xml:"account"`
}

// Create makes the account with its quota, must-change flag and owner note. When the
// address exists for the same owner nothing new is made and the password becomes
// m.Password, as with the sql driver; for anyone else it is mailbox.ErrTaken.
func (s *Server) Create(ctx context.Context, m mailbox.New) error {
	if _, _, err := mailbox.Split(m.Address); err != nil {
		return fmt.Errorf("zimbra: create: %w", err)
	}
	if m.Owner == "" {
		return errors.New("zimbra: create: an owner is required")
	}
	req := createAccountRequest{Name: m.Address, Password: m.Password}
	if m.Name != "" {
		req.Attrs = append(req.Attrs, attr{"displayName", m.Name})
	}
	quota := m.QuotaBytes
	if quota == 0 {
		quota = s.defaultQuota
	}
	if quota > 0 {
		req.Attrs = append(req.Attrs, attr{"zimbraMailQuota", strconv.FormatInt(quota, 10)})
	}
	if m.MustChange {
		req.Attrs = append(req.Attrs, attr{"zimbraPasswordMustChange", "TRUE"})
	}
	req.Attrs = append(req.Attrs, attr{"zimbraNotes", notesPrefix + m.Owner})
	var resp createAccountResponse
	err := s.c.call(ctx, req, &resp)
	var f *Fault
	switch {
	case err == nil:
		return nil
	case errors.As(err, &f) && f.Code == codeAccountExists:
		a, err := s.account(ctx, m.Address)
		if err != nil {
			return fmt.Errorf("zimbra: create %s: exists, but: %w", m.Address, err)
		}
		// GetAccount by name also finds an account through its alias: only the
		// account's own name with our owner is ours.
		if a.Name != m.Address || a.owner() != m.Owner {
			return fmt.Errorf("zimbra: create %s: %w", m.Address, mailbox.ErrTaken)
		}
		if err := s.setPassword(ctx, a, m.Password); err != nil {
			return fmt.Errorf("zimbra: create %s again: %w", m.Address, err)
		}
		return nil
	case errors.As(err, &f) && (f.Code == "account.DISTRIBUTION_LIST_EXISTS" || f.Code == "account.ALIAS_EXISTS"):
		return fmt.Errorf("zimbra: create %s: %w (%s)", m.Address, mailbox.ErrTaken, f.Code)
	}
	return fmt.Errorf("zimbra: create %s: %w", m.Address, mapFault(err))
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

func (s *Server) account(ctx context.Context, address string) (account, error) {
	req := getAccountRequest{ApplyCos: "1", Attrs: "zimbraId,zimbraNotes,zimbraAccountStatus,zimbraMailQuota,zimbraCreateTimestamp"}
	req.Account.By, req.Account.Name = "name", address
	var resp getAccountResponse
	if err := s.c.call(ctx, req, &resp); err != nil {
		return account{}, mapFault(err)
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

func (s *Server) setPassword(ctx context.Context, a account, password string) error {
	var resp setPasswordResponse
	if err := s.c.call(ctx, setPasswordRequest{ID: a.ID, NewPassword: password}, &resp); err != nil {
		return mapFault(err)
	}
	return nil
}

// SetPassword changes the password (SetPasswordRequest; Zimbra's password policy applies
// and a refusal is reported with its reason).
func (s *Server) SetPassword(ctx context.Context, address, password string) error {
	a, err := s.account(ctx, address)
	if err != nil {
		return fmt.Errorf("zimbra: set password %s: %w", address, err)
	}
	if err := s.setPassword(ctx, a, password); err != nil {
		return fmt.Errorf("zimbra: set password %s: %w", address, err)
	}
	return nil
}

type modifyAccountRequest struct {
	XMLName xml.Name `xml:"urn:zimbraAdmin ModifyAccountRequest"`
	ID      string   `xml:"id,attr"`
	Attrs   []attr   `xml:"a"`
}

func (s *Server) modify(ctx context.Context, op, address string, attrs ...attr) error {
	a, err := s.account(ctx, address)
	if err != nil {
		return fmt.Errorf("zimbra: %s %s: %w", op, address, err)
	}
	var resp getAccountResponse
	if err := s.c.call(ctx, modifyAccountRequest{ID: a.ID, Attrs: attrs}, &resp); err != nil {
		return fmt.Errorf("zimbra: %s %s: %w", op, address, mapFault(err))
	}
	return nil
}

// SetLocked sets zimbraAccountStatus to closed (no login, and mail to it bounces, as the
// interface asks of a locked mailbox and as the sql driver does) or back to active.
// Zimbra's own "locked" status would keep accepting mail nobody can read.
func (s *Server) SetLocked(ctx context.Context, address string, locked bool) error {
	status := "active"
	if locked {
		status = "closed"
	}
	return s.modify(ctx, "set locked", address, attr{"zimbraAccountStatus", status})
}

// SetQuota sets zimbraMailQuota (0 is unlimited in Zimbra).
func (s *Server) SetQuota(ctx context.Context, address string, quotaBytes int64) error {
	if quotaBytes < 0 {
		return fmt.Errorf("zimbra: set quota %s: negative quota", address)
	}
	return s.modify(ctx, "set quota", address, attr{"zimbraMailQuota", strconv.FormatInt(quotaBytes, 10)})
}

// Get reads the account: owner from zimbraNotes, locked unless the status is active.
func (s *Server) Get(ctx context.Context, address string) (mailbox.Info, error) {
	a, err := s.account(ctx, address)
	if err != nil {
		return mailbox.Info{}, fmt.Errorf("zimbra: get %s: %w", address, err)
	}
	in := mailbox.Info{Address: a.Name, Owner: a.owner(), Locked: a.attr("zimbraAccountStatus") != "active"}
	in.QuotaBytes, _ = strconv.ParseInt(a.attr("zimbraMailQuota"), 10, 64)
	// LDAP generalized time, 20260102150405Z (sometimes with .000 before the Z).
	if ts := a.attr("zimbraCreateTimestamp"); len(ts) >= 15 {
		in.CreatedAt, _ = time.Parse("20060102150405", ts[:14])
	}
	return in, nil
}

type getQuotaUsageRequest struct {
	XMLName       xml.Name `xml:"urn:zimbraAdmin GetQuotaUsageRequest"`
	Domain        string   `xml:"domain,attr"`
	AllServers    string   `xml:"allServers,attr"`
	Limit         int      `xml:"limit,attr"`
	Offset        int      `xml:"offset,attr"`
	SortBy        string   `xml:"sortBy,attr"`
	SortAscending string   `xml:"sortAscending,attr"`
}

type getQuotaUsageResponse struct {
	More        bool `xml:"more,attr"`
	SearchTotal int  `xml:"searchTotal,attr"`
	Accounts    []struct {
		Name  string `xml:"name,attr"`
		Used  int64  `xml:"used,attr"`
		Limit int64  `xml:"limit,attr"`
	} `xml:"account"`
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
	a, err := s.account(ctx, address)
	if err != nil {
		return mailbox.Usage{}, fmt.Errorf("zimbra: usage %s: %w", address, err)
	}
	var req getMailboxRequest
	req.Mbox.ID = a.ID
	var resp getMailboxResponse
	if err := s.c.call(ctx, req, &resp); err != nil {
		return mailbox.Usage{}, fmt.Errorf("zimbra: usage %s: %w", address, mapFault(err))
	}
	q, _ := strconv.ParseInt(a.attr("zimbraMailQuota"), 10, 64)
	return mailbox.Usage{UsedBytes: resp.Mbox.Size, QuotaBytes: q}, nil
}

type countAccountRequest struct {
	XMLName xml.Name `xml:"urn:zimbraAdmin CountAccountRequest"`
	Domain  struct {
		By   string `xml:"by,attr"`
		Name string `xml:",chardata"`
	} `xml:"domain"`
}

type countAccountResponse struct {
	Cos []struct {
		Name  string `xml:"name,attr"`
		Count string `xml:",chardata"`
	} `xml:"cos"`
}

// Capacity counts the domain's accounts (CountAccountRequest, summed over the classes of
// service) and sums quotas and space used (GetQuotaUsageRequest, page by page).
func (s *Server) Capacity(ctx context.Context, domain string) (mailbox.Capacity, error) {
	var c mailbox.Capacity
	var creq countAccountRequest
	creq.Domain.By, creq.Domain.Name = "name", domain
	var cresp countAccountResponse
	if err := s.c.call(ctx, creq, &cresp); err != nil {
		return c, fmt.Errorf("zimbra: capacity %s: %w", domain, mapFault(err))
	}
	for _, cos := range cresp.Cos {
		n, err := strconv.Atoi(strings.TrimSpace(cos.Count))
		if err != nil {
			return c, fmt.Errorf("zimbra: capacity %s: count of COS %s: %q", domain, cos.Name, cos.Count)
		}
		c.Accounts += n
	}
	const page = 500
	for offset := 0; ; offset += page {
		req := getQuotaUsageRequest{Domain: domain, AllServers: "1", Limit: page, Offset: offset, SortBy: "totalUsed", SortAscending: "0"}
		var resp getQuotaUsageResponse
		if err := s.c.call(ctx, req, &resp); err != nil {
			return c, fmt.Errorf("zimbra: capacity %s: %w", domain, mapFault(err))
		}
		for _, a := range resp.Accounts {
			c.UsedBytes += a.Used
			c.QuotaAllocated += a.Limit
		}
		if !resp.More || len(resp.Accounts) == 0 {
			break
		}
	}
	return c, nil
}

// mapFault turns the faults with a meaning for the caller into the mailbox errors,
// keeping Zimbra's code and reason in the message.
func mapFault(err error) error {
	var f *Fault
	if !errors.As(err, &f) {
		return err
	}
	switch f.Code {
	case codeNoSuchAccount:
		return fmt.Errorf("%w (%s)", mailbox.ErrNoSuchMailbox, f.Reason)
	case codeNoSuchDomain:
		return fmt.Errorf("%w (%s)", mailbox.ErrNoSuchDomain, f.Reason)
	case codePermDenied:
		return fmt.Errorf("the admin account lacks the right for this (grant it on the domain): %w", err)
	case codeInvalidPasswd:
		return fmt.Errorf("Zimbra's password policy refused the password: %w", err)
	}
	return err
}
