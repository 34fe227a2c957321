// Package store is surel's SQL adapter: it opens SQLite or PostgreSQL, applies the embedded
// migrations and runs the queries of every domain package. Queries are written once with
// "?" placeholders and rebound for PostgreSQL, so both engines run the same SQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite"
)

// Dialect names the SQL engine behind a Store.
type Dialect string

// The engines surel runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// The sentinel errors of every store method.
var (
	ErrNotFound = errs.ErrNotFound
	ErrConflict = errs.ErrConflict
)

// Store is the database of one deployment.
type Store struct {
	db      *sql.DB
	dialect Dialect
	stmts   stmtCache
	// writer is held by the one SQLite write (transaction or statement) of this process
	// under way; nil on PostgreSQL. SQLite lets one writer in at a time, and a writer
	// that finds the lock taken sleeps in its busy handler (1, 2, 5 … 100 ms) instead of
	// being woken when the lock is free: two logins finishing together made the second
	// wait milliseconds for nothing. Queued here, the next writer starts as soon as the
	// previous one ends. Other processes on the same file (the surel commands) still
	// meet the busy handler.
	writer chan struct{}
	// queueOf gives a job kind's queue (JobQueue).
	queueOf func(kind string) string
	// trips counts the statements sent through q and the batches of readAll (RoundTrips).
	trips atomic.Int64
}

// RoundTrips tells how many times this store has waited for the database: each
// statement of the store's queries, and each batch of reads sent together (readAll)
// once. A page's cost in round trips is a test's to check: on PostgreSQL each costs the
// server about as much CPU as a small query itself.
func (s *Store) RoundTrips() int64 { return s.trips.Load() }

// busyTimeout is how long a write waits for the one before it, as busy_timeout below.
const busyTimeout = 10 * time.Second

// lockWrite waits for this process's SQLite write lock; the returned func releases it.
// Inside a transaction (which holds it) and on PostgreSQL it does nothing.
func (s *Store) lockWrite(ctx context.Context) (unlock func(), err error) {
	if s.writer == nil {
		return func() {}, nil
	}
	if _, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return func() {}, nil
	}
	release := func() { <-s.writer }
	select {
	case s.writer <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(busyTimeout)
	defer t.Stop()
	select {
	case s.writer <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, fmt.Errorf("database busy: a write has waited %s for the one before it", busyTimeout)
	}
}

// Open connects to the database named by url ("sqlite:PATH" or "postgres://…") and
// applies pending migrations.
func Open(ctx context.Context, url string) (*Store, error) {
	s, err := open(url)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// OpenUnchecked connects without migrating or checking the schema, for reading where it
// stands (Migrations).
func OpenUnchecked(ctx context.Context, url string) (*Store, error) { return open(url) }

// ErrBehind is OpenCurrent's error for a schema that needs migrations first.
var ErrBehind = errors.New("the database schema is older than this build: run `surel migrate` first (or unset SUREL_MIGRATE=off)")

// OpenCurrent connects without migrating and refuses a schema older than this build,
// for deployments that run `surel migrate` before rolling out new processes (so an old
// process never meets a schema migrated under it by a new one starting beside it).
func OpenCurrent(ctx context.Context, url string) (*Store, error) {
	s, err := open(url)
	if err != nil {
		return nil, err
	}
	ms, err := s.Migrations(ctx)
	if err == nil && ms.Current < ms.Latest {
		err = fmt.Errorf("%w (schema at %d, this build needs %d)", ErrBehind, ms.Current, ms.Latest)
	}
	if err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func open(url string) (*Store, error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("open sqlite: %w", err)
			}
		}
		// WAL lets readers run beside the one writer; immediate transactions take the
		// write lock up front so two writers wait (busy_timeout) instead of failing
		// half-way with SQLITE_BUSY.
		dsn := "file:" + path + "?_txlock=immediate" +
			"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
			"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
			// A national roster import grows the WAL to ~350 MB; cap what stays on disk.
			"&_pragma=journal_size_limit(67108864)" +
			// 8 MiB of page cache per connection (the default is 2 MB) and reads through
			// a memory map: the back office reads a million requests' indexes. Not more:
			// after any write in WAL mode each reader connection empties its whole cache
			// when it next reads, under the page cache's one mutex (modernc's build), so
			// 8 connections of 64 MiB stalled every page for 300 – 500 ms once a minute
			// at a million mailboxes (bench/RESULTS-registry.md).
			"&_pragma=cache_size(-8192)&_pragma=mmap_size(268435456)"
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
		db.SetConnMaxIdleTime(0)
		return &Store{db: db, dialect: SQLite, writer: make(chan struct{}, 1)}, nil
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		db, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		return &Store{db: db, dialect: Postgres}, nil
	}
	return nil, fmt.Errorf("open: unsupported database URL (want sqlite:PATH or postgres://…)")
}

// SetMaxConns bounds this process's connections to PostgreSQL (SUREL_DB_MAX_CONNS): with
// several processes, their sum must stay under the server's max_connections, or go
// through PgBouncer (docs/deployment.md). Two of them are held apart for the leader's
// lock and the notifications' listener. SQLite keeps its own bound.
func (s *Store) SetMaxConns(n int) {
	if s.dialect != Postgres || n <= 0 {
		return
	}
	s.db.SetMaxOpenConns(n)
	s.db.SetMaxIdleConns(n)
}

// Close releases the prepared statements and the connections.
func (s *Store) Close() error {
	s.stmts.mu.Lock()
	for _, st := range s.stmts.m {
		st.Close()
	}
	s.stmts.m = nil
	s.stmts.mu.Unlock()
	return s.db.Close()
}

