package store

import (
	"context"
	"fmt"
	"time"
)

// StandardSettings is the tenant's service standard settings as JSON; ErrNotFound while
// it has saved none.
func (s *Store) StandardSettings(ctx context.Context, tenantID int64) ([]byte, error) {
	var body string
	if err := s.get(ctx, `SELECT body FROM tenant_standards WHERE tenant_id = ?`, []any{tenantID}, &body); err != nil {
		return nil, fmt.Errorf("standard settings: %w", err)
	}
	return []byte(body), nil
}

// SaveStandardSettings stores the tenant's service standard settings (JSON).
func (s *Store) SaveStandardSettings(ctx context.Context, tenantID int64, body []byte, by int64, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO tenant_standards (tenant_id, body, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		tenantID, string(body), utc(at), by)
	if err != nil {
		return fmt.Errorf("save standard settings: %w", err)
	}
	return nil
}
