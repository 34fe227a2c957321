package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/collective"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
)

var _ collective.Store = (*Store)(nil)

const collectiveColumns = `id, tenant_id, instansi, province, regency, letter_name, letter_original, letter_kind, letter_size, letter_sha256,
	file_name, created_by, created_by_name, created_at, updated_at`

func scanCollective(row interface{ Scan(...any) error }) (collective.Collective, error) {
	var c collective.Collective
	err := row.Scan(&c.ID, &c.TenantID, &c.Instansi, &c.Province, &c.Regency, &c.Letter.Name, &c.Letter.OriginalName, &c.Letter.Kind,
		&c.Letter.Size, &c.Letter.SHA256, &c.FileName, &c.CreatedBy, &c.CreatedByName, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.Letter.Field = request.ScanField.Name
	return c, err
}

// CreateCollective inserts a collective and sets its ID.
func (s *Store) CreateCollective(ctx context.Context, c *collective.Collective) error {
	id, err := s.insert(ctx, `INSERT INTO collectives (tenant_id, instansi, province, regency, letter_name, letter_original, letter_kind,
		letter_size, letter_sha256, file_name, created_by, created_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.TenantID, c.Instansi, c.Province, c.Regency, c.Letter.Name, c.Letter.OriginalName, c.Letter.Kind, c.Letter.Size, c.Letter.SHA256,
		c.FileName, c.CreatedBy, c.CreatedByName, utc(c.CreatedAt), utc(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create collective: %w", err)
	}
	c.ID = id
	return nil
}

// UpdateCollective writes a collective's OPD, region, letter, file name and time.
func (s *Store) UpdateCollective(ctx context.Context, c collective.Collective) error {
	_, err := s.exec(ctx, `UPDATE collectives SET instansi = ?, province = ?, regency = ?, letter_name = ?, letter_original = ?, letter_kind = ?,
		letter_size = ?, letter_sha256 = ?, file_name = ?, updated_at = ? WHERE id = ?`,
		c.Instansi, c.Province, c.Regency, c.Letter.Name, c.Letter.OriginalName, c.Letter.Kind, c.Letter.Size, c.Letter.SHA256, c.FileName,
		utc(c.UpdatedAt), c.ID)
	if err != nil {
		return fmt.Errorf("update collective %d: %w", c.ID, err)
	}
	return nil
}

// Collective reads one collective without its rows.
func (s *Store) Collective(ctx context.Context, id int64) (collective.Collective, error) {
	c, err := scanCollective(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+collectiveColumns+` FROM collectives WHERE id = ?`), id))
	if err == sql.ErrNoRows {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("collective %d: %w", id, err)
	}
	return c, nil
}

// Collectives lists a tenant's collectives, newest first.
func (s *Store) Collectives(ctx context.Context, tenantID int64, limit int) ([]collective.Collective, error) {
	rows, err := s.query(ctx, `SELECT `+collectiveColumns+` FROM collectives WHERE tenant_id = ? ORDER BY id DESC LIMIT ?`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("collectives: %w", err)
	}
	defer rows.Close()
	var out []collective.Collective
	for rows.Next() {
		c, err := scanCollective(rows)
		if err != nil {
			return nil, fmt.Errorf("collectives: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CollectiveRows reads a collective's rows by line with their requests' number, status
// and latest open step.
func (s *Store) CollectiveRows(ctx context.Context, id int64) ([]collective.Line, error) {
	rows, err := s.query(ctx, `SELECT cr.id, cr.line, cr.nip, cr.nama, cr.jabatan, cr.unit, cr.phone, cr.email, cr.mailbox, cr.proposed,
		cr.problems, COALESCE(cr.request_id, 0), cr.invited_at, COALESCE(r.number, ''), COALESCE(r.status, ''), COALESCE(r.mailbox, '')
		FROM collective_rows cr LEFT JOIN requests r ON r.id = cr.request_id WHERE cr.collective_id = ? ORDER BY cr.line, cr.id`, id)
	if err != nil {
		return nil, fmt.Errorf("collective rows: %w", err)
	}
	defer rows.Close()
	var out []collective.Line
	at := map[int64]int{}
	for rows.Next() {
		l := collective.Line{CollectiveID: id}
		var problems, status, mailbox string
		var invited sql.NullTime
		if err := rows.Scan(&l.ID, &l.Line, &l.NIP, &l.Nama, &l.Jabatan, &l.Unit, &l.Phone, &l.Email, &l.Mailbox, &l.Proposed,
			&problems, &l.RequestID, &invited, &l.RequestNumber, &status, &mailbox); err != nil {
			return nil, fmt.Errorf("collective rows: %w", err)
		}
		l.Status, l.InvitedAt = request.Status(status), timeOf(invited)
		if mailbox != "" {
			// The request's address is the one asked for now (the create step may amend it).
			l.Mailbox = mailbox
		}
		if problems != "" {
			if err := json.Unmarshal([]byte(problems), &l.Problems); err != nil {
				return nil, fmt.Errorf("collective row %d: %w", l.ID, err)
			}
			for i := range l.Problems {
				for j, a := range l.Problems[i].Args {
					// JSON gives numbers back as float64; the messages print them with %d.
					if f, ok := a.(float64); ok && f == float64(int64(f)) {
						l.Problems[i].Args[j] = int(f)
					}
				}
			}
		}
		if l.RequestID != 0 {
			at[l.RequestID] = len(out)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(at) == 0 {
		return out, nil
	}
	steps, err := s.query(ctx, `SELECT st.request_id, st.name, st.role, st.status FROM request_steps st
		JOIN collective_rows cr ON cr.request_id = st.request_id
		WHERE cr.collective_id = ? AND st.finished_at IS NULL ORDER BY st.request_id, st.seq`, id)
	if err != nil {
		return nil, fmt.Errorf("collective rows' steps: %w", err)
	}
	defer steps.Close()
	for steps.Next() {
		var rid int64
		var name, role, status string
		if err := steps.Scan(&rid, &name, &role, &status); err != nil {
			return nil, err
		}
		if i, ok := at[rid]; ok {
			out[i].Step, out[i].Role, out[i].StepState = name, role, request.StepStatus(status)
		}
	}
	return out, steps.Err()
}

// rowBatch is how many rows one INSERT writes.
const rowBatch = 200

// ReplaceOpenRows deletes a collective's rows not yet submitted and inserts rows, in
// batches.
func (s *Store) ReplaceOpenRows(ctx context.Context, id int64, rows []collective.Line) error {
	if _, err := s.exec(ctx, `DELETE FROM collective_rows WHERE collective_id = ? AND request_id IS NULL`, id); err != nil {
		return fmt.Errorf("replace collective rows: %w", err)
	}
	for start := 0; start < len(rows); start += rowBatch {
		batch := rows[start:min(start+rowBatch, len(rows))]
		var b strings.Builder
		b.WriteString(`INSERT INTO collective_rows (collective_id, line, nip, nama, jabatan, unit, phone, email, mailbox, proposed, problems) VALUES `)
		args := make([]any, 0, len(batch)*11)
		for i, l := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			p, err := problemsJSON(l.Problems)
			if err != nil {
				return err
			}
			args = append(args, id, l.Line, l.NIP, l.Nama, l.Jabatan, l.Unit, l.Phone, l.Email, l.Mailbox, l.Proposed, p)
		}
		if _, err := s.exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("replace collective rows: %w", err)
		}
	}
	return nil
}

func problemsJSON(p []collective.Problem) (string, error) {
	if len(p) == 0 {
		return "", nil
	}
	b, err := json.Marshal(p)
	return string(b), err
}

// SetRowRequest records the request a row became; false when it had one already.
func (s *Store) SetRowRequest(ctx context.Context, rowID, requestID int64) (bool, error) {
	res, err := s.exec(ctx, `UPDATE collective_rows SET request_id = ?, problems = '' WHERE id = ? AND request_id IS NULL`, requestID, rowID)
	if err != nil {
		return false, fmt.Errorf("set row request: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetRowProblems writes a row's problems and address.
func (s *Store) SetRowProblems(ctx context.Context, l collective.Line) error {
	p, err := problemsJSON(l.Problems)
	if err != nil {
		return err
	}
	if _, err := s.exec(ctx, `UPDATE collective_rows SET problems = ?, mailbox = ?, proposed = ? WHERE id = ? AND request_id IS NULL`,
		p, l.Mailbox, l.Proposed, l.ID); err != nil {
		return fmt.Errorf("set row problems: %w", err)
	}
	return nil
}

// MarkInvited records a row's claim invitation; false when it had been sent.
func (s *Store) MarkInvited(ctx context.Context, rowID int64, at time.Time) (bool, error) {
	res, err := s.exec(ctx, `UPDATE collective_rows SET invited_at = ? WHERE id = ? AND invited_at IS NULL`, utc(at), rowID)
	if err != nil {
		return false, fmt.Errorf("mark invited: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// The batch reads below repeat the predicate of the live-request unique index they
// read (requests_person_live, requests_mailbox_live: live status, not a service on an
// existing mailbox, a value given) word for word: only then do the planners of both
// engines know the partial index answers the query (SQLite's BusyPersons read went from
// 1.3 s to 0.04 s by it).

// liveIndexServices is the list of services the live-request unique indexes leave out,
// as the last migration that built them (36) writes it: the services on an existing
// mailbox, sop.LifecycleServices, and the purge ("hapus"). A service added to those must
// be added here and to a migration rebuilding the indexes (TestLiveIndexServices).
const liveIndexServices = `('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'serah_terima', 'hapus')`

// lookupChunk is how many values one IN list of the collective check's batch reads holds.
const lookupChunk = 500

// inList runs, for values, the query of the engine, args first in SQLite's (whose one %s
// stands for the placeholders of an IN list), the values first in PostgreSQL's (one
// text array), calling scan for each row. SQLite reads the values in chunks of
// lookupChunk placeholders. PostgreSQL's query is driven by the values: each is looked
// up by itself (an unnested array joined LATERAL to a query that ends in LIMIT 1, which
// the planner cannot turn into another join), one index probe a value whatever the
// statistics say. An IN list there is a filter the planner may apply to every row the
// other conditions leave, 500 comparisons a row, and it does so while the table has no
// statistics yet, as after a large import (bench/RESULTS-collective.md: 40 s of a
// 5,000-row list's 42).
func (s *Store) inList(ctx context.Context, sqliteQuery, pgQuery string, args []any, values []string, scan func(*sql.Rows) error) error {
	if len(values) == 0 {
		return nil
	}
	if s.dialect == Postgres {
		return s.scanRows(ctx, pgQuery, append([]any{values}, args...), scan)
	}
	for start := 0; start < len(values); start += lookupChunk {
		chunk := values[start:min(start+lookupChunk, len(values))]
		a := append([]any{}, args...)
		for _, v := range chunk {
			a = append(a, v)
		}
		if err := s.scanRows(ctx, fmt.Sprintf(sqliteQuery, strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")), a, scan); err != nil {
			return err
		}
	}
	return nil
}

// scanRows runs query and calls scan for each row.
func (s *Store) scanRows(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RosterEntries reads the roster entries of many NIPs at once, by NIP; a NIP not in the
// roster is absent.
func (s *Store) RosterEntries(ctx context.Context, tenantID int64, nips []string) (map[string]roster.Entry, error) {
	out := map[string]roster.Entry{}
	var nums []string
	for _, n := range nips {
		if num, ok := nipNumber(n); ok {
			nums = append(nums, strconv.FormatInt(num, 10))
		}
	}
	err := s.inList(ctx, `SELECT nip, name, instansi, unit, status, active FROM roster WHERE tenant_id = ? AND nip IN (%s)`,
		`SELECT e.nip, e.name, e.instansi, e.unit, e.status, e.active FROM unnest(CAST(? AS TEXT[])) AS v(x) CROSS JOIN LATERAL
		(SELECT nip, name, instansi, unit, status, active FROM roster WHERE tenant_id = ? AND nip = CAST(v.x AS BIGINT) LIMIT 1) e`, []any{tenantID}, nums,
		func(rows *sql.Rows) error {
			var e roster.Entry
			var num int64
			var status string
			if err := rows.Scan(&num, &e.Name, &e.Instansi, &e.Unit, &status, &e.Active); err != nil {
				return err
			}
			e.NIP, e.Status = fmt.Sprintf("%018d", num), roster.Status(status)
			out[e.NIP] = e
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("roster entries: %w", err)
	}
	return out, nil
}

// BusyPersons gives, of many person keys, those with a live request and its number.
func (s *Store) BusyPersons(ctx context.Context, tenantID int64, domain string, keys []string) (map[string]string, error) {
	out := map[string]string{}
	live := ` FROM requests WHERE tenant_id = ? AND domain = ? AND status IN ` + liveStatuses + ` AND service NOT IN ` + liveIndexServices
	err := s.inList(ctx, `SELECT person_key, COALESCE(number, '')`+live+` AND person_key <> '' AND person_key IN (%s)`,
		`SELECT v.x, r.number FROM unnest(CAST(? AS TEXT[])) AS v(x) CROSS JOIN LATERAL
		(SELECT COALESCE(number, '') AS number`+live+` AND person_key <> '' AND person_key = v.x LIMIT 1) r`,
		[]any{tenantID, domain}, keys, func(rows *sql.Rows) error {
			var k, n string
			if err := rows.Scan(&k, &n); err != nil {
				return err
			}
			out[k] = n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("busy persons: %w", err)
	}
	return out, nil
}

// TakenMailboxes gives, of many local parts, those a live request holds.
func (s *Store) TakenMailboxes(ctx context.Context, tenantID int64, domain string, locals []string) (map[string]bool, error) {
	out := map[string]bool{}
	live := ` FROM requests WHERE tenant_id = ? AND domain = ? AND status IN ` + liveStatuses + ` AND service NOT IN ` + liveIndexServices
	err := s.inList(ctx, `SELECT mailbox`+live+` AND mailbox <> '' AND mailbox IN (%s)`,
		`SELECT v.x FROM unnest(CAST(? AS TEXT[])) AS v(x) CROSS JOIN LATERAL (SELECT 1 AS one`+live+` AND mailbox <> '' AND mailbox = v.x LIMIT 1) r`,
		[]any{tenantID, domain}, locals, func(rows *sql.Rows) error {
			var m string
			if err := rows.Scan(&m); err != nil {
				return err
			}
			out[m] = true
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("taken mailboxes: %w", err)
	}
	return out, nil
}
