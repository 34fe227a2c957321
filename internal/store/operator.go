package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/surel-id/surel/internal/collective"
)

var _ collective.OperatorStore = (*Store)(nil)

// PutOperator marks a portal account as an OPD's operator, replacing its mark.
func (s *Store) PutOperator(ctx context.Context, o collective.Operator) error {
	_, err := s.exec(ctx, `INSERT INTO opd_operators (user_id, tenant_id, instansi, created_by, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET tenant_id = excluded.tenant_id, instansi = excluded.instansi,
		created_by = excluded.created_by, created_at = excluded.created_at`, o.UserID, o.TenantID, o.Instansi, o.CreatedBy, utc(o.CreatedAt))
	if err != nil {
		return fmt.Errorf("put operator %d: %w", o.UserID, err)
	}
	return nil
}

// DeleteOperator removes a tenant's mark of a portal account.
func (s *Store) DeleteOperator(ctx context.Context, tenantID, userID int64) (bool, error) {
	res, err := s.exec(ctx, `DELETE FROM opd_operators WHERE tenant_id = ? AND user_id = ?`, tenantID, userID)
	if err != nil {
		return false, fmt.Errorf("delete operator %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

const operatorSelect = `SELECT o.user_id, o.tenant_id, o.instansi, u.email, u.first_name, u.last_name, o.created_by, o.created_at
	FROM opd_operators o JOIN users u ON u.id = o.user_id`

func scanOperator(row interface{ Scan(...any) error }) (collective.Operator, error) {
	var o collective.Operator
	var first, last string
	if err := row.Scan(&o.UserID, &o.TenantID, &o.Instansi, &o.Email, &first, &last, &o.CreatedBy, &o.CreatedAt); err != nil {
		return o, err
	}
	o.Name = first
	if last != "" {
		o.Name += " " + last
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return o, nil
}

// OperatorOf reads the mark of a portal account.
func (s *Store) OperatorOf(ctx context.Context, userID int64) (collective.Operator, error) {
	o, err := scanOperator(s.q(ctx).QueryRowContext(ctx, s.rebind(operatorSelect+` WHERE o.user_id = ?`), userID))
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("operator %d: %w", userID, err)
	}
	return o, nil
}

// Operators lists a tenant's OPD operators by OPD and e-mail.
func (s *Store) Operators(ctx context.Context, tenantID int64) ([]collective.Operator, error) {
	rows, err := s.query(ctx, operatorSelect+` WHERE o.tenant_id = ? ORDER BY o.instansi, u.email`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("operators: %w", err)
	}
	defer rows.Close()
	var out []collective.Operator
	for rows.Next() {
		o, err := scanOperator(rows)
		if err != nil {
			return nil, fmt.Errorf("operators: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
