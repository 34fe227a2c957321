package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/registry"
)

var _ registry.Store = (*Store)(nil)

// How the registry page stays fast among a million mailboxes (bench/RESULTS-registry.md: p99
// 13 ms on SQLite and 10 ms on PostgreSQL at 200 pages/s):
// every page is a range of an index read in its order, never an offset, and never a
// count. The list walks (tenant_id, address) or, filtered by status, (tenant_id, status,
// address); a search walks the range of one word's prefix in registry_terms, whose key
// (tenant_id, term, address) gives the order; the counts come from registry_counts,
// which every write keeps in its transaction. The page of ids is read first and joined
// to the rows after, so the join costs a page, not the scan.

const registryColumns = `m.id, m.tenant_id, m.address, m.kind, m.status, m.source, COALESCE(m.owner_id, 0), m.owner_match, m.nip,
	m.name, m.instansi, m.unit, COALESCE(m.request_id, 0), COALESCE(r.number, ''), m.quota_bytes, m.used_bytes, m.usage_at,
	m.created_at, m.updated_at, m.synced_at, m.gone_at, m.deactivated_at, m.purge_after, m.version,
	m.server_status, m.candidate_nip, m.candidate_score, m.review, m.handover, m.handover_at`

const registryFrom = ` FROM registry m LEFT JOIN requests r ON r.id = m.request_id`

