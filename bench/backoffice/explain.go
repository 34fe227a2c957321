package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// probe is one query the two pages run, with arguments from the seeded data: the
// inbox's as the store builds them (store.InboxSQL), the others as the store writes them
// (copied from internal/store: StepsOf in request.go, AuditTrail in audit.go, sqlmail's
// Capacity).
type probe struct {
	name string
	sql  string
	args []any
}

func (e *env) probes() []probe {
	s := e.shape
	if s.Registry > 0 {
		return e.registryProbes()
	}
	now := time.Now().UTC()
	var out []probe
	for _, v := range []struct {
		name string
		q    workflow.InboxQuery
	}{
		{"", workflow.InboxQuery{}},
		{" ?q=" + e.searches[0], workflow.InboxQuery{Search: e.searches[0]}},
		{" ?batas=over", workflow.InboxQuery{DueFrom: time.Unix(0, 0), DueTo: now}},
	} {
		q := v.q
		q.TenantID, q.Roles, q.Limit = s.Tenant, []string{string(sop.RoleKepalaSeksi)}, 25
		q.CountTo, q.Handover = 1000, true // as the page asks (web's inboxCountTo, a kepala_seksi)
		page, args, _, _ := store.InboxSQL(q)
		out = append(out, probe{"inbox count and page 1" + v.name, page, args})
	}
	id := s.running[len(s.running)/2]
	return append(out,
		probe{"request steps", `SELECT ` + stepCols + ` FROM request_steps WHERE request_id = ? ORDER BY seq`, []any{id}},
		probe{"audit trail", `SELECT id, tenant_id, seq, at, actor, actor_name, role, action, object, detail, ip, prev_hash, hash FROM audit_log WHERE object = ? ORDER BY tenant_id, seq`,
			[]any{fmt.Sprintf("request:%d", id)}},
		probe{"mail capacity (provision steps)", `SELECT (SELECT COUNT(*) FROM mail_domains WHERE domain = ?), COUNT(m.address), COALESCE(SUM(m.quota_bytes), 0), COALESCE(SUM(q.bytes), 0)
		FROM mailboxes m LEFT JOIN mail_quota q ON q.username = m.address WHERE m.domain = ?`, []any{s.Domain, s.Domain}})
}

// registryProbes are the registry page's queries as internal/store's registry.go writes
// them (Mailboxes, searchMailboxes, MailboxCounts, HandoverCount), with a cursor and
// searches of the seed.
func (e *env) registryProbes() []probe {
	s := e.shape
	q := s.registryQueries(e.opt.Seed)
	mid := s.regMailbox(s.Registry / 2)
	ids := `SELECT id FROM registry WHERE tenant_id = ? %s ORDER BY address LIMIT 51`
	page := func(where string) string {
		return `SELECT m.id, m.address, m.name, COALESCE(r.number, '') FROM (` + fmt.Sprintf(ids, where) + `) p JOIN registry m ON m.id = p.id
		LEFT JOIN requests r ON r.id = m.request_id ORDER BY m.address`
	}
	terms := `SELECT t.term, t.address, t.mailbox_id FROM registry_terms t WHERE t.tenant_id = ? AND t.term >= ? AND t.term < ? ORDER BY t.term, t.address LIMIT 51`
	words := registry.Fold(q.addresses[0])
	key, other := words[0], words[1:]
	for i, w := range words {
		if len(w) > len(key) {
			key, other = w, append(slices.Clone(words[:i]), words[i+1:]...)
		}
	}
	search := terms
	args := []any{s.Tenant, key, prefixEnd(key)}
	if len(other) > 0 {
		search = `SELECT t.term, t.address, t.mailbox_id FROM registry_terms t
		WHERE t.tenant_id = ? AND t.term >= ? AND t.term < ? AND t.search LIKE ? ORDER BY t.term, t.address LIMIT 51`
		args = append(args, "% "+other[0]+"%")
	}
	return []probe{
		{"first page", page(""), []any{s.Tenant}},
		{"next page (after the middle row)", page("AND address > ?"), []any{s.Tenant, mid.Address}},
		{"status filter nonaktif", page("AND status = ?"), []any{s.Tenant, string(registry.Inactive)}},
		{"search: name word " + q.names[0], terms, []any{s.Tenant, q.names[0], prefixEnd(q.names[0])}},
		{"search: NIP prefix " + q.nips[0], terms, []any{s.Tenant, q.nips[0], prefixEnd(q.nips[0])}},
		{"search: address prefix " + q.addresses[0], search, args},
		{"counts", `SELECT status, n FROM registry_counts WHERE tenant_id = ?`, []any{s.Tenant}},
		{"handover count", `SELECT COUNT(*) FROM registry WHERE tenant_id = ? AND handover <> ''`, []any{s.Tenant}},
	}
}

// prefixEnd is the upper end of a word's prefix range, as internal/store's prefixEnd
// makes it for the folded words of the seed (letters and digits, digits first).
func prefixEnd(p string) string {
	p = strings.TrimRight(p, "z")
	if p == "" {
		return "{"
	}
	switch c := p[len(p)-1]; c {
	case '9':
		return p[:len(p)-1] + "a"
	default:
		return p[:len(p)-1] + string(c+1)
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
