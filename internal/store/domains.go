package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/zone"
)

var _ domains.Store = (*Store)(nil)

// PutVerified writes an account's verified instansi, replacing an earlier one.
func (s *Store) PutVerified(ctx context.Context, v domains.Verified) error {
	_, err := s.exec(ctx, `INSERT INTO instansi_verified (user_id, tenant_id, kind, instansi, unit, region, jabatan, official_mailbox,
		request_id, verified_by, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET tenant_id = excluded.tenant_id, kind = excluded.kind, instansi = excluded.instansi,
		unit = excluded.unit, region = excluded.region, jabatan = excluded.jabatan, official_mailbox = excluded.official_mailbox,
		request_id = excluded.request_id, verified_by = excluded.verified_by, verified_at = excluded.verified_at`,
		v.UserID, v.TenantID, v.Kind, v.Instansi, v.Unit, v.Region, v.Jabatan, v.OfficialMailbox, v.RequestID, v.VerifiedBy, utc(v.VerifiedAt))
	if err != nil {
		return fmt.Errorf("put verified instansi: %w", err)
	}
	return nil
}

// VerifiedOf reads an account's verified instansi.
func (s *Store) VerifiedOf(ctx context.Context, userID int64) (domains.Verified, error) {
	var v domains.Verified
	err := s.get(ctx, `SELECT user_id, tenant_id, kind, instansi, unit, region, jabatan, official_mailbox, request_id, verified_by, verified_at
		FROM instansi_verified WHERE user_id = ?`, []any{userID},
		&v.UserID, &v.TenantID, &v.Kind, &v.Instansi, &v.Unit, &v.Region, &v.Jabatan, &v.OfficialMailbox, &v.RequestID, &v.VerifiedBy, &v.VerifiedAt)
	v.VerifiedAt = v.VerifiedAt.UTC()
	return v, err
}

const domainColumns = `id, tenant_id, kind, name, records, owner_id, instansi, region, request_id, reference, status, created_at,
	removed_at, COALESCE(removed_by, 0)`

func scanDomain(row interface{ Scan(...any) error }) (domains.Domain, error) {
	var d domains.Domain
	var records string
	var removed sql.NullTime
	err := row.Scan(&d.ID, &d.TenantID, &d.Kind, &d.Name, &records, &d.OwnerID, &d.Instansi, &d.Region, &d.RequestID, &d.Reference,
		&d.Status, &d.CreatedAt, &removed, &d.RemovedBy)
	if err != nil {
		return d, err
	}
	if d.Records, err = zone.Parse(records); err != nil {
		return d, fmt.Errorf("domain %d: %w", d.ID, err)
	}
	d.CreatedAt, d.RemovedAt = d.CreatedAt.UTC(), timeOf(removed)
	return d, nil
}

// AddDomain inserts an active name; ErrConflict when the name is active already.
func (s *Store) AddDomain(ctx context.Context, d *domains.Domain) error {
	id, err := s.insert(ctx, `INSERT INTO domains (tenant_id, kind, name, records, owner_id, instansi, region, request_id, reference, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.TenantID, string(d.Kind), d.Name, zone.Format(d.Records), d.OwnerID, d.Instansi, d.Region, d.RequestID, d.Reference, string(d.Status), utc(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("add domain %s: %w", d.Name, err)
	}
	d.ID = id
	return nil
}

// DomainAt reads the active row of a name.
func (s *Store) DomainAt(ctx context.Context, tenantID int64, name string) (domains.Domain, error) {
	if err := checkText([]any{name}); err != nil {
		return domains.Domain{}, err
	}
	d, err := scanDomain(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+domainColumns+` FROM domains
		WHERE tenant_id = ? AND name = ? AND status = 'aktif'`), tenantID, name))
	if err == sql.ErrNoRows {
		return d, ErrNotFound
	}
	return d, err
}

// DomainsOwnedBy lists an account's names, newest first.
func (s *Store) DomainsOwnedBy(ctx context.Context, ownerID int64) ([]domains.Domain, error) {
	return s.domainRows(ctx, `SELECT `+domainColumns+` FROM domains WHERE owner_id = ? ORDER BY id DESC`, ownerID)
}

// Domains lists a tenant's register by kind and name.
func (s *Store) Domains(ctx context.Context, tenantID int64) ([]domains.Domain, error) {
	return s.domainRows(ctx, `SELECT `+domainColumns+` FROM domains WHERE tenant_id = ? ORDER BY kind, name, id DESC`, tenantID)
}

func (s *Store) domainRows(ctx context.Context, query string, args ...any) ([]domains.Domain, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("domains: %w", err)
	}
	defer rows.Close()
	var out []domains.Domain
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RemoveDomain marks an active row removed by a request.
func (s *Store) RemoveDomain(ctx context.Context, id, requestID int64, at time.Time) (bool, error) {
	res, err := s.exec(ctx, `UPDATE domains SET status = 'dihapus', removed_at = ?, removed_by = ? WHERE id = ? AND status = 'aktif'`,
		utc(at), requestID, id)
	if err != nil {
		return false, fmt.Errorf("remove domain %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
