package collective

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/address"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/nip"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
)

// Problem is one rule a row breaks: the report's line (row, column, rule, suggestion).
// Rule is a key of the interface's "rule.<rule>" messages, which take the column's label
// and Args.
type Problem struct {
	Column string
	Rule   string
	Args   []any
	// Suggestion is what would pass: a free address, the roster's spelling of the name.
	Suggestion string
}

// Checked is a row with its normalised values and what is wrong with it.
type Checked struct {
	Row
	// Mailbox (in Row) is the local part that will be asked for: the one proposed,
	// normalised, or the one surel proposes when the row left it empty (Proposed).
	Proposed bool
	Problems []Problem
}

// Valid reports whether the row breaks no rule.
func (c Checked) Valid() bool { return len(c.Problems) == 0 }

func (c *Checked) add(col, rule string, args ...any) *Problem {
	c.Problems = append(c.Problems, Problem{Column: col, Rule: rule, Args: args})
	return &c.Problems[len(c.Problems)-1]
}

// Lookup is what the check reads from the database: the roster, the live requests of a
// person, the addresses given or asked for.
type Lookup interface {
	RosterEntry(ctx context.Context, tenantID int64, nip string) (roster.Entry, error)
	RosterCount(ctx context.Context, tenantID int64) (int, error)
	PersonBusy(ctx context.Context, tenantID int64, domain, personKey string) (request.Request, error)
	MailboxTaken(ctx context.Context, tenantID int64, domain, local string, except int64) (bool, error)
}

// Check checks every row of a list against the rules of a personal PNS request, before
// anything is submitted: the NIP's structure; the roster (when the tenant has one: the
// NIP present, active, a PNS, the name matching); one account per NIP (no other live
// request, and the NIP only once in the list); the phone and personal e-mail; the
// address's rule and that it is free, other rows of the same list included. A row
// without an address gets one proposed under the tenant's naming rule. Rows of the list
// already submitted (skip) are neither checked nor counted against the others' NIPs, but
// their addresses are taken.
func Check(ctx context.Context, look Lookup, t account.Tenant, rows []Row) ([]Checked, error) {
	hasRoster := false
	if n, err := look.RosterCount(ctx, t.ID); err != nil {
		return nil, err
	} else if n > 0 {
		hasRoster = true
	}
	look, err := prefetch(ctx, look, t, rows, hasRoster)
	if err != nil {
		return nil, err
	}
	out := make([]Checked, len(rows))
	nipAt := map[string]int{}     // NIP → first line
	mailboxAt := map[string]int{} // address → line of the row asking for it
	for i, r := range rows {
		c := Checked{Row: normalize(r)}
		for _, col := range r.Formulas {
			c.add(col, "formula")
		}
		if err := checkPerson(ctx, look, t, &c, hasRoster, nipAt); err != nil {
			return nil, err
		}
		if c.Mailbox != "" {
			if err := checkMailbox(ctx, look, t, &c, mailboxAt); err != nil {
				return nil, err
			}
		}
		out[i] = c
	}
	// Addresses are proposed, and suggested for a refused one, after every row's own is
	// known, in row order, each reserved as it is made: a proposal never takes an
	// address another row asked for, nor two rows one suggestion.
	for i := range out {
		c := &out[i]
		if c.Mailbox == "" && c.Nama != "" {
			if s := suggest(ctx, look, t, c.Nama, mailboxAt, 1); len(s) == 1 {
				c.Mailbox, c.Proposed = s[0], true
				mailboxAt[s[0]] = c.Line
			} else {
				c.add(ColMailbox, "required")
			}
			continue
		}
		for j := range c.Problems {
			p := &c.Problems[j]
			if p.Column != ColMailbox || p.Rule == "address_len" || c.Nama == "" {
				continue
			}
			if s := suggest(ctx, look, t, c.Nama, mailboxAt, 1); len(s) == 1 {
				p.Suggestion = s[0]
				mailboxAt[s[0]] = c.Line
			}
		}
	}
	return out, nil
}

// normalize puts a row's values in their stored form, as the request form does.
func normalize(r Row) Row {
	sq := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	r.NIP = strings.Join(strings.Fields(r.NIP), "")
	r.Nama, r.Jabatan, r.Unit = sq(r.Nama), sq(r.Jabatan), sq(r.Unit)
	if p, ok := account.NormalizePhone(r.Phone); ok {
		r.Phone = p
	}
	r.Email = account.NormalizeEmail(r.Email)
	if r.Mailbox != "" {
		r.Mailbox = address.Normalize(r.Mailbox)
	}
	return r
}

