package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/surel-id/surel/internal/workflow"
)

// CapacitySnapshot reads a tenant's last mail server capacity snapshot.
func (s *Store) CapacitySnapshot(ctx context.Context, tenantID int64) (workflow.CapacitySnapshot, error) {
	c, err := scanCapacity(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+capacityColumns+` FROM capacity_snapshots WHERE tenant_id = ?`), tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return workflow.CapacitySnapshot{TenantID: tenantID}, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("capacity snapshot: %w", err)
	}
	return c, nil
}

// capacityColumns are a snapshot's columns as scanCapacity reads them.
const capacityColumns = `tenant_id, figures, taken_at, error`

func scanCapacity(row rowScanner) (workflow.CapacitySnapshot, error) {
	var c workflow.CapacitySnapshot
	var figures string
	var at sql.NullTime
	if err := row.Scan(&c.TenantID, &figures, &at, &c.Error); err != nil {
		return c, err
	}
	c.At = timeOf(at)
	return c, json.Unmarshal([]byte(figures), &c.Figures)
}

// SaveCapacity records a reading: its figures when it succeeded (c.Error empty), else
// only its error, the last figures kept.
func (s *Store) SaveCapacity(ctx context.Context, c workflow.CapacitySnapshot) error {
	var err error
	if c.Error != "" {
		_, err = s.exec(ctx, `INSERT INTO capacity_snapshots (tenant_id, error) VALUES (?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET error = excluded.error`, c.TenantID, truncate(c.Error, 2000))
	} else {
		var figures []byte
		if figures, err = json.Marshal(c.Figures); err == nil {
			_, err = s.exec(ctx, `INSERT INTO capacity_snapshots (tenant_id, figures, taken_at, error) VALUES (?, ?, ?, '')
				ON CONFLICT (tenant_id) DO UPDATE SET figures = excluded.figures, taken_at = excluded.taken_at, error = ''`,
				c.TenantID, string(figures), utc(c.At))
		}
	}
	if err != nil {
		return fmt.Errorf("save capacity: %w", err)
	}
	return nil
}
