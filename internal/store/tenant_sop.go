package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/sop"
)

// TenantSOP is the tenant's own SOP as YAML; ErrNotFound while it follows its preset.
func (s *Store) TenantSOP(ctx context.Context, tenantID int64) ([]byte, error) {
	var y sql.NullString
	if err := s.get(ctx, `SELECT yaml FROM tenant_sops WHERE tenant_id = ?`, []any{tenantID}, &y); err != nil {
		return nil, fmt.Errorf("tenant sop: %w", err)
	}
	if !y.Valid {
		return nil, fmt.Errorf("tenant sop: %w", ErrNotFound)
	}
	return []byte(y.String), nil
}

// SaveTenantSOP stores the tenant's SOP; nil yaml returns it to its preset.
func (s *Store) SaveTenantSOP(ctx context.Context, tenantID int64, yaml []byte, by int64, at time.Time) error {
	var y any
	if yaml != nil {
		y = string(yaml)
	}
	_, err := s.exec(ctx, `INSERT INTO tenant_sops (tenant_id, yaml, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET yaml = excluded.yaml, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		tenantID, y, utc(at), by)
	if err == nil {
		err = s.notify(ctx, ChannelSOP, strconv.FormatInt(tenantID, 10))
	}
	if err != nil {
		return fmt.Errorf("save tenant sop: %w", err)
	}
	return nil
}

// TenantHolidays is the tenant's holiday table in date order; edited is false while it
// has never edited one (the national table applies).
func (s *Store) TenantHolidays(ctx context.Context, tenantID int64) ([]sop.Holiday, bool, error) {
	var at sql.NullTime
	err := s.get(ctx, `SELECT holidays_at FROM tenant_sops WHERE tenant_id = ?`, []any{tenantID}, &at)
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && !at.Valid):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("tenant holidays: %w", err)
	}
	rows, err := s.query(ctx, `SELECT day, name FROM tenant_holidays WHERE tenant_id = ? ORDER BY day`, tenantID)
	if err != nil {
		return nil, false, fmt.Errorf("tenant holidays: %w", err)
	}
	defer rows.Close()
	out := []sop.Holiday{}
	for rows.Next() {
		var day, name string
		if err := rows.Scan(&day, &name); err != nil {
			return nil, false, fmt.Errorf("tenant holidays: %w", err)
		}
		d, err := sop.ParseDate(day)
		if err != nil {
			return nil, false, fmt.Errorf("tenant holidays: %w", err)
		}
		out = append(out, sop.Holiday{Date: d, Name: name})
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("tenant holidays: %w", err)
	}
	return out, true, nil
}

// SaveTenantHolidays replaces the tenant's holiday table with hs, in one transaction, and
// marks it edited. Two entries for one date keep the last.
func (s *Store) SaveTenantHolidays(ctx context.Context, tenantID int64, hs []sop.Holiday, by int64, at time.Time) error {
	err := s.Tx(ctx, func(ctx context.Context) error {
		// The marker row first: on PostgreSQL it locks the tenant's table against a
		// concurrent replacement until commit.
		if _, err := s.exec(ctx, `INSERT INTO tenant_sops (tenant_id, yaml, updated_at, updated_by, holidays_at) VALUES (?, NULL, ?, ?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET holidays_at = excluded.holidays_at, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			tenantID, utc(at), by, utc(at)); err != nil {
			return err
		}
		if _, err := s.exec(ctx, `DELETE FROM tenant_holidays WHERE tenant_id = ?`, tenantID); err != nil {
			return err
		}
		for _, h := range hs {
			if _, err := s.exec(ctx, `INSERT INTO tenant_holidays (tenant_id, day, name) VALUES (?, ?, ?)
				ON CONFLICT (tenant_id, day) DO UPDATE SET name = excluded.name`, tenantID, h.Date.String(), h.Name); err != nil {
				return err
			}
		}
		return s.notify(ctx, ChannelSOP, strconv.FormatInt(tenantID, 10))
	})
	if err != nil {
		return fmt.Errorf("save tenant holidays: %w", err)
	}
	return nil
}

var _ sop.Store = (*Store)(nil)

// RunningStepKeys counts a tenant's requests waiting at each step key (running or paused
// for the applicant), so an SOP edit cannot drop a step someone is at.
func (s *Store) RunningStepKeys(ctx context.Context, tenantID int64) (map[string]int, error) {
	// Two halves, each read from its partial index: running steps (the inbox index) and
	// steps paused for the applicant (migration 00010). Correction rows are the
	// applicant's and are keyed like the paused step they belong to.
	// The domain services' flows are the tenant's too (its own under services:, or the
	// presets); their keys are the service's ("subdomain/buat_record"), since a preset's
	// key may repeat one of the e-mail SOP's.
	domain := sop.DomainServices
	args := make([]any, 0, len(domain)+2)
	for _, sv := range domain {
		args = append(args, sv)
	}
	args = append(args, tenantID, tenantID)
	rows, err := s.query(ctx, `SELECT CASE WHEN r.service IN (?`+strings.Repeat(", ?", len(domain)-1)+`) THEN r.service || '/' || k.step_key ELSE k.step_key END AS skey, COUNT(*) FROM (
		SELECT step_key, request_id FROM request_steps WHERE tenant_id = ? AND finished_at IS NULL AND paused_at IS NULL AND kind <> 'correction'
		UNION ALL
		SELECT step_key, request_id FROM request_steps WHERE tenant_id = ? AND finished_at IS NULL AND paused_at IS NOT NULL) k
		JOIN requests r ON r.id = k.request_id
		GROUP BY skey`, args...)
	if err != nil {
		return nil, fmt.Errorf("running step keys: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}
