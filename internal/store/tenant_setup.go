package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/surel-id/surel/internal/setup"
)

// TenantSetup is the tenant's first-run settings (setup.Record); ErrNotFound before the
// first save.
func (s *Store) TenantSetup(ctx context.Context, tenantID int64) (setup.Record, error) {
	var r setup.Record
	err := s.get(ctx, `SELECT name, mail_domain, sop, time_zone, hours, mail, mail_secret, updated_at, updated_by
		FROM tenant_setup WHERE tenant_id = ?`, []any{tenantID},
		&r.Name, &r.MailDomain, &r.SOP, &r.TimeZone, &r.Hours, &r.Mail, &r.Secret, &r.UpdatedAt, &r.UpdatedBy)
	if err != nil {
		return setup.Record{}, fmt.Errorf("tenant setup: %w", err)
	}
	r.UpdatedAt = r.UpdatedAt.UTC()
	return r, nil
}

// SaveTenantSetup stores the tenant's first-run settings, replacing the previous ones,
// and tells the other processes (ChannelTenant) in the same transaction.
func (s *Store) SaveTenantSetup(ctx context.Context, tenantID int64, r setup.Record) error {
	_, err := s.exec(ctx, `INSERT INTO tenant_setup (tenant_id, name, mail_domain, sop, time_zone, hours, mail, mail_secret, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name, mail_domain = excluded.mail_domain, sop = excluded.sop,
		time_zone = excluded.time_zone, hours = excluded.hours, mail = excluded.mail, mail_secret = excluded.mail_secret,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		tenantID, r.Name, r.MailDomain, r.SOP, r.TimeZone, r.Hours, r.Mail, r.Secret, utc(r.UpdatedAt), r.UpdatedBy)
	if err == nil {
		err = s.notify(ctx, ChannelTenant, strconv.FormatInt(tenantID, 10))
	}
	if err != nil {
		return fmt.Errorf("save tenant setup: %w", err)
	}
	return nil
}
