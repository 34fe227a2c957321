package zimbra

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/mailbox"
)

type searchDirectoryRequest struct {
	XMLName    xml.Name `xml:"urn:zimbraAdmin SearchDirectoryRequest"`
	Query      string   `xml:"query,attr"`
	Domain     string   `xml:"domain,attr"`
	Types      string   `xml:"types,attr"`
	Attrs      string   `xml:"attrs,attr"`
	ApplyCos   string   `xml:"applyCos,attr"`
	Limit      int      `xml:"limit,attr"`
	MaxResults int      `xml:"maxResults,attr"`
}

type searchDirectoryResponse struct {
	More        bool      `xml:"more,attr"`
	SearchTotal int       `xml:"searchTotal,attr"`
	Accounts    []account `xml:"account"`
}

// idAlphabet is what a zimbraId is made of: a UUID, lower-case hex and dashes (account/
// ldap/LdapProvisioning.java:1456-1462, LdapUtil.generateUUID). A partition for every
// one of these characters and one for "anything else" cover every id there can be.
const idAlphabet = "0123456789abcdef-"

// List reads the domain's accounts a partition at a time. SearchDirectory pages by
// offset over a search it runs again for every page (service/admin/SearchDirectory.java:
// 193-199), so accounts created or removed between pages shift the offsets and make it
// skip or repeat accounts. Instead each page is one whole partition of the domain by
// zimbraId prefix, answered in one call (limit 0) and capped by maxResults: a partition
// too large for a page (account.TOO_MANY_SEARCH_RESULTS) is split into its sixteen-odd
// longer prefixes and a remainder. Partitions never overlap, so an account is read once;
// the cursor is the list of partitions still to read.
//
// UsedBytes comes from one GetQuotaUsage snapshot taken when a listing starts (cursor "")
// and kept for the listing; without the getDomainQuotaUsage right it is -1.
func (s *Server) List(ctx context.Context, domain, cursor string) (mailbox.Page, error) {
	usage, err := s.usageFor(ctx, domain, cursor == "")
	if err != nil {
		return mailbox.Page{}, fmt.Errorf("zimbra: list %s: %w", domain, err)
	}
	return s.list(ctx, domain, cursor, usage)
}

func (s *Server) list(ctx context.Context, domain, cursor string, usage usageSnapshot) (mailbox.Page, error) {
	var p mailbox.Page
	todo, err := parseCursor(cursor)
	if err != nil {
		return p, fmt.Errorf("zimbra: list %s: %w", domain, err)
	}
	for len(todo) > 0 && len(p.Accounts) == 0 {
		part := todo[0]
		todo = todo[1:]
		accounts, err := s.search(ctx, domain, part.filter(), s.opt.PageSize)
		var f *Fault
		if errors.As(err, &f) && f.Code == codeTooManyResults && !part.rest && len(part.prefix) < 36 {
			todo = append(part.children(), todo...)
			continue
		}
		if err != nil {
			return p, fmt.Errorf("zimbra: list %s: %w", domain, s.mapFault(err, domain))
		}
		for _, a := range accounts {
			p.Accounts = append(p.Accounts, s.listed(a, usage))
		}
	}
	p.Next = formatCursor(todo)
	return p, nil
}

// listAttrs are read for every account of a listing.
const listAttrs = "zimbraId,displayName,zimbraAccountStatus,zimbraMailQuota,zimbraNotes,zimbraCreateTimestamp,zimbraIsSystemResource,zimbraIsSystemAccount,zimbraPasswordLockoutLockedTime,zimbraPasswordLockoutDuration,ou"

func (s *Server) search(ctx context.Context, domain, query string, maxResults int) ([]account, error) {
	req := searchDirectoryRequest{Query: query, Domain: domain, Types: "accounts", ApplyCos: "1", Limit: 0, MaxResults: maxResults,
		Attrs: listAttrs + "," + s.opt.OwnerAttribute}
	var resp searchDirectoryResponse
	if err := s.c.call(ctx, req, &resp); err != nil {
		return nil, err
	}
	if resp.More {
		return nil, fmt.Errorf("SearchDirectory answered a part of %d accounts with limit 0", resp.SearchTotal)
	}
	return resp.Accounts, nil
}

