package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/notify"
)

var _ notify.Store = (*Store)(nil)

// InsertMessage stores a rendered message in the outbox.
func (s *Store) InsertMessage(ctx context.Context, m *notify.Message) error {
	id, err := s.insert(ctx, `INSERT INTO outbox (tenant_id, to_addr, subject, body_text, body_html, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.TenantID, m.To, m.Subject, m.Text, m.HTML, m.Status, utc(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	m.ID = id
	return nil
}

const messageColumns = `o.id, o.tenant_id, o.to_addr, o.subject, o.body_text, o.body_html, o.status, o.created_at, o.sent_at,
	COALESCE((SELECT j.last_error FROM jobs j WHERE j.kind = 'mail' AND j.ref = o.id ORDER BY j.id DESC LIMIT 1), '')`

func scanMessage(row interface{ Scan(...any) error }) (notify.Message, error) {
	var m notify.Message
	var sent sql.NullTime
	err := row.Scan(&m.ID, &m.TenantID, &m.To, &m.Subject, &m.Text, &m.HTML, &m.Status, &m.CreatedAt, &sent, &m.Error)
	m.SentAt = timeOf(sent)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, err
}

// Message reads one outbox message.
func (s *Store) Message(ctx context.Context, id int64) (notify.Message, error) {
	m, err := scanMessage(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+messageColumns+` FROM outbox o WHERE o.id = ?`), id))
	if err == sql.ErrNoRows {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("message %d: %w", id, err)
	}
	return m, nil
}

// Messages lists the newest outbox messages, optionally only those to one address.
func (s *Store) Messages(ctx context.Context, to string, limit int) ([]notify.Message, error) {
	q := `SELECT ` + messageColumns + ` FROM outbox o`
	args := []any{}
	if to != "" {
		q += ` WHERE o.to_addr = ?`
		args = append(args, to)
	}
	q += ` ORDER BY o.id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	defer rows.Close()
	var out []notify.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetMessageStatus records the delivery state of a message.
func (s *Store) SetMessageStatus(ctx context.Context, id int64, status string, at time.Time) error {
	var sent any
	if status == notify.StatusSent {
		sent = utc(at)
	}
	if _, err := s.exec(ctx, `UPDATE outbox SET status = ?, sent_at = ? WHERE id = ?`, status, sent, id); err != nil {
		return fmt.Errorf("set message status: %w", err)
	}
	return nil
}

// PruneOutbox deletes mail sent before before, at most limit, and tells how many. Mail
// kept without SMTP, failed or pending stays: it is the only copy, or staff's to see.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status = 'sent' AND sent_at < ? LIMIT ?)`, utc(before), limit)
	if err != nil {
		return 0, fmt.Errorf("prune outbox: %w", err)
	}
	return res.RowsAffected()
}
