package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/nip"
	"github.com/surel-id/surel/internal/roster"
)

// Review states of a mailbox whose owner a sync proposed by name (Mailbox.Review).
const (
	ReviewNone     = ""        // nothing to review
	ReviewPending  = "tinjau"  // in the staff's review queue
	ReviewRejected = "ditolak" // staff rejected the proposal; the next sync proposes none
)

// How sure a proposed owner is (Mailbox.CandidateScore), out of 100. Only a NIP the
// server holds assigns an owner; every name match waits for staff, whatever its score.
const (
	ScoreNIP          = 100 // the server's owner attribute holds a NIP of the roster
	ScoreNameUnit     = 90  // one roster entry has the name, and its unit is the server's
	ScoreName         = 75  // one roster entry has the name
	ScoreNameUnitMany = 60  // several have the name; the unit picks one
	ScoreNameMany     = 30  // several have the name: the first is proposed
)

// SyncRun is one sync of a tenant's mail server and what it found.
type SyncRun struct {
	ID         int64
	TenantID   int64
	Domain     string
	StartedAt  time.Time
	FinishedAt time.Time // zero while it runs (or if its process died)
	Actor      string
	Seen       int // the server's accounts listed (its system accounts left out)
	Added      int // adopted: not in the registry before
	Changed    int // in the registry with another status than the server's
	Gone       int // in the registry, no longer on the server
	ByNIP      int // owners found by the NIP the server holds
	ToReview   int // owners proposed by name, waiting for staff
	Error      string
}

// SyncStore is what a sync needs of the store besides Store.
type SyncStore interface {
	Store
	// SyncMailbox records m as the server listed it at seen: a new row (Source
	// Adopted) when prev is nil, else the server's status, quota and use over prev, the
	// row read before (its owner and request stay), no longer gone. It fills m's ID and
	// Version.
	SyncMailbox(ctx context.Context, m *Mailbox, prev *Mailbox, seen time.Time) error
	// AdoptMailboxes records ms, accounts the registry lacks, as new rows (Source
	// Adopted) seen at seen, with their counts and search words, filling each one's ID
	// and Version: a page of a sync in a few statements.
	AdoptMailboxes(ctx context.Context, ms []*Mailbox, seen time.Time) error
	// MailboxesAt reads the tenant's mailboxes at addresses, by address.
	MailboxesAt(ctx context.Context, tenantID int64, addresses []string) (map[string]Mailbox, error)
	// MarkSeen records that a sync at seen found the mailboxes ids unchanged.
	MarkSeen(ctx context.Context, ids []int64, seen time.Time) error
	// MarkGone marks the tenant's mailboxes of domain that no sync since since saw as
	// gone from the server, and returns them.
	MarkGone(ctx context.Context, tenantID int64, domain string, since time.Time) ([]Mailbox, error)
	// SetOwner writes m's owner, its proposal and review state if the row is still at
	// m.Version (false if not), moving it to the next version.
	SetOwner(ctx context.Context, m *Mailbox) (bool, error)
	// ReviewQueue reads a page of the tenant's mailboxes waiting for review, by address
	// after after; ReviewCount counts them.
	ReviewQueue(ctx context.Context, tenantID int64, after string, limit int) ([]Mailbox, string, error)
	ReviewCount(ctx context.Context, tenantID int64) (int, error)
	RosterEntry(ctx context.Context, tenantID int64, nip string) (roster.Entry, error)
	// RosterEntries reads the tenant's roster entries of nips, by NIP; one the roster
	// lacks is absent.
	RosterEntries(ctx context.Context, tenantID int64, nips []string) (map[string]roster.Entry, error)
	// EachRosterEntry calls fn with every entry of the tenant's roster, one at a time.
	EachRosterEntry(ctx context.Context, tenantID int64, fn func(roster.Entry) error) error
	// UserByNIP finds the tenant's portal account holding a NIP.
	UserByNIP(ctx context.Context, tenantID int64, nip string) (account.User, error)
	StartSync(ctx context.Context, r *SyncRun) error
	FinishSync(ctx context.Context, r SyncRun) error
	// Syncs lists the tenant's latest syncs, newest first.
	Syncs(ctx context.Context, tenantID int64, limit int) ([]SyncRun, error)
}

