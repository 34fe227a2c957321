package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/archive"
)

var _ archive.Store = (*Store)(nil)

// archiveWhere is the condition of q's rows (the requests_filed index leads), with its
// arguments.
func archiveWhere(q archive.Query) (string, []any) {
	w := []string{"q.tenant_id = ?", "q.filed_at IS NOT NULL"}
	args := []any{q.TenantID}
	for _, word := range q.Words {
		w = append(w, "q.search LIKE ?")
		args = append(args, "%"+word+"%")
	}
	if q.Instansi != "" {
		w = append(w, "q.instansi = ?")
		args = append(args, q.Instansi)
	}
	if q.Status != "" {
		w = append(w, "q.status = ?")
		args = append(args, string(q.Status))
	}
	if q.Archived {
		w = append(w, "q.archived_at IS NOT NULL")
	}
	if !q.From.IsZero() {
		w = append(w, "q.filed_at >= ?")
		args = append(args, utc(q.From))
	}
	if !q.To.IsZero() {
		w = append(w, "q.filed_at < ?")
		args = append(args, utc(q.To))
	}
	return strings.Join(w, " AND "), args
}

// Archive lists a page of the archive, newest filed first.
func (s *Store) Archive(ctx context.Context, q archive.Query) ([]archive.Row, error) {
	where, args := archiveWhere(q)
	if q.After.ID > 0 {
		where += " AND (q.filed_at < ? OR (q.filed_at = ? AND q.id < ?))"
		args = append(args, utc(q.After.FiledAt), utc(q.After.FiledAt), q.After.ID)
	}
	rows, err := s.query(ctx, `SELECT q.id, COALESCE(q.number, ''), q.service, q.status,
		CASE WHEN u.full_name <> '' THEN u.full_name ELSE TRIM(u.first_name || ' ' || u.last_name) END, u.nip, q.vals,
		CASE WHEN q.mailbox = '' THEN '' ELSE q.mailbox || '@' || q.domain END, q.instansi, q.unit, q.submitted_at, q.filed_at, q.archived_at
		FROM requests q JOIN users u ON u.id = q.user_id WHERE `+where+` ORDER BY q.filed_at DESC, q.id DESC LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	defer rows.Close()
	var out []archive.Row
	for rows.Next() {
		var r archive.Row
		var submitted, archived sql.NullTime
		var vals string
		if err := rows.Scan(&r.ID, &r.Number, &r.Service, &r.Status, &r.Name, &r.NIP, &vals, &r.Mailbox, &r.Instansi, &r.Unit,
			&submitted, &r.FiledAt, &archived); err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		if r.NIP == "" {
			// The NIP the form gave, for an applicant whose profile has none.
			var v map[string]string
			if json.Unmarshal([]byte(vals), &v) == nil {
				r.NIP = v["nip"]
			}
		}
		r.SubmittedAt, r.ArchivedAt, r.FiledAt = timeOf(submitted), timeOf(archived), r.FiledAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// ArchiveCount counts the archive's rows of q, stopping at limit.
func (s *Store) ArchiveCount(ctx context.Context, q archive.Query, limit int) (int, error) {
	where, args := archiveWhere(q)
	var n int
	err := s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM (SELECT 1 FROM requests q WHERE `+where+` LIMIT ?) c`),
		append(args, limit)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("archive count: %w", err)
	}
	return n, nil
}

// ScansToPurge lists up to limit uploaded documents, not yet purged, of the tenant's
// requests filed before before.
func (s *Store) ScansToPurge(ctx context.Context, tenantID int64, before time.Time, limit int) ([]archive.Scan, error) {
	rows, err := s.query(ctx, `SELECT f.id, f.request_id, f.name FROM requests q JOIN request_files f ON f.request_id = q.id
		WHERE q.tenant_id = ? AND q.filed_at IS NOT NULL AND q.filed_at < ? AND f.purged_at IS NULL ORDER BY q.filed_at, f.id LIMIT ?`,
		tenantID, utc(before), limit)
	if err != nil {
		return nil, fmt.Errorf("scans to purge: %w", err)
	}
	defer rows.Close()
	var out []archive.Scan
	for rows.Next() {
		var sc archive.Scan
		if err := rows.Scan(&sc.ID, &sc.RequestID, &sc.Name); err != nil {
			return nil, fmt.Errorf("scans to purge: %w", err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// PurgeScan marks an uploaded document purged and puts its name in the sweep, due at
// once (FilesToSweep leaves a purged document's bytes to it); false when it was purged
// already.
func (s *Store) PurgeScan(ctx context.Context, sc archive.Scan, at time.Time) (bool, error) {
	ok, err := affected(s.exec(ctx, `UPDATE request_files SET purged_at = ? WHERE id = ? AND purged_at IS NULL`, utc(at), sc.ID))
	if err != nil || !ok {
		return false, err
	}
	if _, err := s.exec(ctx, `INSERT INTO file_sweep (name, due_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET due_at = excluded.due_at`,
		sc.Name, utc(at)); err != nil {
		return false, fmt.Errorf("purge scan %d: %w", sc.ID, err)
	}
	return true, nil
}
