package collective

import (
	"context"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/address"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/nip"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
)

// Batch is a Lookup that also answers for many values at once: a list of 5,000 rows is
// checked with a few reads of 500 values each rather than 20,000 single reads, which on
// PostgreSQL are as many round trips (bench/RESULTS-collective.md).
type Batch interface {
	Lookup
	// RosterEntries reads the roster entries of nips, by NIP; absent when not in it.
	RosterEntries(ctx context.Context, tenantID int64, nips []string) (map[string]roster.Entry, error)
	// BusyPersons gives, of keys, those with a live request and its number.
	BusyPersons(ctx context.Context, tenantID int64, domain string, keys []string) (map[string]string, error)
	// TakenMailboxes gives, of locals, those a live request holds.
	TakenMailboxes(ctx context.Context, tenantID int64, domain string, locals []string) (map[string]bool, error)
}

// prefetched answers the check's reads from what one batch read of each kind brought
// for the list's NIPs, addresses and name-based candidates; an address it did not fetch
// (a numbered suggestion) is read singly.
type prefetched struct {
	Lookup
	entries map[string]roster.Entry
	busy    map[string]string
	taken   map[string]bool
	asked   map[string]bool // the locals fetched
}

// prefetch reads, for rows, everything Check asks about, when look can read in batches.
func prefetch(ctx context.Context, look Lookup, t account.Tenant, rows []Row, hasRoster bool) (Lookup, error) {
	b, ok := look.(Batch)
	if !ok {
		return look, nil
	}
	var nips, keys, locals []string
	seen := map[string]bool{}
	addLocal := func(l string) {
		if l != "" && !seen[l] {
			seen[l] = true
			locals = append(locals, l)
		}
	}
	for _, r := range rows {
		n := normalize(r)
		if _, err := nip.Parse(n.NIP); err == nil {
			nips = append(nips, n.NIP)
			keys = append(keys, "nip:"+n.NIP)
		}
		addLocal(n.Mailbox)
		for _, c := range address.Candidates(address.Pattern(t.AddressPattern), n.Nama) {
			addLocal(c)
		}
	}
	p := &prefetched{Lookup: look, entries: map[string]roster.Entry{}, asked: seen}
	var err error
	if hasRoster {
		if p.entries, err = b.RosterEntries(ctx, t.ID, nips); err != nil {
			return nil, err
		}
	}
	if p.busy, err = b.BusyPersons(ctx, t.ID, t.MailDomain, keys); err != nil {
		return nil, err
	}
	if p.taken, err = b.TakenMailboxes(ctx, t.ID, t.MailDomain, locals); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *prefetched) RosterEntry(ctx context.Context, tenantID int64, n string) (roster.Entry, error) {
	if e, ok := p.entries[n]; ok {
		return e, nil
	}
	return roster.Entry{}, errs.ErrNotFound
}

func (p *prefetched) PersonBusy(ctx context.Context, tenantID int64, domain, key string) (request.Request, error) {
	if n, ok := p.busy[key]; ok {
		return request.Request{Number: n}, nil
	}
	return request.Request{}, errs.ErrNotFound
}

func (p *prefetched) MailboxTaken(ctx context.Context, tenantID int64, domain, local string, except int64) (bool, error) {
	if p.asked[local] {
		return p.taken[local], nil
	}
	return p.Lookup.MailboxTaken(ctx, tenantID, domain, local, except)
}
