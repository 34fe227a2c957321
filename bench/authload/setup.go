package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/passwd"
)

// Password is the password of every seeded user.
const Password = "Rahasia-Beban-2026"

// env is one running surel: the app, its HTTP server on a loopback port and the client
// that talks to it.
type env struct {
	App     *app.App
	Dir     string
	BaseURL string
	Client  *http.Client
	Hash    passwd.Params
	// StoredHash is the PHC string every seeded user has.
	StoredHash string
	Users      int
	Tenant     account.Tenant
	// LiveHeap is the Go heap in use right after start-up and seeding (after a GC): what
	// every garbage collection has to mark.
	LiveHeap uint64

	srv  *http.Server
	keep bool
}

// envOptions are the knobs of newEnv.
type envOptions struct {
	Users   int
	Log     string         // discard | text | stderr
	Hash    *passwd.Params // nil: passwd.Default (production)
	KeepDir bool
	Out     io.Writer // progress messages
}

// newEnv creates a temporary data directory, builds the real app on SQLite with the given
// argon2id parameters, serves it on 127.0.0.1 and seeds the users.
func newEnv(ctx context.Context, o envOptions) (_ *env, err error) {
	dir, err := os.MkdirTemp("", "surel-authload-")
	if err != nil {
		return nil, err
	}
	e := &env{Dir: dir, Users: o.Users, keep: o.KeepDir, Hash: passwd.Default}
	if o.Hash != nil {
		e.Hash = *o.Hash
	}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e.BaseURL = "http://" + ln.Addr().String()
	vars := map[string]string{
		"SUREL_DATA_DIR":     dir,
		"SUREL_DATABASE_URL": "sqlite:" + filepath.Join(dir, "surel.db"),
		"SUREL_BASE_URL":     e.BaseURL,
		"SUREL_SECRET_KEY":   strings.Repeat("authload-secret-", 4),
		// Every request comes from 127.0.0.1: the per-address limit on authentication
		// POSTs (20/min in production) would refuse all but the first few logins.
		"SUREL_AUTH_RATE": "100000000",
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		ln.Close()
		return nil, err
	}
	log, err := harness.NewLogger(o.Log)
	if err != nil {
		ln.Close()
		return nil, err
	}
	a, err := app.New(ctx, cfg, log, app.Options{Hash: o.Hash})
	if err != nil {
		ln.Close()
		return nil, err
	}
	e.App = a
	e.Tenant = a.Tenants.Default()
	e.srv = a.HTTPServer()
	go e.srv.Serve(ln)

	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        4096,
		MaxIdleConnsPerHost: 4096,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	e.Client = &http.Client{Transport: tr, Timeout: 60 * time.Second,
		// Login answers 303 → /akun; the load test counts the 303 itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	if err := e.seed(ctx, o.Out); err != nil {
		return nil, err
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	e.LiveHeap = ms.HeapAlloc
	return e, nil
}

// Close stops the server and removes the data directory.
func (e *env) Close() {
	if e.srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		e.srv.Shutdown(sctx)
		cancel()
	}
	if e.Client != nil {
		e.Client.CloseIdleConnections()
	}
	if e.App != nil {
		e.App.Close()
	}
	if !e.keep {
		os.RemoveAll(e.Dir)
	}
}

// Username is the login name of seeded user i (1-based).
func Username(i int) string { return fmt.Sprintf("user%06d", i) }

// seedBatch rows go in one INSERT (12 parameters a row, well under SQLite's 32766), and
// seedTx rows in one transaction.
const (
	seedBatch = 500
	seedTx    = 10000
)

// seed inserts e.Users active users sharing one argon2id hash of Password, straight into
// the users table in batched transactions (hashing 100 000 passwords one by one would take
// over an hour on two cores).
func (e *env) seed(ctx context.Context, out io.Writer) error {
	start := time.Now()
	h := passwd.New(e.Hash)
	enc, err := h.Hash(ctx, Password)
	if err != nil {
		return err
	}
	e.StoredHash = enc
	hashTook := time.Since(start)

	db := e.App.Store.DB()
	now := time.Now().UTC()
	cols := `INSERT INTO users (tenant_id, username, email, first_name, last_name, phone, password_hash, status, lang,
		created_at, activated_at, password_changed_at) VALUES `
	row := "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	insStart := time.Now()
	for lo := 1; lo <= e.Users; lo += seedTx {
		hi := min(lo+seedTx-1, e.Users)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		for b := lo; b <= hi; b += seedBatch {
			n := min(seedBatch, hi-b+1)
			var q strings.Builder
			q.WriteString(cols)
			args := make([]any, 0, n*12)
			for i := b; i < b+n; i++ {
				if i > b {
					q.WriteString(", ")
				}
				q.WriteString(row)
				u := Username(i)
				args = append(args, e.Tenant.ID, u, u+"@contoh.go.id", "Pengguna", fmt.Sprintf("Nomor %d", i),
					fmt.Sprintf("08%010d", i), enc, account.StatusActive, "id", now, now, now)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				tx.Rollback()
				return fmt.Errorf("seed users %d..%d: %w", b, b+n-1, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	var count int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE status = ?`, account.StatusActive).Scan(&count); err != nil {
		return err
	}
	if count != e.Users {
		return fmt.Errorf("seed: %d active users, want %d", count, e.Users)
	}
	// Fresh statistics, as a long-running database would have after ANALYZE/optimize.
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("seed: analyze: %w", err)
	}
	if out != nil {
		fmt.Fprintf(out, "seeded %d users in %s (one argon2id hash %s, inserts %s)\n",
			e.Users, time.Since(start).Round(time.Millisecond), hashTook.Round(time.Millisecond), time.Since(insStart).Round(time.Millisecond))
	}
	return nil
}

// sessions signs n distinct seeded users in through the account service (the work a
// login does after the password check) and returns their cookie values.
func (e *env) sessions(ctx context.Context, n int) ([]string, error) {
	out := make([]string, n)
	step := max(1, e.Users/max(n, 1))
	for i := range n {
		id := 1 + (i*step)%e.Users
		u, err := e.App.Store.UserByLogin(ctx, e.Tenant.ID, Username(id))
		if err != nil {
			return nil, fmt.Errorf("session for %s: %w", Username(id), err)
		}
		if out[i], err = e.App.Accounts.StartSession(ctx, u, "127.0.0.1", "authload"); err != nil {
			return nil, err
		}
	}
	return out, nil
}
