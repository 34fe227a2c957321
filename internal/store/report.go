package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/report"
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
// request that made m (” for an adopted one), and to its instansi's, unit's and kind's
// (migration 37), in the caller's transaction.
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
	var service string
	if err := s.get(ctx, `SELECT COALESCE((SELECT service FROM requests WHERE id = ?), '')`, []any{m.RequestID}, &service); err != nil {
		return fmt.Errorf("count account %s: %w", event, err)
	}
	d := accountDims{m.Instansi, m.Unit, service, string(m.Kind)}
	if err := s.addInstansiAccount(ctx, m.TenantID, d, event, at, 1); err != nil {
		return fmt.Errorf("count account %s: %w", event, err)
	}
	return nil
}

// accountDims are what the accounts' counts per instansi group a mailbox by.
type accountDims struct{ instansi, unit, service, kind string }

// The spans of stat_instansi_accounts: an hour, a UTC day, a UTC month.
const (
	spanHour  = "h"
	spanDay   = "d"
	spanMonth = "m"
)

// spanStarts are the hours at which the hour, the UTC day and the UTC month of at begin.
func spanStarts(at time.Time) [3]int64 {
	h := at.Unix() / 3600
	u := at.UTC()
	month := time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, time.UTC).Unix() / 3600
	return [3]int64{h, h - h%24, month}
}

// addInstansiAccount adds n of an event at at to the counts per instansi, at each span.
func (s *Store) addInstansiAccount(ctx context.Context, tenantID int64, d accountDims, event string, at time.Time, n int) error {
	starts := spanStarts(at)
	for i, span := range []string{spanHour, spanDay, spanMonth} {
		_, err := s.exec(ctx, `INSERT INTO stat_instansi_accounts (tenant_id, span, start, instansi, unit, service, kind, event, n)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, span, start, instansi, unit, service, kind, event)
			DO UPDATE SET n = stat_instansi_accounts.n + excluded.n`, tenantID, span, starts[i], d.instansi, d.unit, d.service, d.kind, event, n)
		if err != nil {
			return err
		}
	}
	if n < 0 {
		_, err := s.exec(ctx, `DELETE FROM stat_instansi_accounts WHERE tenant_id = ? AND span IN ('h', 'd', 'm') AND start IN (?, ?, ?)
			AND instansi = ? AND unit = ? AND service = ? AND kind = ? AND event = ? AND n = 0`,
			tenantID, starts[0], starts[1], starts[2], d.instansi, d.unit, d.service, d.kind, event)
		return err
	}
	return nil
}

// mailboxMade is how a registry row was counted when it was made: its dimensions, its
// event (made or adopted) and when.
type mailboxMade struct {
	d     accountDims
	event string
	at    time.Time
}

// madeOf reads how mailbox id counts as made now.
func (s *Store) madeOf(ctx context.Context, id int64) (mailboxMade, error) {
	var m mailboxMade
	var source string
	err := s.get(ctx, `SELECT m.instansi, m.unit, COALESCE(r.service, ''), m.kind, m.source, m.created_at FROM registry m
		LEFT JOIN requests r ON r.id = m.request_id WHERE m.id = ?`, []any{id}, &m.d.instansi, &m.d.unit, &m.d.service, &m.d.kind, &source, &m.at)
	m.event = accountCreated
	if registry.Source(source) == registry.Adopted {
		m.event = accountAdopted
	}
	return m, err
}

// recountMade moves mailbox tenantID's made event in the counts per instansi from how
// it counted before a change (was) to how it counts now, when its instansi, unit, kind,
// request or source changed: the accounts per instansi are the registry's rows as they
// are, as a count over them would be. (Deactivations and reactivations stay where they
// happened, as the tenant's hourly counts keep them.)
func (s *Store) recountMade(ctx context.Context, tenantID, id int64, was mailboxMade) error {
	if ctx.Value(noAccountCounts{}) != nil {
		return nil
	}
	now, err := s.madeOf(ctx, id)
	if err != nil {
		return fmt.Errorf("recount mailbox %d: %w", id, err)
	}
	if now.d == was.d && now.event == was.event {
		return nil
	}
	if err := s.addInstansiAccount(ctx, tenantID, was.d, was.event, was.at, -1); err != nil {
		return fmt.Errorf("recount mailbox %d: %w", id, err)
	}
	if err := s.addInstansiAccount(ctx, tenantID, now.d, now.event, now.at, 1); err != nil {
		return fmt.Errorf("recount mailbox %d: %w", id, err)
	}
	return nil
}

