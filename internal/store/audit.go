package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/surel-id/surel/internal/audit"
)

var _ audit.Store = (*Store)(nil)

// auditLockClass is the first key of the PostgreSQL advisory lock that serializes the
// appends to one tenant's chain (the second is the tenant id), chosen apart from any
// other advisory lock of the application ("aud").
const auditLockClass = 0x617564

const auditColumns = `id, tenant_id, seq, at, actor, actor_name, role, action, object, detail, ip, prev_hash, hash`

const auditTrailSQL = `SELECT ` + auditColumns + ` FROM audit_log WHERE object = ? ORDER BY tenant_id, seq`

func scanAudit(row interface{ Scan(...any) error }) (audit.Entry, error) {
	var e audit.Entry
	err := row.Scan(&e.ID, &e.TenantID, &e.Seq, &e.At, &e.Actor, &e.ActorName, &e.Role, &e.Action, &e.Object,
		&e.Detail, &e.IP, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	return e, err
}

// AppendAudit adds e at the end of its tenant's chain and sets its Seq, PrevHash, Hash
// and ID. It joins the transaction of ctx, if any, so the entry commits with the change
// it records.
//
// Reading the last entry and inserting the next one must not interleave with another
// append to the same chain, or both would take the same seq (the unique key would refuse
// the second: an error, not a fork, but a lost action). On SQLite every transaction
// already holds the write lock from its start (_txlock=immediate). On PostgreSQL a
// transaction-scoped advisory lock per tenant makes the appends wait for each other; the
// lock is held until the transaction ends, so a caller should record last, after its
// other writes. Under READ COMMITTED (the default, and what Tx uses) the read after the
// lock sees the entry the previous holder committed.
func (s *Store) AppendAudit(ctx context.Context, e *audit.Entry) error {
	e.Normalize()
	err := s.Tx(ctx, func(ctx context.Context) error {
		if s.dialect == Postgres {
			// The two-key form takes int4 keys; a tenant id above 2^31 wraps and may
			// share its lock with another tenant, which only makes them wait.
			if _, err := s.exec(ctx, `SELECT pg_advisory_xact_lock(?, ?)`, int32(auditLockClass), int32(e.TenantID)); err != nil {
				return err
			}
		}
		var last int64
		var prev string
		err := s.get(ctx, `SELECT seq, hash FROM audit_log WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1`,
			[]any{e.TenantID}, &last, &prev)
		if err != nil && err != ErrNotFound {
			return err
		}
		e.Seq, e.PrevHash = last+1, prev
		e.Hash = e.ComputeHash(prev)
		id, err := s.insert(ctx, `INSERT INTO audit_log (tenant_id, seq, at, actor, actor_name, role, action, object,
			detail, ip, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.TenantID, e.Seq, e.At, e.Actor, e.ActorName, e.Role, e.Action, e.Object, e.Detail, e.IP, e.PrevHash, e.Hash)
		e.ID = id
		return err
	})
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// AuditTrail lists the entries about object ("request:42"), oldest first. Object ids
// are unique across tenants, so the entries come from one chain.
func (s *Store) AuditTrail(ctx context.Context, object string) ([]audit.Entry, error) {
	rows, err := s.query(ctx, auditTrailSQL, object)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("audit trail: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	return out, nil
}

// WalkAudit hands every entry to fn in chain order (tenant, then seq) as the rows
// arrive, never holding more than one, and stops at fn's first error. One SELECT reads
// one snapshot on both engines, so appends running meanwhile do not show up half-way.
func (s *Store) WalkAudit(ctx context.Context, fn func(audit.Entry) error) error {
	rows, err := s.query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY tenant_id, seq`)
	if err != nil {
		return fmt.Errorf("walk audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return fmt.Errorf("walk audit: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("walk audit: %w", err)
	}
	return nil
}

// VerifyAudit checks every tenant's chain (audit.Verify), streaming the log.
func (s *Store) VerifyAudit(ctx context.Context) (audit.Report, error) {
	return audit.Verify(ctx, s.WalkAudit)
}

// TenantSlug names a tenant by its id, for the operator's reports.
func (s *Store) TenantSlug(ctx context.Context, id int64) (string, error) {
	var slug string
	if err := s.get(ctx, `SELECT slug FROM tenants WHERE id = ?`, []any{id}, &slug); err != nil {
		if err == ErrNotFound {
			return "", err
		}
		return "", fmt.Errorf("tenant slug %d: %w", id, err)
	}
	return slug, nil
}

// AppendAudits adds es, entries of one tenant, at the end of its chain in order, as
// AppendAudit one by one would, with one read of the chain's end and an INSERT per 500
// entries (a sync's page), in the transaction ctx carries if any.
func (s *Store) AppendAudits(ctx context.Context, es []*audit.Entry) error {
	if len(es) == 0 {
		return nil
	}
	tenantID := es[0].TenantID
	for _, e := range es {
		if e.TenantID != tenantID {
			return fmt.Errorf("append audit: entries of tenants %d and %d in one batch", tenantID, e.TenantID)
		}
		e.Normalize()
	}
	err := s.Tx(ctx, func(ctx context.Context) error {
		if s.dialect == Postgres {
			if _, err := s.exec(ctx, `SELECT pg_advisory_xact_lock(?, ?)`, int32(auditLockClass), int32(tenantID)); err != nil {
				return err
			}
		}
		var last int64
		var prev string
		err := s.get(ctx, `SELECT seq, hash FROM audit_log WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1`, []any{tenantID}, &last, &prev)
		if err != nil && err != ErrNotFound {
			return err
		}
		for _, e := range es {
			last++
			e.Seq, e.PrevHash = last, prev
			e.Hash = e.ComputeHash(prev)
			prev = e.Hash
		}
		for rest := es; len(rest) > 0; {
			n := min(len(rest), 500)
			var b strings.Builder
			args := make([]any, 0, 12*n)
			b.WriteString(`INSERT INTO audit_log (tenant_id, seq, at, actor, actor_name, role, action, object, detail, ip, prev_hash, hash) VALUES `)
			for i, e := range rest[:n] {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, e.TenantID, e.Seq, e.At, e.Actor, e.ActorName, e.Role, e.Action, e.Object, e.Detail, e.IP, e.PrevHash, e.Hash)
			}
			b.WriteString(" RETURNING id, seq")
			rows, err := s.query(ctx, b.String(), args...)
			if err != nil {
				return err
			}
			bySeq := make(map[int64]*audit.Entry, n)
			for _, e := range rest[:n] {
				bySeq[e.Seq] = e
			}
			for rows.Next() {
				var id, seq int64
				if err := rows.Scan(&id, &seq); err != nil {
					rows.Close()
					return err
				}
				if e := bySeq[seq]; e != nil {
					e.ID = id
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return err
			}
			rest = rest[n:]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}
