package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// The registry's events the accounts report counts (stat_accounts, migration 21).
const (
	accountCreated     = "created"     // a mailbox surel made for a request
	accountAdopted     = "adopted"     // a mailbox a sync found on the server
	accountDeactivated = "deactivated" // an account left the active ones (deactivated, removed)
	accountReactivated = "reactivated" // and came back
)

// live reports whether a registry status counts as an account that exists: active, or
// locked for a while; deactivated and removed ones do not.
func live(st registry.Status) bool { return st == registry.Active || st == registry.Locked }

// goneAt is when a mailbox stopped being active: its deactivation, else its last change.
func goneAt(deactivated sql.NullTime, updated time.Time) time.Time {
	if deactivated.Valid {
		return deactivated.Time.UTC()
	}
	return updated.UTC()
}

// countTransition counts m's move from the status old to its own, when it crosses
// between the accounts that exist and those that do not.
func (s *Store) countTransition(ctx context.Context, m registry.Mailbox, old registry.Status) error {
	switch {
	case live(old) && !live(m.Status):
		return s.countAccount(ctx, m, accountDeactivated, m.UpdatedAt)
	case !live(old) && live(m.Status):
		return s.countAccount(ctx, m, accountReactivated, m.UpdatedAt)
	}
	return nil
}

// noAccountCounts marks a context whose registry writes are not counted: migration 17's
// backfill runs before the counts' table exists, and migration 22 counts what it wrote.
type noAccountCounts struct{}

// countAccount adds one event of m at at to the hourly counts, with the service of the
// request that made m (” for an adopted one), in the caller's transaction.
func (s *Store) countAccount(ctx context.Context, m registry.Mailbox, event string, at time.Time) error {
	if ctx.Value(noAccountCounts{}) != nil {
		return nil
	}
	_, err := s.exec(ctx, `INSERT INTO stat_accounts (tenant_id, hour, service, kind, event, n)
		VALUES (?, ?, COALESCE((SELECT service FROM requests WHERE id = ?), ''), ?, ?, 1)
		ON CONFLICT (tenant_id, hour, service, kind, event) DO UPDATE SET n = stat_accounts.n + 1`,
		m.TenantID, at.Unix()/3600, m.RequestID, string(m.Kind), event)
	if err != nil {
		return fmt.Errorf("count account %s: %w", event, err)
	}
	return nil
}

var _ report.Store = (*Store)(nil)

// reportFilter is the SQL of a report's instansi and service filters on requests r,
// appended to a WHERE clause, and their arguments.
func reportFilter(q report.Query, alias string) (string, []any) {
	sql, args := "", []any{}
	if q.Instansi != "" {
		sql += " AND " + alias + ".instansi = ?"
		args = append(args, q.Instansi)
	}
	if q.Service != "" {
		sql += " AND " + alias + ".service = ?"
		args = append(args, q.Service)
	}
	return sql, args
}