func (s *Server) listed(a account, usage usageSnapshot) mailbox.Account {
	out := mailbox.Account{Address: a.Name, Name: a.attr("displayName"), Status: s.status(a), Owner: a.owner(),
		OwnerID: s.ownerID(a), Unit: a.attr("ou"), CreatedAt: created(a), UsedBytes: -1,
		System: strings.EqualFold(a.attr("zimbraIsSystemResource"), "TRUE") || strings.EqualFold(a.attr("zimbraIsSystemAccount"), "TRUE")}
	out.QuotaBytes, _ = strconv.ParseInt(a.attr("zimbraMailQuota"), 10, 64)
	if u, ok := usage.byID[a.ID]; ok {
		out.UsedBytes, out.QuotaBytes = u.used, u.limit
	}
	return out
}

// partition is a range of zimbraIds: those starting with prefix, or with rest, those
// starting with prefix but with none of its longer prefixes.
type partition struct {
	prefix string
	rest   bool
}

func (p partition) filter() string {
	if !p.rest {
		return "(zimbraId=" + p.prefix + "*)"
	}
	var b strings.Builder
	b.WriteString("(&(zimbraId=" + p.prefix + "*)(!(|")
	for _, c := range idAlphabet {
		b.WriteString("(zimbraId=" + p.prefix + string(c) + "*)")
	}
	b.WriteString(")))")
	return b.String()
}

func (p partition) children() []partition {
	out := make([]partition, 0, len(idAlphabet)+1)
	for _, c := range idAlphabet {
		out = append(out, partition{prefix: p.prefix + string(c)})
	}
	return append(out, partition{prefix: p.prefix, rest: true})
}

// The cursor lists the partitions still to read, comma-separated, a remainder marked by
// a trailing "!"; "" (the start) is the whole domain, and "." the end.
func parseCursor(c string) ([]partition, error) {
	if c == "" {
		return []partition{{}}, nil
	}
	var out []partition
	for _, f := range strings.Split(c, ",") {
		p := partition{}
		p.prefix, p.rest = strings.CutSuffix(f, "!")
		if strings.Trim(p.prefix, idAlphabet) != "" || len(p.prefix) > 36 {
			return nil, fmt.Errorf("bad cursor %q", c)
		}
		out = append(out, p)
	}
	return out, nil
}

func formatCursor(todo []partition) string {
	parts := make([]string, len(todo))
	for i, p := range todo {
		parts[i] = p.prefix
		if p.rest {
			parts[i] += "!"
		}
	}
	return strings.Join(parts, ",")
}

type getQuotaUsageRequest struct {
	XMLName    xml.Name `xml:"urn:zimbraAdmin GetQuotaUsageRequest"`
	Domain     string   `xml:"domain,attr"`
	AllServers string   `xml:"allServers,attr"`
	Limit      int      `xml:"limit,attr"`
	SortBy     string   `xml:"sortBy,attr"`
}

type quotaUsage struct {
	Name  string `xml:"name,attr"`
	ID    string `xml:"id,attr"`
	Used  int64  `xml:"used,attr"`
	Limit int64  `xml:"limit,attr"`
}

type getQuotaUsageResponse struct {
	More        bool         `xml:"more,attr"`
	SearchTotal int          `xml:"searchTotal,attr"`
	Accounts    []quotaUsage `xml:"account"`
}

type usage struct{ used, limit int64 }

// usageSnapshot is one GetQuotaUsage answer for a domain, by account id; denied is the
// refusal when the admin lacks getDomainQuotaUsage.
type usageSnapshot struct {
	at     time.Time
	byID   map[string]usage
	denied error
}

