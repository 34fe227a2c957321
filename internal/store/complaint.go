package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/sop"
)

const complaintColumns = `c.id, c.tenant_id, c.number, COALESCE(c.user_id, 0), COALESCE(c.request_id, 0), COALESCE(r.number, ''), c.name, c.email, c.phone, c.lang,
	c.category, c.standard_days, c.subject, c.body, c.role, c.status, c.created_at, c.due_at, c.answered_at, COALESCE(c.answer_days, 0), c.closed_at,
	COALESCE(c.close_days, 0), COALESCE(c.closed_in_time, FALSE)`

const complaintFrom = ` FROM complaints c LEFT JOIN requests r ON r.id = c.request_id`

type rowScanner interface{ Scan(dest ...any) error }

func scanComplaint(sc rowScanner) (complaint.Complaint, error) {
	var c complaint.Complaint
	var answered, closed sql.NullTime
	var role, status string
	err := sc.Scan(&c.ID, &c.TenantID, &c.Number, &c.UserID, &c.RequestID, &c.RequestNumber, &c.Name, &c.Email, &c.Phone, &c.Lang,
		&c.Category, &c.StandardDays, &c.Subject, &c.Body, &role, &status, &c.CreatedAt, &c.Due, &answered, &c.AnswerDays, &closed,
		&c.CloseDays, &c.ClosedInTime)
	c.Role, c.Status = sop.Role(role), complaint.Status(status)
	c.CreatedAt, c.Due = c.CreatedAt.UTC(), c.Due.UTC()
	if answered.Valid {
		c.AnsweredAt = answered.Time.UTC()
	}
	if closed.Valid {
		c.ClosedAt = closed.Time.UTC()
	}
	return c, err
}

