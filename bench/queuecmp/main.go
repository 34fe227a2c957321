// Command queuecmp measures surel's own job queue (internal/jobs on internal/store) and
// River (github.com/riverqueue/river, pgx driver) side by side on one PostgreSQL, on the
// points the national-deployment issue weighs them by (docs/dependencies.md, "Job
// queue"):
//
//   - enqueue: a job queued in a transaction of its own, as a state change queues it;
//   - backlog: with -backlog jobs due at once, how fast -workers workers of one process
//     work through the first -drain of them (no-op jobs: the queue's own cost);
//   - claim: surel's batch claim (FOR UPDATE SKIP LOCKED on the partial index) timed
//     alone with the backlog due.
//
// It is a module of its own (bench/queuecmp/go.mod), so that River is a dependency of
// this measurement only, not of surel. Each queue gets a database of its own, created
// and dropped on the -pg server.
//
//	cd bench/queuecmp && go run . -pg 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/store"
)

type options struct {
	PG       string
	Enqueue  int
	Backlog  int
	Drain    int
	Workers  int
	Claims   int
	Only     string
	Database string
}

func main() {
	var o options
	flag.StringVar(&o.PG, "pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server (any database on it)")
	flag.IntVar(&o.Enqueue, "enqueue", 2000, "jobs queued one transaction each")
	flag.IntVar(&o.Backlog, "backlog", 200000, "jobs due at once for the backlog and claim measurements")
	flag.IntVar(&o.Drain, "drain", 20000, "jobs of the backlog to work through")
	flag.IntVar(&o.Workers, "workers", 4, "workers of the one process")
	flag.IntVar(&o.Claims, "claims", 20, "timed batch claims of surel's queue with the backlog due")
	flag.StringVar(&o.Only, "only", "", "surel or river: measure one queue only")
	flag.StringVar(&o.Database, "database", "bench_queuecmp", "prefix of the databases created (and dropped) on the -pg server")
	flag.Parse()
	ctx := context.Background()
	if o.Only != "river" {
		if err := surel(ctx, o); err != nil {
			fmt.Fprintln(os.Stderr, "queuecmp: surel:", err)
			os.Exit(1)
		}
	}
	if o.Only != "surel" {
		if err := riverq(ctx, o); err != nil {
			fmt.Fprintln(os.Stderr, "queuecmp: river:", err)
			os.Exit(1)
		}
	}
}

// database creates a fresh database name on the -pg server and returns its URL and a
// func that drops it.
func database(ctx context.Context, base, name string) (string, func(), error) {
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	id := pgx.Identifier{name}.Sanitize()
	admin.Exec(ctx, `DROP DATABASE IF EXISTS `+id+` WITH (FORCE)`)
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+id); err != nil {
		admin.Close(ctx)
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		admin.Exec(context.Background(), `DROP DATABASE IF EXISTS `+id+` WITH (FORCE)`)
		admin.Close(context.Background())
	}, nil
}

func rate(n int, d time.Duration) string {
	return fmt.Sprintf("%.0f/s (%d in %s)", float64(n)/d.Seconds(), n, d.Round(time.Millisecond))
}