// sent is how a request counts in stat_requests (migration 37): sent (submitted_at set)
// at, from an instansi, for a service, with a status now.
type sent struct {
	tenant                    int64
	instansi, service, status string
	at                        time.Time
	ok                        bool
}

// sentOf reads how request id counts now.
func (s *Store) sentOf(ctx context.Context, id int64) (sent, error) {
	var x sent
	var at sql.NullTime
	err := s.get(ctx, `SELECT tenant_id, instansi, service, status, submitted_at FROM requests WHERE id = ?`, []any{id},
		&x.tenant, &x.instansi, &x.service, &x.status, &at)
	x.at, x.ok = at.Time, at.Valid
	return x, err
}

// recounted runs write, a change of request id, and moves the request in the counts of
// requests sent from how it counted before to how it counts after, in one transaction.
func (s *Store) recounted(ctx context.Context, id int64, write func(ctx context.Context) error) error {
	return s.Tx(ctx, func(ctx context.Context) error {
		was, err := s.sentOf(ctx, id)
		if err != nil {
			return err
		}
		if err := write(ctx); err != nil {
			return err
		}
		now, err := s.sentOf(ctx, id)
		if err != nil || now == was {
			return err
		}
		if was.ok {
			if err := s.addSent(ctx, was, -1); err != nil {
				return err
			}
		}
		if now.ok {
			return s.addSent(ctx, now, 1)
		}
		return nil
	})
}

