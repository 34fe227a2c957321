package store

import (
	"context"
	"fmt"
	"time"
)

// Documents' bytes live outside the database (upload.Blobs), so a crash between writing
// them and committing the row that names them, or between deleting the row and the
// bytes, would leave bytes nobody refers to. file_sweep closes both gaps: a name is
// held there before its bytes are written (HoldFile; the request's row, once
// committed, makes it referenced), and put there in the transaction that deletes its
// row (DeleteFile, DeleteRequest). The leader's sweep deletes the bytes of every name
// whose time has come and that no row refers to (FilesToSweep, SweptFile).

// HoldFile notes that name's bytes are being written; unless a request_files row names
// it by due, the sweep deletes them (upload.Pending).
func (s *Store) HoldFile(ctx context.Context, name string, due time.Time) error {
	if _, err := s.exec(ctx, `INSERT INTO file_sweep (name, due_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, utc(due)); err != nil {
		return fmt.Errorf("hold file: %w", err)
	}
	return nil
}

// FilesToSweep gives up to limit names whose bytes are to be deleted now: due, and named
// by no document but a purged one (archive retention, PurgeScan), nor by a collective
// request's letter. Due names that a document does name (their upload was recorded) are
// dropped from the sweep as they are found.
func (s *Store) FilesToSweep(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if _, err := s.exec(ctx, `DELETE FROM file_sweep WHERE due_at <= ? AND (EXISTS (SELECT 1 FROM request_files f WHERE f.name = file_sweep.name AND f.purged_at IS NULL)
		OR EXISTS (SELECT 1 FROM collectives c WHERE c.letter_name = file_sweep.name))`,
		utc(now)); err != nil {
		return nil, fmt.Errorf("files to sweep: %w", err)
	}
	rows, err := s.query(ctx, `SELECT name FROM file_sweep WHERE due_at <= ? ORDER BY due_at LIMIT ?`, utc(now), limit)
	if err != nil {
		return nil, fmt.Errorf("files to sweep: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// SweptFile forgets a name whose bytes the sweep deleted; a document that has come to
// name it since keeps it (the bytes were then not deleted: the caller checks first).
func (s *Store) SweptFile(ctx context.Context, name string) error {
	if _, err := s.exec(ctx, `DELETE FROM file_sweep WHERE name = ?`, name); err != nil {
		return fmt.Errorf("swept file: %w", err)
	}
	return nil
}