func checkPerson(ctx context.Context, look Lookup, t account.Tenant, c *Checked, hasRoster bool, nipAt map[string]int) error {
	for _, col := range []string{ColNama, ColJabatan, ColUnit} {
		v := c.Value(col)
		switch {
		case v == "":
			c.add(col, "required")
		case utf8.RuneCountInString(v) > 150:
			c.add(col, "max_len", 150)
		case strings.ContainsAny(v, "<>\x00"):
			c.add(col, "text_chars")
		}
	}
	switch {
	case c.Phone == "":
		c.add(ColPhone, "required")
	case !validPhone(c.Phone):
		c.add(ColPhone, "phone")
	}
	if c.Email != "" {
		if m, err := mail.ParseAddress(c.Email); err != nil || m.Address != c.Email || !strings.Contains(c.Email[strings.LastIndexByte(c.Email, '@')+1:], ".") {
			c.add(ColEmail, "email")
		} else if strings.HasSuffix(c.Email, "@"+t.MailDomain) {
			// The personal e-mail is where the claim invitation goes: not the new mailbox.
			c.add(ColEmail, "email_personal")
		}
	}
	if c.NIP == "" {
		c.add(ColNIP, "required")
		return nil
	}
	if _, err := nip.Parse(c.NIP); err != nil {
		c.add(ColNIP, "nip", err.Error())
		return nil
	}
	if first, ok := nipAt[c.NIP]; ok {
		c.add(ColNIP, "list_duplicate", first)
		return nil
	}
	nipAt[c.NIP] = c.Line
	other, err := look.PersonBusy(ctx, t.ID, t.MailDomain, "nip:"+c.NIP)
	switch {
	case err == nil:
		c.add(ColNIP, "person_busy", other.Number)
	case !errors.Is(err, errs.ErrNotFound):
		return err
	}
	if !hasRoster {
		return nil
	}
	e, err := look.RosterEntry(ctx, t.ID, c.NIP)
	found := err == nil
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return err
	}
	// A roster mismatch blocks the row (decision of issue 19): a portal request goes to a
	// verifier who reads its flags one by one, but a list's valid rows are approved all
	// at once, so a row the roster does not bear out is held back until the list or the
	// roster is corrected. The report's rule text says so ("rule.roster_*").
	for _, m := range roster.Check(&e, found, c.Nama, roster.Policy{}) {
		switch m.Reason {
		case roster.ReasonNameMismatch:
			c.add(ColNama, "roster_"+m.Reason).Suggestion = m.Detail
		case roster.ReasonNotInRoster, roster.ReasonInactive:
			// Their messages take the column only: a detail would print as an extra.
			c.add(ColNIP, "roster_"+m.Reason)
		default:
			c.add(ColNIP, "roster_"+m.Reason, m.Detail)
		}
	}
	return nil
}

func validPhone(p string) bool {
	_, ok := account.NormalizePhone(p)
	return ok
}

func checkMailbox(ctx context.Context, look Lookup, t account.Tenant, c *Checked, mailboxAt map[string]int) error {
	switch rule := address.Check(c.Mailbox); rule {
	case "":
	case "address_len":
		c.add(ColMailbox, rule, address.MinLen, address.MaxLen)
		return nil
	default:
		c.add(ColMailbox, rule)
		return nil
	}
	if line, ok := mailboxAt[c.Mailbox]; ok {
		c.add(ColMailbox, "list_address", line)
		return nil
	}
	taken, err := look.MailboxTaken(ctx, t.ID, t.MailDomain, c.Mailbox, 0)
	if err != nil {
		return err
	}
	if taken {
		c.add(ColMailbox, "address_taken", c.Mailbox+"@"+t.MailDomain)
		return nil
	}
	mailboxAt[c.Mailbox] = c.Line
	return nil
}

// suggest proposes free addresses for a name: free in the database and not asked for by
// another row of the list.
func suggest(ctx context.Context, look Lookup, t account.Tenant, name string, inList map[string]int, n int) []string {
	return address.Suggest(address.Pattern(t.AddressPattern), name, func(a string) bool {
		if _, ok := inList[a]; ok {
			return true
		}
		taken, err := look.MailboxTaken(ctx, t.ID, t.MailDomain, a, 0)
		return err != nil || taken
	}, n)
}