func (s *Service) syncStore() (SyncStore, error) {
	st, ok := s.Store.(SyncStore)
	if !ok {
		return nil, errors.New("registry: the store cannot sync")
	}
	return st, nil
}

// maxNameMatches bounds the mailboxes one sync matches by name, so that the map of
// their names stays small whatever the server holds; the rest wait for the next sync.
const maxNameMatches = 200_000

// Sync reads every account of domain on srv (mailbox.Server.List, pages that cannot
// drift) into the tenant's registry without changing anything on the server: a new
// mailbox is adopted, one already there gets the server's status, quota and use, and
// one the server no longer lists is marked gone, never deleted. Owners of adopted
// mailboxes are matched: by the NIP the server holds (the owner attribute) when the
// roster has it, which assigns the owner (and the portal account of that NIP); else by
// the display name against the roster in one pass over it, which only proposes an owner
// with a score and puts the mailbox in the review queue. Every change is audited. A
// page is one transaction, so memory and a crash's loss stay a page's.
func (s *Service) Sync(ctx context.Context, tenantID int64, domain string, srv mailbox.Server, by audit.Actor) (SyncRun, error) {
	st, err := s.syncStore()
	if err != nil {
		return SyncRun{}, err
	}
	run := SyncRun{TenantID: tenantID, Domain: strings.ToLower(domain), StartedAt: s.now(), Actor: by.Name}
	if err := st.StartSync(ctx, &run); err != nil {
		return run, fmt.Errorf("registry sync: %w", err)
	}
	err = s.sync(ctx, st, &run, srv, by)
	run.FinishedAt = s.now()
	if err != nil {
		run.Error = err.Error()
	}
	// The run's record is written even when the sync failed or was cancelled.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := st.FinishSync(fctx, run); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		return run, fmt.Errorf("registry sync %s: %w", run.Domain, err)
	}
	return run, nil
}

// unmatched is an adopted mailbox without an owner, waiting for the roster's pass.
type unmatched struct {
	id   int64
	unit string
	// nip is the roster entry proposed, "" before the pass; several counts the
	// entries with the name.
	nip      string
	score    int
	several  int
	unitSeen bool
}

