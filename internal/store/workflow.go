package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/workflow"
)

var _ workflow.Store = (*Store)(nil)

// Step reads one history row.
func (s *Store) Step(ctx context.Context, id int64) (request.Step, error) {
	st, err := scanStep(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+stepColumns+` FROM request_steps WHERE id = ?`), id))
	if err == sql.ErrNoRows {
		return st, ErrNotFound
	}
	if err != nil {
		return st, fmt.Errorf("step %d: %w", id, err)
	}
	return st, nil
}

func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FinishStep ends a running step; false if it had ended or been paused already.
func (s *Store) FinishStep(ctx context.Context, st request.Step) (bool, error) {
	ok, err := s.changeStep(ctx, -1, `UPDATE request_steps SET finished_at = ?, status = ?, sla = ?, actor = ?, actor_id = ?, note = ?,
		work_minutes = ? WHERE id = ? AND finished_at IS NULL AND paused_at IS NULL`,
		utc(st.FinishedAt), string(st.Status), st.SLA, st.Actor, st.ActorID, st.Note, workMinutes(st), st.ID)
	if err != nil {
		return false, fmt.Errorf("finish step: %w", err)
	}
	return ok, nil
}

// changeStep runs an UPDATE of one step that starts or stops its running (n is +1 or
// -1), and counts it for the inbox (inbox_counts.go) in the same transaction; false
// when the UPDATE matched no row.
func (s *Store) changeStep(ctx context.Context, n int64, query string, args ...any) (bool, error) {
	ok := false
	err := s.Tx(ctx, func(ctx context.Context) error {
		var tenantID int64
		var role string
		err := s.getWrite(ctx, query+` RETURNING tenant_id, role`, args, &tenantID, &role)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		return s.countRunning(ctx, tenantID, role, n)
	})
	return ok, err
}

// SetStepStatus changes a running step's status from one value to another.
func (s *Store) SetStepStatus(ctx context.Context, id int64, from, to request.StepStatus) (bool, error) {
	ok, err := affected(s.exec(ctx, `UPDATE request_steps SET status = ? WHERE id = ? AND status = ? AND finished_at IS NULL AND paused_at IS NULL`,
		string(to), id, string(from)))
	if err != nil {
		return false, fmt.Errorf("step status: %w", err)
	}
	return ok, nil
}

// SetStepNote sets a step's note.
func (s *Store) SetStepNote(ctx context.Context, id int64, note string) error {
	if _, err := s.exec(ctx, `UPDATE request_steps SET note = ? WHERE id = ?`, truncate(note, 1000), id); err != nil {
		return fmt.Errorf("step note: %w", err)
	}
	return nil
}

// PauseStep stops a running step's clock, writing its PausedAt and Status.
func (s *Store) PauseStep(ctx context.Context, st request.Step) (bool, error) {
	ok, err := s.changeStep(ctx, -1, `UPDATE request_steps SET paused_at = ?, status = ? WHERE id = ? AND finished_at IS NULL AND paused_at IS NULL`,
		utc(st.PausedAt), string(st.Status), st.ID)
	if err != nil {
		return false, fmt.Errorf("pause step: %w", err)
	}
	return ok, nil
}

// ResumeStep restarts a paused step's clock with its new Due and Status.
func (s *Store) ResumeStep(ctx context.Context, st request.Step) (bool, error) {
	ok, err := s.changeStep(ctx, 1, `UPDATE request_steps SET paused_at = NULL, due_at = ?, status = ?, paused_minutes = ?
		WHERE id = ? AND finished_at IS NULL AND paused_at IS NOT NULL`,
		nullTime(st.Due), string(st.Status), st.PausedMinutes, st.ID)
	if err != nil {
		return false, fmt.Errorf("resume step: %w", err)
	}
	return ok, nil
}

