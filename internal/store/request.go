package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

var _ request.Store = (*Store)(nil)

const requestColumns = `id, tenant_id, user_id, COALESCE(number, ''), service, kind, status, person_key, domain, mailbox,
	vals, flags, note, COALESCE(resubmit_of, 0), channel, letter_ref, created_at, submitted_at, updated_at, closed_at, filed_at, archived_at`

func scanRequest(row interface{ Scan(...any) error }) (request.Request, error) {
	var r request.Request
	var vals, flags string
	var submitted, closed, filed, archived sql.NullTime
	err := row.Scan(&r.ID, &r.TenantID, &r.UserID, &r.Number, &r.Service, &r.Kind, &r.Status, &r.PersonKey, &r.Domain,
		&r.Mailbox, &vals, &flags, &r.Note, &r.ResubmitOf, &r.Channel, &r.LetterRef, &r.CreatedAt, &submitted, &r.UpdatedAt, &closed, &filed, &archived)
	if err != nil {
		return r, err
	}
	r.Values = map[string]string{}
	if err := json.Unmarshal([]byte(vals), &r.Values); err != nil {
		return r, fmt.Errorf("request %d values: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(flags), &r.Flags); err != nil {
		return r, fmt.Errorf("request %d flags: %w", r.ID, err)
	}
	r.SubmittedAt, r.ClosedAt, r.FiledAt, r.ArchivedAt = timeOf(submitted), timeOf(closed), timeOf(filed), timeOf(archived)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, nil
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings and flag slices always encode
	}
	return string(b)
}

// CreateRequest inserts a draft.
func (s *Store) CreateRequest(ctx context.Context, r *request.Request) error {
	if r.Flags == nil {
		r.Flags = []request.Flag{}
	}
	var resub any
	if r.ResubmitOf != 0 {
		resub = r.ResubmitOf
	}
	if r.Channel == "" {
		r.Channel = "portal"
	}
	id, err := s.insert(ctx, `INSERT INTO requests (tenant_id, user_id, service, kind, status, person_key, domain, mailbox, vals,
		flags, resubmit_of, channel, letter_ref, created_at, updated_at, instansi, unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.TenantID, r.UserID, r.Service, r.Kind, string(r.Status), r.PersonKey, r.Domain, r.Mailbox, jsonText(r.Values),
		jsonText(r.Flags), resub, r.Channel, r.LetterRef, utc(r.CreatedAt), utc(r.UpdatedAt), reportText(r.Instansi()), reportText(r.Unit()))
	if err != nil {
		return fmt.Errorf("create request: %w", err)
	}
	r.ID = id
	return nil
}

// reportText is an instansi or unit as the reports group it: its words single-spaced,
// so "Dinas  Kominfo " and "Dinas Kominfo" are one instansi.
func reportText(s string) string { return strings.Join(strings.Fields(s), " ") }

// SaveDraft stores the form values of a draft or returned request, and, of a draft, the
// report copies of its instansi and unit (migration 21). A returned request's copies
// change when it is sent again (SubmitRequest), with its counts per instansi
// (request.History.Reattribute): until then the reports count it where it was sent.
func (s *Store) SaveDraft(ctx context.Context, r request.Request) error {
	_, err := s.exec(ctx, `UPDATE requests SET vals = ?, person_key = ?, mailbox = ?, updated_at = ?,
		instansi = CASE WHEN submitted_at IS NULL THEN ? ELSE instansi END, unit = CASE WHEN submitted_at IS NULL THEN ? ELSE unit END WHERE id = ?`,
		jsonText(r.Values), r.PersonKey, r.Mailbox, utc(r.UpdatedAt), reportText(r.Instansi()), reportText(r.Unit()), r.ID)
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// SubmitRequest gives the request its number and live status, and the report copies of
// its instansi and unit as sent. A live request of the same person or mailbox makes it
// fail with ErrConflict.
func (s *Store) SubmitRequest(ctx context.Context, r *request.Request) error {
	if r.Number == "" {
		r.Number = fmt.Sprintf("SRL-%d-%06d", r.SubmittedAt.Year(), r.ID)
	}
	err := s.recounted(ctx, r.ID, func(ctx context.Context) error {
		_, err := s.exec(ctx, `UPDATE requests SET status = ?, number = ?, submitted_at = ?, updated_at = ?, flags = ?, note = ?, instansi = ?,
			unit = ? WHERE id = ?`, string(r.Status), r.Number, utc(r.SubmittedAt), utc(r.UpdatedAt), jsonText(nonNil(r.Flags)), r.Note,
			reportText(r.Instansi()), reportText(r.Unit()), r.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("submit request: %w", err)
	}
	return nil
}

func nonNil(f []request.Flag) []request.Flag {
	if f == nil {
		return []request.Flag{}
	}
	return f
}

// Request reads one request.
func (s *Store) Request(ctx context.Context, id int64) (request.Request, error) {
	r, err := scanRequest(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+requestColumns+` FROM requests WHERE id = ?`), id))
	if err == sql.ErrNoRows {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("request %d: %w", id, err)
	}
	return r, nil
}

// RequestsOf lists a user's requests, newest first.
func (s *Store) RequestsOf(ctx context.Context, userID int64) ([]request.Request, error) {
	out, err := s.requestRows(ctx, `SELECT `+requestColumns+` FROM requests WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("requests of %d: %w", userID, err)
	}
	return out, nil
}

