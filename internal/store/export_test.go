package store

import (
	"context"
	"fmt"
)

// MigrateDownTo takes the schema back to version v, for the tests of a migration's data.
func (s *Store) MigrateDownTo(ctx context.Context, v int64) error {
	p, err := s.migrations(ctx)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, v); err != nil {
		return fmt.Errorf("migrate down to %d: %w", v, err)
	}
	return nil
}

// Rebind is rebind, for tests that write SQL of their own.
func (s *Store) Rebind(q string) string { return s.rebind(q) }

// BackfillRegistry runs the registry's backfill migration again, for its test.
func (s *Store) BackfillRegistry(ctx context.Context) error { return s.Tx(ctx, s.backfillRegistry) }
