package zimbra

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/surel-id/surel/internal/mailbox"
)

type getCosRequest struct {
	XMLName xml.Name `xml:"urn:zimbraAdmin GetCosRequest"`
	Cos     struct {
		By  string `xml:"by,attr"`
		Key string `xml:",chardata"`
	} `xml:"cos"`
}

type getCosResponse struct {
	Cos account `xml:"cos"` // name, id and <a> attributes, as an account
}

type getDomainRequest struct {
	XMLName xml.Name `xml:"urn:zimbraAdmin GetDomainRequest"`
	Domain  struct {
		By   string `xml:"by,attr"`
		Name string `xml:",chardata"`
	} `xml:"domain"`
}

type getDomainResponse struct {
	Domain account `xml:"domain"`
}

func (s *Server) domain(ctx context.Context, domain string) (account, error) {
	var req getDomainRequest
	req.Domain.By, req.Domain.Name = "name", domain
	var resp getDomainResponse
	if err := s.c.call(ctx, req, &resp); err != nil {
		return account{}, s.mapFault(err, domain)
	}
	return resp.Domain, nil
}

// cos reads the class of service new accounts of the domain get: the configured one,
// else the domain's default, else "default" (account/ldap/LdapProvisioning.java:
// 1471-1495).
func (s *Server) cos(ctx context.Context, domain string) (account, error) {
	var req getCosRequest
	switch {
	case s.opt.COS != "":
		req.Cos.By, req.Cos.Key = "name", s.opt.COS
	default:
		d, err := s.domain(ctx, domain)
		if err != nil {
			return account{}, err
		}
		if id := d.attr("zimbraDomainDefaultCOSId"); id != "" {
			req.Cos.By, req.Cos.Key = "id", id
		} else {
			req.Cos.By, req.Cos.Key = "name", "default"
		}
	}
	var resp getCosResponse
	if err := s.c.call(ctx, req, &resp); err != nil {
		var f *Fault
		if errors.As(err, &f) && f.Code == codeNoSuchCos {
			return account{}, fmt.Errorf("the class of service %s does not exist (mail_server.zimbra.cos): %w", req.Cos.Key, err)
		}
		return account{}, s.mapFault(err, domain)
	}
	return resp.Cos, nil
}

// readable returns the attribute's value, or an error naming the right when Zimbra
// withheld it (pd="1").
func (s *Server) readable(c account, name string) (string, error) {
	for _, a := range c.Attrs {
		if a.N == name {
			if a.PermDenied {
				return "", fmt.Errorf("%w: %s of class of service %s withheld: grant the right getCos on cos %s to %s (zmprov grantRight cos %s usr %s getCos)",
					mailbox.ErrNotAllowed, name, c.Name, c.Name, s.c.user, c.Name, s.c.user)
			}
			return a.Value, nil
		}
	}
	return "", nil
}

// cosQuota is the quota a new mailbox of the domain gets without one of its own: its
// class of service's zimbraMailQuota (0 unlimited), capped by the domain's
// zimbraMailDomainQuota (util/AccountUtil.java:111-125).
func (s *Server) cosQuota(ctx context.Context, domain string) (int64, error) {
	c, err := s.cos(ctx, domain)
	if err != nil {
		return 0, err
	}
	v, err := s.readable(c, "zimbraMailQuota")
	if err != nil {
		return 0, err
	}
	q, _ := strconv.ParseInt(v, 10, 64)
	if d, err := s.domain(ctx, domain); err == nil {
		if dq, _ := strconv.ParseInt(d.attr("zimbraMailDomainQuota"), 10, 64); dq > 0 && (q == 0 || dq < q) {
			q = dq
		}
	}
	return q, nil
}

