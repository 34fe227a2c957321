package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/registry"
)

// registryBackfillVersion is the goose version of the Go migration that fills the
// registry with the mailboxes created before it existed; it follows 00016_registry.sql.
// migrations/00017_registry_backfill.go holds the number in the directory.
const registryBackfillVersion = 17

// registryBackfill is a Go migration because a row's search words (registry.Terms) are
// folded in Go: portable SQL cannot split a name into words.
func (s *Store) registryBackfill() *goose.Migration {
	return goose.NewGoMigration(registryBackfillVersion,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			// The accounts report's counts (stat_accounts) come with migration 21, which
			// counts these mailboxes itself.
			ctx = context.WithValue(ctx, noAccountCounts{}, true)
			// Its words' search text comes with migration 43, which fills it.
			ctx = context.WithValue(ctx, termsWithoutSearch{}, true)
			return s.backfillRegistry(context.WithValue(ctx, txKey{}, tx))
		}},
		&goose.GoFunc{Mode: goose.TransactionEnabled}) // down: 00016's drops the tables
}

// backfillBatch is how many requests the backfill reads at a time: a cursor cannot stay
// open while the same transaction writes, on PostgreSQL.
const backfillBatch = 1000

// backfillRegistry records, as made by surel for its request, the mailbox of every
// registration whose create step is done and that the registry lacks. Its owner is the
// applicant; the quota and use are unknown until the next change or sync.
func (s *Store) backfillRegistry(ctx context.Context) error {
	type made struct {
		m    registry.Mailbox
		vals string
		u    account.User
	}
	after := int64(0)
	for {
		rows, err := s.query(ctx, `SELECT r.id, r.tenant_id, r.user_id, r.mailbox || '@' || r.domain, r.vals, u.full_name, u.first_name,
			u.last_name, u.nip, u.instansi, u.satuan_kerja, st.finished_at
			FROM requests r JOIN users u ON u.id = r.user_id
			JOIN request_steps st ON st.request_id = r.id AND st.kind = 'provision' AND st.status = 'done'
			WHERE r.id > ? AND r.service = 'email' AND r.mailbox <> ''
			AND NOT EXISTS (SELECT 1 FROM registry g WHERE g.tenant_id = r.tenant_id AND g.address = r.mailbox || '@' || r.domain)
			ORDER BY r.id LIMIT ?`, after, backfillBatch)
		if err != nil {
			return fmt.Errorf("registry backfill: %w", err)
		}
		var batch []made
		for rows.Next() {
			var b made
			var at time.Time
			if err := rows.Scan(&b.m.RequestID, &b.m.TenantID, &b.m.OwnerID, &b.m.Address, &b.vals, &b.u.Profile.FullName,
				&b.u.FirstName, &b.u.LastName, &b.u.Profile.NIP, &b.u.Profile.Instansi, &b.u.Profile.SatuanKerja, &at); err != nil {
				rows.Close()
				return fmt.Errorf("registry backfill: %w", err)
			}
			b.m.CreatedAt, b.m.UpdatedAt = at.UTC(), at.UTC()
			batch = append(batch, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("registry backfill: %w", err)
		}
		for _, b := range batch {
			vals := map[string]string{}
			json.Unmarshal([]byte(b.vals), &vals) // a row whose values do not read keeps the profile's
			m := b.m
			m.Kind, m.Status, m.Source, m.UsedBytes = registry.Personal, registry.Active, registry.FromRequest, -1
			m.Name = b.u.DisplayName()
			m.NIP = or(vals["nip"], b.u.Profile.NIP)
			m.Instansi = or(vals["instansi"], b.u.Profile.Instansi)
			m.Unit = or(vals["satuan_kerja"], b.u.Profile.SatuanKerja)
			if err := s.PutMailbox(ctx, &m); err != nil {
				return fmt.Errorf("registry backfill: %w", err)
			}
			after = m.RequestID
		}
		if len(batch) < backfillBatch {
			return nil
		}
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
