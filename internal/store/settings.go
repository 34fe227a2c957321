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