// PasswordPolicy reads the password rules of the class of service new accounts get:
// CreateAccountRequest enforces them for every admin (account/ldap/LdapProvisioning.java:
// 1496), so generated passwords must follow them.
func (s *Server) PasswordPolicy(ctx context.Context, domain string) (mailbox.PasswordPolicy, error) {
	var p mailbox.PasswordPolicy
	c, err := s.cos(ctx, domain)
	if err != nil {
		return p, fmt.Errorf("zimbra: password policy of %s: %w", domain, err)
	}
	for name, field := range map[string]*int{
		"zimbraPasswordMinLength": &p.MinLength, "zimbraPasswordMaxLength": &p.MaxLength,
		"zimbraPasswordMinUpperCaseChars": &p.MinUpper, "zimbraPasswordMinLowerCaseChars": &p.MinLower,
		"zimbraPasswordMinNumericChars": &p.MinDigits, "zimbraPasswordMinPunctuationChars": &p.MinPunct,
		"zimbraPasswordMinAlphaChars": &p.MinAlpha, "zimbraPasswordMinDigitsOrPuncs": &p.MinDigitsOrPunct,
	} {
		v, err := s.readable(c, name)
		if err != nil {
			return p, fmt.Errorf("zimbra: password policy of %s: %w", domain, err)
		}
		*field, _ = strconv.Atoi(v)
	}
	// The allowed characters are Java regular expressions for one character; those Go
	// reads the same way (character classes) narrow what the generator uses.
	for name, field := range map[string]*string{"zimbraPasswordAllowedChars": &p.Allowed, "zimbraPasswordAllowedPunctuationChars": &p.Punct} {
		v, err := s.readable(c, name)
		if err != nil || v == "" {
			continue
		}
		re, err := regexp.Compile("^(?:" + v + ")$")
		if err != nil {
			return p, fmt.Errorf("zimbra: password policy of %s: %s %q: %w", domain, name, v, err)
		}
		var b strings.Builder
		for r := rune(33); r < 127; r++ {
			if re.MatchString(string(r)) {
				b.WriteRune(r)
			}
		}
		*field = b.String()
	}
	return p, nil
}

type getInfoRequest struct {
	XMLName  xml.Name `xml:"urn:zimbraAccount GetInfoRequest"`
	Sections string   `xml:"sections,attr"`
}

