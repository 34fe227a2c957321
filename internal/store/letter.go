package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/letter"
)

var _ letter.Store = (*Store)(nil)

// NextLetterSeq takes the next number of a series with one upsert: the row is created at
// 1 or incremented, and its new value returned, in the caller's transaction.
func (s *Store) NextLetterSeq(ctx context.Context, tenantID int64, series string, period int) (int64, error) {
	var n int64
	err := s.getWrite(ctx, `INSERT INTO letter_counters (tenant_id, series, period, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (tenant_id, series, period) DO UPDATE SET last = letter_counters.last + 1 RETURNING last`,
		[]any{tenantID, series, period}, &n)
	if err != nil {
		return 0, fmt.Errorf("letter seq: %w", err)
	}
	return n, nil
}

const documentColumns = `id, tenant_id, kind, number, code, COALESCE(request_id, 0), issued_at, issued_by, title, subject, mailbox, facts, archived_at`

const documentsOfSQL = `SELECT ` + documentColumns + ` FROM documents WHERE request_id = ? ORDER BY id`

func scanDocument(row interface{ Scan(...any) error }, extra ...any) (letter.Document, error) {
	var d letter.Document
	var facts string
	var archived sql.NullTime
	dest := append([]any{&d.ID, &d.TenantID, &d.Kind, &d.Number, &d.Code, &d.RequestID, &d.IssuedAt, &d.IssuedBy, &d.Title,
		&d.Subject, &d.Mailbox, &facts, &archived}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return d, ErrNotFound
		}
		return d, err
	}
	d.IssuedAt, d.ArchivedAt = d.IssuedAt.UTC(), timeOf(archived)
	if err := json.Unmarshal([]byte(facts), &d.Facts); err != nil {
		return d, fmt.Errorf("document %d facts: %w", d.ID, err)
	}
	return d, nil
}

// AddDocument stores a new document; ErrConflict when its request has one of its kind,
// or its number or code is taken.
func (s *Store) AddDocument(ctx context.Context, d *letter.Document) error {
	var req, pdf any
	if d.RequestID != 0 {
		req = d.RequestID
	}
	if d.PDF != nil {
		pdf = d.PDF
	}
	facts := d.Facts
	if facts == nil {
		facts = []letter.Fact{}
	}
	id, err := s.insert(ctx, `INSERT INTO documents (tenant_id, kind, number, code, request_id, issued_at, issued_by, title, subject,
		mailbox, facts, pdf) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.TenantID, string(d.Kind), d.Number, d.Code, req, utc(d.IssuedAt), d.IssuedBy, d.Title, d.Subject, d.Mailbox, jsonText(facts), pdf)
	if err != nil {
		return fmt.Errorf("add document: %w", err)
	}
	d.ID = id
	return nil
}

// Document reads one document with its bytes.
func (s *Store) Document(ctx context.Context, id int64) (letter.Document, error) {
	var pdf []byte
	d, err := scanDocument(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+documentColumns+`, pdf FROM documents WHERE id = ?`), id), &pdf)
	if err != nil {
		return d, fmt.Errorf("document %d: %w", id, err)
	}
	d.PDF = pdf
	return d, nil
}

// DocumentOf reads a request's document of a kind, without its bytes.
func (s *Store) DocumentOf(ctx context.Context, requestID int64, kind letter.Kind) (letter.Document, error) {
	d, err := scanDocument(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+documentColumns+` FROM documents WHERE request_id = ? AND kind = ?`),
		requestID, string(kind)))
	if err != nil {
		return d, fmt.Errorf("document of request %d: %w", requestID, err)
	}
	return d, nil
}

// DocumentByCode reads the document carrying a verification code, without its bytes.
func (s *Store) DocumentByCode(ctx context.Context, code string) (letter.Document, error) {
	if err := checkText([]any{code}); err != nil {
		return letter.Document{}, err
	}
	d, err := scanDocument(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+documentColumns+` FROM documents WHERE code = ?`), code))
	if err != nil {
		return d, fmt.Errorf("document by code: %w", err)
	}
	return d, nil
}

// DocumentsOf lists a request's documents, oldest first, without their bytes.
func (s *Store) DocumentsOf(ctx context.Context, requestID int64) ([]letter.Document, error) {
	rows, err := s.query(ctx, documentsOfSQL, requestID)
	if err != nil {
		return nil, fmt.Errorf("documents of %d: %w", requestID, err)
	}
	defer rows.Close()
	var out []letter.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("documents of %d: %w", requestID, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ArchiveDocuments marks a request's documents as archived.
func (s *Store) ArchiveDocuments(ctx context.Context, requestID int64, at time.Time) error {
	if _, err := s.exec(ctx, `UPDATE documents SET archived_at = ? WHERE request_id = ? AND archived_at IS NULL`, utc(at), requestID); err != nil {
		return fmt.Errorf("archive documents of %d: %w", requestID, err)
	}
	return nil
}

// LatestDocument reads the newest document of a kind of a tenant that is not about a
// request (the printed service standard), with its bytes.
func (s *Store) LatestDocument(ctx context.Context, tenantID int64, kind letter.Kind) (letter.Document, error) {
	var pdf []byte
	d, err := scanDocument(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+documentColumns+`, pdf FROM documents
		WHERE tenant_id = ? AND kind = ? AND request_id IS NULL ORDER BY issued_at DESC, id DESC LIMIT 1`), tenantID, string(kind)), &pdf)
	if err != nil {
		return d, fmt.Errorf("latest document %s: %w", kind, err)
	}
	d.PDF = pdf
	return d, nil
}