// requestRows reads the requests a query selects (its columns requestColumns).
func (s *Store) requestRows(ctx context.Context, query string, args ...any) ([]request.Request, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []request.Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteRequest removes a request (a discarded draft) with its files' rows.
func (s *Store) DeleteRequest(ctx context.Context, id int64) error {
	err := s.Tx(ctx, func(ctx context.Context) error {
		// Its documents' bytes go to the sweep (sweep.go) with the rows that named them.
		if _, err := s.exec(ctx, `INSERT INTO file_sweep (name, due_at) SELECT name, ? FROM request_files WHERE request_id = ?
			ON CONFLICT (name) DO UPDATE SET due_at = excluded.due_at`, utc(time.Now()), id); err != nil {
			return err
		}
		// Its running steps go with it (ON DELETE CASCADE): out of the inbox's counts too.
		// A draft has none, but the counts must not depend on who calls this.
		rows, err := s.query(ctx, `SELECT tenant_id, role, COUNT(*) FROM request_steps WHERE request_id = ? AND finished_at IS NULL
			AND paused_at IS NULL GROUP BY tenant_id, role`, id)
		if err != nil {
			return err
		}
		var gone []inboxCount
		if err := eachRow(rows, func(row rowScanner) error {
			var c inboxCount
			err := row.Scan(&c.tenantID, &c.role, &c.n)
			gone = append(gone, c)
			return err
		}); err != nil {
			return err
		}
		for _, c := range gone {
			if err := s.countRunning(ctx, c.tenantID, c.role, -c.n); err != nil {
				return err
			}
		}
		_, err = s.exec(ctx, `DELETE FROM requests WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete request: %w", err)
	}
	return nil
}

var liveStatuses = func() string {
	var q []string
	for _, st := range request.Live {
		q = append(q, "'"+string(st)+"'")
	}
	return "(" + strings.Join(q, ", ") + ")"
}()

// lifecycleServices are the services on an existing mailbox (sop.LifecycleServices), as
// SQL: their requests hold no address and no person (migration 24).
var lifecycleServices = func() string {
	var q []string
	for _, s := range sop.LifecycleServices {
		q = append(q, "'"+s+"'")
	}
	return "(" + strings.Join(q, ", ") + ")"
}()

// MailboxTaken tells whether a live request (or account) other than except holds the
// mailbox local@domain.
func (s *Store) MailboxTaken(ctx context.Context, tenantID int64, domain, local string, except int64) (bool, error) {
	var n int
	err := s.get(ctx, `SELECT COUNT(*) FROM requests WHERE tenant_id = ? AND domain = ? AND mailbox = ? AND id <> ? AND service NOT IN `+lifecycleServices+` AND status IN `+liveStatuses,
		[]any{tenantID, domain, local, except}, &n)
	if err != nil {
		return false, fmt.Errorf("mailbox taken: %w", err)
	}
	return n > 0, nil
}

// RegisteredMailbox reads the tenant's registry for address as a mailbox on the server
// (not removed, not gone from it): whether it is there, its owner and NIP.
func (s *Store) RegisteredMailbox(ctx context.Context, tenantID int64, address string) (bool, int64, string, error) {
	var owner int64
	var nip string
	err := s.get(ctx, `SELECT COALESCE(owner_id, 0), nip FROM registry WHERE tenant_id = ? AND address = ? AND status <> 'dihapus'
		AND gone_at IS NULL`, []any{tenantID, address}, &owner, &nip)
	if errors.Is(err, ErrNotFound) {
		return false, 0, "", nil
	}
	if err != nil {
		return false, 0, "", fmt.Errorf("registered mailbox: %w", err)
	}
	return true, owner, nip, nil
}

// PersonBusy finds the live request of a person, if any.
func (s *Store) PersonBusy(ctx context.Context, tenantID int64, domain, personKey string) (request.Request, error) {
	if err := checkText([]any{domain, personKey}); err != nil {
		return request.Request{}, err
	}
	r, err := scanRequest(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+requestColumns+` FROM requests
		WHERE tenant_id = ? AND domain = ? AND person_key = ? AND service NOT IN `+lifecycleServices+` AND status IN `+liveStatuses), tenantID, domain, personKey))
	if err == sql.ErrNoRows {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("person busy: %w", err)
	}
	return r, nil
}

// AddFile records an attached document.
func (s *Store) AddFile(ctx context.Context, f *request.File) error {
	id, err := s.insert(ctx, `INSERT INTO request_files (request_id, field, name, original_name, kind, size, sha256, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, f.RequestID, f.Field, f.Name, f.OriginalName, f.Kind, f.Size, f.SHA256, utc(f.CreatedAt))
	if err != nil {
		return fmt.Errorf("add file: %w", err)
	}
	f.ID = id
	return nil
}

// FilesOf lists a request's documents.
func (s *Store) FilesOf(ctx context.Context, requestID int64) ([]request.File, error) {
	rows, err := s.query(ctx, filesOfSQL, requestID)
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	defer rows.Close()
	var out []request.File
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, fmt.Errorf("files: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

const filesOfSQL = `SELECT id, request_id, field, name, original_name, kind, size, sha256, created_at, purged_at
	FROM request_files WHERE request_id = ? ORDER BY id`

func scanFile(row interface{ Scan(...any) error }) (request.File, error) {
	var f request.File
	var purged sql.NullTime
	err := row.Scan(&f.ID, &f.RequestID, &f.Field, &f.Name, &f.OriginalName, &f.Kind, &f.Size, &f.SHA256, &f.CreatedAt, &purged)
	f.PurgedAt = timeOf(purged)
	return f, err
}

// DeleteFile removes a document's row.
func (s *Store) DeleteFile(ctx context.Context, id int64) error {
	err := s.Tx(ctx, func(ctx context.Context) error {
		// The bytes go to the sweep (sweep.go) with the row, so a crash before the
		// caller removes them leaves nothing behind.
		if _, err := s.exec(ctx, `INSERT INTO file_sweep (name, due_at) SELECT name, ? FROM request_files WHERE id = ?
			ON CONFLICT (name) DO UPDATE SET due_at = excluded.due_at`, utc(time.Now()), id); err != nil {
			return err
		}
		_, err := s.exec(ctx, `DELETE FROM request_files WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete file: %w", err)
	}
	return nil
}

// AddStep appends a history row; Seq follows the last. A running step (neither
// finished nor paused) is counted for the inbox (inbox_counts.go) in the same
// transaction.
func (s *Store) AddStep(ctx context.Context, st *request.Step) error {
	err := s.Tx(ctx, func(ctx context.Context) error {
		if st.Seq == 0 {
			if err := s.get(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM request_steps WHERE request_id = ?`, []any{st.RequestID}, &st.Seq); err != nil {
				return err
			}
		}
		// search is what the inbox finds the step by (migration 00009): the request's number
		// and mailbox and the applicant's names, as they are when the step starts.
		id, err := s.insert(ctx, `INSERT INTO request_steps (request_id, tenant_id, seq, step_key, name, role, kind, jabatan, actor, actor_id,
			started_at, due_at, finished_at, paused_at, status, sla, note, work_minutes, search) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			(SELECT LOWER(COALESCE(r.number, '') || ' ' || r.mailbox || ' ' || u.full_name || ' ' || u.first_name || ' ' || u.last_name)
			 FROM requests r JOIN users u ON u.id = r.user_id WHERE r.id = ?))`,
			st.RequestID, st.TenantID, st.Seq, st.Key, st.Name, st.Role, st.Kind, st.Jabatan, st.Actor, st.ActorID, utc(st.StartedAt),
			nullTime(st.Due), nullTime(st.FinishedAt), nullTime(st.PausedAt), string(st.Status), st.SLA, st.Note, workMinutes(*st), st.RequestID)
		if err != nil {
			return s.mapErr(err)
		}
		st.ID = id
		if st.FinishedAt.IsZero() && st.PausedAt.IsZero() {
			return s.countRunning(ctx, st.TenantID, st.Role, 1)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add step: %w", err)
	}
	return nil
}

const stepColumns = `id, request_id, tenant_id, seq, step_key, name, role, kind, jabatan, actor, actor_id, started_at, due_at,
	finished_at, paused_at, status, sla, note, COALESCE(work_minutes, -1), paused_minutes`

func scanStep(row interface{ Scan(...any) error }) (request.Step, error) {
	var st request.Step
	var due, fin, paused sql.NullTime
	err := row.Scan(&st.ID, &st.RequestID, &st.TenantID, &st.Seq, &st.Key, &st.Name, &st.Role, &st.Kind, &st.Jabatan, &st.Actor,
		&st.ActorID, &st.StartedAt, &due, &fin, &paused, &st.Status, &st.SLA, &st.Note, &st.WorkMinutes, &st.PausedMinutes)
	st.Due, st.FinishedAt, st.PausedAt, st.StartedAt = timeOf(due), timeOf(fin), timeOf(paused), st.StartedAt.UTC()
	return st, err
}

// workMinutes is a step's working time as stored: NULL while it is not measured.
func workMinutes(st request.Step) any {
	if st.WorkMinutes < 0 {
		return nil
	}
	return st.WorkMinutes
}

// CountStep adds one ended step (or closed request) to the reports' daily counts
// (migration 21), and to its instansi's (migration 37), with the service and instansi of
// its request, in the caller's transaction.
func (s *Store) CountStep(ctx context.Context, c request.StepCount) error {
	if err := s.addStepCount(ctx, c, nil, 1); err != nil {
		return fmt.Errorf("count step: %w", err)
	}
	return nil
}

// addStepCount adds n (1, or -1 to take one back) of c to the daily counts: to the
// tenant's and to those of its request's instansi, or, with instansi given, to that
// instansi's alone.
func (s *Store) addStepCount(ctx context.Context, c request.StepCount, instansi *string, n int) error {
	in := 0
	if c.InSLA {
		in = n
	}
	own, inst := ownInstansi(instansi)
	if own == 1 {
		_, err := s.exec(ctx, `INSERT INTO stat_steps (tenant_id, day, service, step_key, role, minutes, n, in_sla)
			SELECT ?, ?, service, ?, ?, ?, ?, ? FROM requests WHERE id = ?
			ON CONFLICT (tenant_id, day, service, step_key, role, minutes) DO UPDATE SET n = stat_steps.n + excluded.n, in_sla = stat_steps.in_sla + excluded.in_sla`,
			c.TenantID, c.Day, c.Key, c.Role, c.Minutes, n, in, c.RequestID)
		if err != nil {
			return err
		}
	}
	_, err := s.exec(ctx, `INSERT INTO stat_instansi_steps (tenant_id, instansi, day, service, step_key, role, minutes, n, in_sla)
		SELECT ?, CASE WHEN ? = 1 THEN instansi ELSE ? END, ?, service, ?, ?, ?, ?, ? FROM requests WHERE id = ?
		ON CONFLICT (tenant_id, instansi, day, service, step_key, role, minutes)
		DO UPDATE SET n = stat_instansi_steps.n + excluded.n, in_sla = stat_instansi_steps.in_sla + excluded.in_sla`,
		c.TenantID, own, inst, c.Day, c.Key, c.Role, c.Minutes, n, in, c.RequestID)
	if err != nil {
		return err
	}
	// The month's counts: the instansi's, and with the request's own the tenant's.
	for whole := 0; whole <= own; whole++ {
		_, err := s.exec(ctx, `INSERT INTO stat_step_months (tenant_id, whole, instansi, month, service, step_key, role, minutes, n, in_sla)
			SELECT ?, ?, CASE WHEN ? = 1 THEN '' WHEN ? = 1 THEN instansi ELSE ? END, ?, service, ?, ?, ?, ?, ? FROM requests WHERE id = ?
			ON CONFLICT (tenant_id, whole, instansi, month, service, step_key, role, minutes)
			DO UPDATE SET n = stat_step_months.n + excluded.n, in_sla = stat_step_months.in_sla + excluded.in_sla`,
			c.TenantID, whole, whole, own, inst, c.Day/100, c.Key, c.Role, c.Minutes, n, in, c.RequestID)
		if err != nil {
			return err
		}
	}
	return nil
}

// ownInstansi is 1 for nil (the request's own instansi, as its copy says) and 0 with
// the instansi given, for the counts' SQL.
func ownInstansi(instansi *string) (int, string) {
	if instansi == nil {
		return 1, ""
	}
	return 0, *instansi
}

// CountOutcome adds one return or refusal to the reports' daily counts of outcomes
// (migration 37), with the service and instansi of its request, in the caller's
// transaction.
func (s *Store) CountOutcome(ctx context.Context, c request.OutcomeCount) error {
	if err := s.addOutcome(ctx, c, nil, 1); err != nil {
		return fmt.Errorf("count outcome: %w", err)
	}
	return nil
}

// addOutcome adds n of c to the outcomes' counts, under its request's instansi or the
// one given.
func (s *Store) addOutcome(ctx context.Context, c request.OutcomeCount, instansi *string, n int) error {
	own, inst := ownInstansi(instansi)
	refusal := 0
	if c.Refusal {
		refusal = 1
	}
	_, err := s.exec(ctx, `INSERT INTO stat_outcomes (tenant_id, day, instansi, service, step_key, refusal, reason, n)
		SELECT ?, ?, CASE WHEN ? = 1 THEN instansi ELSE ? END, service, ?, ?, ?, ? FROM requests WHERE id = ?
		ON CONFLICT (tenant_id, day, instansi, service, step_key, refusal, reason) DO UPDATE SET n = stat_outcomes.n + excluded.n`,
		c.TenantID, c.Day, own, inst, c.Key, refusal, reportText(c.Reason), n, c.RequestID)
	return err
}

// MoveCounts moves a request's counts per instansi from the instansi of its report copy
// to to (its new instansi, before SubmitRequest writes it), in the caller's transaction;
// counts that reach zero are removed, so the tables hold only what was counted.
func (s *Store) MoveCounts(ctx context.Context, requestID int64, to string, steps []request.StepCount, outcomes []request.OutcomeCount) error {
	var from string
	if err := s.get(ctx, `SELECT instansi FROM requests WHERE id = ?`, []any{requestID}, &from); err != nil {
		return fmt.Errorf("move counts: %w", err)
	}
	to = reportText(to)
	if from == to {
		return nil
	}
	for _, c := range steps {
		if err := s.addStepCount(ctx, c, &from, -1); err != nil {
			return fmt.Errorf("move counts: %w", err)
		}
		if err := s.addStepCount(ctx, c, &to, 1); err != nil {
			return fmt.Errorf("move counts: %w", err)
		}
	}
	for _, c := range outcomes {
		if err := s.addOutcome(ctx, c, &from, -1); err != nil {
			return fmt.Errorf("move counts: %w", err)
		}
		if err := s.addOutcome(ctx, c, &to, 1); err != nil {
			return fmt.Errorf("move counts: %w", err)
		}
	}
	for _, t := range []string{"stat_instansi_steps", "stat_step_months", "stat_outcomes"} {
		if _, err := s.exec(ctx, `DELETE FROM `+t+` WHERE tenant_id = (SELECT tenant_id FROM requests WHERE id = ?) AND instansi = ? AND n = 0`,
			requestID, from); err != nil {
			return fmt.Errorf("move counts: %w", err)
		}
	}
	return nil
}

const stepsOfSQL = `SELECT ` + stepColumns + ` FROM request_steps WHERE request_id = ? ORDER BY seq`

// StepsOf lists a request's history in order.
func (s *Store) StepsOf(ctx context.Context, requestID int64) ([]request.Step, error) {
	rows, err := s.query(ctx, stepsOfSQL, requestID)
	if err != nil {
		return nil, fmt.Errorf("steps: %w", err)
	}
	defer rows.Close()
	var out []request.Step
	for rows.Next() {
		st, err := scanStep(rows)
		if err != nil {
			return nil, fmt.Errorf("steps: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// Notify stores an in-app notification.
func (s *Store) Notify(ctx context.Context, n request.Notification) error {
	_, err := s.exec(ctx, `INSERT INTO notifications (user_id, request_id, msg_key, arg, created_at) VALUES (?, ?, ?, ?, ?)`,
		n.UserID, n.RequestID, n.Key, n.Arg, utc(n.CreatedAt))
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// NotificationsOf lists a user's newest notifications.
func (s *Store) NotificationsOf(ctx context.Context, userID int64, limit int) ([]request.Notification, error) {
	rows, err := s.query(ctx, `SELECT id, user_id, request_id, msg_key, arg, created_at, read_at FROM notifications
		WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	defer rows.Close()
	var out []request.Notification
	for rows.Next() {
		var n request.Notification
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.UserID, &n.RequestID, &n.Key, &n.Arg, &n.CreatedAt, &read); err != nil {
			return nil, fmt.Errorf("notifications: %w", err)
		}
		n.ReadAt = timeOf(read)
		out = append(out, n)
	}
	return out, rows.Err()
}

// UnreadCount counts a user's unread notifications.
func (s *Store) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.get(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, []any{userID}, &n)
	if err != nil {
		return 0, fmt.Errorf("unread: %w", err)
	}
	return n, nil
}

// MarkRead marks all of a user's notifications read.
func (s *Store) MarkRead(ctx context.Context, userID int64) error {
	_, err := s.exec(ctx, `UPDATE notifications SET read_at = CURRENT_TIMESTAMP WHERE user_id = ? AND read_at IS NULL`, userID)
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	return nil
}
