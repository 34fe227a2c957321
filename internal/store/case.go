package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/workflow"
)

// CaseRecords reads the rows of a request's staff page (workflow.Engine.Case): the
// request, its applicant, files, history, credential, documents, its tenant's mail
// server capacity and audit trail. On PostgreSQL the eight queries go in one round trip
// (readAll); ErrNotFound when there is no such request.
func (s *Store) CaseRecords(ctx context.Context, id int64) (workflow.CaseRecords, error) {
	var c workflow.CaseRecords
	found, applicant := false, false
	err := s.readAll(ctx, []read{
		{`SELECT ` + requestColumns + ` FROM requests WHERE id = ?`, []any{id}, func(row rowScanner) (err error) {
			c.Request, err = scanRequest(row)
			found = true
			return err
		}},
		{`SELECT ` + userColumns + ` FROM users WHERE id = (SELECT user_id FROM requests WHERE id = ?)`, []any{id}, func(row rowScanner) (err error) {
			c.Applicant, err = scanUser(row)
			applicant = true
			return err
		}},
		{filesOfSQL, []any{id}, func(row rowScanner) error {
			f, err := scanFile(row)
			c.Files = append(c.Files, f)
			return err
		}},
		{stepsOfSQL, []any{id}, func(row rowScanner) error {
			st, err := scanStep(row)
			c.Steps = append(c.Steps, st)
			return err
		}},
		{credentialSQL, []any{id}, func(row rowScanner) error {
			cr, err := scanCredential(row)
			c.Credential = &cr
			return err
		}},
		{documentsOfSQL, []any{id}, func(row rowScanner) error {
			d, err := scanDocument(row)
			c.Documents = append(c.Documents, d)
			return err
		}},
		// The tenant's mail server capacity, which the page shows at some steps: cheaper
		// read always in the batch than alone after it.
		{`SELECT ` + capacityColumns + ` FROM capacity_snapshots WHERE tenant_id = (SELECT tenant_id FROM requests WHERE id = ?)`,
			[]any{id}, func(row rowScanner) error {
				cs, err := scanCapacity(row)
				c.Capacity = &cs
				return err
			}},
		{auditTrailSQL, []any{audit.Object("request", id)}, func(row rowScanner) error {
			e, err := scanAudit(row)
			c.Trail = append(c.Trail, e)
			return err
		}},
	})
	switch {
	case err != nil:
		return c, fmt.Errorf("case %d: %w", id, err)
	case !found:
		return c, ErrNotFound
	case !applicant:
		return c, fmt.Errorf("case %d: applicant %d: %w", id, c.Request.UserID, ErrNotFound)
	}
	return c, nil
}

// read is one query of readAll: its SQL ("?" placeholders), arguments, and what takes
// each of its rows.
type read struct {
	query string
	args  []any
	row   func(rowScanner) error
}

// readAll runs independent reads. On PostgreSQL, outside a transaction, they go as one
// pgx batch: sent together and answered together, one round trip instead of one each
// (a statement's round trip cost the server about as much CPU as a request page's
// small reads themselves, bench/RESULTS-backoffice.md). SQLite has no round trip to
// save: there they run one after another.
func (s *Store) readAll(ctx context.Context, reads []read) error {
	for _, r := range reads {
		if err := checkText(r.args); err != nil {
			return err
		}
	}
	if _, inTx := ctx.Value(txKey{}).(*sql.Tx); s.dialect != Postgres || inTx {
		for _, r := range reads {
			rows, err := s.query(ctx, r.query, r.args...)
			if err != nil {
				return err
			}
			if err := eachRow(rows, r.row); err != nil {
				return err
			}
		}
		return nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	s.trips.Add(1)
	return conn.Raw(func(dc any) error {
		b := &pgx.Batch{}
		for _, r := range reads {
			b.Queue(s.rebind(r.query), r.args...)
		}
		br := dc.(*stdlib.Conn).Conn().SendBatch(ctx, b)
		for _, r := range reads {
			rows, err := br.Query()
			if err == nil {
				err = eachRow(pgxRows{rows}, r.row)
			}
			if err != nil {
				br.Close()
				return err
			}
		}
		return br.Close()
	})
}

// rowsOf is what eachRow needs of database/sql's and pgx's rows.
type rowsOf interface {
	rowScanner
	Next() bool
	Err() error
	Close() error
}

// eachRow hands every row to fn and closes the rows.
func eachRow(rows rowsOf, fn func(rowScanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// pgxRows gives pgx's rows the Close of database/sql's.
type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}
