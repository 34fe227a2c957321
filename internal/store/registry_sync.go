package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/roster"
)

var _ registry.SyncStore = (*Store)(nil)

// SyncMailbox is the registry's side of a sync of the mail server (registry.Service.Sync):
// the mailbox at m's address, as the server listed it at seen, is recorded as adopted
// when prev is nil (the registry lacks it), or gets the server's status, quota and use
// over prev, the row read before (its owner and request stay), and counts as seen (no
// longer gone). It fills m's ID and Version.
func (s *Store) SyncMailbox(ctx context.Context, m *registry.Mailbox, prev *registry.Mailbox, seen time.Time) error {
	return s.Tx(ctx, func(ctx context.Context) error {
		if prev == nil {
			m.Source, m.SyncedAt = registry.Adopted, seen
			return s.insertMailbox(ctx, m)
		}
		m.ID, m.Version = prev.ID, prev.Version+1
		updated := prev.UpdatedAt
		if prev.Status != m.Status || !prev.GoneAt.IsZero() {
			updated = m.UpdatedAt
		}
		if prev.Status != m.Status {
			if err := s.countMailbox(ctx, m.TenantID, prev.Status, -1); err != nil {
				return err
			}
			if err := s.countMailbox(ctx, m.TenantID, m.Status, 1); err != nil {
				return err
			}
			cur := *prev
			cur.Status = m.Status
			if err := s.countTransition(ctx, cur, prev.Status); err != nil {
				return err
			}
		}
		_, err := s.exec(ctx, `UPDATE registry SET status = ?, server_status = ?, quota_bytes = ?, used_bytes = ?, usage_at = ?, synced_at = ?,
			gone_at = NULL, updated_at = ?, version = version + 1 WHERE id = ?`, string(m.Status), m.ServerStatus, m.QuotaBytes, m.UsedBytes,
			nullTime(m.UsageAt), utc(seen), utc(updated), prev.ID)
		if err != nil {
			return fmt.Errorf("sync mailbox %s: %w", m.Address, err)
		}
		return nil
	})
}