// quotaUsage reads every account's space used and effective quota (the account's or its
// class of service's quota, capped by the domain's: util/AccountUtil.java:111-125) in
// one answer. GetQuotaUsage recomputes and re-sorts the whole list for every request
// without a session (service/admin/GetQuotaUsage.java:117-137), by space used unless
// told otherwise, so pages read while mail arrives miss or repeat accounts; limit 0
// returns all of them in one answer (line 74-76), a snapshot that cannot drift.
func (s *Server) quotaUsage(ctx context.Context, domain string) (usageSnapshot, error) {
	snap := usageSnapshot{at: s.opt.Now(), byID: map[string]usage{}}
	var resp getQuotaUsageResponse
	err := s.c.call(ctx, getQuotaUsageRequest{Domain: domain, AllServers: "1", Limit: 0, SortBy: "account"}, &resp)
	var f *Fault
	if errors.As(err, &f) && f.Code == codePermDenied {
		snap.denied = s.mapFault(err, domain)
		return snap, nil
	}
	if err != nil {
		return snap, s.mapFault(err, domain)
	}
	if resp.More || len(resp.Accounts) != resp.SearchTotal {
		return snap, fmt.Errorf("GetQuotaUsage with limit 0 answered %d of %d accounts", len(resp.Accounts), resp.SearchTotal)
	}
	for _, a := range resp.Accounts {
		snap.byID[a.ID] = usage{used: a.Used, limit: a.Limit}
	}
	return snap, nil
}

// usageFor gives List the domain's snapshot: a fresh one at the start of a listing, the
// one taken then for the pages after (or a fresh one when that is gone or an hour old,
// say on another surel process).
func (s *Server) usageFor(ctx context.Context, domain string, fresh bool) (usageSnapshot, error) {
	s.mu.Lock()
	snap, ok := s.usage[domain]
	s.mu.Unlock()
	if ok && !fresh && s.opt.Now().Sub(snap.at) < time.Hour {
		return snap, nil
	}
	snap, err := s.quotaUsage(ctx, domain)
	if err != nil {
		return snap, err
	}
	s.mu.Lock()
	if s.usage == nil {
		s.usage = map[string]usageSnapshot{}
	}
	s.usage[domain] = snap
	s.mu.Unlock()
	return snap, nil
}

// Capacity counts the domain's accounts and sums their quotas and space used, leaving
// out Zimbra's own system accounts (spam, ham, GAL sync, quarantine), as
// CountAccountRequest does (account/ldap/LdapProvisioning.java:9200-9210). With the
// getDomainQuotaUsage right, the figures come from one GetQuotaUsage snapshot (every
// account with its effective quota and space used, in one answer that cannot drift) and
// one search for the system accounts: two requests whatever the domain's size. Without
// it they come from a listing of the domain (List, partitions that cannot drift), the
// space used is unknown (-1) and Notes says what to grant, while the counts and quotas,
// which the limits need, still come.
func (s *Server) Capacity(ctx context.Context, domain string) (mailbox.Capacity, error) {
	c := mailbox.Capacity{NewQuotaBytes: s.opt.DefaultQuota}
	snap, err := s.usageFor(ctx, domain, true)
	if err != nil {
		return c, fmt.Errorf("zimbra: capacity %s: %w", domain, err)
	}
	count := func(quota, used int64) {
		c.Accounts++
		if quota == 0 {
			c.Unlimited++
			if used >= 0 {
				c.UnlimitedUsedBytes += used
			}
		} else {
			c.QuotaAllocated += quota
		}
		if used >= 0 {
			c.UsedBytes += used
		}
	}
	if snap.denied == nil {
		system, err := s.search(ctx, domain, "(|(zimbraIsSystemResource=TRUE)(zimbraIsSystemAccount=TRUE))", 0)
		if err != nil {
			return c, fmt.Errorf("zimbra: capacity %s: %w", domain, s.mapFault(err, domain))
		}
		skip := map[string]bool{}
		for _, a := range system {
			skip[a.ID] = true
		}
		for id, u := range snap.byID {
			if !skip[id] {
				count(u.limit, u.used)
			}
		}
	} else {
		c.Notes = append(c.Notes, "space used unknown: "+fix(snap.denied))
		for cursor := ""; ; {
			p, err := s.list(ctx, domain, cursor, snap)
			if err != nil {
				return c, fmt.Errorf("zimbra: capacity %s: %w", domain, err)
			}
			for _, a := range p.Accounts {
				if !a.System {
					count(a.QuotaBytes, a.UsedBytes)
				}
			}
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
		c.UsedBytes, c.UnlimitedUsedBytes = -1, -1
	}
	if c.NewQuotaBytes == 0 {
		q, err := s.cosQuota(ctx, domain)
		if err != nil {
			c.NewQuotaBytes = -1
			c.Notes = append(c.Notes, "quota of a new mailbox unknown: "+fix(err))
		} else {
			c.NewQuotaBytes = q
		}
	}
	return c, nil
}