// Dialect tells which engine this store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the pool, for health checks and benchmarks that seed data in bulk.
func (s *Store) DB() *sql.DB { return s.db }

// Ping checks that the database answers, for /readyz.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// LockID is the number of a PostgreSQL advisory lock for purpose (the migrations, the
// leader of periodic work), bound to this database and schema: advisory locks are
// database-wide, so two deployments (or two tests) in different schemas of one database
// must not take the same number.
func (s *Store) LockID(ctx context.Context, purpose string) (int64, error) {
	var db, schema string
	if err := s.db.QueryRowContext(ctx, `SELECT current_database(), current_schema()`).Scan(&db, &schema); err != nil {
		return 0, fmt.Errorf("lock id: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("surel/" + purpose + "/" + db + "/" + schema))
	// Non-negative, so that pg_locks' two 32-bit halves read back as the same number.
	return int64(h.Sum64() >> 1), nil
}

type txKey struct{}

// Tx runs fn in one transaction: every store method called with the ctx it receives joins
// it, so a state change and the jobs it causes commit or roll back together. A nested Tx
// joins the outer one.
func (s *Store) Tx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return fn(ctx)
	}
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	counts := &inboxDeltas{}
	ctx = context.WithValue(context.WithValue(ctx, txKey{}, tx), inboxDeltasKey{}, counts)
	if err := fn(ctx); err != nil {
		tx.Rollback()
		return err
	}
	// The inbox's counters last, in key order (inbox_counts.go).
	if err := s.flushInboxCounts(ctx, counts); err != nil {
		tx.Rollback()
		return fmt.Errorf("inbox counts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) q(ctx context.Context) querier {
	s.trips.Add(1) // every caller sends one statement through what it gets
	tx, _ := ctx.Value(txKey{}).(*sql.Tx)
	if s.dialect == SQLite && tx == nil {
		// pgx keeps its own per-connection statement cache; SQLite would parse the SQL
		// text again on every call (7 % of a page's CPU in bench/RESULTS.md). Only
		// outside transactions: a statement prepared on another connection and moved
		// into an immediate transaction made concurrent writers fail with SQLITE_BUSY.
		return cached{s: s}
	}
	if tx != nil {
		return tx
	}
	return s.db
}

// stmtCache holds the prepared statements of the store's queries, by SQL text. The
// queries are a fixed set, but a few are assembled (an IN list per role count), so the
// cache stops growing at maxStmts and further texts are run unprepared.
type stmtCache struct {
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

const maxStmts = 512

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, bool, error) {
	c.mu.RLock()
	st, ok := c.m[query]
	n := len(c.m)
	c.mu.RUnlock()
	if ok {
		return st, true, nil
	}
	if n >= maxStmts {
		return nil, false, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok {
		st.Close()
		return old, true, nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st, true, nil
}

// cached runs queries outside a transaction through the statement cache.
type cached struct{ s *Store }

func (c cached) plain() querier { return c.s.db }

func (c cached) stmt(ctx context.Context, query string) *sql.Stmt {
	st, ok, err := c.s.stmts.get(ctx, c.s.db, query)
	if err != nil || !ok {
		return nil // run unprepared: the same error, if any, comes from there
	}
	return st
}

func (c cached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.plain().ExecContext(ctx, query, args...)
}

func (c cached) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.plain().QueryContext(ctx, query, args...)
}

func (c cached) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.plain().QueryRowContext(ctx, query, args...)
}

// errBadText refuses text that one engine would store and the other refuse (a NUL
// byte, bytes that are not UTF-8): the web layer cleans client input, so reaching it is
// a bug of a caller, answered as invalid input instead of PostgreSQL's internal error.
var errBadText = errs.New(errs.Invalid, "error.bad_text")

// checkText refuses an argument that is not storable text (input.Storable).
func checkText(args []any) error {
	for _, a := range args {
		if s, ok := a.(string); ok && !input.Storable(s) {
			return errBadText
		}
	}
	return nil
}

func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := checkText(args); err != nil {
		return nil, err
	}
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	res, err := s.q(ctx).ExecContext(ctx, s.rebind(query), args...)
	return res, s.mapErr(err)
}

func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := checkText(args); err != nil {
		return nil, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, s.rebind(query), args...)
	return rows, s.mapErr(err)
}

func (s *Store) get(ctx context.Context, query string, args []any, dest ...any) error {
	if err := checkText(args); err != nil {
		return err
	}
	err := s.q(ctx).QueryRowContext(ctx, s.rebind(query), args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return s.mapErr(err)
}

// insert runs an INSERT … RETURNING id and gives the new id.
func (s *Store) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := s.getWrite(ctx, query+" RETURNING id", args, &id)
	return id, err
}

// getWrite is get for a statement that writes and returns a row (… RETURNING).
func (s *Store) getWrite(ctx context.Context, query string, args []any, dest ...any) error {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return s.get(ctx, query, args, dest...)
}

// mapErr turns a unique-constraint violation of either engine into ErrConflict, keeping
// the driver's message for logs.
func (s *Store) mapErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") {
		return fmt.Errorf("%w: %s", ErrConflict, msg)
	}
	return err
}

// rebind turns "?" placeholders into PostgreSQL's "$n". Queries carry no literal "?".
func (s *Store) rebind(q string) string {
	if s.dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// utc normalises a time for storage: SQLite compares the stored text, which is only
// ordered when every value has the same zone.
func utc(t time.Time) time.Time { return t.UTC() }

// nullTime stores a zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// timeOf reads a nullable time column.
func timeOf(n sql.NullTime) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return n.Time.UTC()
}
