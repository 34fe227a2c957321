package sqlmail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/store"
)

// Owners records, in surel's own database (table mail_owners, migration 00012), who each
// mailbox was made for on a server that has no place for such a note (cPanel's UAPI),
// so a create repeated after a crash recognises its own mailbox instead of taking over a
// stranger's. The other drivers keep the mark on the server itself.
type Owners struct {
	db  *sql.DB
	pg  bool
	now func() time.Time
}

// NewOwners returns the owner records over db, whose schema store.Migrate has brought up
// to date; now is the clock (nil: time.Now).
func NewOwners(db *sql.DB, dialect store.Dialect, now func() time.Time) *Owners {
	if now == nil {
		now = time.Now
	}
	return &Owners{db: db, pg: dialect == store.Postgres, now: now}
}

func (o *Owners) rebind(q string) string { return (&Server{pg: o.pg}).rebind(q) }

// Claim records owner for address unless an owner is recorded already, and returns the
// owner recorded: owner itself, or whoever claimed the address first. One statement
// decides between concurrent claims.
func (o *Owners) Claim(ctx context.Context, address, owner string) (string, error) {
	if _, err := o.db.ExecContext(ctx, o.rebind(`INSERT INTO mail_owners (address, owner, created_at) VALUES (?, ?, ?)
		ON CONFLICT (address) DO NOTHING`), address, owner, o.now().UTC()); err != nil {
		return "", fmt.Errorf("sqlmail: claim %s: %w", address, err)
	}
	recorded, err := o.Owner(ctx, address)
	if err != nil {
		return "", err
	}
	return recorded, nil
}

// Owner returns the owner recorded for address, "" when none.
func (o *Owners) Owner(ctx context.Context, address string) (string, error) {
	var owner string
	err := o.db.QueryRowContext(ctx, o.rebind(`SELECT owner FROM mail_owners WHERE address = ?`), address).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlmail: owner of %s: %w", address, err)
	}
	return owner, nil
}

// Release forgets owner's claim on address (a create that lost the address to someone
// else on the server); another owner's claim stays.
func (o *Owners) Release(ctx context.Context, address, owner string) error {
	if _, err := o.db.ExecContext(ctx, o.rebind(`DELETE FROM mail_owners WHERE address = ? AND owner = ?`), address, owner); err != nil {
		return fmt.Errorf("sqlmail: release %s: %w", address, err)
	}
	return nil
}

// ReplaceStale forgets old's claim on address if it was recorded before before (a
// mailbox since deleted on the server: its row is stale) and claims address for owner
// instead, returning the owner then recorded, as Claim does.
func (o *Owners) ReplaceStale(ctx context.Context, address, old, owner string, before time.Time) (string, error) {
	if _, err := o.db.ExecContext(ctx, o.rebind(`DELETE FROM mail_owners WHERE address = ? AND owner = ? AND created_at < ?`),
		address, old, before.UTC()); err != nil {
		return "", fmt.Errorf("sqlmail: replace stale owner of %s: %w", address, err)
	}
	return o.Claim(ctx, address, owner)
}

// OwnersOf returns the owners recorded for the addresses that have one.
func (o *Owners) OwnersOf(ctx context.Context, addresses []string) (map[string]string, error) {
	out := map[string]string{}
	if len(addresses) == 0 {
		return out, nil
	}
	args := make([]any, len(addresses))
	for i, a := range addresses {
		args[i] = a
	}
	rows, err := o.db.QueryContext(ctx, o.rebind(`SELECT address, owner FROM mail_owners WHERE address IN (?`+
		strings.Repeat(", ?", len(addresses)-1)+`)`), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlmail: owners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, owner string
		if err := rows.Scan(&a, &owner); err != nil {
			return nil, fmt.Errorf("sqlmail: owners: %w", err)
		}
		out[a] = owner
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlmail: owners: %w", err)
	}
	return out, nil
}