func scanMailbox(row interface{ Scan(...any) error }) (registry.Mailbox, error) {
	var m registry.Mailbox
	var usage, synced, gone, deact, purge, handover sql.NullTime
	var kind, status, source string
	err := row.Scan(&m.ID, &m.TenantID, &m.Address, &kind, &status, &source, &m.OwnerID, &m.OwnerMatch, &m.NIP,
		&m.Name, &m.Instansi, &m.Unit, &m.RequestID, &m.RequestNumber, &m.QuotaBytes, &m.UsedBytes, &usage,
		&m.CreatedAt, &m.UpdatedAt, &synced, &gone, &deact, &purge, &m.Version,
		&m.ServerStatus, &m.CandidateNIP, &m.CandidateScore, &m.Review, &m.Handover, &handover)
	if err != nil {
		return m, err
	}
	m.Kind, m.Status, m.Source = registry.Kind(kind), registry.Status(status), registry.Source(source)
	m.UsageAt, m.SyncedAt, m.GoneAt, m.DeactivatedAt, m.PurgeAfter = timeOf(usage), timeOf(synced), timeOf(gone), timeOf(deact), timeOf(purge)
	m.CreatedAt, m.UpdatedAt, m.HandoverAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC(), timeOf(handover)
	return m, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// PutMailbox writes m by its tenant and address: a new row, or the owner, request,
// kind, quota and source of the row already there. The counts and the search words
// change with it, in one transaction.
func (s *Store) PutMailbox(ctx context.Context, m *registry.Mailbox) error {
	return s.Tx(ctx, func(ctx context.Context) error {
		search := registry.SearchText(m.Address, m.Name, m.NIP)
		var old registry.Mailbox
		err := s.get(ctx, `SELECT id, status, version FROM registry WHERE tenant_id = ? AND address = ?`, []any{m.TenantID, m.Address},
			&old.ID, &old.Status, &old.Version)
		switch {
		case errors.Is(err, ErrNotFound):
			return s.insertMailbox(ctx, m)
		case err != nil:
			return fmt.Errorf("put mailbox %s: %w", m.Address, err)
		default:
			m.ID, m.Version = old.ID, old.Version+1
			was, err := s.madeOf(ctx, old.ID)
			if err != nil {
				return fmt.Errorf("put mailbox %s: %w", m.Address, err)
			}
			_, err = s.exec(ctx, `UPDATE registry SET kind = ?, status = ?, source = ?, owner_id = ?, owner_match = ?, nip = ?, name = ?,
				instansi = ?, unit = ?, request_id = ?, quota_bytes = ?, search = ?, updated_at = ?, gone_at = NULL, version = version + 1
				WHERE id = ?`, string(m.Kind), string(m.Status), string(m.Source), nullID(m.OwnerID), m.OwnerMatch, m.NIP, m.Name,
				m.Instansi, m.Unit, nullID(m.RequestID), m.QuotaBytes, search, utc(m.UpdatedAt), m.ID)
			if err != nil {
				return fmt.Errorf("put mailbox %s: %w", m.Address, err)
			}
			if err := s.recountMade(ctx, m.TenantID, m.ID, was); err != nil {
				return err
			}
			if old.Status != m.Status {
				if err := s.countMailbox(ctx, m.TenantID, old.Status, -1); err != nil {
					return err
				}
				if err := s.countMailbox(ctx, m.TenantID, m.Status, 1); err != nil {
					return err
				}
				if err := s.countTransition(ctx, *m, old.Status); err != nil {
					return err
				}
			}
			if _, err := s.exec(ctx, `DELETE FROM registry_terms WHERE mailbox_id = ?`, m.ID); err != nil {
				return fmt.Errorf("put mailbox %s: %w", m.Address, err)
			}
		}
		return s.addTerms(ctx, *m)
	})
}

// insertMailbox writes m as a new row of the registry, with its counts and search words,
// in the caller's transaction.
func (s *Store) insertMailbox(ctx context.Context, m *registry.Mailbox) error {
	m.Version = 1
	var err error
	m.ID, err = s.insert(ctx, `INSERT INTO registry (tenant_id, address, kind, status, source, owner_id, owner_match, nip, name,
		instansi, unit, request_id, quota_bytes, used_bytes, usage_at, search, created_at, updated_at, synced_at, gone_at,
		deactivated_at, purge_after, server_status, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		m.TenantID, m.Address, string(m.Kind), string(m.Status), string(m.Source), nullID(m.OwnerID), m.OwnerMatch, m.NIP, m.Name,
		m.Instansi, m.Unit, nullID(m.RequestID), m.QuotaBytes, m.UsedBytes, nullTime(m.UsageAt), registry.SearchText(m.Address, m.Name, m.NIP),
		utc(m.CreatedAt), utc(m.UpdatedAt), nullTime(m.SyncedAt), nullTime(m.GoneAt), nullTime(m.DeactivatedAt), nullTime(m.PurgeAfter), m.ServerStatus)
	if err != nil {
		return fmt.Errorf("put mailbox %s: %w", m.Address, err)
	}
	if err := s.countMailbox(ctx, m.TenantID, m.Status, 1); err != nil {
		return err
	}
	event := accountCreated
	if m.Source == registry.Adopted {
		event = accountAdopted
	}
	if err := s.countAccount(ctx, *m, event, m.CreatedAt); err != nil {
		return err
	}
	return s.addTerms(ctx, *m)
}

// termsWithoutSearch marks migration 17's context: it writes the words before migration
// 43 adds their search text (and fills it for the rows there).
type termsWithoutSearch struct{}

// addTerms writes the search words of m, each with m's search text (migration 43).
func (s *Store) addTerms(ctx context.Context, m registry.Mailbox) error {
	terms := registry.Terms(m.Address, m.Name, m.NIP)
	if len(terms) == 0 {
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, 5*len(terms))
	if ctx.Value(termsWithoutSearch{}) != nil {
		b.WriteString(`INSERT INTO registry_terms (tenant_id, term, address, mailbox_id) VALUES `)
		for i, t := range terms {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?)")
			args = append(args, m.TenantID, t, m.Address, m.ID)
		}
		if _, err := s.exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("mailbox %s terms: %w", m.Address, err)
		}
		return nil
	}
	search := registry.SearchText(m.Address, m.Name, m.NIP)
	b.WriteString(`INSERT INTO registry_terms (tenant_id, term, address, mailbox_id, search) VALUES `)
	for i, t := range terms {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, m.TenantID, t, m.Address, m.ID, search)
	}
	if _, err := s.exec(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("mailbox %s terms: %w", m.Address, err)
	}
	return nil
}

// countMailbox adds d to a tenant's count of mailboxes in status.
func (s *Store) countMailbox(ctx context.Context, tenantID int64, status registry.Status, d int) error {
	_, err := s.exec(ctx, `INSERT INTO registry_counts (tenant_id, status, n) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, status) DO UPDATE SET n = registry_counts.n + excluded.n`, tenantID, string(status), d)
	if err != nil {
		return fmt.Errorf("count mailboxes: %w", err)
	}
	return nil
}

// Mailbox reads one row of the registry.
func (s *Store) Mailbox(ctx context.Context, id int64) (registry.Mailbox, error) {
	m, err := scanMailbox(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+registryColumns+registryFrom+` WHERE m.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("mailbox %d: %w", id, err)
	}
	return m, nil
}

