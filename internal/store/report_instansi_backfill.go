package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// reportInstansiBackfillVersion is the goose version of the Go migration that fills
// migration 37's counts; migrations/00038_report_instansi_backfill.go holds the number.
const reportInstansiBackfillVersion = 38

// reportInstansiBackfill is migration 38: the counts per instansi of the steps, returns,
// refusals and accounts already there, read a batch of requests (or mailboxes) at a
// time and added up in Go, so that memory holds one batch's counts, not the history's.
// Its days are WIB's, as migration 22's are (the tenants' zones are not known here);
// steps end within working hours, which lie on the same day in WIB, WITA and WIT. Steps
// that ended before working times were kept are in bucket -1, as in stat_steps.
func (s *Store) reportInstansiBackfill() *goose.Migration {
	return goose.NewGoMigration(reportInstansiBackfillVersion,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			ctx = context.WithValue(ctx, txKey{}, tx)
			if err := s.backfillInstansiSteps(ctx); err != nil {
				return fmt.Errorf("report instansi backfill: %w", err)
			}
			// The monthly counts add up the daily ones, the tenant's and each instansi's.
			for _, q := range []string{`INSERT INTO stat_step_months (tenant_id, whole, instansi, month, service, step_key, role, minutes, n, in_sla)
				SELECT tenant_id, 1, '', day / 100, service, step_key, role, minutes, SUM(n), SUM(in_sla) FROM stat_steps
				GROUP BY tenant_id, day / 100, service, step_key, role, minutes`,
				`INSERT INTO stat_step_months (tenant_id, whole, instansi, month, service, step_key, role, minutes, n, in_sla)
				SELECT tenant_id, 0, instansi, day / 100, service, step_key, role, minutes, SUM(n), SUM(in_sla) FROM stat_instansi_steps
				GROUP BY tenant_id, instansi, day / 100, service, step_key, role, minutes`} {
				if _, err := s.exec(ctx, q); err != nil {
					return fmt.Errorf("report instansi backfill: %w", err)
				}
			}
			if err := s.backfillInstansiAccounts(ctx); err != nil {
				return fmt.Errorf("report instansi backfill: %w", err)
			}
			return nil
		}},
		&goose.GoFunc{Mode: goose.TransactionEnabled}) // down: 00037's drops
}

