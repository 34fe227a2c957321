package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/surel-id/surel/internal/request"
)

// LetterRequests lists the sent requests of a tenant that the OPD letter numbered ref
// started (migration 41), in the order they were started, at most limit.
func (s *Store) LetterRequests(ctx context.Context, tenantID int64, ref string, limit int) ([]request.Request, error) {
	out, err := s.requestRows(ctx, `SELECT `+requestColumns+` FROM requests WHERE tenant_id = ? AND letter_ref = ? AND letter_ref <> ''
		AND status <> 'draf' ORDER BY id LIMIT ?`, tenantID, ref, limit)
	if err != nil {
		return nil, fmt.Errorf("requests of letter %q: %w", ref, err)
	}
	return out, nil
}

// RecentLetters lists a tenant's OPD letters that started requests, the latest entered
// first, at most limit: each number with when its first request was sent and how many
// of its requests there are and are done.
func (s *Store) RecentLetters(ctx context.Context, tenantID int64, limit int) ([]request.OPDLetter, error) {
	rows, err := s.query(ctx, `SELECT l.letter_ref, r.submitted_at, l.n, l.done FROM (
			SELECT letter_ref, MIN(id) AS first_id, MAX(id) AS last_id, COUNT(*) AS n,
				SUM(CASE WHEN status = 'selesai' THEN 1 ELSE 0 END) AS done
			FROM requests WHERE tenant_id = ? AND letter_ref <> '' AND status <> 'draf' GROUP BY letter_ref
		) l JOIN requests r ON r.id = l.first_id ORDER BY l.last_id DESC LIMIT ?`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent letters: %w", err)
	}
	defer rows.Close()
	var out []request.OPDLetter
	for rows.Next() {
		var l request.OPDLetter
		var at sql.NullTime
		if err := rows.Scan(&l.Ref, &at, &l.Requests, &l.Done); err != nil {
			return nil, fmt.Errorf("recent letters: %w", err)
		}
		l.At = timeOf(at)
		out = append(out, l)
	}
	return out, rows.Err()
}