// StepCounts reads the daily counts of the period, or, for one instansi, counts that
// instansi's steps and closed requests themselves (exact working times, which the
// report buckets as the counts do).
func (s *Store) StepCounts(ctx context.Context, q report.Query) ([]report.StepCount, error) {
	var out []report.StepCount
	scan := func(query string, args ...any) error {
		rows, err := s.query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("step counts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c report.StepCount
			if err := rows.Scan(&c.Key, &c.Role, &c.Minutes, &c.N, &c.InSLA); err != nil {
				return fmt.Errorf("step counts: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	}
	if q.Instansi == "" {
		where, args := "", []any{q.TenantID, q.FromDay, q.ToDay}
		if q.Service != "" {
			where, args = " AND service = ?", append(args, q.Service)
		}
		return out, scan(`SELECT step_key, role, minutes, SUM(n), SUM(in_sla) FROM stat_steps WHERE tenant_id = ? AND day BETWEEN ? AND ?`+where+
			` GROUP BY step_key, role, minutes`, args...)
	}
	where, fargs := reportFilter(q, "r")
	args := append([]any{q.TenantID}, fargs...)
	err := scan(`SELECT st.step_key, st.role, COALESCE(st.work_minutes, -1), COUNT(*), SUM(CASE WHEN st.sla = 'in' THEN 1 ELSE 0 END)
		FROM requests r JOIN request_steps st ON st.request_id = r.id
		WHERE r.tenant_id = ?`+where+` AND st.finished_at >= ? AND st.finished_at < ? AND st.due_at IS NOT NULL
		GROUP BY st.step_key, st.role, COALESCE(st.work_minutes, -1)`, append(args, q.From, q.To)...)
	if err != nil {
		return nil, err
	}
	// The SOP as a whole: each closed request's measured steps together.
	rows, err := s.query(ctx, `SELECT r.id, COALESCE(SUM(st.work_minutes), 0), COUNT(st.work_minutes),
		SUM(CASE WHEN st.sla = 'over' THEN 1 ELSE 0 END)
		FROM requests r JOIN request_steps st ON st.request_id = r.id
		WHERE r.tenant_id = ?`+where+` AND r.closed_at >= ? AND r.closed_at < ? GROUP BY r.id`, append(args, q.From, q.To)...)
	if err != nil {
		return nil, fmt.Errorf("step counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, total, measured, over int64
		if err := rows.Scan(&id, &total, &measured, &over); err != nil {
			return nil, fmt.Errorf("step counts: %w", err)
		}
		if measured == 0 {
			continue
		}
		c := report.StepCount{Key: request.WholeSOP, Minutes: int(total), N: 1}
		if over == 0 {
			c.InSLA = 1
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// hours is the period as the hourly counts key it.
func hours(q report.Query) (int64, int64) { return q.From.Unix() / 3600, q.To.Unix() / 3600 }

// AccountDays counts the registry's events per day of the tenant's zone: from the
// hourly counts, or from one instansi's mailboxes.
func (s *Store) AccountDays(ctx context.Context, q report.Query) ([]report.DayCount, error) {
	days := map[int]*report.DayCount{}
	add := func(at time.Time, event string, n int64) {
		d := sop.DateOf(at.In(q.Loc)).Num()
		c := days[d]
		if c == nil {
			c = &report.DayCount{Day: d}
			days[d] = c
		}
		switch event {
		case accountCreated:
			c.Created += n
		case accountAdopted:
			c.Adopted += n
		case accountDeactivated:
			c.Deactivated += n
		case accountReactivated:
			c.Reactivated += n
		}
	}
	if q.Instansi == "" {
		from, to := hours(q)
		where, args := "", []any{q.TenantID, from, to}
		if q.Service != "" {
			where, args = " AND service = ?", append(args, q.Service)
		}
		rows, err := s.query(ctx, `SELECT hour, event, SUM(n) FROM stat_accounts WHERE tenant_id = ? AND hour >= ? AND hour < ?`+where+
			` GROUP BY hour, event`, args...)
		if err != nil {
			return nil, fmt.Errorf("account days: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var h, n int64
			var event string
			if err := rows.Scan(&h, &event, &n); err != nil {
				return nil, fmt.Errorf("account days: %w", err)
			}
			add(time.Unix(h*3600, 0), event, n)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("account days: %w", err)
		}
	} else {
		err := s.instansiMailboxes(ctx, q, func(created, gone time.Time, adopted, live bool) {
			if !created.Before(q.From) && created.Before(q.To) {
				ev := accountCreated
				if adopted {
					ev = accountAdopted
				}
				add(created, ev, 1)
			}
			if !live && !gone.Before(q.From) && gone.Before(q.To) {
				add(gone, accountDeactivated, 1)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]report.DayCount, 0, len(days))
	for _, c := range days {
		out = append(out, *c)
	}
	return out, nil
}

// instansiMailboxes passes each of one instansi's mailboxes to fn: when made, when it
// stopped being active (if it did), whether it was adopted, whether it is active.
func (s *Store) instansiMailboxes(ctx context.Context, q report.Query, fn func(created, gone time.Time, adopted, live bool)) error {
	where, args := "", []any{q.TenantID, q.Instansi}
	if q.Service != "" {
		where, args = " AND r.service = ?", append(args, q.Service)
	}
	// The two times are read apart, not COALESCEd: SQLite gives the result of a
	// function of times as text the driver does not read back as a time.
	rows, err := s.query(ctx, `SELECT m.created_at, m.deactivated_at, m.updated_at, m.source, m.status FROM registry m
		LEFT JOIN requests r ON r.id = m.request_id WHERE m.tenant_id = ? AND m.instansi = ?`+where, args...)
	if err != nil {
		return fmt.Errorf("instansi mailboxes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var created, updated time.Time
		var deactivated sql.NullTime
		var source, status string
		if err := rows.Scan(&created, &deactivated, &updated, &source, &status); err != nil {
			return fmt.Errorf("instansi mailboxes: %w", err)
		}
		fn(created.UTC(), goneAt(deactivated, updated), registry.Source(source) == registry.Adopted, live(registry.Status(status)))
	}
	return rows.Err()
}

// AccountsBefore counts the accounts made (or adopted, or reactivated) and those
// deactivated before the period.
func (s *Store) AccountsBefore(ctx context.Context, q report.Query) (in, out int64, err error) {
	if q.Instansi != "" {
		err = s.instansiMailboxes(ctx, q, func(created, gone time.Time, _, live bool) {
			if created.Before(q.From) {
				in++
			}
			if !live && gone.Before(q.From) {
				out++
			}
		})
		return in, out, err
	}
	from, _ := hours(q)
	where, args := "", []any{q.TenantID, from}
	if q.Service != "" {
		where, args = " AND service = ?", append(args, q.Service)
	}
	rows, err := s.query(ctx, `SELECT event, SUM(n) FROM stat_accounts WHERE tenant_id = ? AND hour < ?`+where+` GROUP BY event`, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("accounts before: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var event string
		var n int64
		if err := rows.Scan(&event, &n); err != nil {
			return 0, 0, fmt.Errorf("accounts before: %w", err)
		}
		if event == accountDeactivated {
			out += n
		} else {
			in += n
		}
	}
	return in, out, rows.Err()
}

// StatusCounts counts the requests sent in the period by service and status now.
func (s *Store) StatusCounts(ctx context.Context, q report.Query) ([]report.StatusCount, error) {
	where, fargs := reportFilter(q, "r")
	rows, err := s.query(ctx, `SELECT r.service, r.status, COUNT(*) FROM requests r WHERE r.tenant_id = ? AND r.submitted_at >= ?
		AND r.submitted_at < ?`+where+` GROUP BY r.service, r.status`, append([]any{q.TenantID, q.From, q.To}, fargs...)...)
	if err != nil {
		return nil, fmt.Errorf("status counts: %w", err)
	}
	defer rows.Close()
	var out []report.StatusCount
	for rows.Next() {
		var c report.StatusCount
		if err := rows.Scan(&c.Service, &c.Status, &c.N); err != nil {
			return nil, fmt.Errorf("status counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AccountsByInstansi counts the mailboxes made in the period per instansi, unit and
// kind, the most first.
func (s *Store) AccountsByInstansi(ctx context.Context, q report.Query, limit int) ([]report.InstansiCount, error) {
	where, args := "", []any{q.TenantID, q.From, q.To}
	if q.Instansi != "" {
		where, args = where+" AND m.instansi = ?", append(args, q.Instansi)
	}
	join := ""
	if q.Service != "" {
		join, where, args = " JOIN requests r ON r.id = m.request_id", where+" AND r.service = ?", append(args, q.Service)
	}
	rows, err := s.query(ctx, `SELECT m.instansi, m.unit, m.kind, COUNT(*) FROM registry m`+join+`
		WHERE m.tenant_id = ? AND m.created_at >= ? AND m.created_at < ?`+where+`
		GROUP BY m.instansi, m.unit, m.kind ORDER BY COUNT(*) DESC, m.instansi, m.unit LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("accounts by instansi: %w", err)
	}
	defer rows.Close()
	var out []report.InstansiCount
	for rows.Next() {
		var c report.InstansiCount
		if err := rows.Scan(&c.Instansi, &c.Unit, &c.Kind, &c.N); err != nil {
			return nil, fmt.Errorf("accounts by instansi: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenSteps lists the tenant's steps not ended, staff's and those waiting for the
// applicant, in two reads that each follow a partial index of open steps.
func (s *Store) OpenSteps(ctx context.Context, q report.Query) ([]report.OpenStep, error) {
	where, fargs := reportFilter(q, "r")
	join := ""
	if where != "" {
		join = " JOIN requests r ON r.id = st.request_id"
	}
	var out []report.OpenStep
	for _, paused := range []bool{false, true} {
		cond := "st.paused_at IS NULL AND st.kind <> 'correction'"
		if paused {
			cond = "st.paused_at IS NOT NULL"
		}
		rows, err := s.query(ctx, `SELECT st.step_key, st.role, st.name, st.started_at, st.due_at FROM request_steps st`+join+`
			WHERE st.tenant_id = ? AND st.finished_at IS NULL AND `+cond+where, append([]any{q.TenantID}, fargs...)...)
		if err != nil {
			return nil, fmt.Errorf("open steps: %w", err)
		}
		for rows.Next() {
			o := report.OpenStep{Paused: paused}
			var due sql.NullTime
			if err := rows.Scan(&o.Key, &o.Role, &o.Name, &o.StartedAt, &due); err != nil {
				rows.Close()
				return nil, fmt.Errorf("open steps: %w", err)
			}
			o.StartedAt, o.Due = o.StartedAt.UTC(), timeOf(due)
			out = append(out, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("open steps: %w", err)
		}
	}
	return out, nil
}

// Outcomes counts the period's returns (the correction rows, named by the step they
// returned from) and refusals per step and reason.
func (s *Store) Outcomes(ctx context.Context, q report.Query) ([]report.Outcome, error) {
	where, fargs := reportFilter(q, "r")
	join := ""
	if where != "" {
		join = " JOIN requests r ON r.id = st.request_id"
	}
	var out []report.Outcome
	for _, ret := range []bool{true, false} {
		// The kind and status are written out, so that each query matches its partial
		// index (request_steps_returns, request_steps_refusals).
		cond := "st.kind = 'correction' AND st.started_at >= ? AND st.started_at < ?"
		if !ret {
			cond = "st.status = 'refused' AND st.finished_at >= ? AND st.finished_at < ?"
		}
		rows, err := s.query(ctx, `SELECT st.step_key, st.note, COUNT(*) FROM request_steps st`+join+`
			WHERE st.tenant_id = ? AND `+cond+where+` GROUP BY st.step_key, st.note`, append([]any{q.TenantID, q.From, q.To}, fargs...)...)
		if err != nil {
			return nil, fmt.Errorf("outcomes: %w", err)
		}
		for rows.Next() {
			o := report.Outcome{Return: ret}
			if err := rows.Scan(&o.Key, &o.Reason, &o.N); err != nil {
				rows.Close()
				return nil, fmt.Errorf("outcomes: %w", err)
			}
			out = append(out, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("outcomes: %w", err)
		}
	}
	return out, nil
}

// PutCapacityDay keeps the mail server's figures as read at c.At, the last of its day.
func (s *Store) PutCapacityDay(ctx context.Context, tenantID int64, c report.CapacityDay) error {
	_, err := s.exec(ctx, `INSERT INTO capacity_days (tenant_id, day, at, accounts, max_accounts, quota_allocated, quota_used, total_quota)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, day) DO UPDATE SET at = excluded.at, accounts = excluded.accounts,
		max_accounts = excluded.max_accounts, quota_allocated = excluded.quota_allocated, quota_used = excluded.quota_used,
		total_quota = excluded.total_quota WHERE capacity_days.at <= excluded.at`,
		tenantID, c.Day, utc(c.At), c.Accounts, c.MaxAccounts, c.QuotaAllocated, c.QuotaUsed, c.TotalQuota)
	if err != nil {
		return fmt.Errorf("capacity day: %w", err)
	}
	return nil
}

// CapacityDays reads the period's daily capacity figures, in order.
func (s *Store) CapacityDays(ctx context.Context, q report.Query) ([]report.CapacityDay, error) {
	rows, err := s.query(ctx, `SELECT day, at, accounts, max_accounts, quota_allocated, quota_used, total_quota FROM capacity_days
		WHERE tenant_id = ? AND day BETWEEN ? AND ? ORDER BY day`, q.TenantID, q.FromDay, q.ToDay)
	if err != nil {
		return nil, fmt.Errorf("capacity days: %w", err)
	}
	defer rows.Close()
	var out []report.CapacityDay
	for rows.Next() {
		var c report.CapacityDay
		if err := rows.Scan(&c.Day, &c.At, &c.Accounts, &c.MaxAccounts, &c.QuotaAllocated, &c.QuotaUsed, &c.TotalQuota); err != nil {
			return nil, fmt.Errorf("capacity days: %w", err)
		}
		c.At = c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// EachAccount streams the mailboxes made in the period, oldest first, to fn: rows are
// read as fn takes them, never all at once.
func (s *Store) EachAccount(ctx context.Context, q report.Query, fn func(report.AccountRow) error) error {
	where, args := "", []any{q.TenantID, q.From, q.To}
	if q.Instansi != "" {
		where, args = where+" AND m.instansi = ?", append(args, q.Instansi)
	}
	if q.Service != "" {
		where, args = where+" AND r.service = ?", append(args, q.Service)
	}
	rows, err := s.query(ctx, `SELECT COALESCE(r.number, ''), m.name, m.nip, m.address, m.instansi, m.unit, COALESCE(r.service, ''),
		m.kind, m.status, m.created_at FROM registry m LEFT JOIN requests r ON r.id = m.request_id
		WHERE m.tenant_id = ? AND m.created_at >= ? AND m.created_at < ?`+where+` ORDER BY m.created_at, m.id`, args...)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a report.AccountRow
		if err := rows.Scan(&a.Number, &a.Name, &a.NIP, &a.Mailbox, &a.Instansi, &a.Unit, &a.Service, &a.Kind, &a.Status, &a.CreatedAt); err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
		a.CreatedAt = a.CreatedAt.UTC()
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

// InstansiNames lists the instansi of the tenant's requests, the most frequent first,
// read along the instansi index.
func (s *Store) InstansiNames(ctx context.Context, tenantID int64, limit int) ([]string, error) {
	rows, err := s.query(ctx, `SELECT instansi FROM requests WHERE tenant_id = ? AND instansi <> '' GROUP BY instansi
		ORDER BY COUNT(*) DESC, instansi LIMIT ?`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("instansi names: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("instansi names: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
