package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/surel-id/surel/internal/roster"
)

var _ roster.Importer = (*Store)(nil)

// How an import replaces one tenant's roster in the table all tenants share. The times
// are for 4.3 million rows on the 2-core benchmark machine; bench/RESULTS-roster.md has
// the runs, and the alternatives measured with the rows already in memory.
//
// One transaction deletes the tenant's rows and writes the new ones, so readers see the
// old roster or the new one, never a mix (WAL on SQLite and MVCC on PostgreSQL serve the
// old one until the commit), and an error leaves the old one in place. A generation
// column with a pointer flip, committing in chunks so that SQLite's checkpoint runs
// beside the writer, was not clearly faster (7.2–10.2 s against 8.7–9.0 s) and needs
// (tenant_id, generation, nip) as the key and a cleanup of old generations; a staging
// table writes every row twice.
//
// What makes it fast is the order: roster.Sort hands the rows over in NIP order, so
// both engines append to the primary-key index instead of inserting all over it. On
// SQLite the same rows in file order take 110 s, and an unindexed load followed by
// CREATE INDEX 12.7 s (and the index is the key of every tenant's rows); in NIP order,
// 9 s. Then:
//
//   - SQLite: one connection, BEGIN IMMEDIATE, multi-row INSERTs of rosterBatch rows
//     prepared once on the driver connection and fed by a goroutine that merges the
//     sorted runs, so that work runs beside SQLite's. When the tenant is alone in the
//     table the old rows go by SQLite's truncate optimisation rather than one by one.
//     The page cache stays as it is: appending needs only the right-hand edges of the
//     two B-trees (a 64 MiB cache measured no faster). The commit runs SQLite's
//     automatic checkpoint, about 1.3 s of the total; it is left in, as the server
//     would otherwise pay it on its next write.
//   - PostgreSQL: COPY through pgx into the table itself, after the DELETE, in one
//     transaction that first locks the tenant row, so two imports of one tenant run one
//     after the other.

// rosterBatch is the rows per INSERT statement (4 parameters each, well under SQLite's
// limit of 32 766); from a few hundred rows on, larger statements gain nothing.
const rosterBatch = 256

// ImportRoster replaces the roster of a tenant with the entries of src, in one
// transaction, and returns how many it wrote. If src fails (a *roster.FileError for a
// bad file) nothing changes. It is fastest when src is in NIP order (roster.Import
// sorts); a NIP twice gives ErrConflict. It runs its own transaction and cannot join
// one of Tx.
func (s *Store) ImportRoster(ctx context.Context, tenantID int64, src roster.Source) (int, error) {
	if _, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return 0, errors.New("import roster: cannot run inside a transaction")
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("import roster: %w", err)
	}
	defer conn.Close()
	var n int
	if s.dialect == Postgres {
		n, err = s.importRosterPostgres(ctx, conn, tenantID, src)
	} else {
		n, err = s.importRosterSQLite(ctx, conn, tenantID, src)
	}
	var fe *roster.FileError
	if err != nil && !errors.As(err, &fe) {
		return 0, fmt.Errorf("import roster: %w", s.mapErr(err))
	}
	return n, err
}

