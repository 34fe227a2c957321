package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/rostersync"
)

var _ rostersync.Store = (*Store)(nil)

// ImportRosterDiff is ImportRoster comparing the new roster with the one it replaces as
// it goes (roster.Diff): the old rows are read in NIP order, the primary key's, by one
// statement on another connection, whose snapshot is the roster before the import
// whatever the import has written but not committed (WAL on SQLite, MVCC on PostgreSQL),
// so the comparison costs one index scan beside the import, no second copy.
func (s *Store) ImportRosterDiff(ctx context.Context, tenantID int64, src roster.Source, emit func(roster.Change) error) (roster.Summary, error) {
	var old roster.Source
	n, err := s.RosterCount(ctx, tenantID)
	if err != nil {
		return roster.Summary{}, err
	}
	if n > 0 {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		rows, err := s.db.QueryContext(ctx, s.rebind(`SELECT nip, name, instansi, unit, status, active FROM roster WHERE tenant_id = ? ORDER BY nip`), tenantID)
		if err != nil {
			return roster.Summary{}, fmt.Errorf("roster diff: %w", err)
		}
		defer rows.Close()
		o := &oldRoster{rows: rows}
		// The first row fixes the statement's snapshot before the import writes.
		if o.has = rows.Next(); !o.has {
			if err := rows.Err(); err != nil {
				return roster.Summary{}, fmt.Errorf("roster diff: %w", err)
			}
		}
		old = o
	}
	d := roster.NewDiff(old, src, emit)
	if _, err := s.ImportRoster(ctx, tenantID, d); err != nil {
		return roster.Summary{}, err
	}
	return d.Summary(), nil
}

// oldRoster reads the roster before an import, in NIP order.
type oldRoster struct {
	rows *sql.Rows
	has  bool // rows is on a row not yet returned
}

func (o *oldRoster) Next() (roster.Entry, int, error) {
	if !o.has {
		if err := o.rows.Err(); err != nil {
			return roster.Entry{}, 0, err
		}
		return roster.Entry{}, 0, io.EOF
	}
	var e roster.Entry
	var nip int64
	var status string
	if err := o.rows.Scan(&nip, &e.Name, &e.Instansi, &e.Unit, &status, &e.Active); err != nil {
		return e, 0, err
	}
	e.NIP, e.Status = fmt.Sprintf("%018d", nip), roster.Status(status)
	o.has = o.rows.Next()
	return e, 0, nil
}

// changeBatch is the changes per INSERT (14 parameters each).
const changeBatch = 200

