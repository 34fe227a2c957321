package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

var _ staff.Store = (*Store)(nil)

// staffMembers reads the members matching where, one row per role, ordered by name.
func (s *Store) staffMembers(ctx context.Context, op, where string, args ...any) ([]staff.Member, error) {
	rows, err := s.query(ctx, `SELECT u.id, u.tenant_id, u.username, u.email, u.first_name, u.last_name, u.full_name,
		r.role, m.enabled_at
		FROM staff_roles r JOIN users u ON u.id = r.user_id LEFT JOIN staff_mfa m ON m.user_id = r.user_id
		WHERE `+where+` ORDER BY u.first_name, u.last_name, u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer rows.Close()
	var out []staff.Member
	for rows.Next() {
		var m staff.Member
		var first, last, full, role string
		var mfa sql.NullTime
		if err := rows.Scan(&m.UserID, &m.TenantID, &m.Username, &m.Email, &first, &last, &full, &role, &mfa); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		if n := len(out); n > 0 && out[n-1].UserID == m.UserID {
			out[n-1].Roles = append(out[n-1].Roles, sop.Role(role))
			continue
		}
		// The rule a staff page uses for the signed-in member (web.withUser).
		m.Name = account.User{FirstName: first, LastName: last, Profile: account.Profile{FullName: full}}.DisplayName()
		m.Roles = []sop.Role{sop.Role(role)}
		m.MFASince = timeOf(mfa)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	for i := range out {
		staff.OrderRoles(out[i].Roles)
	}
	return out, nil
}

// StaffMember is the account with its roles; ErrNotFound when it holds none.
func (s *Store) StaffMember(ctx context.Context, userID int64) (staff.Member, error) {
	ms, err := s.staffMembers(ctx, "staff member", "r.user_id = ?", userID)
	if err != nil {
		return staff.Member{}, err
	}
	if len(ms) == 0 {
		return staff.Member{}, ErrNotFound
	}
	return ms[0], nil
}

// StaffMembers lists a tenant's staff by name.
func (s *Store) StaffMembers(ctx context.Context, tenantID int64) ([]staff.Member, error) {
	return s.staffMembers(ctx, "staff members", "r.tenant_id = ?", tenantID)
}

// SetStaffRoles makes roles the account's roles in the tenant; roles it keeps keep
// their grant.
func (s *Store) SetStaffRoles(ctx context.Context, userID, tenantID int64, roles []sop.Role, by int64, at time.Time) error {
	return s.Tx(ctx, func(ctx context.Context) error {
		rows, err := s.query(ctx, `SELECT role FROM staff_roles WHERE user_id = ?`, userID)
		if err != nil {
			return fmt.Errorf("set staff roles: %w", err)
		}
		var held []sop.Role
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return fmt.Errorf("set staff roles: %w", err)
			}
			held = append(held, sop.Role(r))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("set staff roles: %w", err)
		}
		var grantor any
		if by != 0 {
			grantor = by
		}
		for _, r := range held {
			if !slices.Contains(roles, r) {
				if _, err := s.exec(ctx, `DELETE FROM staff_roles WHERE user_id = ? AND role = ?`, userID, string(r)); err != nil {
					return fmt.Errorf("set staff roles: %w", err)
				}
			}
		}
		for _, r := range roles {
			if slices.Contains(held, r) {
				continue
			}
			if _, err := s.exec(ctx, `INSERT INTO staff_roles (user_id, tenant_id, role, granted_at, granted_by) VALUES (?, ?, ?, ?, ?)`,
				userID, tenantID, string(r), utc(at), grantor); err != nil {
				return fmt.Errorf("set staff roles: %w", err)
			}
		}
		return nil
	})
}

// MFA reads a member's second factor.
func (s *Store) MFA(ctx context.Context, userID int64) (staff.MFA, error) {
	m := staff.MFA{UserID: userID}
	var enabled sql.NullTime
	err := s.get(ctx, `SELECT totp_secret_enc, created_at, enabled_at, last_step FROM staff_mfa WHERE user_id = ?`,
		[]any{userID}, &m.SecretEnc, &m.CreatedAt, &enabled, &m.LastStep)
	if err != nil {
		if err == ErrNotFound {
			return m, err
		}
		return m, fmt.Errorf("mfa: %w", err)
	}
	m.CreatedAt, m.EnabledAt = m.CreatedAt.UTC(), timeOf(enabled)
	return m, nil
}

// SaveMFA stores a member's second factor, replacing the one there was.
func (s *Store) SaveMFA(ctx context.Context, m staff.MFA) error {
	_, err := s.exec(ctx, `INSERT INTO staff_mfa (user_id, totp_secret_enc, created_at, enabled_at, last_step) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET totp_secret_enc = excluded.totp_secret_enc, created_at = excluded.created_at,
		enabled_at = excluded.enabled_at, last_step = excluded.last_step`,
		m.UserID, m.SecretEnc, utc(m.CreatedAt), nullTime(m.EnabledAt), m.LastStep)
	if err != nil {
		return fmt.Errorf("save mfa: %w", err)
	}
	return nil
}

// DeleteMFA removes a member's second factor and recovery codes.
func (s *Store) DeleteMFA(ctx context.Context, userID int64) error {
	return s.Tx(ctx, func(ctx context.Context) error {
		for _, q := range []string{`DELETE FROM staff_recovery_codes WHERE user_id = ?`, `DELETE FROM staff_mfa WHERE user_id = ?`} {
			if _, err := s.exec(ctx, q, userID); err != nil {
				return fmt.Errorf("delete mfa: %w", err)
			}
		}
		return nil
	})
}

// UseTOTPStep spends step if it is newer than the last spent one.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := s.exec(ctx, `UPDATE staff_mfa SET last_step = ? WHERE user_id = ? AND last_step < ? AND enabled_at IS NOT NULL`,
		step, userID, step)
	if err != nil {
		return false, fmt.Errorf("use totp step: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetRecoveryCodes replaces a member's recovery codes.
func (s *Store) SetRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	return s.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.exec(ctx, `DELETE FROM staff_recovery_codes WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("set recovery codes: %w", err)
		}
		for _, h := range hashes {
			if _, err := s.exec(ctx, `INSERT INTO staff_recovery_codes (user_id, hash) VALUES (?, ?)`, userID, h); err != nil {
				return fmt.Errorf("set recovery codes: %w", err)
			}
		}
		return nil
	})
}

// UseRecoveryCode spends an unused recovery code.
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error) {
	res, err := s.exec(ctx, `UPDATE staff_recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL`,
		utc(at), userID, hash)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UnusedRecoveryCodes counts a member's unused recovery codes.
func (s *Store) UnusedRecoveryCodes(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.get(ctx, `SELECT COUNT(*) FROM staff_recovery_codes WHERE user_id = ? AND used_at IS NULL`, []any{userID}, &n); err != nil {
		return 0, fmt.Errorf("unused recovery codes: %w", err)
	}
	return n, nil
}
