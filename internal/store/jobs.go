package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/jobs"
)

var _ jobs.Store = (*Store)(nil)

// jobColumns are the columns scanJob reads, in order.
const jobColumns = `id, kind, queue, ref, status, attempts, claims, max_attempts, run_at, last_error, created_at, finished_at`

func scanJob(sc interface{ Scan(...any) error }) (jobs.Job, error) {
	var j jobs.Job
	var fin sql.NullTime
	err := sc.Scan(&j.ID, &j.Kind, &j.Queue, &j.Ref, &j.Status, &j.Attempts, &j.Claims, &j.MaxAttempts, &j.RunAt, &j.LastError, &j.CreatedAt, &fin)
	j.FinishedAt, j.RunAt, j.CreatedAt = timeOf(fin), j.RunAt.UTC(), j.CreatedAt.UTC()
	return j, err
}

// JobQueue sets the queue of each kind of job (jobs.Runner.QueueOf); unset, every job
// is queued under "". Set before the store is used.
func (s *Store) JobQueue(of func(kind string) string) { s.queueOf = of }

// EnqueueJob adds a queued job, in the caller's transaction, and tells the runners
// (ChannelJobs) when it commits.
func (s *Store) EnqueueJob(ctx context.Context, kind string, ref int64, maxAttempts int, runAt time.Time) (int64, error) {
	queue := ""
	if s.queueOf != nil {
		queue = s.queueOf(kind)
	}
	var id int64
	err := s.Tx(ctx, func(ctx context.Context) error {
		var err error
		id, err = s.insert(ctx, `INSERT INTO jobs (kind, queue, ref, status, max_attempts, run_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			kind, queue, ref, jobs.StatusQueued, maxAttempts, utc(runAt), utc(time.Now()))
		if err != nil || runAt.After(time.Now()) {
			return err
		}
		return s.notify(ctx, ChannelJobs, queue)
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue job: %w", err)
	}
	return id, nil
}

// ClaimJobs takes up to n due jobs of queue. The candidates come from the partial index
// of queued jobs in run_at order; on PostgreSQL FOR UPDATE SKIP LOCKED lets runners of
// several processes claim at once without waiting on (or taking) each other's rows.
// SQLite runs one writer at a time.
func (s *Store) ClaimJobs(ctx context.Context, queue, by string, now time.Time, lease time.Duration, n int) ([]jobs.Job, error) {
	now = utc(now)
	where, args := `status = 'queued' AND run_at <= ?`, []any{now.Add(lease), by, now}
	if queue != "" {
		where += ` AND queue = ?`
		args = append(args, queue)
	}
	args = append(args, n)
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []jobs.Job
	err := s.Tx(ctx, func(ctx context.Context) error {
		rows, err := s.query(ctx, `UPDATE jobs SET status = 'running', locked_until = ?, locked_by = ?, claims = claims + 1
			WHERE id IN (SELECT id FROM jobs WHERE `+where+` ORDER BY run_at LIMIT ?`+lock+`)
			RETURNING `+jobColumns, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	return out, nil
}

// ExtendLeases renews the leases of by's running jobs: one statement per heartbeat.
func (s *Store) ExtendLeases(ctx context.Context, by string, until time.Time) error {
	if _, err := s.exec(ctx, `UPDATE jobs SET locked_until = ? WHERE status = 'running' AND locked_by = ?`, utc(until), by); err != nil {
		return fmt.Errorf("extend leases: %w", err)
	}
	return nil
}

// RescueJobs queues again the jobs of runners that died: lease over, or a previous run of
// this process (own). The candidates come from the partial index of running jobs.
func (s *Store) RescueJobs(ctx context.Context, now time.Time, own, by string, maxClaimsOver int) ([]jobs.Job, error) {
	now = utc(now)
	stale, args := `status = 'running' AND locked_until < ?`, []any{now}
	if own != "" {
		stale = `status = 'running' AND (locked_until < ? OR (substr(locked_by, 1, ?) = ? AND locked_by <> ?))`
		args = append(args, len(own), own, by)
	}
	var dead []jobs.Job
	err := s.Tx(ctx, func(ctx context.Context) error {
		rows, err := s.query(ctx, `UPDATE jobs SET status = 'dead', finished_at = ?, locked_until = NULL, locked_by = '',
			last_error = 'its process stopped while running it ' || claims || ' times: does it crash the process'
			WHERE `+stale+` AND claims >= max_attempts + ? RETURNING `+jobColumns, append(append([]any{now}, args...), maxClaimsOver)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				rows.Close()
				return err
			}
			dead = append(dead, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		res, err := s.exec(ctx, `UPDATE jobs SET status = 'queued', run_at = ?, locked_until = NULL, locked_by = '' WHERE `+stale,
			append([]any{now}, args...)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return s.notify(ctx, ChannelJobs, "")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rescue jobs: %w", err)
	}
	return dead, nil
}

// outcome records an attempt's outcome on a job still leased to by.
func (s *Store) outcome(ctx context.Context, op, set string, id int64, by string, args ...any) error {
	_, err := s.exec(ctx, `UPDATE jobs SET attempts = attempts + 1, locked_until = NULL, locked_by = '', `+set+`
		WHERE id = ? AND status = 'running' AND locked_by = ?`, append(args, id, by)...)
	if err != nil {
		return fmt.Errorf("%s job: %w", op, err)
	}
	return nil
}

// FinishJob marks a job done.
func (s *Store) FinishJob(ctx context.Context, id int64, by string, at time.Time) error {
	return s.outcome(ctx, "finish", `status = 'done', finished_at = ?, last_error = ''`, id, by, utc(at))
}

// RetryJob puts a failed job back in the queue for runAt.
func (s *Store) RetryJob(ctx context.Context, id int64, by string, runAt time.Time, lastError string) error {
	return s.outcome(ctx, "retry", `status = 'queued', run_at = ?, last_error = ?`, id, by, utc(runAt), truncate(lastError, 2000))
}

// BuryJob marks a job dead: it gave up and waits for staff.
func (s *Store) BuryJob(ctx context.Context, id int64, by string, at time.Time, lastError string) error {
	return s.outcome(ctx, "bury", `status = 'dead', finished_at = ?, last_error = ?`, id, by, utc(at), truncate(lastError, 2000))
}

// ReleaseJob queues an interrupted or postponed job again for runAt, its attempt not
// counted.
func (s *Store) ReleaseJob(ctx context.Context, id int64, by string, runAt time.Time) error {
	_, err := s.exec(ctx, `UPDATE jobs SET status = 'queued', run_at = ?, locked_until = NULL, locked_by = '' WHERE id = ? AND status = 'running' AND locked_by = ?`,
		utc(runAt), id, by)
	if err != nil {
		return fmt.Errorf("release job: %w", err)
	}
	return nil
}

// ReviveJob queues a dead job again with fresh attempts (the staff "coba lagi").
func (s *Store) ReviveJob(ctx context.Context, id int64, now time.Time) error {
	return s.Tx(ctx, func(ctx context.Context) error {
		res, err := s.exec(ctx, `UPDATE jobs SET status = 'queued', attempts = 0, claims = 0, run_at = ?, finished_at = NULL WHERE id = ? AND status = 'dead'`, utc(now), id)
		if err != nil {
			return fmt.Errorf("revive job: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		var queue string
		if err := s.get(ctx, `SELECT queue FROM jobs WHERE id = ?`, []any{id}, &queue); err != nil {
			return fmt.Errorf("revive job: %w", err)
		}
		return s.notify(ctx, ChannelJobs, queue)
	})
}

// Job reads one job.
func (s *Store) Job(ctx context.Context, id int64) (jobs.Job, error) {
	j, err := scanJob(s.q(ctx).QueryRowContext(ctx, s.rebind(`SELECT `+jobColumns+` FROM jobs WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, ErrNotFound
	}
	return j, err
}

// CountJobs counts the jobs not done by status, for /metrics: from the partial index of
// open jobs, so a scrape costs the queue's length, not the table's (done jobs pile up
// until the retention prunes them; their count is the attempts counter's).
func (s *Store) CountJobs(ctx context.Context) (map[string]int, error) {
	rows, err := s.query(ctx, `SELECT status, COUNT(*) FROM jobs WHERE status <> 'done' GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]int{jobs.StatusQueued: 0, jobs.StatusRunning: 0, jobs.StatusDead: 0}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// PruneJobs deletes done jobs finished before before, at most limit, and tells how many.
func (s *Store) PruneJobs(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status = 'done' AND finished_at < ? LIMIT ?)`, utc(before), limit)
	if err != nil {
		return 0, fmt.Errorf("prune jobs: %w", err)
	}
	return res.RowsAffected()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// JobPending tells whether a job of kind for ref is queued or running.
func (s *Store) JobPending(ctx context.Context, kind string, ref int64) (bool, error) {
	var n int
	err := s.get(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND ref = ? AND status IN ('queued', 'running')`, []any{kind, ref}, &n)
	if err != nil {
		return false, fmt.Errorf("job pending: %w", err)
	}
	return n > 0, nil
}
