package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/pressly/goose/v3"
)

// The form values of a request (requests.vals, JSON) held the proposed mailbox a second
// time, under "proposed_address", and a staff amendment at the create step changed the
// column only. Migration 15 drops that copy: the column (requests.mailbox, migration
// 14) is the mailbox. It is written in Go because the two engines edit JSON with
// different functions, and rewrites the rows in batches by id so a national table is
// never held in memory at once.

// formMailboxKey is the key the form values kept the mailbox under.
const formMailboxKey = "proposed_address"

// valsBatch is how many requests one step of the rewrite reads.
const valsBatch = 1000

// mailboxOnce is migration 15.
func (s *Store) mailboxOnce() *goose.Migration {
	return goose.NewGoMigration(15,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			return s.rewriteVals(ctx, tx, func(vals map[string]string, _ string) bool {
				_, had := vals[formMailboxKey]
				delete(vals, formMailboxKey)
				return had
			})
		}},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			return s.rewriteVals(ctx, tx, func(vals map[string]string, mailbox string) bool {
				if mailbox == "" {
					return false
				}
				vals[formMailboxKey] = mailbox
				return true
			})
		}})
}

// rewriteVals passes every request's form values and mailbox to edit, and writes back
// the values edit changed (it reports whether it did).
func (s *Store) rewriteVals(ctx context.Context, tx *sql.Tx, edit func(vals map[string]string, mailbox string) bool) error {
	type row struct {
		id            int64
		vals, mailbox string
	}
	for after := int64(0); ; {
		rows, err := tx.QueryContext(ctx, s.rebind(`SELECT id, vals, mailbox FROM requests WHERE id > ? ORDER BY id LIMIT ?`), after, valsBatch)
		if err != nil {
			return fmt.Errorf("rewrite request values: %w", err)
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.vals, &r.mailbox); err != nil {
				rows.Close()
				return fmt.Errorf("rewrite request values: %w", err)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("rewrite request values: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, r := range batch {
			vals := map[string]string{}
			if err := json.Unmarshal([]byte(r.vals), &vals); err != nil {
				return fmt.Errorf("rewrite request values: request %d: %w", r.id, err)
			}
			if !edit(vals, r.mailbox) {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE requests SET vals = ? WHERE id = ?`), jsonText(vals), r.id); err != nil {
				return fmt.Errorf("rewrite request values: request %d: %w", r.id, err)
			}
		}
		after = batch[len(batch)-1].id
	}
}