// UpdateRequest writes the fields the back office changes.
func (s *Store) UpdateRequest(ctx context.Context, r request.Request) error {
	err := s.recounted(ctx, r.ID, func(ctx context.Context) error {
		_, err := s.exec(ctx, `UPDATE requests SET status = ?, note = ?, mailbox = ?, updated_at = ?, closed_at = ? WHERE id = ?`,
			string(r.Status), r.Note, r.Mailbox, utc(r.UpdatedAt), nullTime(r.ClosedAt), r.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("update request: %w", err)
	}
	return nil
}

// Inbox lists the running steps of the given roles in a tenant, soonest due first, and
// how many there are in all, in one statement (InboxSQL).
func (s *Store) Inbox(ctx context.Context, q workflow.InboxQuery) (workflow.InboxPage, error) {
	var p workflow.InboxPage
	if len(q.Roles) == 0 {
		if q.Handover {
			n, err := s.HandoverCount(ctx, q.TenantID)
			p.Handover = n
			return p, err
		}
		return p, nil
	}
	page, args, count, countArgs := InboxSQL(q)
	rows, err := s.query(ctx, page, args...)
	if err != nil {
		return p, fmt.Errorf("inbox: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t workflow.Task
		var due sql.NullTime
		var flags string
		if err := rows.Scan(&p.Total, &p.Handover, &t.StepID, &t.RequestID, &t.Number, &t.StepName, &t.Role, &t.Kind, &t.StartedAt, &due,
			&t.Applicant, &t.Instansi, &t.Mailbox, &t.Domain, &flags, &t.RequestKind, &t.Status); err != nil {
			return p, fmt.Errorf("inbox: %w", err)
		}
		t.DueAt, t.StartedAt = timeOf(due), t.StartedAt.UTC()
		if flags != "[]" && flags != "" {
			t.Flags = strings.Count(flags, `"reason"`)
		}
		p.Tasks = append(p.Tasks, t)
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("inbox: %w", err)
	}
	if inboxFiltered(q) && q.CountTo > 0 && p.Total > q.CountTo {
		p.Total = q.CountTo // a page walked past CountTo (InboxSQL)
	}
	switch {
	case len(p.Tasks) > 0:
	case q.Offset > 0:
		// An empty page carries no counts: past the end (a stale link), they are read
		// alone.
		if err := s.get(ctx, count, countArgs, &p.Total, &p.Handover); err != nil {
			return p, fmt.Errorf("inbox count: %w", err)
		}
	case q.Handover:
		// The first page empty: nothing matches, but the handovers may wait.
		n, err := s.HandoverCount(ctx, q.TenantID)
		p.Handover = n
		return p, err
	}
	return p, nil
}

// inboxFiltered tells whether q keeps some of the running steps (a search, a due date,
// the failed ones): their total is counted row by row, the others' read from the
// counters.
func inboxFiltered(q workflow.InboxQuery) bool {
	return !q.DueTo.IsZero() || q.Failed || q.Search != ""
}

// InboxSQL is the statement of Inbox with its arguments: the page's rows, each with the
// total and the handover count (0 unless q.Handover); and those two alone, with their
// arguments, for an empty page (no rows to carry them).
//
// The unfiltered inbox's total is the counters' sum (inbox_counts.go): exact, one row
// per role. A search or a filter counts the matching running steps in the inbox index,
// stopping at CountTo. A search's matches (and the failed steps) lie scattered over the
// role's steps, so the page's walk would cover as much of the index as the count's:
// there the page is cut from the rows counted (kept aside, a MATERIALIZED common table
// on both engines), one walk for both. The running steps, and the search, come from the
// inbox index alone; requests and users are joined for the page's rows only
// (bench/RESULTS-backoffice.md). The benchmark prints their plans (bench/backoffice
// -explain).
func InboxSQL(q workflow.InboxQuery) (page string, args []any, count string, countArgs []any) {
	where := []string{"st.tenant_id = ?", "st.finished_at IS NULL", "st.paused_at IS NULL",
		"st.role IN (?" + repeatPlaceholders(len(q.Roles)-1) + ")"}
	filters := []any{q.TenantID}
	for _, r := range q.Roles {
		filters = append(filters, r)
	}
	if !q.DueTo.IsZero() {
		where = append(where, "st.due_at >= ?", "st.due_at < ?")
		filters = append(filters, utc(q.DueFrom), utc(q.DueTo))
	}
	if q.Failed {
		where = append(where, "st.status = ?")
		filters = append(filters, string(request.StepFailed))
	}
	if q.Search != "" {
		where = append(where, "st.search LIKE ?")
		filters = append(filters, "%"+strings.ToLower(strings.NewReplacer("%", "", "_", "").Replace(strings.TrimSpace(q.Search)))+"%")
	}
	steps := ` FROM request_steps st WHERE ` + strings.Join(where, " AND ")
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	total, totalArgs := inboxCountSQL(len(q.Roles)), filters // the whole inbox: the counters
	walk := ""
	if inboxFiltered(q) {
		total = `SELECT COUNT(*)` + steps
		if q.CountTo > 0 {
			// Counting stops at CountTo: the index walk is bounded, not the role's backlog.
			total = `SELECT COUNT(*) FROM (SELECT 1` + steps + ` LIMIT ` + strconv.Itoa(q.CountTo) + `) c`
			// The page's walk reaches the page's end even past CountTo (Inbox caps the total).
			walk = ` LIMIT ` + strconv.Itoa(max(q.CountTo, q.Offset+limit))
		}
	}
	handover, handoverArgs := `SELECT 0`, []any(nil)
	if q.Handover {
		handover, handoverArgs = handoverCountSQL, []any{q.TenantID}
	}
	count = `SELECT (` + total + `), (` + handover + `)`
	countArgs = append(slices.Clone(totalArgs), handoverArgs...)

	const cols = `st.id, st.request_id, COALESCE(r.number, ''), st.name, st.role, st.kind, st.started_at, st.due_at,
		CASE WHEN u.full_name <> '' THEN u.full_name ELSE u.first_name || ' ' || u.last_name END, u.instansi, r.mailbox, r.domain, r.flags, r.kind, st.status`
	const joins = ` JOIN request_steps st ON st.id = p.sid JOIN requests r ON r.id = st.request_id JOIN users u ON u.id = r.user_id`
	if q.Search == "" && !q.Failed {
		// The whole inbox, or a due date's steps, which lie together in the index: the
		// page's walk stops at its end, and walking twice cost less than keeping up to
		// CountTo rows aside (1.0 against 1.4 ms for the overdue filter of a role with
		// 2,000 tasks, issue 15).
		page = `SELECT (` + total + `), (` + handover + `), ` + cols + `
		FROM (SELECT st.id AS sid` + steps + ` ORDER BY st.due_at, st.id LIMIT ? OFFSET ?) p` + joins + `
		ORDER BY st.due_at, st.id`
		args = append(append(slices.Clone(countArgs), filters...), limit, q.Offset)
		return page, args, count, countArgs
	}
	page = `WITH m AS MATERIALIZED (SELECT st.id, st.due_at` + steps + ` ORDER BY st.due_at, st.id` + walk + `)
		SELECT (SELECT COUNT(*) FROM m), (` + handover + `), ` + cols + `
		FROM (SELECT id AS sid FROM m ORDER BY due_at, id LIMIT ? OFFSET ?) p` + joins + `
		ORDER BY st.due_at, st.id`
	args = append(append(slices.Clone(filters), handoverArgs...), limit, q.Offset)
	return page, args, count, countArgs
}

// PutCredential stores a sealed password unless the request has one already.
func (s *Store) PutCredential(ctx context.Context, c workflow.Credential) error {
	_, err := s.exec(ctx, `INSERT INTO request_credentials (request_id, address, sealed, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (request_id) DO NOTHING`, c.RequestID, c.Address, c.Sealed, utc(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("put credential: %w", err)
	}
	return nil
}

// Credential reads a request's credential row.
func (s *Store) Credential(ctx context.Context, requestID int64) (workflow.Credential, error) {
	c, err := scanCredential(s.q(ctx).QueryRowContext(ctx, s.rebind(credentialSQL), requestID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, s.mapErr(err)
}

const credentialSQL = `SELECT request_id, address, sealed, created_at, revealed_at, revealed_by FROM request_credentials WHERE request_id = ?`

func scanCredential(row interface{ Scan(...any) error }) (workflow.Credential, error) {
	var c workflow.Credential
	var rev sql.NullTime
	err := row.Scan(&c.RequestID, &c.Address, &c.Sealed, &c.CreatedAt, &rev, &c.RevealedBy)
	c.RevealedAt = timeOf(rev)
	return c, err
}

// RevealCredential erases the sealed password, once.
func (s *Store) RevealCredential(ctx context.Context, requestID int64, by string, at time.Time) (bool, error) {
	ok, err := affected(s.exec(ctx, `UPDATE request_credentials SET sealed = '', revealed_at = ?, revealed_by = ?
		WHERE request_id = ? AND revealed_at IS NULL`, utc(at), by, requestID))
	if err != nil {
		return false, fmt.Errorf("reveal credential: %w", err)
	}
	return ok, nil
}

// StaffWithRole lists the staff members holding a role in a tenant.
func (s *Store) StaffWithRole(ctx context.Context, tenantID int64, role string) ([]workflow.Recipient, error) {
	rows, err := s.query(ctx, `SELECT u.id, u.email, CASE WHEN u.full_name <> '' THEN u.full_name ELSE u.first_name || ' ' || u.last_name END, u.lang
		FROM staff_roles sr JOIN users u ON u.id = sr.user_id WHERE sr.tenant_id = ? AND sr.role = ? AND u.status = 'active' ORDER BY u.id`, tenantID, role)
	if err != nil {
		return nil, fmt.Errorf("staff with role: %w", err)
	}
	defer rows.Close()
	var out []workflow.Recipient
	for rows.Next() {
		var p workflow.Recipient
		if err := rows.Scan(&p.UserID, &p.Email, &p.Name, &p.Lang); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// StepsDue lists running steps needing a reminder (due before soon) or a breach notice
// (due before now), soonest first.
func (s *Store) StepsDue(ctx context.Context, now, soon time.Time, limit int) ([]request.Step, error) {
	rows, err := s.query(ctx, `SELECT `+stepColumns+` FROM request_steps WHERE finished_at IS NULL AND paused_at IS NULL AND breached_at IS NULL
		AND ((reminded_at IS NULL AND due_at <= ?) OR due_at <= ?) ORDER BY due_at LIMIT ?`, utc(soon), utc(now), limit)
	if err != nil {
		return nil, fmt.Errorf("steps due: %w", err)
	}
	defer rows.Close()
	var out []request.Step
	for rows.Next() {
		st, err := scanStep(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// MarkReminded records that a step's role was reminded; false when it had been (by
// another process's run: the reminder must not go twice).
func (s *Store) MarkReminded(ctx context.Context, stepID int64, at time.Time) (bool, error) {
	ok, err := affected(s.exec(ctx, `UPDATE request_steps SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL AND breached_at IS NULL`, utc(at), stepID))
	if err != nil {
		return false, fmt.Errorf("mark reminded: %w", err)
	}
	return ok, nil
}

// MarkBreached records that a step's breach was reported (a reminder is then moot);
// false when it had been.
func (s *Store) MarkBreached(ctx context.Context, stepID int64, at time.Time) (bool, error) {
	ok, err := affected(s.exec(ctx, `UPDATE request_steps SET breached_at = ?, reminded_at = COALESCE(reminded_at, ?) WHERE id = ? AND breached_at IS NULL`,
		utc(at), utc(at), stepID))
	if err != nil {
		return false, fmt.Errorf("mark breached: %w", err)
	}
	return ok, nil
}

// FileRequest writes when r entered the archive and when an archive step filed it, and
// its archive search words (migration 21): its number, mailbox, applicant's names and
// NIP (the form's, and the profile's), instansi and unit, lower-cased.
func (s *Store) FileRequest(ctx context.Context, r request.Request) error {
	_, err := s.exec(ctx, `UPDATE requests SET filed_at = ?, archived_at = ?, search = (
		SELECT LOWER(COALESCE(q.number, '') || ' ' || q.mailbox || '@' || q.domain || ' ' || u.full_name || ' ' || u.first_name || ' ' ||
			u.last_name || ' ' || ? || ' ' || u.nip || ' ' || q.instansi || ' ' || q.unit)
		FROM requests q JOIN users u ON u.id = q.user_id WHERE q.id = ?) WHERE id = ?`,
		nullTime(r.FiledAt), nullTime(r.ArchivedAt), r.Values["nip"], r.ID, r.ID)
	if err != nil {
		return fmt.Errorf("file request %d: %w", r.ID, err)
	}
	return nil
}

// ResealCredential replaces a request's sealed password if it is still old (not
// revealed, not replaced by another run); false if not.
func (s *Store) ResealCredential(ctx context.Context, requestID int64, old, sealed string) (bool, error) {
	ok, err := affected(s.exec(ctx, `UPDATE request_credentials SET sealed = ? WHERE request_id = ? AND sealed = ? AND sealed <> ''
		AND revealed_at IS NULL`, sealed, requestID, old))
	if err != nil {
		return false, fmt.Errorf("reseal credential: %w", err)
	}
	return ok, nil
}