// MailboxAt reads a tenant's mailbox by its full address.
func (s *Store) MailboxAt(ctx context.Context, tenantID int64, address string) (registry.Mailbox, error) {
	if err := checkText([]any{address}); err != nil {
		return registry.Mailbox{}, err
	}
	m, err := scanMailbox(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+registryColumns+registryFrom+
		` WHERE m.tenant_id = ? AND m.address = ?`), tenantID, address))
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("mailbox %s: %w", address, err)
	}
	return m, nil
}

// MailboxesOwnedBy lists a portal account's mailboxes by address.
func (s *Store) MailboxesOwnedBy(ctx context.Context, ownerID int64) ([]registry.Mailbox, error) {
	return s.mailboxRows(ctx, `SELECT `+registryColumns+registryFrom+` WHERE m.owner_id = ? ORDER BY m.address`, ownerID)
}

func (s *Store) mailboxRows(ctx context.Context, query string, args ...any) ([]registry.Mailbox, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("mailboxes: %w", err)
	}
	defer rows.Close()
	var out []registry.Mailbox
	for rows.Next() {
		m, err := scanMailbox(rows)
		if err != nil {
			return nil, fmt.Errorf("mailboxes: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MailboxCounts counts a tenant's mailboxes by status from registry_counts.
func (s *Store) MailboxCounts(ctx context.Context, tenantID int64) (map[registry.Status]int, error) {
	rows, err := s.query(ctx, `SELECT status, n FROM registry_counts WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("mailbox counts: %w", err)
	}
	defer rows.Close()
	out := map[registry.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("mailbox counts: %w", err)
		}
		out[registry.Status(st)] = n
	}
	return out, rows.Err()
}

// UpdateMailbox writes m's state if the row is still at m.Version, moving it to the
// next version; the status counts follow.
func (s *Store) UpdateMailbox(ctx context.Context, m *registry.Mailbox) (bool, error) {
	ok := false
	err := s.Tx(ctx, func(ctx context.Context) error {
		var old, oldNIP, oldName string
		err := s.get(ctx, `SELECT status, nip, name FROM registry WHERE id = ? AND version = ?`, []any{m.ID, m.Version}, &old, &oldNIP, &oldName)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := s.exec(ctx, `UPDATE registry SET status = ?, quota_bytes = ?, used_bytes = ?, usage_at = ?, deactivated_at = ?,
			purge_after = ?, owner_id = ?, owner_match = ?, nip = ?, name = ?, search = ?, handover = ?, handover_at = ?,
			updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
			string(m.Status), m.QuotaBytes, m.UsedBytes, nullTime(m.UsageAt), nullTime(m.DeactivatedAt), nullTime(m.PurgeAfter),
			nullID(m.OwnerID), m.OwnerMatch, m.NIP, m.Name, registry.SearchText(m.Address, m.Name, m.NIP), m.Handover, nullTime(m.HandoverAt),
			utc(m.UpdatedAt), m.ID, m.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if oldNIP != m.NIP || oldName != m.Name {
			// A new responsible person: the mailbox is found by their name and NIP.
			if _, err := s.exec(ctx, `DELETE FROM registry_terms WHERE mailbox_id = ?`, m.ID); err != nil {
				return err
			}
			if err := s.addTerms(ctx, *m); err != nil {
				return err
			}
		}
		if registry.Status(old) != m.Status {
			if err := s.countMailbox(ctx, m.TenantID, registry.Status(old), -1); err != nil {
				return err
			}
			if err := s.countMailbox(ctx, m.TenantID, m.Status, 1); err != nil {
				return err
			}
			if err := s.countTransition(ctx, *m, registry.Status(old)); err != nil {
				return err
			}
		}
		m.Version++
		ok = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("update mailbox %d: %w", m.ID, err)
	}
	return ok, nil
}

// RequestsOn lists the sent requests that name a mailbox's address, oldest first.
func (s *Store) RequestsOn(ctx context.Context, tenantID int64, address string) ([]registry.RequestRef, error) {
	local, domain, _ := strings.Cut(address, "@")
	rows, err := s.query(ctx, `SELECT id, COALESCE(number, ''), service, status, channel, letter_ref, submitted_at, closed_at FROM requests
		WHERE tenant_id = ? AND mailbox = ? AND domain = ? AND status <> 'draf' ORDER BY id`, tenantID, local, domain)
	if err != nil {
		return nil, fmt.Errorf("requests on %s: %w", address, err)
	}
	defer rows.Close()
	var out []registry.RequestRef
	for rows.Next() {
		var r registry.RequestRef
		var sub, closed sql.NullTime
		if err := rows.Scan(&r.ID, &r.Number, &r.Service, &r.Status, &r.Channel, &r.LetterRef, &sub, &closed); err != nil {
			return nil, fmt.Errorf("requests on %s: %w", address, err)
		}
		r.SubmittedAt, r.ClosedAt = timeOf(sub), timeOf(closed)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Mailboxes reads a page of the registry and the cursor of the next one (see the note at
// the top of this file).
func (s *Store) Mailboxes(ctx context.Context, q registry.Query) ([]registry.Mailbox, string, error) {
	words := registry.Fold(q.Search)
	if len(words) > 0 {
		return s.searchMailboxes(ctx, q, words)
	}
	where := []string{"tenant_id = ?"}
	args := []any{q.TenantID}
	if q.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(q.Status))
	}
	where, args = filterMailboxes(where, args, q)
	if q.After != "" {
		where = append(where, "address > ?")
		args = append(args, q.After)
	}
	ids := `SELECT id FROM registry WHERE ` + strings.Join(where, " AND ") + ` ORDER BY address LIMIT ?`
	out, err := s.mailboxRows(ctx, `SELECT `+registryColumns+` FROM (`+ids+`) p JOIN registry m ON m.id = p.id
		LEFT JOIN requests r ON r.id = m.request_id ORDER BY m.address`, append(args, q.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > q.Limit {
		out = out[:q.Limit]
		next = out[len(out)-1].Address
	}
	return out, next, nil
}

// filterMailboxes adds the kind, source and handover filters of q.
func filterMailboxes(where []string, args []any, q registry.Query) ([]string, []any) {
	if q.Kind != "" {
		where = append(where, "kind = ?")
		args = append(args, string(q.Kind))
	}
	if q.Source != "" {
		where = append(where, "source = ?")
		args = append(args, string(q.Source))
	}
	if q.Handover {
		where = append(where, "handover <> ''")
	}
	return where, args
}

// searchMailboxes reads a page of a search: the range of the longest word's prefix in
// registry_terms, in (term, address) order, the other words looked for in the search text
// the word's row carries (migration 43: one index holds both, so a candidate costs no
// lookup of its mailbox). The cursor is the last row's term and address.
func (s *Store) searchMailboxes(ctx context.Context, q registry.Query, words []string) ([]registry.Mailbox, string, error) {
	key := 0
	for i, w := range words {
		if len(w) > len(words[key]) {
			key = i
		}
	}
	prefix := words[key]
	// The range starts at the prefix, or after the cursor when it is past the prefix. Not
	// both: SQLite (with its statistics of a million rows) then bounds the index by the
	// row value alone as a skip-scan and sorts the rest of the prefix's range for the
	// LIMIT, 50–90 ms for a page after the first of a prefix with 175,000 words
	// (bench/RESULTS-registry.md); with the row value alone it is a range of the index.
	where := []string{"t.tenant_id = ?"}
	args := []any{q.TenantID}
	if term, addr, ok := strings.Cut(q.After, " "); ok && term >= prefix {
		where = append(where, "(t.term, t.address) > (?, ?)")
		args = append(args, term, addr)
	} else {
		where = append(where, "t.term >= ?")
		args = append(args, prefix)
	}
	if hi, ok := prefixEnd(prefix); ok {
		where = append(where, "t.term < ?")
		args = append(args, hi)
	}
	join := ""
	var filters []string
	if q.Status != "" {
		filters = append(filters, "m.status = ?")
		args = append(args, string(q.Status))
	}
	var fw []string
	fw, args = filterMailboxes(nil, args, q)
	for _, f := range fw {
		filters = append(filters, "m."+f)
	}
	if len(filters) > 0 {
		join = ` JOIN registry m ON m.id = t.mailbox_id`
		where = append(where, filters...)
	}
	for i, w := range words {
		if i != key {
			where = append(where, "t.search LIKE ?")
			args = append(args, "% "+w+"%")
		}
	}
	// A word matching two words of one row (both "budi" and "budiman" for "bud") gives
	// the row twice; rows are read past the page to drop the second one.
	rows, err := s.query(ctx, `SELECT t.term, t.address, t.mailbox_id FROM registry_terms t`+join+` WHERE `+
		strings.Join(where, " AND ")+` ORDER BY t.term, t.address LIMIT ?`, append(args, q.Limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("search mailboxes: %w", err)
	}
	type hit struct {
		term, address string
		id            int64
	}
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.term, &h.address, &h.id); err != nil {
			rows.Close()
			return nil, "", fmt.Errorf("search mailboxes: %w", err)
		}
		if !strings.HasPrefix(h.term, prefix) {
			break
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("search mailboxes: %w", err)
	}
	next := ""
	if len(hits) > q.Limit {
		hits = hits[:q.Limit]
		last := hits[len(hits)-1]
		next = last.term + " " + last.address
	}
	if len(hits) == 0 {
		return nil, next, nil
	}
	ids := make([]any, 0, len(hits))
	seen := map[int64]bool{}
	var marks []string
	for _, h := range hits {
		if !seen[h.id] {
			seen[h.id] = true
			ids = append(ids, h.id)
			marks = append(marks, "?")
		}
	}
	found, err := s.mailboxRows(ctx, `SELECT `+registryColumns+registryFrom+` WHERE m.id IN (`+strings.Join(marks, ", ")+`)`, ids...)
	if err != nil {
		return nil, "", err
	}
	byID := make(map[int64]registry.Mailbox, len(found))
	for _, m := range found {
		byID[m.ID] = m
	}
	out := make([]registry.Mailbox, 0, len(ids))
	for _, id := range ids {
		if m, ok := byID[id.(int64)]; ok {
			out = append(out, m)
		}
	}
	return out, next, nil
}

// prefixEnd is the least text above every word starting with prefix, in both engines'
// order of the folded words (letters and digits; digits before letters): prefix's last
// character raised by one, after dropping trailing z's. ok is false when there is none
// (all z's, or a character beyond ASCII): the scan then stops at the first word without
// the prefix.
func prefixEnd(prefix string) (string, bool) {
	p := strings.TrimRight(prefix, "z")
	if p == "" {
		return "", false
	}
	r, size := utf8.DecodeLastRuneInString(p)
	switch {
	case r >= '0' && r < '9', r >= 'a' && r < 'z':
		r++
	case r == '9':
		r = 'a'
	default:
		return "", false
	}
	return p[:len(p)-size] + string(r), true
}

var _ registry.HandoverStore = (*Store)(nil)

// InstitutionalOf lists a tenant's institutional mailboxes on the server and not
// deactivated whose responsible person is ownerID or has nip, by address.
func (s *Store) InstitutionalOf(ctx context.Context, tenantID, ownerID int64, nip string) ([]registry.Mailbox, error) {
	who, args := "m.owner_id = ?", []any{tenantID, ownerID}
	if nip != "" {
		who, args = "(m.owner_id = ? OR m.nip = ?)", append(args, nip)
	}
	return s.mailboxRows(ctx, `SELECT `+registryColumns+registryFrom+` WHERE m.tenant_id = ? AND m.kind = 'instansi'
		AND m.gone_at IS NULL AND m.status IN ('aktif', 'dikunci') AND `+who+` ORDER BY m.address`, args...)
}

// InstitutionalNIPs gives the responsible persons' NIPs of a tenant's institutional
// mailboxes.
func (s *Store) InstitutionalNIPs(ctx context.Context, tenantID int64) (map[string]bool, error) {
	rows, err := s.query(ctx, `SELECT DISTINCT nip FROM registry WHERE tenant_id = ? AND kind = 'instansi' AND nip <> ''`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("institutional nips: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("institutional nips: %w", err)
		}
		out[n] = true
	}
	return out, rows.Err()
}

// HandoverCount counts a tenant's mailboxes waiting for a handover.
func (s *Store) HandoverCount(ctx context.Context, tenantID int64) (int, error) {
	var n int
	if err := s.get(ctx, handoverCountSQL, []any{tenantID}, &n); err != nil {
		return 0, fmt.Errorf("handover count: %w", err)
	}
	return n, nil
}

// handoverCountSQL counts a tenant's mailboxes waiting for a handover (also read with
// the inbox's page, InboxSQL).
const handoverCountSQL = `SELECT COUNT(*) FROM registry WHERE tenant_id = ? AND handover <> ''`
