package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrKeyMismatch is CheckKey's error for a process whose secret key differs from the one
// the database was set up with.
var ErrKeyMismatch = errors.New("SUREL_SECRET_KEY differs from the key this database was set up with: " +
	"every process of a deployment needs the same key (sealed passwords, second factors and captchas of one " +
	"would fail on the others); set the same key everywhere, or run `surel key adopt` to make this key the " +
	"deployment's on purpose (docs/deployment.md)")

// CheckKey compares check, a value derived from this process's secret key, with the one
// stored by the first process that started on the database (storing it when none is),
// and gives ErrKeyMismatch when they differ.
func (s *Store) CheckKey(ctx context.Context, check string, now time.Time) error {
	if _, err := s.exec(ctx, `INSERT INTO settings (name, value, updated_at) VALUES ('key_check', ?, ?) ON CONFLICT (name) DO NOTHING`,
		check, utc(now)); err != nil {
		return fmt.Errorf("check key: %w", err)
	}
	var stored string
	if err := s.get(ctx, `SELECT value FROM settings WHERE name = 'key_check'`, nil, &stored); err != nil {
		return fmt.Errorf("check key: %w", err)
	}
	if stored != check {
		return ErrKeyMismatch
	}
	return nil
}

// AdoptKey stores check as the deployment's key check value, for a key changed on
// purpose.
func (s *Store) AdoptKey(ctx context.Context, check string, now time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO settings (name, value, updated_at) VALUES ('key_check', ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, check, utc(now))
	if err != nil {
		return fmt.Errorf("adopt key: %w", err)
	}
	return nil
}

// Spend records a used captcha signature until it expires (captcha.Spent); false when it
// was used already, by this process or another.
func (s *Store) Spend(ctx context.Context, sig string, expires time.Time) (bool, error) {
	ok, err := affected(s.exec(ctx, `INSERT INTO captcha_spent (signature, expires_at) VALUES (?, ?) ON CONFLICT (signature) DO NOTHING`,
		sig, utc(expires)))
	if err != nil {
		return false, fmt.Errorf("spend captcha: %w", err)
	}
	return ok, nil
}

// Snapshot writes a consistent copy of a SQLite database to path (VACUUM INTO: the
// server may keep serving meanwhile), for `surel backup`. PostgreSQL has pg_dump.
func (s *Store) Snapshot(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return errors.New("snapshot: only a SQLite database (use pg_dump for PostgreSQL)")
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

// KeyCheck is the key check value stored in the database ("" before the first start).
func (s *Store) KeyCheck(ctx context.Context) (string, error) {
	var v string
	err := s.get(ctx, `SELECT value FROM settings WHERE name = 'key_check'`, nil, &v)
	if err == ErrNotFound {
		return "", nil
	}
	return v, err
}

// SweepUnreferenced puts every name of names that no document names into the sweep,
// due after due: documents restored from a backup taken while requests changed.
func (s *Store) SweepUnreferenced(ctx context.Context, names []string, due time.Time) (int, error) {
	n := 0
	for _, name := range names {
		res, err := s.exec(ctx, `INSERT INTO file_sweep (name, due_at) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM request_files WHERE name = ?)
			ON CONFLICT (name) DO NOTHING`, name, utc(due), name)
		if err != nil {
			return n, fmt.Errorf("sweep unreferenced: %w", err)
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n++
		}
	}
	return n, nil
}