// CreateComplaint inserts c and sets its ID; ErrConflict when its number is taken.
func (s *Store) CreateComplaint(ctx context.Context, c *complaint.Complaint) error {
	id, err := s.insert(ctx, `INSERT INTO complaints (tenant_id, number, user_id, request_id, name, email, phone, lang, category, standard_days, subject, body,
		role, status, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.TenantID, c.Number, nullID(c.UserID), nullID(c.RequestID), c.Name, c.Email, c.Phone, c.Lang, c.Category, c.StandardDays, c.Subject, c.Body,
		string(c.Role), string(c.Status), utc(c.CreatedAt), utc(c.Due))
	if err != nil {
		return fmt.Errorf("create complaint: %w", err)
	}
	c.ID = id
	return nil
}

// Complaint is one complaint; ErrNotFound for none.
func (s *Store) Complaint(ctx context.Context, id int64) (complaint.Complaint, error) {
	c, err := scanComplaint(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+complaintColumns+complaintFrom+` WHERE c.id = ?`), id))
	return c, s.notFound(err, "complaint")
}

// ComplaintByNumber is a tenant's complaint by its tracking number; ErrNotFound for none.
func (s *Store) ComplaintByNumber(ctx context.Context, tenantID int64, number string) (complaint.Complaint, error) {
	if err := checkText([]any{number}); err != nil {
		return complaint.Complaint{}, err
	}
	c, err := scanComplaint(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+complaintColumns+complaintFrom+` WHERE c.tenant_id = ? AND c.number = ?`), tenantID, number))
	return c, s.notFound(err, "complaint by number")
}

func (s *Store) notFound(err error, op string) error {
	if err == sql.ErrNoRows {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, s.mapErr(err))
	}
	return nil
}

func (s *Store) complaints(ctx context.Context, op, where string, args ...any) ([]complaint.Complaint, error) {
	rows, err := s.query(ctx, `SELECT `+complaintColumns+complaintFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer rows.Close()
	var out []complaint.Complaint
	for rows.Next() {
		c, err := scanComplaint(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ComplaintsOfUser are a user's complaints in a tenant, newest first.
func (s *Store) ComplaintsOfUser(ctx context.Context, tenantID, userID int64) ([]complaint.Complaint, error) {
	return s.complaints(ctx, "complaints of user", `c.tenant_id = ? AND c.user_id = ? ORDER BY c.created_at DESC, c.id DESC`, tenantID, userID)
}

// ComplaintsFor are a tenant's complaints handled by one of roles (every one for nil),
// the open ones only unless all, soonest due first, at most limit.
func (s *Store) ComplaintsFor(ctx context.Context, tenantID int64, roles []sop.Role, all bool, limit int) ([]complaint.Complaint, error) {
	where := `c.tenant_id = ?`
	args := []any{tenantID}
	if !all {
		where += ` AND c.status <> ?`
		args = append(args, string(complaint.Closed))
	}
	if roles != nil {
		if len(roles) == 0 {
			return nil, nil
		}
		where += ` AND c.role IN (?` + strings.Repeat(", ?", len(roles)-1) + `)`
		for _, r := range roles {
			args = append(args, string(r))
		}
	}
	order := ` ORDER BY c.due_at, c.id LIMIT ?`
	if all {
		order = ` ORDER BY CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END, c.due_at, c.id LIMIT ?`
	}
	return s.complaints(ctx, "complaints for", where+order, append(args, limit)...)
}

// ComplaintsFiled are a tenant's complaints filed in [from, to), oldest first.
func (s *Store) ComplaintsFiled(ctx context.Context, tenantID int64, from, to time.Time) ([]complaint.Complaint, error) {
	return s.complaints(ctx, "complaints filed", `c.tenant_id = ? AND c.created_at >= ? AND c.created_at < ? ORDER BY c.created_at, c.id`,
		tenantID, utc(from), utc(to))
}

// AddComplaintEntry appends a line to a complaint's history.
func (s *Store) AddComplaintEntry(ctx context.Context, e *complaint.Entry) error {
	id, err := s.insert(ctx, `INSERT INTO complaint_entries (complaint_id, kind, body, from_role, to_role, actor_id, actor_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ComplaintID, string(e.Kind), e.Body, string(e.FromRole), string(e.ToRole), e.ActorID, e.ActorName, utc(e.At))
	if err != nil {
		return fmt.Errorf("add complaint entry: %w", err)
	}
	e.ID = id
	return nil
}

// ComplaintEntries is a complaint's history, oldest first.
func (s *Store) ComplaintEntries(ctx context.Context, complaintID int64) ([]complaint.Entry, error) {
	rows, err := s.query(ctx, `SELECT id, complaint_id, kind, body, from_role, to_role, actor_id, actor_name, created_at
		FROM complaint_entries WHERE complaint_id = ? ORDER BY id`, complaintID)
	if err != nil {
		return nil, fmt.Errorf("complaint entries: %w", err)
	}
	defer rows.Close()
	var out []complaint.Entry
	for rows.Next() {
		var e complaint.Entry
		var kind, from, to string
		if err := rows.Scan(&e.ID, &e.ComplaintID, &kind, &e.Body, &from, &to, &e.ActorID, &e.ActorName, &e.At); err != nil {
			return nil, fmt.Errorf("complaint entries: %w", err)
		}
		e.Kind, e.FromRole, e.ToRole, e.At = complaint.EntryKind(kind), sop.Role(from), sop.Role(to), e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// changed is ErrConflict when an update of an open complaint touched no row: it was
// closed meanwhile (or never existed).
func changed(res sql.Result, op string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, ErrConflict)
	}
	return nil
}

// AnswerComplaint marks an open complaint answered, keeping its first answer's time and
// working days; ErrConflict when it is closed.
func (s *Store) AnswerComplaint(ctx context.Context, id int64, at time.Time, days int) error {
	res, err := s.exec(ctx, `UPDATE complaints SET status = ?, answered_at = COALESCE(answered_at, ?), answer_days = COALESCE(answer_days, ?)
		WHERE id = ? AND status <> ?`, string(complaint.Answered), utc(at), days, id, string(complaint.Closed))
	if err != nil {
		return fmt.Errorf("answer complaint: %w", err)
	}
	return changed(res, "answer complaint")
}

// ForwardComplaint gives an open complaint to role; ErrConflict when it is closed.
func (s *Store) ForwardComplaint(ctx context.Context, id int64, role sop.Role) error {
	res, err := s.exec(ctx, `UPDATE complaints SET role = ? WHERE id = ? AND status <> ?`, string(role), id, string(complaint.Closed))
	if err != nil {
		return fmt.Errorf("forward complaint: %w", err)
	}
	return changed(res, "forward complaint")
}

// CloseComplaint closes an open complaint, setting its first answer when it had none;
// ErrConflict when it was closed already, so that of two closing at once one wins.
func (s *Store) CloseComplaint(ctx context.Context, id int64, at time.Time, answerDays, closeDays int, inTime bool) error {
	res, err := s.exec(ctx, `UPDATE complaints SET status = ?, answered_at = COALESCE(answered_at, ?), answer_days = COALESCE(answer_days, ?),
		closed_at = ?, close_days = ?, closed_in_time = ? WHERE id = ? AND status <> ?`,
		string(complaint.Closed), utc(at), answerDays, utc(at), closeDays, inTime, id, string(complaint.Closed))
	if err != nil {
		return fmt.Errorf("close complaint: %w", err)
	}
	return changed(res, "close complaint")
}
