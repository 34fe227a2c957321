package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// The channels surel's processes tell each other on (PostgreSQL LISTEN/NOTIFY). A
// notification is sent in the transaction of the change it announces, so it arrives
// after the change is visible, and not at all when it rolls back.
const (
	// ChannelSOP carries a tenant id whose SOP or holiday table changed: caches of it
	// are stale (sop.Book).
	ChannelSOP = "surel_sop"
	// ChannelJobs carries a job kind that was queued: idle runners of that kind look
	// at once instead of at their next poll.
	ChannelJobs = "surel_jobs"
	// ChannelTenant carries a tenant id whose first-run settings changed (internal/setup):
	// the process rebuilds that tenant and its mail server.
	ChannelTenant = "surel_tenant"
)

// notify sends payload on channel within the caller's transaction (on PostgreSQL; SQLite
// has one process, which needs no telling).
func (s *Store) notify(ctx context.Context, channel, payload string) error {
	if s.dialect != Postgres {
		return nil
	}
	if _, err := s.exec(ctx, `SELECT pg_notify(?, ?)`, channel, payload); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// Notification is one message of Listen.
type Notification struct {
	Channel, Payload string
}

// Listen receives the notifications of channels until ctx ends, on a connection of its
// own, and hands each to fn. Whenever it (re)connects it calls fn with an empty
// Notification: notifications sent while it was not listening are lost, so whatever the
// caller caches must be forgotten then. On SQLite it returns at once, having called
// nothing.
func (s *Store) Listen(ctx context.Context, channels []string, fn func(Notification)) {
	if s.dialect != Postgres {
		return
	}
	wait := time.Second
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, channels, fn)
		if ctx.Err() != nil {
			return
		}
		// The database went away: the caller forgot its caches at connect, and will
		// again when the next connection is made.
		_ = err
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, channels []string, fn func(Notification)) error {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("listen: not a pgx connection: %T", dc)
		}
		pc := sc.Conn()
		for _, ch := range channels {
			if _, err := pc.Exec(ctx, `LISTEN `+quoteIdent(ch)); err != nil {
				return err
			}
		}
		fn(Notification{})
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				// The connection is in an unknown state: never reused.
				pc.Close(context.Background())
				return errors.Join(err, errBadListenConn)
			}
			fn(Notification{Channel: n.Channel, Payload: n.Payload})
		}
	})
}

var errBadListenConn = errors.New("listen connection closed")

// quoteIdent quotes a channel name for LISTEN, which takes an identifier, not a
// parameter. The names are the constants above.
func quoteIdent(s string) string { return `"` + s + `"` }
