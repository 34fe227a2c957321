package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// Lock is a PostgreSQL session advisory lock held on a connection of its own: the
// leadership of periodic work among the processes of one database. PostgreSQL releases
// it when the connection ends, so a process killed with -9, or cut off from the
// database, gives it up by itself and another takes it over. On SQLite, where one
// process serves the file, a Lock is always granted and holds nothing.
type Lock struct {
	conn *sql.Conn
	id   int64
}

// TryLock takes the lock for purpose if no other session holds it; nil (and no error)
// when one does.
func (s *Store) TryLock(ctx context.Context, purpose string) (*Lock, error) {
	if s.dialect != Postgres {
		return &Lock{}, nil
	}
	id, err := s.LockID(ctx, purpose)
	if err != nil {
		return nil, err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", purpose, err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, id).Scan(&ok); err != nil {
		conn.Close()
		return nil, fmt.Errorf("lock %s: %w", purpose, err)
	}
	if !ok {
		conn.Close()
		return nil, nil
	}
	return &Lock{conn: conn, id: id}, nil
}

// Check tells whether the lock is still held: its connection answers and still holds
// the lock. An error means it was lost (the connection broke, or the database
// restarted) and the holder must stop acting as its owner.
func (l *Lock) Check(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	var held bool
	err := l.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
		AND granted AND ((classid::bigint << 32) | objid::bigint) = $1)`, l.id).Scan(&held)
	if err != nil {
		return fmt.Errorf("lock check: %w", err)
	}
	if !held {
		return fmt.Errorf("lock check: lock %d no longer held", l.id)
	}
	return nil
}

// Release gives the lock up and returns its connection to the pool (or closes it when
// the lock cannot be released on it).
func (l *Lock) Release() {
	if l.conn == nil {
		return
	}
	ctx := context.Background()
	if _, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.id); err != nil {
		// A connection whose state is unknown must not go back to the pool holding a lock.
		l.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	l.conn.Close()
}
