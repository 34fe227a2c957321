package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/jobs"
)

var _ jobs.Store = (*Store)(nil)

// EnqueueJob adds a queued job.
func (s *Store) EnqueueJob(ctx context.Context, kind string, ref int64, maxAttempts int, runAt time.Time) (int64, error) {
	id, err := s.insert(ctx, `INSERT INTO jobs (kind, ref, status, max_attempts, run_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		kind, ref, jobs.StatusQueued, maxAttempts, utc(runAt), utc(time.Now()))
	if err != nil {
		return 0, fmt.Errorf("enqueue job: %w", err)
	}
	return id, nil
}

// ClaimJob takes the next due job. The status test in the outer WHERE makes two runners
// racing for one row leave it to the first: PostgreSQL re-checks it after the row lock,
// SQLite runs writers one at a time.
func (s *Store) ClaimJob(ctx context.Context, now time.Time, lease time.Duration) (jobs.Job, error) {
	var j jobs.Job
	now = utc(now)
	const due = `(status = 'queued' AND run_at <= ?) OR (status = 'running' AND locked_until < ?)`
	err := s.getWrite(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = ?
		WHERE id = (SELECT id FROM jobs WHERE `+due+` ORDER BY run_at LIMIT 1) AND (`+due+`)
		RETURNING id, kind, ref, status, attempts, max_attempts, run_at, last_error, created_at`,
		[]any{now.Add(lease), now, now, now, now},
		&j.ID, &j.Kind, &j.Ref, &j.Status, &j.Attempts, &j.MaxAttempts, &j.RunAt, &j.LastError, &j.CreatedAt)
	if err != nil && err != ErrNotFound {
		err = fmt.Errorf("claim job: %w", err)
	}
	return j, err
}

// FinishJob marks a job done.
func (s *Store) FinishJob(ctx context.Context, id int64, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE jobs SET status = 'done', finished_at = ?, locked_until = NULL, last_error = '' WHERE id = ?`, utc(at), id)
	if err != nil {
		return fmt.Errorf("finish job: %w", err)
	}
	return nil
}

// RetryJob puts a failed job back in the queue for runAt.
func (s *Store) RetryJob(ctx context.Context, id int64, runAt time.Time, lastError string) error {
	_, err := s.exec(ctx, `UPDATE jobs SET status = 'queued', run_at = ?, locked_until = NULL, last_error = ? WHERE id = ?`,
		utc(runAt), truncate(lastError, 2000), id)
	if err != nil {
		return fmt.Errorf("retry job: %w", err)
	}
	return nil
}

// BuryJob marks a job dead: it gave up and waits for staff.
func (s *Store) BuryJob(ctx context.Context, id int64, at time.Time, lastError string) error {
	_, err := s.exec(ctx, `UPDATE jobs SET status = 'dead', finished_at = ?, locked_until = NULL, last_error = ? WHERE id = ?`,
		utc(at), truncate(lastError, 2000), id)
	if err != nil {
		return fmt.Errorf("bury job: %w", err)
	}
	return nil
}

// ReviveJob queues a dead job again with fresh attempts (the staff "coba lagi").
func (s *Store) ReviveJob(ctx context.Context, id int64, now time.Time) error {
	res, err := s.exec(ctx, `UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, finished_at = NULL WHERE id = ? AND status = 'dead'`, utc(now), id)
	if err != nil {
		return fmt.Errorf("revive job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Job reads one job.
func (s *Store) Job(ctx context.Context, id int64) (jobs.Job, error) {
	var j jobs.Job
	var fin sql.NullTime
	err := s.get(ctx, `SELECT id, kind, ref, status, attempts, max_attempts, run_at, last_error, created_at, finished_at FROM jobs WHERE id = ?`,
		[]any{id}, &j.ID, &j.Kind, &j.Ref, &j.Status, &j.Attempts, &j.MaxAttempts, &j.RunAt, &j.LastError, &j.CreatedAt, &fin)
	j.FinishedAt = timeOf(fin)
	return j, err
}

// CountJobs counts jobs by status, for /metrics.
func (s *Store) CountJobs(ctx context.Context) (map[string]int, error) {
	rows, err := s.query(ctx, `SELECT status, COUNT(*) FROM jobs GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
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

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