func (s *Store) importRosterSQLite(ctx context.Context, conn *sql.Conn, tenantID int64, src roster.Source) (n int, err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return 0, err
	}
	defer func() {
		if err == nil {
			return
		}
		if _, e := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); e != nil {
			// Never hand the pool a connection that may still be in the transaction.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	var one int
	if err := conn.QueryRowContext(ctx, "SELECT 1 FROM tenants WHERE id = ?", tenantID).Scan(&one); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("tenant %d: %w", tenantID, ErrNotFound)
		}
		return 0, err
	}
	var others bool
	err = conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM roster WHERE tenant_id < ?)
		OR EXISTS (SELECT 1 FROM roster WHERE tenant_id > ?)`, tenantID, tenantID).Scan(&others)
	if err != nil {
		return 0, err
	}
	if others {
		_, err = conn.ExecContext(ctx, "DELETE FROM roster WHERE tenant_id = ?", tenantID)
	} else {
		_, err = conn.ExecContext(ctx, "DELETE FROM roster") // truncate optimisation
	}
	if err != nil {
		return 0, err
	}
	if n, err = s.insertRosterSQLite(ctx, conn, tenantID, src); err != nil {
		return 0, err
	}
	if err := s.setRosterImport(ctx, conn, tenantID, n); err != nil {
		return 0, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return 0, err
	}
	return n, nil
}

// rosterRows is a batch of INSERT arguments on its way from the reading goroutine.
type rosterRows struct {
	args []driver.NamedValue
	n    int
}

// insertRosterSQLite writes the entries of src with prepared multi-row INSERTs on the
// driver connection (database/sql would copy every argument once more), while a
// goroutine reads src and fills the next batches.
func (s *Store) insertRosterSQLite(ctx context.Context, conn *sql.Conn, tenantID int64, src roster.Source) (int, error) {
	const params = 4
	full := make(chan *rosterRows, 4)
	free := make(chan *rosterRows, 6)
	for range cap(free) {
		b := &rosterRows{args: make([]driver.NamedValue, rosterBatch*params)}
		for i := range b.args {
			b.args[i].Ordinal = i + 1
		}
		free <- b
	}
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(full)
		for {
			var b *rosterRows
			select {
			case b = <-free:
			case <-stop:
				return
			}
			b.n = 0
			for b.n < rosterBatch {
				e, _, err := src.Next()
				if err != nil {
					if err != io.EOF {
						readErr = err
					}
					break
				}
				key, err := rosterKey(e)
				if err != nil {
					readErr = err
					break
				}
				a := b.args[b.n*params : b.n*params+params]
				a[0].Value, a[1].Value, a[2].Value, a[3].Value = key, e.Name, e.Instansi, e.Unit
				b.n++
			}
			if b.n > 0 && readErr == nil {
				select {
				case full <- b:
				case <-stop:
					return
				}
			}
			if b.n < rosterBatch {
				return
			}
		}
	}()
	defer func() {
		close(stop)
		for range full { // let the reader finish before src is closed
		}
	}()

	n := 0
	err := conn.Raw(func(dc any) error {
		prep := dc.(driver.ConnPrepareContext)
		var stmt driver.Stmt
		defer func() {
			if stmt != nil {
				stmt.Close()
			}
		}()
		for b := range full {
			if b.n < rosterBatch || stmt == nil {
				if stmt != nil {
					stmt.Close()
				}
				var err error
				if stmt, err = prep.PrepareContext(ctx, rosterInsert(tenantID, b.n)); err != nil {
					return err
				}
			}
			if _, err := stmt.(driver.StmtExecContext).ExecContext(ctx, b.args[:b.n*params]); err != nil {
				return err
			}
			n += b.n
			free <- b
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if readErr != nil {
		return 0, readErr
	}
	return n, nil
}

// rosterKey packs the NIP, status and active flag of an entry into one integer, as
// rosterInsert unpacks it: every bound value is a call into SQLite with its locks, and
// two fewer per row make the import a few percent faster. NIP·8 < 8·10¹⁸ < 2⁶³.
func rosterKey(e roster.Entry) (int64, error) {
	nip, ok := nipNumber(e.NIP)
	var code int64
	switch e.Status {
	case roster.PNS:
	case roster.PPPK:
		code = 1
	case roster.Honorer:
		code = 2
	default:
		ok = false
	}
	if !ok {
		return 0, fmt.Errorf("roster entry %q: bad NIP or status %q", e.NIP, e.Status)
	}
	if e.Active {
		code |= 4
	}
	return nip<<3 | code, nil
}

// rosterInsert is an INSERT of rows entries of 4 parameters each: the packed key (see
// rosterKey), name, instansi and unit. The tenant id is a number, written inline.
func rosterInsert(tenantID int64, rows int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `INSERT INTO roster (tenant_id, nip, name, instansi, unit, status, active)
		SELECT %d, column1 >> 3, column2, column3, column4,
			CASE column1 & 3 WHEN 1 THEN 'PPPK' WHEN 2 THEN 'honorer' ELSE 'PNS' END, (column1 >> 2) & 1
		FROM (VALUES `, tenantID)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?, ?, ?)")
	}
	b.WriteString(")")
	return b.String()
}

// setRosterImport records the size of the tenant's roster.
func (s *Store) setRosterImport(ctx context.Context, conn *sql.Conn, tenantID int64, n int) error {
	_, err := conn.ExecContext(ctx, s.rebind(`INSERT INTO roster_imports (tenant_id, entries) VALUES (?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET entries = excluded.entries`), tenantID, n)
	return err
}

func (s *Store) importRosterPostgres(ctx context.Context, conn *sql.Conn, tenantID int64, src roster.Source) (int, error) {
	var n int64
	err := conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE", tenantID).Scan(&one); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("tenant %d: %w", tenantID, ErrNotFound)
			}
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM roster WHERE tenant_id = $1", tenantID); err != nil {
			return err
		}
		cs := &copyRoster{src: src, tenantID: tenantID}
		n, err = tx.CopyFrom(ctx, pgx.Identifier{"roster"},
			[]string{"tenant_id", "nip", "name", "instansi", "unit", "status", "active"}, cs)
		if cs.err != nil {
			return cs.err // the source's own error, not pgx's wrapping of it
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO roster_imports (tenant_id, entries) VALUES ($1, $2)
			ON CONFLICT (tenant_id) DO UPDATE SET entries = excluded.entries`, tenantID, n); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	return int(n), err
}