// SaveRosterRun records run and its changes, in the caller's transaction if any.
func (s *Store) SaveRosterRun(ctx context.Context, run *roster.Run, changes []roster.Change) error {
	return s.Tx(ctx, func(ctx context.Context) error {
		c := run.Summary.Counts
		id, err := s.insert(ctx, `INSERT INTO roster_runs (tenant_id, source, by_id, by_name, at, entries, previous, joined, left_roster, inactive,
			moved, restatus, kept) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, run.TenantID, run.Source, nullID(run.ByID), run.ByName, utc(run.At),
			run.Summary.Entries, run.Summary.Previous, c[roster.Joined], c[roster.Left], c[roster.Inactive], c[roster.Moved], c[roster.Restatus], len(changes))
		if err != nil {
			return fmt.Errorf("save roster run: %w", err)
		}
		run.ID, run.Kept = id, len(changes)
		for i := 0; i < len(changes); i += changeBatch {
			part := changes[i:min(i+changeBatch, len(changes))]
			var b strings.Builder
			b.WriteString(`INSERT INTO roster_changes (run_id, seq, tenant_id, nip, kind, name, old_instansi, old_unit, old_status, old_active,
				new_instansi, new_unit, new_status, new_active) VALUES `)
			args := make([]any, 0, len(part)*14)
			for j, ch := range part {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, id, i+j, run.TenantID, ch.NIP, string(ch.Kind), ch.Name(), ch.Old.Instansi, ch.Old.Unit, string(ch.Old.Status), ch.Old.Active,
					ch.New.Instansi, ch.New.Unit, string(ch.New.Status), ch.New.Active)
			}
			if _, err := s.exec(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("save roster changes: %w", err)
			}
		}
		return nil
	})
}

const rosterRunColumns = `id, tenant_id, source, COALESCE(by_id, 0), by_name, at, entries, previous, joined, left_roster, inactive, moved, restatus, kept, proposed_at`

func scanRosterRun(row interface{ Scan(...any) error }) (roster.Run, error) {
	var r roster.Run
	var joined, left, inactive, moved, restatus int
	var proposed sql.NullTime
	err := row.Scan(&r.ID, &r.TenantID, &r.Source, &r.ByID, &r.ByName, &r.At, &r.Summary.Entries, &r.Summary.Previous,
		&joined, &left, &inactive, &moved, &restatus, &r.Kept, &proposed)
	r.Summary.Counts = map[roster.ChangeKind]int{roster.Joined: joined, roster.Left: left, roster.Inactive: inactive, roster.Moved: moved, roster.Restatus: restatus}
	r.At, r.ProposedAt = r.At.UTC(), timeOf(proposed)
	return r, err
}

// RosterRuns lists a tenant's last runs, newest first.
func (s *Store) RosterRuns(ctx context.Context, tenantID int64, limit int) ([]roster.Run, error) {
	rows, err := s.query(ctx, `SELECT `+rosterRunColumns+` FROM roster_runs WHERE tenant_id = ? ORDER BY id DESC LIMIT ?`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("roster runs: %w", err)
	}
	defer rows.Close()
	var out []roster.Run
	for rows.Next() {
		r, err := scanRosterRun(rows)
		if err != nil {
			return nil, fmt.Errorf("roster runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RosterRun reads one run.
func (s *Store) RosterRun(ctx context.Context, id int64) (roster.Run, error) {
	r, err := scanRosterRun(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+rosterRunColumns+` FROM roster_runs WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("roster run %d: %w", id, err)
	}
	return r, nil
}

// proposingKinds are the change kinds that propose a deactivation, as SQL.
var proposingKinds = "('" + string(roster.Left) + "', '" + string(roster.Inactive) + "')"

// RosterChanges lists a run's kept changes, those that propose first, then by NIP.
func (s *Store) RosterChanges(ctx context.Context, runID int64, limit int) ([]roster.Change, error) {
	rows, err := s.query(ctx, `SELECT nip, kind, name, old_instansi, old_unit, old_status, old_active, new_instansi, new_unit, new_status, new_active
		FROM roster_changes WHERE run_id = ? ORDER BY CASE WHEN kind IN `+proposingKinds+` THEN 0 ELSE 1 END, nip LIMIT ?`, runID, limit)
	if err != nil {
		return nil, fmt.Errorf("roster changes: %w", err)
	}
	defer rows.Close()
	var out []roster.Change
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, fmt.Errorf("roster changes: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanChange(row interface{ Scan(...any) error }, more ...any) (roster.Change, error) {
	var c roster.Change
	var kind, name, os, ns string
	dest := append([]any{&c.NIP, &kind, &name, &c.Old.Instansi, &c.Old.Unit, &os, &c.Old.Active, &c.New.Instansi, &c.New.Unit, &ns, &c.New.Active}, more...)
	if err := row.Scan(dest...); err != nil {
		return c, err
	}
	c.Kind, c.Old.Status, c.New.Status = roster.ChangeKind(kind), roster.Status(os), roster.Status(ns)
	c.Old.NIP, c.New.NIP = c.NIP, c.NIP
	if ns != "" {
		c.New.Name = name
	} else {
		c.Old.Name = name
	}
	return c, nil
}

// RosterProposals lists the mailboxes, active or locked and still on the server, of the
// NIPs run found gone or inactive, by address.
func (s *Store) RosterProposals(ctx context.Context, run roster.Run) ([]rostersync.Proposal, error) {
	rows, err := s.query(ctx, `SELECT c.nip, c.kind, c.name, c.old_instansi, c.old_unit, c.old_status, c.old_active, c.new_instansi, c.new_unit, c.new_status, c.new_active, m.id
		FROM roster_changes c JOIN registry m ON m.tenant_id = c.tenant_id AND m.nip = c.nip
		WHERE c.run_id = ? AND c.kind IN `+proposingKinds+` AND m.status IN ('aktif', 'dikunci') AND m.gone_at IS NULL
		ORDER BY m.address`, run.ID)
	if err != nil {
		return nil, fmt.Errorf("roster proposals: %w", err)
	}
	var out []rostersync.Proposal
	var ids []int64
	for rows.Next() {
		var id int64
		c, err := scanChange(rows, &id)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("roster proposals: %w", err)
		}
		out = append(out, rostersync.Proposal{Change: c})
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("roster proposals: %w", err)
	}
	for i, id := range ids {
		if out[i].Mailbox, err = s.Mailbox(ctx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MarkRosterProposed marks a run's proposals made, once.
func (s *Store) MarkRosterProposed(ctx context.Context, runID int64, at time.Time) (bool, error) {
	res, err := s.exec(ctx, `UPDATE roster_runs SET proposed_at = ? WHERE id = ? AND proposed_at IS NULL`, utc(at), runID)
	if err != nil {
		return false, fmt.Errorf("mark roster run %d: %w", runID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
