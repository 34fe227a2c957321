package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// reportBackfillVersion is the goose version of the Go migration that fills migration
// 19's columns and counts from the rows already there;
// migrations/00022_reports_backfill.go holds the number in the directory.
const reportBackfillVersion = 22

// reportBackfill is migration 22. Working times were not kept before it, so the steps
// that ended before count in the SLA shares but not in the working-time percentiles
// (bucket -1), and requests closed before are not counted for the SOP as a whole. Days
// of the steps that ended before are taken in WIB, since the tenants' zones are not
// known here; steps end within working hours, which lie on the same day in WIB, WITA
// and WIT.
func (s *Store) reportBackfill() *goose.Migration {
	return goose.NewGoMigration(reportBackfillVersion,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			ctx = context.WithValue(ctx, txKey{}, tx)
			for _, fill := range []func(context.Context) error{s.backfillRequests, s.backfillStepCounts, s.backfillAccountCounts} {
				if err := fill(ctx); err != nil {
					return err
				}
			}
			return nil
		}},
		&goose.GoFunc{Mode: goose.TransactionEnabled}) // down: 00019's drops
}

// backfillWIB is the zone of the backfilled days.
var backfillWIB = time.FixedZone("WIB", 7*3600)

// backfillRequests copies every request's instansi and unit out of its form values, and
// files the closed ones, and those an archive step filed, in the archive as of then.
func (s *Store) backfillRequests(ctx context.Context) error {
	type row struct {
		id               int64
		vals             string
		closed, archived sql.NullTime
	}
	for after := int64(0); ; {
		// A request passes an archive step once; SQLite would return an aggregate (MIN) of
		// the times as text the driver does not read back as a time, hence the join.
		rows, err := s.query(ctx, `SELECT r.id, r.vals, r.closed_at, st.finished_at FROM requests r
			LEFT JOIN request_steps st ON st.request_id = r.id AND st.kind = 'archive' AND st.status = 'done'
			WHERE r.id > ? ORDER BY r.id LIMIT ?`, after, backfillBatch)
		if err != nil {
			return fmt.Errorf("report backfill: %w", err)
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.vals, &r.closed, &r.archived); err != nil {
				rows.Close()
				return fmt.Errorf("report backfill: %w", err)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("report backfill: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, r := range batch {
			vals := map[string]string{}
			json.Unmarshal([]byte(r.vals), &vals) // values that do not read leave the copies empty
			if _, err := s.exec(ctx, `UPDATE requests SET instansi = ?, unit = ? WHERE id = ?`,
				reportText(vals["instansi"]), reportText(vals["satuan_kerja"]), r.id); err != nil {
				return fmt.Errorf("report backfill: request %d: %w", r.id, err)
			}
			if r.closed.Valid || r.archived.Valid {
				q := request.Request{ID: r.id, Values: vals, ArchivedAt: timeOf(r.archived), FiledAt: timeOf(r.closed)}
				if q.FiledAt.IsZero() || !q.ArchivedAt.IsZero() && q.ArchivedAt.Before(q.FiledAt) {
					q.FiledAt = q.ArchivedAt
				}
				if err := s.FileRequest(ctx, q); err != nil {
					return fmt.Errorf("report backfill: %w", err)
				}
			}
		}
		after = batch[len(batch)-1].id
	}
}

// stepKey is one row of stat_steps.
type stepKey struct {
	tenant        int64
	day           int
	service, step string
	role          string
}

// backfillStepCounts counts the timed steps that had ended, in bucket -1 (no working
// time), a few thousand rows at a time.
func (s *Store) backfillStepCounts(ctx context.Context) error {
	counts := map[stepKey][2]int64{}
	for after := int64(0); ; {
		rows, err := s.query(ctx, `SELECT st.id, st.tenant_id, st.finished_at, r.service, st.step_key, st.role, st.sla
			FROM request_steps st JOIN requests r ON r.id = st.request_id
			WHERE st.id > ? AND st.finished_at IS NOT NULL AND st.due_at IS NOT NULL ORDER BY st.id LIMIT ?`, after, 5000)
		if err != nil {
			return fmt.Errorf("report backfill: %w", err)
		}
		n := 0
		for rows.Next() {
			var k stepKey
			var at time.Time
			var sla string
			if err := rows.Scan(&after, &k.tenant, &at, &k.service, &k.step, &k.role, &sla); err != nil {
				rows.Close()
				return fmt.Errorf("report backfill: %w", err)
			}
			k.day = sop.DateOf(at.In(backfillWIB)).Num()
			c := counts[k]
			c[0]++
			if sla == sop.VerdictIn {
				c[1]++
			}
			counts[k] = c
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("report backfill: %w", err)
		}
		if n == 0 {
			break
		}
	}
	for k, c := range counts {
		if _, err := s.exec(ctx, `INSERT INTO stat_steps (tenant_id, day, service, step_key, role, minutes, n, in_sla) VALUES (?, ?, ?, ?, ?, -1, ?, ?)`,
			k.tenant, k.day, k.service, k.step, k.role, c[0], c[1]); err != nil {
			return fmt.Errorf("report backfill: %w", err)
		}
	}
	return nil
}

// backfillAccountCounts counts the registry's mailboxes as made (or adopted) at their
// creation, and those no longer active as deactivated at their deactivation.
func (s *Store) backfillAccountCounts(ctx context.Context) error {
	type key struct {
		tenant, hour         int64
		service, kind, event string
	}
	counts := map[key]int64{}
	for after := int64(0); ; {
		rows, err := s.query(ctx, `SELECT m.id, m.tenant_id, COALESCE(r.service, ''), m.kind, m.source, m.status, m.created_at,
			m.deactivated_at, m.updated_at FROM registry m LEFT JOIN requests r ON r.id = m.request_id
			WHERE m.id > ? ORDER BY m.id LIMIT ?`, after, 5000)
		if err != nil {
			return fmt.Errorf("report backfill: %w", err)
		}
		n := 0
		for rows.Next() {
			var tenant int64
			var service, kind, source, status string
			var created, updated time.Time
			var deactivated sql.NullTime
			if err := rows.Scan(&after, &tenant, &service, &kind, &source, &status, &created, &deactivated, &updated); err != nil {
				rows.Close()
				return fmt.Errorf("report backfill: %w", err)
			}
			event := accountCreated
			if registry.Source(source) == registry.Adopted {
				event = accountAdopted
			}
			counts[key{tenant, created.Unix() / 3600, service, kind, event}]++
			if !live(registry.Status(status)) {
				counts[key{tenant, goneAt(deactivated, updated).Unix() / 3600, service, kind, accountDeactivated}]++
			}
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("report backfill: %w", err)
		}
		if n == 0 {
			break
		}
	}
	for k, n := range counts {
		if _, err := s.exec(ctx, `INSERT INTO stat_accounts (tenant_id, hour, service, kind, event, n) VALUES (?, ?, ?, ?, ?, ?)`,
			k.tenant, k.hour, k.service, k.kind, k.event, n); err != nil {
			return fmt.Errorf("report backfill: %w", err)
		}
	}
	return nil
}