// addSent adds n of x to the counts of requests sent, at each span.
func (s *Store) addSent(ctx context.Context, x sent, n int) error {
	starts := spanStarts(x.at)
	for i, span := range []string{spanHour, spanDay, spanMonth} {
		_, err := s.exec(ctx, `INSERT INTO stat_requests (tenant_id, span, start, instansi, service, status, n) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, span, start, instansi, service, status) DO UPDATE SET n = stat_requests.n + excluded.n`,
			x.tenant, span, starts[i], x.instansi, x.service, x.status, n)
		if err != nil {
			return fmt.Errorf("count request: %w", err)
		}
	}
	if n < 0 {
		if _, err := s.exec(ctx, `DELETE FROM stat_requests WHERE tenant_id = ? AND span IN ('h', 'd', 'm') AND start IN (?, ?, ?)
			AND instansi = ? AND service = ? AND status = ? AND n = 0`, x.tenant, starts[0], starts[1], starts[2], x.instansi, x.service, x.status); err != nil {
			return fmt.Errorf("count request: %w", err)
		}
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

// StepCounts reads the counts of the period's steps: the tenant's (stat_steps), or one
// instansi's (stat_instansi_steps), for its first and last days, and the months in
// between from the monthly counts (stat_step_months).
func (s *Store) StepCounts(ctx context.Context, q report.Query) ([]report.StepCount, error) {
	daily, dailyWhere, whole, inst := "stat_steps", "", 1, ""
	if q.Instansi != "" {
		daily, dailyWhere, whole, inst = "stat_instansi_steps", " AND instansi = ?", 0, q.Instansi
	}
	var parts []string
	var args []any
	part := func(query string, a ...any) {
		if q.Service != "" {
			query, a = query+" AND service = ?", append(a, q.Service)
		}
		parts, args = append(parts, query), append(args, a...)
	}
	days, m1, m2 := monthsOf(q.FromDay, q.ToDay)
	for _, d := range days {
		a := []any{q.TenantID, d[0], d[1]}
		if inst != "" {
			a = append(a, inst)
		}
		part(`SELECT step_key, role, minutes, n, in_sla FROM `+daily+` WHERE tenant_id = ? AND day BETWEEN ? AND ?`+dailyWhere, a...)
	}
	if m1 <= m2 {
		part(`SELECT step_key, role, minutes, n, in_sla FROM stat_step_months WHERE tenant_id = ? AND whole = ? AND instansi = ? AND month BETWEEN ? AND ?`,
			q.TenantID, whole, inst, m1, m2)
	}
	rows, err := s.query(ctx, `SELECT step_key, role, minutes, SUM(n), SUM(in_sla) FROM (`+strings.Join(parts, " UNION ALL ")+`) x
		GROUP BY step_key, role, minutes HAVING SUM(n) > 0`, args...)
	if err != nil {
		return nil, fmt.Errorf("step counts: %w", err)
	}
	defer rows.Close()
	var out []report.StepCount
	for rows.Next() {
		var c report.StepCount
		if err := rows.Scan(&c.Key, &c.Role, &c.Minutes, &c.N, &c.InSLA); err != nil {
			return nil, fmt.Errorf("step counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// monthsOf splits the days from…to (sop.Date.Num, both included) into the whole months
// inside, m1…m2 (YYYYMM; none when m1 > m2), and the one or two ranges of days left.
func monthsOf(from, to int) (days [][2]int, m1, m2 int) {
	f, t := sop.DateOfNum(from), sop.DateOfNum(to)
	first := sop.Date{Year: f.Year, Month: f.Month, Day: 1}
	if f.Day != 1 {
		first = sop.DateOf(time.Date(f.Year, f.Month+1, 1, 12, 0, 0, 0, time.UTC))
	}
	last := sop.DateOf(time.Date(t.Year, t.Month+1, 0, 12, 0, 0, 0, time.UTC)) // t's month's last day
	if last != t {
		last = sop.DateOf(time.Date(t.Year, t.Month, 0, 12, 0, 0, 0, time.UTC))
	}
	if last.Before(first) {
		return [][2]int{{from, to}}, 1, 0
	}
	if f.Before(first) {
		days = append(days, [2]int{from, first.AddDays(-1).Num()})
	}
	if last.Before(t) {
		days = append(days, [2]int{last.AddDays(1).Num(), to})
	}
	return days, first.Num() / 100, last.Num() / 100
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
		if err := scanHourEvents(rows, add); err != nil {
			return nil, fmt.Errorf("account days: %w", err)
		}
	} else {
		// One instansi's hours: its days in the tenant's zone are whole hours of them.
		from, to := hours(q)
		where, args := "", []any{q.TenantID, q.Instansi, from, to}
		if q.Service != "" {
			where, args = " AND service = ?", append(args, q.Service)
		}
		rows, err := s.query(ctx, `SELECT start, event, SUM(n) FROM stat_instansi_accounts WHERE tenant_id = ? AND instansi = ? AND span = 'h'
			AND start >= ? AND start < ?`+where+` GROUP BY start, event`, args...)
		if err != nil {
			return nil, fmt.Errorf("account days: %w", err)
		}
		if err := scanHourEvents(rows, add); err != nil {
			return nil, fmt.Errorf("account days: %w", err)
		}
	}
	out := make([]report.DayCount, 0, len(days))
	for _, c := range days {
		out = append(out, *c)
	}
	return out, nil
}

// AccountsBefore counts the accounts made (or adopted, or reactivated) and those
// deactivated before the period.
func (s *Store) AccountsBefore(ctx context.Context, q report.Query) (in, out int64, err error) {
	from, _ := hours(q)
	var rows *sql.Rows
	if q.Instansi != "" {
		where, args := " AND instansi = ?", []any{q.Instansi}
		if q.Service != "" {
			where, args = where+" AND service = ?", append(args, q.Service)
		}
		spans, sargs := spansSQL("stat_instansi_accounts", "event, n", q.TenantID, 0, from, where, args)
		rows, err = s.query(ctx, `SELECT event, SUM(n) FROM (`+spans+`) x GROUP BY event`, sargs...)
	} else {
		where, args := "", []any{q.TenantID, from}
		if q.Service != "" {
			where, args = " AND service = ?", append(args, q.Service)
		}
		rows, err = s.query(ctx, `SELECT event, SUM(n) FROM stat_accounts WHERE tenant_id = ? AND hour < ?`+where+` GROUP BY event`, args...)
	}
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

// spansSQL is a query of cols from table (stat_instansi_accounts, stat_requests) over
// the hours [from, to) of a tenant, with where and its args added to each part: the
// whole UTC months inside, the whole UTC days inside the rest and the hours left at
// either end, one range of the primary key each, put together with UNION ALL (with OR,
// SQLite reads the tenant's every row instead); and its arguments.
func spansSQL(table, cols string, tenantID, from, to int64, where string, args []any) (string, []any) {
	var parts []string
	var out []any
	add := func(span string, lo, hi int64) {
		if lo < hi {
			parts = append(parts, `SELECT `+cols+` FROM `+table+` WHERE tenant_id = ? AND span = ? AND start >= ? AND start < ?`+where)
			out = append(append(out, tenantID, span, lo, hi), args...)
		}
	}
	dayUp := func(h int64) int64 { return (h + 23) / 24 * 24 }
	d1, d2 := dayUp(from), to/24*24
	if d1 >= d2 {
		add(spanHour, from, to)
	} else {
		add(spanHour, from, d1)
		add(spanHour, d2, to)
		month := func(h int64) int64 { return spanStarts(time.Unix(h*3600, 0))[2] }
		m1, m2 := month(d1), month(d2)
		if m1 < d1 {
			m1 = month(m1 + 24*32)
		}
		if m1 >= m2 {
			add(spanDay, d1, d2)
		} else {
			add(spanDay, d1, m1)
			add(spanDay, m2, d2)
			add(spanMonth, m1, m2)
		}
	}
	if len(parts) == 0 {
		return `SELECT ` + cols + ` FROM ` + table + ` WHERE 1 = 0`, nil
	}
	return strings.Join(parts, " UNION ALL "), out
}

// StatusCounts counts the requests sent in the period by service and status now, from
// the counts of requests sent (stat_requests).
func (s *Store) StatusCounts(ctx context.Context, q report.Query) ([]report.StatusCount, error) {
	from, to := hours(q)
	where, args := "", []any{}
	if q.Instansi != "" {
		where, args = where+" AND instansi = ?", append(args, q.Instansi)
	}
	if q.Service != "" {
		where, args = where+" AND service = ?", append(args, q.Service)
	}
	spans, sargs := spansSQL("stat_requests", "service, status, n", q.TenantID, from, to, where, args)
	rows, err := s.query(ctx, `SELECT service, status, SUM(n) FROM (`+spans+`) x GROUP BY service, status HAVING SUM(n) > 0`, sargs...)
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
	from, to := hours(q)
	where, args := " AND event IN ('created', 'adopted')", []any{}
	if q.Instansi != "" {
		where, args = where+" AND instansi = ?", append(args, q.Instansi)
	}
	if q.Service != "" {
		where, args = where+" AND service = ?", append(args, q.Service)
	}
	spans, sargs := spansSQL("stat_instansi_accounts", "instansi, unit, kind, n", q.TenantID, from, to, where, args)
	rows, err := s.query(ctx, `SELECT instansi, unit, kind, SUM(n) FROM (`+spans+`) x
		GROUP BY instansi, unit, kind HAVING SUM(n) > 0 ORDER BY SUM(n) DESC, instansi, unit, kind LIMIT ?`, append(sargs, limit)...)
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

// Outcomes reads the period's daily counts of returns (the correction rows, named by
// the step they returned from) and refusals per step and reason (stat_outcomes).
func (s *Store) Outcomes(ctx context.Context, q report.Query) ([]report.Outcome, error) {
	where, args := "", []any{q.TenantID, q.FromDay, q.ToDay}
	if q.Instansi != "" {
		where, args = where+" AND instansi = ?", append(args, q.Instansi)
	}
	if q.Service != "" {
		where, args = where+" AND service = ?", append(args, q.Service)
	}
	rows, err := s.query(ctx, `SELECT step_key, refusal, reason, SUM(n) FROM stat_outcomes WHERE tenant_id = ? AND day BETWEEN ? AND ?`+where+`
		GROUP BY step_key, refusal, reason HAVING SUM(n) > 0`, args...)
	if err != nil {
		return nil, fmt.Errorf("outcomes: %w", err)
	}
	defer rows.Close()
	var out []report.Outcome
	for rows.Next() {
		var o report.Outcome
		var refusal int
		if err := rows.Scan(&o.Key, &refusal, &o.Reason, &o.N); err != nil {
			return nil, fmt.Errorf("outcomes: %w", err)
		}
		o.Return = refusal == 0
		out = append(out, o)
	}
	return out, rows.Err()
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

// InstansiNames lists the instansi of the tenant's sent requests, the most frequent
// first, from the monthly counts of requests sent.
func (s *Store) InstansiNames(ctx context.Context, tenantID int64, limit int) ([]string, error) {
	rows, err := s.query(ctx, `SELECT instansi FROM stat_requests WHERE tenant_id = ? AND span = 'm' AND instansi <> '' GROUP BY instansi
		HAVING SUM(n) > 0 ORDER BY SUM(n) DESC, instansi LIMIT ?`, tenantID, limit)
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

// scanHourEvents reads rows of (hour since the epoch, event, count) into add, and closes
// them.
func scanHourEvents(rows *sql.Rows, add func(time.Time, string, int64)) error {
	defer rows.Close()
	for rows.Next() {
		var h, n int64
		var event string
		if err := rows.Scan(&h, &event, &n); err != nil {
			return err
		}
		add(time.Unix(h*3600, 0), event, n)
	}
	return rows.Err()
}