func (s *Service) sync(ctx context.Context, st SyncStore, run *SyncRun, srv mailbox.Server, by audit.Actor) error {
	byName := map[string][]*unmatched{}
	names := 0
	for cursor := ""; ; {
		p, err := srv.List(ctx, run.Domain, cursor)
		if err != nil {
			return err
		}
		err = st.Tx(ctx, func(ctx context.Context) error {
			addresses := make([]string, 0, len(p.Accounts))
			for _, a := range p.Accounts {
				addresses = append(addresses, strings.ToLower(a.Address))
			}
			known, err := st.MailboxesAt(ctx, run.TenantID, addresses)
			if err != nil {
				return err
			}
			// The page's rows are written in batches: the new ones in one AdoptMailboxes,
			// the unchanged ones in MarkSeen, their audit entries at once, and the NIPs the
			// server holds looked up in the roster together; only a changed row (rare) and
			// an owner found take statements of their own.
			var unchanged []int64
			var adopted []*Mailbox
			var adoptedFrom []mailbox.Account
			var open []ownerless // rows whose owner is still to find
			for _, a := range p.Accounts {
				if a.System {
					continue
				}
				m, ok := known[strings.ToLower(a.Address)]
				switch {
				case !ok:
					adopted = append(adopted, s.adoptedRow(run, a))
					adoptedFrom = append(adoptedFrom, a)
					continue
				case sameData(m, a):
					run.Seen++
					unchanged = append(unchanged, m.ID)
					if !noOwner(m) || serverNIP(a.OwnerID) == "" {
						continue
					}
				default:
					if m, err = s.syncChanged(ctx, st, run, a, m, by); err != nil {
						return err
					}
				}
				if noOwner(m) {
					cur := m
					open = append(open, ownerless{m: &cur, a: a})
				}
			}
			if err := st.MarkSeen(ctx, unchanged, run.StartedAt); err != nil {
				return err
			}
			if err := st.AdoptMailboxes(ctx, adopted, run.StartedAt); err != nil {
				return err
			}
			run.Seen += len(adopted)
			run.Added += len(adopted)
			entries := make([]audit.Entry, 0, len(adopted))
			for i, m := range adopted {
				entries = append(entries, by.Entry(m.TenantID, "mailbox.adopted", Object(m.ID), m.Address+" ("+string(adoptedFrom[i].Status)+")"))
				open = append(open, ownerless{m: m, a: adoptedFrom[i]})
			}
			if err := s.recordAll(ctx, entries); err != nil {
				return err
			}
			if err := s.ownersByNIP(ctx, st, run, open, by); err != nil {
				return err
			}
			for _, o := range open {
				if !noOwner(*o.m) || o.m.NIP != "" || names >= maxNameMatches {
					continue
				}
				if key := roster.NameKey(o.a.Name); key != "" {
					byName[key] = append(byName[key], &unmatched{id: o.m.ID, unit: roster.NameKey(o.a.Unit)})
					names++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	gone, err := st.MarkGone(ctx, run.TenantID, run.Domain, run.StartedAt)
	if err != nil {
		return err
	}
	run.Gone = len(gone)
	err = st.Tx(ctx, func(ctx context.Context) error {
		for _, m := range gone {
			if err := s.record(ctx, by, m, "mailbox.gone", m.Address); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(byName) > 0 {
		if err := s.proposeByName(ctx, st, run, byName, by); err != nil {
			return err
		}
	}
	return s.recordTenant(ctx, by, run.TenantID, "registry.sync", fmt.Sprintf("%s: %d akun, %d baru, %d berubah, %d hilang, %d pemilik dari NIP, %d untuk ditinjau",
		run.Domain, run.Seen, run.Added, run.Changed, run.Gone, run.ByNIP, run.ToReview))
}

// registryStatus is what a server's status means in the registry: the server's own
// temporary holds (a lockout after failed logins, maintenance) are no decision of staff
// and leave the mailbox active; pending, like a deactivation, accepts no login and
// bounces mail.
func registryStatus(st mailbox.Status) Status {
	switch st {
	case mailbox.StatusLocked:
		return Locked
	case mailbox.StatusDeactivated, mailbox.StatusPending:
		return Inactive
	default:
		return Active
	}
}

// sameData tells whether the registry's row m already has what the server lists for
// it: the same status, quota and use, and not gone.
func sameData(m Mailbox, a mailbox.Account) bool {
	return m.Status == registryStatus(a.Status) && m.ServerStatus == string(a.Status) && m.QuotaBytes == a.QuotaBytes &&
		m.UsedBytes == a.UsedBytes && m.GoneAt.IsZero()
}

// noOwner tells whether m is an adopted mailbox whose owner a sync still looks for: none
// assigned, proposed or rejected.
func noOwner(m Mailbox) bool {
	return m.Source == Adopted && m.OwnerID == 0 && m.OwnerMatch == MatchNone && m.Review == ReviewNone
}

// ownerless is a row of a sync's page whose owner is still to find, with the server's
// account.
type ownerless struct {
	m *Mailbox
	a mailbox.Account
}

// adoptedRow is the registry's new row for the server's account a.
func (s *Service) adoptedRow(run *SyncRun, a mailbox.Account) *Mailbox {
	m := &Mailbox{TenantID: run.TenantID, Address: strings.ToLower(a.Address), Kind: Personal, Status: registryStatus(a.Status),
		ServerStatus: string(a.Status), Name: a.Name, QuotaBytes: a.QuotaBytes, UsedBytes: a.UsedBytes, CreatedAt: a.CreatedAt,
		UpdatedAt: run.StartedAt}
	if m.UsedBytes >= 0 {
		m.UsageAt = run.StartedAt
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = run.StartedAt
	}
	return m
}

// syncChanged records the server's status, quota and use of account a over prev, its
// row, and returns the row as it is now.
func (s *Service) syncChanged(ctx context.Context, st SyncStore, run *SyncRun, a mailbox.Account, prev Mailbox, by audit.Actor) (Mailbox, error) {
	run.Seen++
	m := s.adoptedRow(run, a)
	if err := st.SyncMailbox(ctx, m, &prev, run.StartedAt); err != nil {
		return prev, err
	}
	if prev.Status != m.Status || !prev.GoneAt.IsZero() {
		run.Changed++
		detail := string(prev.Status) + " → " + string(m.Status) + " (server: " + string(a.Status) + ")"
		if !prev.GoneAt.IsZero() {
			detail += ", kembali ada di server"
		}
		if err := s.record(ctx, by, *m, "mailbox.synced", detail); err != nil {
			return prev, err
		}
	}
	cur := prev
	cur.ID, cur.Version, cur.Status = m.ID, m.Version, m.Status
	return cur, nil
}

// ownersByNIP assigns the owner of each row of open whose account holds a NIP the
// roster has (and the portal account of that NIP), looking the page's NIPs up at once.
func (s *Service) ownersByNIP(ctx context.Context, st SyncStore, run *SyncRun, open []ownerless, by audit.Actor) error {
	var nips []string
	for _, o := range open {
		if n := serverNIP(o.a.OwnerID); n != "" {
			nips = append(nips, n)
		}
	}
	if len(nips) == 0 {
		return nil
	}
	entries, err := st.RosterEntries(ctx, run.TenantID, nips)
	if err != nil {
		return err
	}
	for _, o := range open {
		n := serverNIP(o.a.OwnerID)
		e, ok := entries[n]
		if n == "" || !ok {
			continue
		}
		if err := s.assign(ctx, st, o.m, e, MatchNIP, by, "NIP "+n+" di server"); err != nil {
			return err
		}
		run.ByNIP++
	}
	return nil
}

// assign makes the roster's entry e the owner of m (and its portal account, if the NIP
// has one), how telling how it was found, with its audit entry.
func (s *Service) assign(ctx context.Context, st SyncStore, m *Mailbox, e roster.Entry, how string, by audit.Actor, why string) error {
	m.NIP, m.Name, m.Instansi, m.Unit, m.OwnerMatch = e.NIP, e.Name, e.Instansi, e.Unit, how
	m.CandidateNIP, m.CandidateScore, m.Review = "", 0, ReviewNone
	u, err := st.UserByNIP(ctx, m.TenantID, e.NIP)
	switch {
	case err == nil:
		m.OwnerID = u.ID
	case !errors.Is(err, errs.ErrNotFound):
		return err
	}
	m.UpdatedAt = s.now()
	ok, err := st.SetOwner(ctx, m)
	if err != nil {
		return err
	}
	if !ok {
		return ErrChanged
	}
	detail := e.Name + " (" + e.NIP + "): " + why
	if m.OwnerID != 0 {
		detail += "; akun portal " + audit.Object("user", m.OwnerID)
	}
	return s.record(ctx, by, *m, "mailbox.owner", detail)
}

// proposeByName passes once over the tenant's roster and proposes, for each adopted
// mailbox without an owner, the entry whose name is the mailbox's display name,
// preferring the one whose unit is the server's; each proposal goes to review.
func (s *Service) proposeByName(ctx context.Context, st SyncStore, run *SyncRun, byName map[string][]*unmatched, by audit.Actor) error {
	err := st.EachRosterEntry(ctx, run.TenantID, func(e roster.Entry) error {
		ms := byName[roster.NameKey(e.Name)]
		if len(ms) == 0 {
			return nil
		}
		unit := roster.NameKey(e.Unit)
		for _, m := range ms {
			m.several++
			if m.unit != "" && m.unit == unit && !m.unitSeen {
				m.nip, m.unitSeen = e.NIP, true
			} else if m.nip == "" {
				m.nip = e.NIP
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, ms := range byName {
		for _, u := range ms {
			if u.nip == "" {
				continue
			}
			switch {
			case u.several == 1 && u.unitSeen:
				u.score = ScoreNameUnit
			case u.several == 1:
				u.score = ScoreName
			case u.unitSeen:
				u.score = ScoreNameUnitMany
			default:
				u.score = ScoreNameMany
			}
			err := st.Tx(ctx, func(ctx context.Context) error {
				m, err := st.Mailbox(ctx, u.id)
				if err != nil {
					return err
				}
				if m.OwnerID != 0 || m.OwnerMatch != MatchNone || m.Review != ReviewNone {
					return nil
				}
				m.CandidateNIP, m.CandidateScore, m.Review, m.UpdatedAt = u.nip, u.score, ReviewPending, s.now()
				ok, err := st.SetOwner(ctx, &m)
				if err != nil || !ok {
					return err
				}
				run.ToReview++
				return s.record(ctx, by, m, "mailbox.owner_proposed", fmt.Sprintf("NIP %s, skor %d (%d nama sama di data kepegawaian)", u.nip, u.score, u.several))
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// recordAll records es in order: in a few statements when the audit writer appends in
// batches.
func (s *Service) recordAll(ctx context.Context, es []audit.Entry) error {
	if s.Audit == nil || len(es) == 0 {
		return nil
	}
	if b, ok := s.Audit.(interface {
		RecordAll(context.Context, []audit.Entry) error
	}); ok {
		return b.RecordAll(ctx, es)
	}
	for _, e := range es {
		if err := s.Audit.Record(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) recordTenant(ctx context.Context, by audit.Actor, tenantID int64, action, detail string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, by.Entry(tenantID, action, audit.Object("tenant", tenantID), detail))
}

// Syncs lists the tenant's latest syncs, newest first.
func (s *Service) Syncs(ctx context.Context, tenantID int64, n int) ([]SyncRun, error) {
	st, err := s.syncStore()
	if err != nil {
		return nil, err
	}
	return st.Syncs(ctx, tenantID, n)
}

// Review is the review queue's page: the mailboxes waiting, each with the roster's
// entry proposed.
type Review struct {
	Items []ReviewItem
	Next  string
	Total int
}

// ReviewItem is one mailbox in the review queue with its proposed owner.
type ReviewItem struct {
	Mailbox   Mailbox
	Candidate roster.Entry
	// InRoster is false when the proposed entry left the roster since.
	InRoster bool
}

// ReviewCount counts the tenant's mailboxes waiting for review.
func (s *Service) ReviewCount(ctx context.Context, tenantID int64) (int, error) {
	st, err := s.syncStore()
	if err != nil {
		return 0, err
	}
	return st.ReviewCount(ctx, tenantID)
}

// ReviewQueue reads a page of the tenant's review queue.
func (s *Service) ReviewQueue(ctx context.Context, tenantID int64, after string) (Review, error) {
	st, err := s.syncStore()
	if err != nil {
		return Review{}, err
	}
	var r Review
	ms, next, err := st.ReviewQueue(ctx, tenantID, after, PageSize)
	if err != nil {
		return r, fmt.Errorf("review queue: %w", err)
	}
	r.Next = next
	if r.Total, err = st.ReviewCount(ctx, tenantID); err != nil {
		return r, fmt.Errorf("review queue: %w", err)
	}
	for _, m := range ms {
		it := ReviewItem{Mailbox: m}
		e, err := st.RosterEntry(ctx, tenantID, m.CandidateNIP)
		switch {
		case err == nil:
			it.Candidate, it.InRoster = e, true
		case !errors.Is(err, errs.ErrNotFound):
			return r, err
		default:
			it.Candidate.NIP = m.CandidateNIP
		}
		r.Items = append(r.Items, it)
	}
	return r, nil
}

// Decide settles the proposed owner of the tenant's mailbox id: confirmed, the roster's
// entry becomes its owner (MatchName); rejected, the proposal is dropped and no sync
// proposes one again. Either is audited with who decided. A mailbox not waiting for
// review is a conflict (someone decided first).
func (s *Service) Decide(ctx context.Context, tenantID, id int64, confirm bool, by audit.Actor) (Mailbox, error) {
	st, err := s.syncStore()
	if err != nil {
		return Mailbox{}, err
	}
	var m Mailbox
	err = st.Tx(ctx, func(ctx context.Context) error {
		m, err = st.Mailbox(ctx, id)
		if errors.Is(err, errs.ErrNotFound) || (err == nil && m.TenantID != tenantID) {
			return errs.New(errs.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		if m.Review != ReviewPending {
			return errs.New(errs.Conflict, "registry.review_done")
		}
		if !confirm {
			cand := m.CandidateNIP
			m.CandidateNIP, m.CandidateScore, m.Review, m.UpdatedAt = "", 0, ReviewRejected, s.now()
			ok, err := st.SetOwner(ctx, &m)
			if err != nil {
				return err
			}
			if !ok {
				return ErrChanged
			}
			return s.record(ctx, by, m, "mailbox.owner_rejected", "NIP "+cand)
		}
		e, err := st.RosterEntry(ctx, tenantID, m.CandidateNIP)
		if errors.Is(err, errs.ErrNotFound) {
			return errs.New(errs.Conflict, "registry.review_gone")
		}
		if err != nil {
			return err
		}
		return s.assign(ctx, st, &m, e, MatchName, by, fmt.Sprintf("nama cocok (skor %d), dikonfirmasi petugas", m.CandidateScore))
	})
	return m, err
}

// Claim makes user u the owner of the tenant's mailbox at address, after staff
// confirmed u's claim (a request of the claim service): the roster's entry of u's NIP
// is the owner's record, MatchClaim says how. A mailbox another portal account owns
// already is a conflict; nothing is written then.
func (s *Service) Claim(ctx context.Context, u account.User, address string, e roster.Entry, by audit.Actor, why string) (Mailbox, error) {
	st, err := s.syncStore()
	if err != nil {
		return Mailbox{}, err
	}
	m, err := st.MailboxAt(ctx, u.TenantID, strings.ToLower(address))
	if errors.Is(err, errs.ErrNotFound) {
		return m, errs.New(errs.Conflict, "claim.no_mailbox")
	}
	if err != nil {
		return m, err
	}
	if m.OwnerID == u.ID {
		return m, nil
	}
	if m.OwnerID != 0 {
		return m, errs.New(errs.Conflict, "claim.owned")
	}
	m.NIP, m.Name, m.Instansi, m.Unit, m.OwnerMatch, m.OwnerID = e.NIP, e.Name, e.Instansi, e.Unit, MatchClaim, u.ID
	m.CandidateNIP, m.CandidateScore, m.Review, m.UpdatedAt = "", 0, ReviewNone, s.now()
	ok, err := st.SetOwner(ctx, &m)
	if err != nil {
		return m, err
	}
	if !ok {
		return m, ErrChanged
	}
	return m, s.record(ctx, by, m, "mailbox.owner", e.Name+" ("+e.NIP+"): "+why+"; akun portal "+audit.Object("user", u.ID))
}

// serverNIP is the NIP an owner attribute holds ("19850312 201001 1 003" and
// "198503122010011003" alike), "" when it holds none.
func serverNIP(v string) string {
	d := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == ' ' || r == '.' || r == '-':
			return -1
		}
		return 'x'
	}, v)
	if _, err := nip.Parse(d); err != nil {
		return ""
	}
	return d
}
