package store

import (
	"cmp"
	"context"
	"slices"
)

// The inbox's counts (migration 42, issue 15): inbox_counts holds, per tenant and role,
// how many steps run (neither finished nor paused), so the unfiltered inbox reads its
// total in one row instead of walking the role's running steps on every page. Every
// write that starts, ends, pauses or resumes a step (AddStep, FinishStep, PauseStep,
// ResumeStep, DeleteRequest: the only writes of request_steps' finished_at and
// paused_at) notes its change here, in its transaction.
//
// The changes are added to the table when the transaction commits (Tx), in the order of
// their keys: a step's end and the next one's start touch two roles' rows, and two
// requests moving between the same roles in opposite directions would otherwise lock
// them in opposite orders (a deadlock on PostgreSQL). A counter row is then also locked
// only for the commit's last statements, not for the whole transaction.

// inboxKey is one counter: a tenant's running steps of a role.
type inboxKey struct {
	tenantID int64
	role     string
}

// inboxDeltas are the changes to the counters a transaction has made so far.
type inboxDeltas struct{ m map[inboxKey]int64 }

type inboxDeltasKey struct{}

// countRunning notes that n steps of role in tenantID started running (n > 0) or stopped
// (n < 0), for the transaction of ctx to add when it commits; in a transaction not begun
// by Tx (a Go migration's), at once.
func (s *Store) countRunning(ctx context.Context, tenantID int64, role string, n int64) error {
	if d, ok := ctx.Value(inboxDeltasKey{}).(*inboxDeltas); ok {
		if d.m == nil {
			d.m = map[inboxKey]int64{}
		}
		d.m[inboxKey{tenantID, role}] += n
		return nil
	}
	return s.addInboxCount(ctx, inboxKey{tenantID, role}, n)
}

// flushInboxCounts adds a transaction's changes to the counters, in key order.
func (s *Store) flushInboxCounts(ctx context.Context, d *inboxDeltas) error {
	if len(d.m) == 0 {
		return nil
	}
	keys := make([]inboxKey, 0, len(d.m))
	for k, n := range d.m {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b inboxKey) int {
		return cmp.Or(cmp.Compare(a.tenantID, b.tenantID), cmp.Compare(a.role, b.role))
	})
	for _, k := range keys {
		if err := s.addInboxCount(ctx, k, d.m[k]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) addInboxCount(ctx context.Context, k inboxKey, n int64) error {
	_, err := s.exec(ctx, `INSERT INTO inbox_counts (tenant_id, role, n) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, role) DO UPDATE SET n = inbox_counts.n + excluded.n`, k.tenantID, k.role, n)
	return err
}

// inboxCountSQL is the unfiltered inbox's total for a tenant and some roles: the
// counters' sum, one row per role.
func inboxCountSQL(roles int) string {
	return `SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM inbox_counts WHERE tenant_id = ? AND role IN (?` + repeatPlaceholders(roles-1) + `)`
}

func repeatPlaceholders(n int) string {
	b := make([]byte, 0, 3*n)
	for range n {
		b = append(b, ", ?"...)
	}
	return string(b)
}

// inboxCount is one counter's value or change.
type inboxCount struct {
	tenantID int64
	role     string
	n        int64
}