// copyRoster feeds a roster source to COPY.
type copyRoster struct {
	src      roster.Source
	tenantID int64
	row      [7]any
	err      error
}

// Next, Values and Err are pgx.CopyFromSource.
func (c *copyRoster) Next() bool {
	e, _, err := c.src.Next()
	if err != nil {
		if err != io.EOF {
			c.err = err
		}
		return false
	}
	key, err := rosterKey(e) // checks the NIP and status
	if err != nil {
		c.err = err
		return false
	}
	c.row = [7]any{c.tenantID, key >> 3, e.Name, e.Instansi, e.Unit, string(e.Status), e.Active}
	return true
}

func (c *copyRoster) Values() ([]any, error) { return c.row[:], nil }
func (c *copyRoster) Err() error             { return c.err }

// RosterEntry finds the roster entry of a NIP, or ErrNotFound.
func (s *Store) RosterEntry(ctx context.Context, tenantID int64, nip string) (roster.Entry, error) {
	var e roster.Entry
	num, ok := nipNumber(nip)
	if !ok {
		return e, ErrNotFound
	}
	var status string
	err := s.get(ctx, `SELECT name, instansi, unit, status, active FROM roster WHERE tenant_id = ? AND nip = ?`,
		[]any{tenantID, num}, &e.Name, &e.Instansi, &e.Unit, &status, &e.Active)
	if err != nil {
		if err == ErrNotFound {
			return e, err
		}
		return e, fmt.Errorf("roster entry: %w", err)
	}
	e.NIP, e.Status = nip, roster.Status(status)
	return e, nil
}

// nipNumber is the number of an 18-digit NIP, as the roster stores it.
func nipNumber(nip string) (int64, bool) {
	if len(nip) != 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(nip); i++ {
		if nip[i] < '0' || nip[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(nip[i]-'0')
	}
	return n, true
}

// RosterCount is the number of entries in the tenant's roster, 0 when none is loaded.
func (s *Store) RosterCount(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.get(ctx, `SELECT entries FROM roster_imports WHERE tenant_id = ?`, []any{tenantID}, &n)
	if err == ErrNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("roster count: %w", err)
	}
	return n, nil
}