func surel(ctx context.Context, o options) error {
	u, drop, err := database(ctx, o.PG, o.Database+"_surel")
	if err != nil {
		return err
	}
	defer drop()
	st, err := store.Open(ctx, u)
	if err != nil {
		return err
	}
	defer st.Close()
	const queue = "work"
	st.JobQueue(func(string) string { return queue })

	t := time.Now()
	for range o.Enqueue {
		if err := st.Tx(ctx, func(ctx context.Context) error {
			_, err := st.EnqueueJob(ctx, "noop", 0, 8, time.Now())
			return err
		}); err != nil {
			return err
		}
	}
	fmt.Printf("surel enqueue, one transaction each: %s\n", rate(o.Enqueue, time.Since(t)))
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM jobs`); err != nil {
		return err
	}

	t = time.Now()
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO jobs (kind, queue, ref, status, max_attempts, run_at, created_at)
		SELECT 'noop', $1, g, 'queued', 8, now() - interval '1 minute' + g * interval '1 microsecond', now() FROM generate_series(1, $2::int) g`, queue, o.Backlog); err != nil {
		return err
	}
	if _, err := st.DB().ExecContext(ctx, `ANALYZE jobs`); err != nil {
		return err
	}
	fmt.Printf("surel backlog of %d due jobs written in %s\n", o.Backlog, time.Since(t).Round(time.Millisecond))

	var took []time.Duration
	for i := range o.Claims {
		t := time.Now()
		js, err := st.ClaimJobs(ctx, queue, fmt.Sprint("claimer-", i), time.Now(), time.Minute, o.Workers)
		took = append(took, time.Since(t))
		if err != nil || len(js) != o.Workers {
			return fmt.Errorf("claim: %d jobs, %v", len(js), err)
		}
	}
	slices.Sort(took)
	fmt.Printf("surel claim of %d with %d due: median %s, max %s (%d claims)\n", o.Workers, o.Backlog, took[len(took)/2].Round(time.Microsecond), took[len(took)-1].Round(time.Microsecond), o.Claims)
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM jobs WHERE status = 'running'`); err != nil {
		return err
	}

	runner := &jobs.Runner{Store: st, Handlers: map[string]jobs.Handler{"noop": func(context.Context, jobs.Job) error { return nil }},
		Pools: []jobs.Pool{{Name: queue, Kinds: []string{"noop"}, Workers: o.Workers}}, Poll: 50 * time.Millisecond,
		Log: slog.New(slog.DiscardHandler)}
	rctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	t = time.Now()
	go func() { runner.Run(rctx); close(done) }()
	n, err := waitCount(ctx, st.DB().QueryRowContext, `SELECT count(*) FROM jobs WHERE status = 'done'`, o.Drain)
	d := time.Since(t)
	stop()
	<-done
	if err != nil {
		return err
	}
	fmt.Printf("surel backlog, %d workers: %s\n", o.Workers, rate(n, d))
	return nil
}

// waitCount polls a count query until it reaches want (or two minutes pass) and
// returns the count.
func waitCount[R interface{ Scan(...any) error }](ctx context.Context, query func(context.Context, string, ...any) R, q string, want int) (int, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n int
		if err := query(ctx, q).Scan(&n); err != nil {
			return 0, err
		}
		if n >= want || time.Now().After(deadline) {
			return n, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// noop is River's job: nothing to do, like surel's.
type noop struct {
	Ref int64 `json:"ref"`
}

func (noop) Kind() string { return "noop" }

type noopWorker struct {
	river.WorkerDefaults[noop]
}

func (noopWorker) Work(context.Context, *river.Job[noop]) error { return nil }

func riverq(ctx context.Context, o options) error {
	u, drop, err := database(ctx, o.PG, o.Database+"_river")
	if err != nil {
		return err
	}
	defer drop()
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		return err
	}
	cfg.MaxConns = 20 // surel's default pool
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &noopWorker{})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers: workers,
	})
	if err != nil {
		return err
	}

	t := time.Now()
	for range o.Enqueue {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := client.InsertTx(ctx, tx, noop{}, nil); err != nil {
			tx.Rollback(ctx)
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
	}
	fmt.Printf("river enqueue, one transaction each: %s\n", rate(o.Enqueue, time.Since(t)))
	if _, err := pool.Exec(ctx, `DELETE FROM river_job`); err != nil {
		return err
	}

	t = time.Now()
	params := make([]river.InsertManyParams, o.Backlog)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noop{Ref: int64(i)}}
	}
	for chunk := range slices.Chunk(params, 10000) {
		if _, err := client.InsertManyFast(ctx, chunk); err != nil {
			return err
		}
	}
	if _, err := pool.Exec(ctx, `ANALYZE river_job`); err != nil {
		return err
	}
	fmt.Printf("river backlog of %d due jobs written in %s\n", o.Backlog, time.Since(t).Round(time.Millisecond))

	t = time.Now()
	if err := client.Start(ctx); err != nil {
		return err
	}
	n, err := waitCount(ctx, pool.QueryRow, `SELECT count(*) FROM river_job WHERE state = 'completed'`, o.Drain)
	d := time.Since(t)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	client.Stop(sctx)
	if err != nil {
		return err
	}
	fmt.Printf("river backlog, %d workers: %s\n", o.Workers, rate(n, d))
	return nil
}
