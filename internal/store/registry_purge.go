package store

import (
	"context"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
)

// DuePurges lists up to limit deactivated mailboxes of a tenant whose retention period
// ended by now and that have no purge request since their deactivation (open, done or
// refused: a refused purge is not proposed again until the next deactivation), the
// longest due first. The registry_purge index holds the candidates.
func (s *Store) DuePurges(ctx context.Context, tenantID int64, now time.Time, limit int) ([]registry.Mailbox, error) {
	out, err := s.mailboxRows(ctx, `SELECT `+registryColumns+registryFrom+`
		WHERE m.tenant_id = ? AND m.status = ? AND m.purge_after IS NOT NULL AND m.purge_after <= ? AND m.gone_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM requests p WHERE p.tenant_id = m.tenant_id AND p.service = ?
			AND p.mailbox || '@' || p.domain = m.address AND p.created_at >= COALESCE(m.deactivated_at, m.purge_after))
		ORDER BY m.purge_after, m.id LIMIT ?`, tenantID, string(registry.Inactive), utc(now), sop.ServicePurge, limit)
	if err != nil {
		return nil, fmt.Errorf("due purges: %w", err)
	}
	return out, nil
}