type getInfoResponse struct {
	ID    string `xml:"id"`
	Name  string `xml:"name"`
	Attrs []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:",chardata"`
	} `xml:"attrs>attr"`
}

func (r getInfoResponse) attr(name string) (string, bool) {
	for _, a := range r.Attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

type checkRightRequest struct {
	XMLName xml.Name `xml:"urn:zimbraAdmin CheckRightRequest"`
	Target  struct {
		Type string `xml:"type,attr"`
		By   string `xml:"by,attr"`
		Key  string `xml:",chardata"`
	} `xml:"target"`
	Grantee struct {
		Type string `xml:"type,attr"`
		By   string `xml:"by,attr"`
		Key  string `xml:",chardata"`
	} `xml:"grantee"`
	Right string `xml:"right"`
}

type checkRightResponse struct {
	Allow bool `xml:"allow,attr"`
}

// CheckAccess signs in and checks what surel needs before it needs it:
//   - the admin account signs in (it exists, is active, is an admin, has no two-factor
//     authentication) and the domain exists;
//   - a delegated admin holds createAccount and getDomainQuotaUsage on the domain
//     (CheckRightRequest for itself, service/admin/CheckRight.java:80-85), deleteAccount
//     on an account of the domain (checkDeleteRight), reads
//     accounts of the domain (getAccount, tried on an address that does not exist), has
//     zimbraDomainAdminMaxMailQuota set so quotas can change, and may read (getCos)
//     and assign (assignCos) the configured class of service.
//
// The rights on single accounts (setAccountPassword, the attributes ModifyAccount
// writes, getMailboxInfo) can only be checked on an account; a refusal at first use
// names the right the same way. A missing getDomainQuotaUsage is reported but only
// leaves the space used unknown.
func (s *Server) CheckAccess(ctx context.Context, domain string) error {
	var info getInfoResponse
	if err := s.c.call(ctx, getInfoRequest{Sections: "attrs"}, &info); err != nil {
		return fmt.Errorf("zimbra: check access: %w", s.mapFault(err, domain))
	}
	if _, err := s.domain(ctx, domain); err != nil {
		return fmt.Errorf("zimbra: check access: %w", err)
	}
	var problems []error
	add := func(err error) {
		problems = append(problems, fmt.Errorf("zimbra: %s on %s: %w", s.c.user, domain, err))
	}
	if v, _ := info.attr("zimbraIsAdminAccount"); strings.EqualFold(v, "TRUE") {
		if err := s.checkCos(ctx, domain, info.ID, true); err != nil {
			add(err)
		}
		return errors.Join(problems...)
	}
	for _, right := range []string{"createAccount", "getDomainQuotaUsage"} {
		ok, err := s.checkRight(ctx, "domain", domain, info.ID, right)
		switch {
		case err != nil:
			add(err)
		case !ok && right == "getDomainQuotaUsage":
			add(fmt.Errorf("%w: without getDomainQuotaUsage the space used on the domain is unknown (capacity shows the rest); grant %s", mailbox.ErrNotAllowed, grant(s.c.user, right, domain)))
		case !ok:
			add(fmt.Errorf("%w: grant %s", mailbox.ErrNotAllowed, grant(s.c.user, right, domain)))
		}
	}
	if err := s.checkDeleteRight(ctx, domain, info.ID); err != nil {
		add(err)
	}
	probe := make([]byte, 6)
	rand.Read(probe)
	if _, err := s.account(ctx, "surel-check-"+hex.EncodeToString(probe)+"@"+domain); !errors.Is(err, mailbox.ErrNoSuchMailbox) {
		add(fmt.Errorf("reading an account: %w", err))
	}
	switch v, ok := info.attr("zimbraDomainAdminMaxMailQuota"); {
	case !ok || v == "":
		add(fmt.Errorf("%w: quota changes are refused: set zimbraDomainAdminMaxMailQuota on %s (0 allows any quota: zmprov ma %s zimbraDomainAdminMaxMailQuota 0)", mailbox.ErrNotAllowed, s.c.user, s.c.user))
	case v != "0":
		if max, _ := strconv.ParseInt(v, 10, 64); s.opt.DefaultQuota > max {
			add(fmt.Errorf("%w: zimbraDomainAdminMaxMailQuota of %s is %s, below default_quota %d: quota changes to the default are refused", mailbox.ErrNotAllowed, s.c.user, v, s.opt.DefaultQuota))
		}
	}
	if err := s.checkCos(ctx, domain, info.ID, false); err != nil {
		add(err)
	}
	return errors.Join(problems...)
}

// checkCos checks the class of service new accounts get: that it exists and its quota
// and password rules can be read, and for a delegated admin that it may be assigned.
func (s *Server) checkCos(ctx context.Context, domain, adminID string, global bool) error {
	c, err := s.cos(ctx, domain)
	if err != nil {
		return err
	}
	if _, err := s.readable(c, "zimbraMailQuota"); err != nil {
		return err
	}
	if global || s.opt.COS == "" {
		return nil
	}
	ok, err := s.checkRight(ctx, "cos", c.Name, adminID, "assignCos")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: new accounts cannot get class of service %s: grant the right assignCos on cos %s to %s (zmprov grantRight cos %s usr %s assignCos)",
			mailbox.ErrNotAllowed, c.Name, c.Name, s.c.user, c.Name, s.c.user)
	}
	return nil
}

func (s *Server) checkRight(ctx context.Context, targetType, target, adminID, right string) (bool, error) {
	var req checkRightRequest
	req.Target.Type, req.Target.By, req.Target.Key = targetType, "name", target
	req.Grantee.Type, req.Grantee.By, req.Grantee.Key = "usr", "id", adminID
	req.Right = right
	var resp checkRightResponse
	if err := s.c.call(ctx, req, &resp); err != nil {
		return false, s.mapFault(err, target)
	}
	return resp.Allow, nil
}

// checkDeleteRight checks the deleteAccount right the purge needs. It is an account
// right: CheckRightRequest answers it on an account, never on the domain it is granted
// on (account/accesscontrol/CheckRight.java, rightApplicableOnTargetType), so it is
// asked on one ordinary account of the domain, found by a search for one. A domain
// without such an account (or an admin who may not list it, which the listing reports)
// is not checked here: the first purge names the right.
func (s *Server) checkDeleteRight(ctx context.Context, domain, adminID string) error {
	req := searchDirectoryRequest{Domain: domain, Types: "accounts", Attrs: "zimbraId", ApplyCos: "0", Limit: 1,
		Query: "(&(zimbraId=*)(!(zimbraIsAdminAccount=TRUE))(!(zimbraIsDelegatedAdminAccount=TRUE))(!(zimbraIsSystemResource=TRUE)))"}
	var resp searchDirectoryResponse
	if err := s.c.call(ctx, req, &resp); err != nil || len(resp.Accounts) == 0 {
		return nil
	}
	ok, err := s.checkRight(ctx, "account", resp.Accounts[0].Name, adminID, "deleteAccount")
	switch {
	case errors.Is(err, mailbox.ErrNoSuchMailbox): // deleted since the search
		return nil
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("%w: the purge of a deactivated mailbox after its retention period is refused: grant %s", mailbox.ErrNotAllowed, grant(s.c.user, "deleteAccount", domain))
	}
	return nil
}
