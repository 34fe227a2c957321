package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

// probe is one query the two pages run, as the store writes it (copied from
// internal/store: Inbox in workflow.go, StepsOf in request.go, AuditTrail in audit.go,
// sqlmail's Capacity), with arguments from the seeded data.
type probe struct {
	name string
	sql  string
	args []any
}

func (e *env) probes() []probe {
	s := e.shape
	now := time.Now().UTC()
	from := ` FROM request_steps st JOIN requests r ON r.id = st.request_id JOIN users u ON u.id = r.user_id WHERE st.tenant_id = ? AND st.finished_at IS NULL AND st.paused_at IS NULL AND st.role IN (?)`
	list := `SELECT st.id, st.request_id, COALESCE(r.number, ''), st.name, st.role, st.kind, st.started_at, st.due_at,
		CASE WHEN u.full_name <> '' THEN u.full_name ELSE u.first_name || ' ' || u.last_name END, u.instansi, r.address, r.domain, r.flags, r.kind`
	search := ` AND (LOWER(r.number) LIKE ? OR r.address LIKE ? OR LOWER(u.full_name) LIKE ? OR LOWER(u.first_name || ' ' || u.last_name) LIKE ?)`
	over := ` AND st.due_at >= ? AND st.due_at < ?`
	base := []any{s.Tenant, string(sop.RoleKepalaSeksi)}
	like := "%" + e.searches[0] + "%"
	sargs := append(slices.Clone(base), like, like, like, like)
	oargs := append(slices.Clone(base), time.Unix(0, 0).UTC(), now)
	id := s.running[len(s.running)/2]
	return []probe{
		{"inbox count", `SELECT COUNT(*)` + from, base},
		{"inbox page 1", list + from + ` ORDER BY st.due_at, st.id LIMIT 25 OFFSET 0`, base},
		{"inbox count ?q=" + e.searches[0], `SELECT COUNT(*)` + from + search, sargs},
		{"inbox page 1 ?q=" + e.searches[0], list + from + search + ` ORDER BY st.due_at, st.id LIMIT 25 OFFSET 0`, sargs},
		{"inbox count ?batas=over", `SELECT COUNT(*)` + from + over, oargs},
		{"inbox page 1 ?batas=over", list + from + over + ` ORDER BY st.due_at, st.id LIMIT 25 OFFSET 0`, oargs},
		{"request steps", `SELECT ` + stepCols + ` FROM request_steps WHERE request_id = ? ORDER BY seq`, []any{id}},
		{"audit trail", `SELECT id, tenant_id, seq, at, actor, actor_name, role, action, object, detail, ip, prev_hash, hash FROM audit_log WHERE object = ? ORDER BY tenant_id, seq`,
			[]any{fmt.Sprintf("request:%d", id)}},
		{"mail capacity (provision steps)", `SELECT (SELECT COUNT(*) FROM mail_domains WHERE domain = ?), COUNT(m.address), COALESCE(SUM(m.quota_bytes), 0), COALESCE(SUM(q.bytes), 0)
		FROM mailboxes m LEFT JOIN mail_quota q ON q.username = m.address WHERE m.domain = ?`, []any{s.Domain, s.Domain}},
	}
}

const stepCols = `id, request_id, tenant_id, seq, step_key, name, role, kind, jabatan, actor, actor_id, started_at, due_at,
	finished_at, paused_at, status, sla, note`

// explain prints the plan and the median time (of 15 runs, after one) of every probe.
func (e *env) explain(ctx context.Context) (string, error) {
	db := e.app.Store.DB()
	d := e.app.Store.Dialect()
	var b strings.Builder
	fmt.Fprintf(&b, "query plans and single-query times (%s, median of 15):\n", d)
	for _, p := range e.probes() {
		q := rebind(d, p.sql)
		var times []time.Duration
		for i := range 16 {
			t0 := time.Now()
			rows, err := db.QueryContext(ctx, q, p.args...)
			if err != nil {
				return "", fmt.Errorf("%s: %w", p.name, err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if i > 0 {
				times = append(times, time.Since(t0))
			}
		}
		slices.Sort(times)
		fmt.Fprintf(&b, "\n%s: %s\n", p.name, ms(times[len(times)/2]))
		plan := "EXPLAIN QUERY PLAN " + q
		if d == store.Postgres {
			plan = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + q
		}
		rows, err := db.QueryContext(ctx, plan, p.args...)
		if err != nil {
			return "", fmt.Errorf("explain %s: %w", p.name, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			fmt.Fprintf(&b, "  %v\n", vals[len(vals)-1])
		}
		rows.Close()
	}
	return b.String(), nil
}