// backfillInstansiSteps counts each request's ended timed steps, its returns and
// refusals, the request itself when it closed with measured steps, and, when it was
// sent, its status.
func (s *Store) backfillInstansiSteps(ctx context.Context) error {
	type req struct {
		tenant                    int64
		instansi, service, status string
		closed, sent              sql.NullTime
		total, measured           int
		over                      bool
	}
	day := func(t time.Time) int { return sop.DateOf(t.In(backfillWIB)).Num() }
	for after := int64(0); ; {
		// The batch's requests, then their steps: each read ends before the writes.
		rows, err := s.query(ctx, `SELECT id, tenant_id, instansi, service, status, closed_at, submitted_at FROM requests WHERE id > ? ORDER BY id LIMIT ?`,
			after, 4*backfillBatch)
		if err != nil {
			return err
		}
		reqs := map[int64]*req{}
		last := after
		for rows.Next() {
			r := &req{}
			if err := rows.Scan(&last, &r.tenant, &r.instansi, &r.service, &r.status, &r.closed, &r.sent); err != nil {
				rows.Close()
				return err
			}
			reqs[last] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(reqs) == 0 {
			return nil
		}
		rows, err = s.query(ctx, `SELECT request_id, step_key, role, kind, status, started_at, finished_at, due_at IS NOT NULL,
			COALESCE(work_minutes, -1), sla, note FROM request_steps WHERE request_id > ? AND request_id <= ?`, after, last)
		if err != nil {
			return err
		}
		steps := map[[7]any][2]int64{}
		outcomes := map[[7]any]int64{}
		for rows.Next() {
			var id int64
			var key, role, kind, status, sla, note string
			var started time.Time
			var finished sql.NullTime
			var timed bool
			var work int
			if err := rows.Scan(&id, &key, &role, &kind, &status, &started, &finished, &timed, &work, &sla, &note); err != nil {
				rows.Close()
				return err
			}
			r := reqs[id]
			if r == nil {
				continue
			}
			if finished.Valid && timed {
				b := -1
				if work >= 0 {
					b = sop.WorkBucket(work)
					r.total, r.measured = r.total+work, r.measured+1
				}
				k := [7]any{r.tenant, r.instansi, day(finished.Time), r.service, key, role, b}
				c := steps[k]
				c[0]++
				if sla == sop.VerdictIn {
					c[1]++
				}
				steps[k] = c
			}
			r.over = r.over || sla == sop.VerdictOver
			switch {
			case kind == request.KindCorrection:
				outcomes[[7]any{r.tenant, day(started), r.instansi, r.service, key, 0, reportText(note)}]++
			case status == string(request.StepRefused) && finished.Valid:
				outcomes[[7]any{r.tenant, day(finished.Time), r.instansi, r.service, key, 1, reportText(note)}]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		sent := map[[6]any]int64{}
		for _, r := range reqs {
			if r.sent.Valid {
				for i, start := range spanStarts(r.sent.Time) {
					sent[[6]any{r.tenant, []string{spanHour, spanDay, spanMonth}[i], start, r.instansi, r.service, r.status}]++
				}
			}
			if !r.closed.Valid || r.measured == 0 {
				continue
			}
			k := [7]any{r.tenant, r.instansi, day(r.closed.Time), r.service, request.WholeSOP, "", sop.WorkBucket(r.total)}
			c := steps[k]
			c[0]++
			if !r.over {
				c[1]++
			}
			steps[k] = c
		}
		var stepRows, outcomeRows, sentRows [][]any
		for k, n := range sent {
			sentRows = append(sentRows, append(k[:], n))
		}
		if err := s.addCounts(ctx, "stat_requests", []string{"tenant_id", "span", "start", "instansi", "service", "status"}, []string{"n"}, sentRows); err != nil {
			return err
		}
		for k, c := range steps {
			stepRows = append(stepRows, append(k[:], c[0], c[1]))
		}
		for k, n := range outcomes {
			outcomeRows = append(outcomeRows, append(k[:], n))
		}
		if err := s.addCounts(ctx, "stat_instansi_steps", []string{"tenant_id", "instansi", "day", "service", "step_key", "role", "minutes"},
			[]string{"n", "in_sla"}, stepRows); err != nil {
			return err
		}
		if err := s.addCounts(ctx, "stat_outcomes", []string{"tenant_id", "day", "instansi", "service", "step_key", "refusal", "reason"},
			[]string{"n"}, outcomeRows); err != nil {
			return err
		}
		after = last
	}
}

// backfillInstansiAccounts counts the registry's mailboxes as made (or adopted) at
// their creation, and those no longer active as deactivated at their deactivation, as
// migration 22 counted them for the tenant.
func (s *Store) backfillInstansiAccounts(ctx context.Context) error {
	spans := []string{spanHour, spanDay, spanMonth}
	for after := int64(0); ; {
		rows, err := s.query(ctx, `SELECT m.id, m.tenant_id, m.instansi, m.unit, COALESCE(r.service, ''), m.kind, m.source, m.status,
			m.created_at, m.deactivated_at, m.updated_at FROM registry m LEFT JOIN requests r ON r.id = m.request_id
			WHERE m.id > ? ORDER BY m.id LIMIT ?`, after, 4*backfillBatch)
		if err != nil {
			return err
		}
		counts := map[[8]any]int64{}
		n := 0
		for rows.Next() {
			var tenant int64
			var d accountDims
			var source, status string
			var created, updated time.Time
			var deactivated sql.NullTime
			if err := rows.Scan(&after, &tenant, &d.instansi, &d.unit, &d.service, &d.kind, &source, &status, &created, &deactivated, &updated); err != nil {
				rows.Close()
				return err
			}
			count := func(event string, at time.Time) {
				for i, start := range spanStarts(at) {
					counts[[8]any{tenant, spans[i], start, d.instansi, d.unit, d.service, d.kind, event}]++
				}
			}
			event := accountCreated
			if registry.Source(source) == registry.Adopted {
				event = accountAdopted
			}
			count(event, created)
			if !live(registry.Status(status)) {
				count(accountDeactivated, goneAt(deactivated, updated))
			}
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		var out [][]any
		for k, c := range counts {
			out = append(out, append(k[:], c))
		}
		if err := s.addCounts(ctx, "stat_instansi_accounts", []string{"tenant_id", "span", "start", "instansi", "unit", "service", "kind", "event"},
			[]string{"n"}, out); err != nil {
			return err
		}
	}
}

// addCounts adds rows (the key's values, then the sums') to a counts table, a hundred
// rows a statement: each row's key is new to the table or its sums are added.
func (s *Store) addCounts(ctx context.Context, table string, key, sums []string, rows [][]any) error {
	cols := append(append([]string{}, key...), sums...)
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	set := make([]string, len(sums))
	for i, c := range sums {
		set[i] = c + " = " + table + "." + c + " + excluded." + c
	}
	for len(rows) > 0 {
		n := min(len(rows), 100)
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") +
			` ON CONFLICT (` + strings.Join(key, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
		if _, err := s.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}