// MailboxesAt reads the tenant's mailboxes at addresses (a page of a sync), by address.
func (s *Store) MailboxesAt(ctx context.Context, tenantID int64, addresses []string) (map[string]registry.Mailbox, error) {
	out := make(map[string]registry.Mailbox, len(addresses))
	for len(addresses) > 0 {
		n := min(len(addresses), 500)
		args := []any{tenantID}
		for _, a := range addresses[:n] {
			args = append(args, a)
		}
		rows, err := s.mailboxRows(ctx, `SELECT `+registryColumns+registryFrom+` WHERE m.tenant_id = ? AND m.address IN (?`+
			strings.Repeat(", ?", n-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, m := range rows {
			out[m.Address] = m
		}
		addresses = addresses[n:]
	}
	return out, nil
}

// MarkSeen records that a sync at seen found the mailboxes ids on the server unchanged
// (their use, if known, read then).
func (s *Store) MarkSeen(ctx context.Context, ids []int64, seen time.Time) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := []any{utc(seen), utc(seen)}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		if _, err := s.exec(ctx, `UPDATE registry SET synced_at = ?, usage_at = CASE WHEN used_bytes >= 0 THEN ? ELSE usage_at END
			WHERE id IN (?`+strings.Repeat(", ?", n-1)+`)`, args...); err != nil {
			return fmt.Errorf("mark seen: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

// MarkGone marks the tenant's mailboxes of domain that the sync which started at since
// did not see as gone from the server ("removed on server"): they keep their row and
// history. It returns them.
func (s *Store) MarkGone(ctx context.Context, tenantID int64, domain string, since time.Time) ([]registry.Mailbox, error) {
	var out []registry.Mailbox
	err := s.Tx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.mailboxRows(ctx, `SELECT `+registryColumns+registryFrom+` WHERE m.tenant_id = ? AND m.address LIKE ? AND m.gone_at IS NULL
			AND m.status <> 'dihapus' AND (m.synced_at IS NULL OR m.synced_at < ?) ORDER BY m.address`, tenantID, "%@"+domain, utc(since))
		if err != nil {
			return err
		}
		for i := range out {
			if _, err := s.exec(ctx, `UPDATE registry SET gone_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
				utc(since), utc(since), out[i].ID); err != nil {
				return err
			}
			out[i].GoneAt, out[i].Version = since, out[i].Version+1
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark gone: %w", err)
	}
	return out, nil
}

// SetOwner writes m's owner, proposal and review state over m.Version.
func (s *Store) SetOwner(ctx context.Context, m *registry.Mailbox) (bool, error) {
	ok := false
	err := s.Tx(ctx, func(ctx context.Context) error {
		was, err := s.madeOf(ctx, m.ID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := s.exec(ctx, `UPDATE registry SET owner_id = ?, owner_match = ?, nip = ?, name = ?, instansi = ?, unit = ?, candidate_nip = ?,
			candidate_score = ?, review = ?, search = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
			nullID(m.OwnerID), m.OwnerMatch, m.NIP, m.Name, m.Instansi, m.Unit, m.CandidateNIP, m.CandidateScore, m.Review,
			registry.SearchText(m.Address, m.Name, m.NIP), utc(m.UpdatedAt), m.ID, m.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if err := s.recountMade(ctx, m.TenantID, m.ID, was); err != nil {
			return err
		}
		if _, err := s.exec(ctx, `DELETE FROM registry_terms WHERE mailbox_id = ?`, m.ID); err != nil {
			return err
		}
		m.Version++
		ok = true
		return s.addTerms(ctx, *m)
	})
	if err != nil {
		return false, fmt.Errorf("set owner of mailbox %d: %w", m.ID, err)
	}
	return ok, nil
}

// ReviewQueue reads a page of the tenant's mailboxes waiting for review, by address.
func (s *Store) ReviewQueue(ctx context.Context, tenantID int64, after string, limit int) ([]registry.Mailbox, string, error) {
	out, err := s.mailboxRows(ctx, `SELECT `+registryColumns+registryFrom+` WHERE m.tenant_id = ? AND m.review = ? AND m.address > ?
		ORDER BY m.address LIMIT ?`, tenantID, registry.ReviewPending, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].Address
	}
	return out, next, nil
}

// ReviewCount counts the tenant's mailboxes waiting for review.
func (s *Store) ReviewCount(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.get(ctx, `SELECT COUNT(*) FROM registry WHERE tenant_id = ? AND review = ?`, []any{tenantID, registry.ReviewPending}, &n)
	if err != nil {
		return 0, fmt.Errorf("review count: %w", err)
	}
	return n, nil
}

// EachRosterEntry calls fn with every entry of the tenant's roster, streamed.
func (s *Store) EachRosterEntry(ctx context.Context, tenantID int64, fn func(roster.Entry) error) error {
	rows, err := s.query(ctx, `SELECT nip, name, instansi, unit, status, active FROM roster WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return fmt.Errorf("roster entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e roster.Entry
		var num int64
		var status string
		if err := rows.Scan(&num, &e.Name, &e.Instansi, &e.Unit, &status, &e.Active); err != nil {
			return fmt.Errorf("roster entries: %w", err)
		}
		e.NIP, e.Status = fmt.Sprintf("%018d", num), roster.Status(status)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// UserByNIP finds the tenant's portal account holding a NIP (the oldest, if several).
func (s *Store) UserByNIP(ctx context.Context, tenantID int64, nip string) (account.User, error) {
	return s.user(ctx, "user by nip", "tenant_id = ? AND nip = ? AND nip <> '' ORDER BY id LIMIT 1", tenantID, nip)
}

// StartSync records a sync's start and fills its ID.
func (s *Store) StartSync(ctx context.Context, r *registry.SyncRun) error {
	id, err := s.insert(ctx, `INSERT INTO registry_syncs (tenant_id, domain, started_at, actor) VALUES (?, ?, ?, ?)`,
		r.TenantID, r.Domain, utc(r.StartedAt), r.Actor)
	if err != nil {
		return fmt.Errorf("start sync: %w", err)
	}
	r.ID = id
	return nil
}

// FinishSync records what a sync found and how it ended.
func (s *Store) FinishSync(ctx context.Context, r registry.SyncRun) error {
	_, err := s.exec(ctx, `UPDATE registry_syncs SET finished_at = ?, seen = ?, added = ?, changed = ?, gone = ?, by_nip = ?, to_review = ?,
		error = ? WHERE id = ?`, utc(r.FinishedAt), r.Seen, r.Added, r.Changed, r.Gone, r.ByNIP, r.ToReview, strings.ToValidUTF8(r.Error, "?"), r.ID)
	if err != nil {
		return fmt.Errorf("finish sync: %w", err)
	}
	return nil
}

// Syncs lists the tenant's latest syncs, newest first.
func (s *Store) Syncs(ctx context.Context, tenantID int64, limit int) ([]registry.SyncRun, error) {
	rows, err := s.query(ctx, `SELECT id, tenant_id, domain, started_at, finished_at, actor, seen, added, changed, gone, by_nip, to_review, error
		FROM registry_syncs WHERE tenant_id = ? ORDER BY id DESC LIMIT ?`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("syncs: %w", err)
	}
	defer rows.Close()
	var out []registry.SyncRun
	for rows.Next() {
		var r registry.SyncRun
		var fin sql.NullTime
		if err := rows.Scan(&r.ID, &r.TenantID, &r.Domain, &r.StartedAt, &fin, &r.Actor, &r.Seen, &r.Added, &r.Changed, &r.Gone,
			&r.ByNIP, &r.ToReview, &r.Error); err != nil {
			return nil, fmt.Errorf("syncs: %w", err)
		}
		r.StartedAt, r.FinishedAt = r.StartedAt.UTC(), timeOf(fin)
		out = append(out, r)
	}
	return out, rows.Err()
}

// adoptBatch is how many mailboxes one INSERT of AdoptMailboxes writes (24 arguments
// each, under SQLite's 32,766 and PostgreSQL's 65,535).
const adoptBatch = 500

// AdoptMailboxes records ms, accounts of the server the registry lacks, as adopted rows
// seen at seen, with their counts and search words, in a few statements per batch of
// rows instead of a handful per row (a sync's page), in the caller's transaction if any.
// It fills each one's ID, Version, Source and SyncedAt.
func (s *Store) AdoptMailboxes(ctx context.Context, ms []*registry.Mailbox, seen time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	return s.Tx(ctx, func(ctx context.Context) error {
		for rest := ms; len(rest) > 0; {
			n := min(len(rest), adoptBatch)
			if err := s.adoptRows(ctx, rest[:n], seen); err != nil {
				return err
			}
			rest = rest[n:]
		}
		byStatus := map[registry.Status]int{}
		type hourKind struct {
			hour int64
			kind registry.Kind
		}
		byHour := map[hourKind]int{}
		var terms []termRow
		for _, m := range ms {
			byStatus[m.Status]++
			byHour[hourKind{m.CreatedAt.Unix() / 3600, m.Kind}]++
			search := registry.SearchText(m.Address, m.Name, m.NIP)
			for _, t := range registry.Terms(m.Address, m.Name, m.NIP) {
				terms = append(terms, termRow{m.TenantID, t, m.Address, m.ID, search})
			}
		}
		tenantID := ms[0].TenantID
		for st, n := range byStatus {
			if err := s.countMailbox(ctx, tenantID, st, n); err != nil {
				return err
			}
		}
		if ctx.Value(noAccountCounts{}) == nil {
			for k, n := range byHour {
				if _, err := s.exec(ctx, `INSERT INTO stat_accounts (tenant_id, hour, service, kind, event, n) VALUES (?, ?, '', ?, ?, ?)
					ON CONFLICT (tenant_id, hour, service, kind, event) DO UPDATE SET n = stat_accounts.n + excluded.n`,
					tenantID, k.hour, string(k.kind), accountAdopted, n); err != nil {
					return fmt.Errorf("count account %s: %w", accountAdopted, err)
				}
			}
		}
		return s.addTermRows(ctx, terms)
	})
}

// adoptRows inserts one batch of AdoptMailboxes, reading the new ids back by address.
func (s *Store) adoptRows(ctx context.Context, ms []*registry.Mailbox, seen time.Time) error {
	var b strings.Builder
	args := make([]any, 0, 24*len(ms))
	b.WriteString(`INSERT INTO registry (tenant_id, address, kind, status, source, owner_id, owner_match, nip, name,
		instansi, unit, request_id, quota_bytes, used_bytes, usage_at, search, created_at, updated_at, synced_at, gone_at,
		deactivated_at, purge_after, server_status, version) VALUES `)
	byAddress := make(map[string]*registry.Mailbox, len(ms))
	for i, m := range ms {
		m.Source, m.SyncedAt, m.Version = registry.Adopted, seen, 1
		byAddress[m.Address] = m
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")
		args = append(args, m.TenantID, m.Address, string(m.Kind), string(m.Status), string(m.Source), nullID(m.OwnerID), m.OwnerMatch, m.NIP,
			m.Name, m.Instansi, m.Unit, nullID(m.RequestID), m.QuotaBytes, m.UsedBytes, nullTime(m.UsageAt),
			registry.SearchText(m.Address, m.Name, m.NIP), utc(m.CreatedAt), utc(m.UpdatedAt), nullTime(m.SyncedAt), nullTime(m.GoneAt),
			nullTime(m.DeactivatedAt), nullTime(m.PurgeAfter), m.ServerStatus)
	}
	b.WriteString(" RETURNING id, address")
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	rows, err := s.query(ctx, b.String(), args...)
	if err != nil {
		return fmt.Errorf("adopt mailboxes: %w", s.mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var address string
		if err := rows.Scan(&id, &address); err != nil {
			return fmt.Errorf("adopt mailboxes: %w", err)
		}
		if m := byAddress[address]; m != nil {
			m.ID = id
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("adopt mailboxes: %w", s.mapErr(err))
	}
	for _, m := range ms {
		if m.ID == 0 {
			return fmt.Errorf("adopt mailboxes: no id for %s", m.Address)
		}
	}
	return nil
}

type termRow struct {
	tenantID  int64
	term      string
	address   string
	mailboxID int64
	search    string // the mailbox's search text (migration 43)
}

// addTermRows writes search words, a thousand rows an INSERT.
func (s *Store) addTermRows(ctx context.Context, terms []termRow) error {
	for len(terms) > 0 {
		n := min(len(terms), 1000)
		var b strings.Builder
		args := make([]any, 0, 5*n)
		b.WriteString(`INSERT INTO registry_terms (tenant_id, term, address, mailbox_id, search) VALUES `)
		for i, t := range terms[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?)")
			args = append(args, t.tenantID, t.term, t.address, t.mailboxID, t.search)
		}
		if _, err := s.exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("mailbox terms: %w", err)
		}
		terms = terms[n:]
	}
	return nil
}
