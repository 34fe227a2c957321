package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// pgDatabase is the database the benchmark creates (and drops) on the -pg server by
// default (-pg-db).
const pgDatabase = "bench_backoffice"

// env is the running app on a seeded database, a signed-in staff member and the client.
type env struct {
	opt      options
	dir      string
	pgURL    string // the benchmark's own database, on PostgreSQL
	app      *app.App
	srv      *http.Server
	floorSrv *http.Server
	client   *http.Client
	baseURL  string
	floorURL string
	shape    *shape
	seeded   bool
	seedTook time.Duration
	seedEach map[string]time.Duration
	cookies  []string
	liveIDs  []int64
	searches []string
	inbox    int
	// What the open-loop runs' fleets (-procs) start from: the app's configuration
	// and logger, its secret key and, with -exec, the directory of the surel binary
	// (built once) and of the processes' data directories and logs.
	cfg       config.Config
	log       *slog.Logger
	secretKey string
	execDir   string
	bin       string
	// regCheck is what checkRegistrySeed found, when the registry phase seeded.
	regCheck string
}

// seedFile, in the data directory, describes a seeded database for -keep.
type seedFile struct {
	DB        string
	Requests  int
	Steps     int
	Mailboxes bool
	Registry  int `json:",omitempty"`
	Now       time.Time
	Tenant    int64
	UserBase  int64
	AuditBase int64
	Took      time.Duration
	Each      map[string]time.Duration
}

func newEnv(ctx context.Context, o options, out io.Writer) (_ *env, err error) {
	e := &env{opt: o, dir: o.Keep}
	if e.dir == "" {
		if e.dir, err = os.MkdirTemp("", "surel-backoffice-"); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(e.dir, 0o700); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	dbURL := "sqlite:" + filepath.Join(e.dir, "surel.db")
	switch o.DB {
	case "sqlite":
	case "postgres":
		if e.pgURL, err = preparePostgres(ctx, o.PG, o.PGDB, o.Keep != ""); err != nil {
			return nil, err
		}
		dbURL = e.pgURL
	default:
		return nil, fmt.Errorf("-db: want sqlite or postgres, got %q", o.DB)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e.baseURL = "http://" + ln.Addr().String()
	e.secretKey = strings.Repeat("backoffice-key-", 4)
	vars := map[string]string{
		"SUREL_DATA_DIR":     e.dir,
		"SUREL_DATABASE_URL": dbURL,
		"SUREL_BASE_URL":     e.baseURL,
		"SUREL_SECRET_KEY":   e.secretKey,
	}
	if e.cfg, err = config.Load(func(k string) string { return vars[k] }); err != nil {
		ln.Close()
		return nil, err
	}
	if e.log, err = harness.NewLogger(o.Log); err != nil {
		ln.Close()
		return nil, err
	}
	if o.Exec {
		if e.execDir, err = os.MkdirTemp("", "surel-backoffice-procs-"); err != nil {
			ln.Close()
			return nil, err
		}
	}
	t0 := time.Now()
	if e.app, err = app.New(ctx, e.cfg, e.log, app.Options{}); err != nil {
		ln.Close()
		return nil, err
	}
	fmt.Fprintf(out, "app started on %s (%s) in %s, data in %s\n", o.DB, redact(dbURL), time.Since(t0).Round(time.Millisecond), e.dir)
	if err := e.seed(ctx, out); err != nil {
		ln.Close()
		return nil, err
	}
	e.srv = e.app.HTTPServer()
	go e.srv.Serve(ln)
	e.client = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096,
		IdleConnTimeout: 90 * time.Second, DisableCompression: true},
		Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if err := e.signIn(ctx); err != nil {
		return nil, err
	}
	if err := e.check(ctx, out); err != nil {
		return nil, err
	}
	return e, nil
}

func redact(u string) string {
	if p, err := url.Parse(u); err == nil && p.User != nil {
		if _, ok := p.User.Password(); ok {
			p.User = url.UserPassword(p.User.Username(), "xxx")
			return p.String()
		}
	}
	return u
}

// preparePostgres creates the benchmark's database name on the server of base (dropping
// a previous one unless keep) and returns its URL.
func preparePostgres(ctx context.Context, base, name string, keep bool) (string, error) {
	if name == "" {
		name = pgDatabase
	}
	if strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return "", fmt.Errorf("-pg-db: want lower-case letters, digits and _, got %q", name)
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists && !keep {
		if _, err := admin.Exec(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			return "", err
		}
		exists = false
	}
	if !exists {
		if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
			return "", err
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// seed fills the database, or reuses a kept one seeded with the same parameters.
func (e *env) seed(ctx context.Context, out io.Writer) error {
	o := e.opt
	st := e.app.Store
	db := st.DB()
	tenant := e.app.Tenants.Default()
	var maxReq int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM requests`).Scan(&maxReq); err != nil {
		return err
	}
	path := filepath.Join(e.dir, "seed-"+o.DB+".json")
	if maxReq > 0 {
		var sf seedFile
		b, err := os.ReadFile(path)
		if err == nil {
			err = json.Unmarshal(b, &sf)
		}
		if err != nil {
			return fmt.Errorf("the database already holds requests but %s is unreadable (%v): remove the data", path, err)
		}
		if sf.DB != o.DB || sf.Requests != o.Requests || sf.Steps != o.Steps || sf.Mailboxes != o.Mailboxes || sf.Registry != o.registryRows() || maxReq != int64(o.Requests) {
			return fmt.Errorf("the kept database was seeded with -requests %d -steps-per-request %d -mailboxes=%v%s: use those or another -keep directory",
				sf.Requests, sf.Steps, sf.Mailboxes, registryFlags(sf.Registry))
		}
		e.shape = &shape{Tenant: sf.Tenant, Domain: tenant.MailDomain, Requests: sf.Requests, Steps: sf.Steps, Users: max(1, sf.Requests/20),
			UserBase: sf.UserBase, AuditBase: sf.AuditBase, Mailboxes: sf.Mailboxes, Registry: sf.Registry, Now: sf.Now}
		if err := e.shape.plan(); err != nil {
			return err
		}
		e.seedTook, e.seedEach = sf.Took, sf.Each
		fmt.Fprintf(out, "reusing the database seeded on %s (%d requests, %d steps each; seeding took %s)\n",
			sf.Now.Format(time.RFC3339), sf.Requests, sf.Steps, sf.Took.Round(time.Second))
		return e.liveSet(ctx)
	}
	s := &shape{Tenant: tenant.ID, Domain: tenant.MailDomain, Requests: o.Requests, Steps: o.Steps, Users: max(1, o.Requests/20),
		Mailboxes: o.Mailboxes, Registry: o.registryRows(), Now: time.Now().UTC().Truncate(time.Second)}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM users`).Scan(&s.UserBase); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + COALESCE(MAX(seq), 0) FROM audit_log`).Scan(&s.AuditBase); err != nil {
		return err
	}
	if err := s.plan(); err != nil {
		return err
	}
	e.shape = s
	fmt.Fprintf(out, "seeding %d requests (%d live, %d with a running step), %d history rows, %d applicants…\n",
		s.Requests, len(s.live), len(s.running), s.Requests*s.Steps, s.Users)
	if s.Registry > 0 {
		fmt.Fprintf(out, "… and a registry of %d mailboxes (%d made for requests, %d adopted), %d search words\n",
			s.Registry, s.reg.made, s.Registry-s.reg.made, s.reg.terms[s.Registry])
	}
	t0 := time.Now()
	each, err := seedDB(ctx, st, e.pgURL, s, out)
	if err != nil {
		return err
	}
	e.seeded, e.seedTook, e.seedEach = true, time.Since(t0), each
	fmt.Fprintf(out, "seeded in %s\n", e.seedTook.Round(time.Millisecond))
	if s.Registry > 0 {
		t0 := time.Now()
		if e.regCheck, err = e.checkRegistrySeed(ctx, 200); err != nil {
			return err
		}
		fmt.Fprintf(out, "seed check (%s): %s\n", time.Since(t0).Round(time.Millisecond), e.regCheck)
	}
	b, _ := json.MarshalIndent(seedFile{DB: o.DB, Requests: s.Requests, Steps: s.Steps, Mailboxes: s.Mailboxes, Registry: s.Registry, Now: s.Now, Tenant: s.Tenant,
		UserBase: s.UserBase, AuditBase: s.AuditBase, Took: e.seedTook, Each: each}, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return err
	}
	return e.liveSet(ctx)
}

// liveSet picks the pages the clients ask for: every live request, and search terms
// (surnames, request numbers, a word found nowhere).
func (e *env) liveSet(ctx context.Context) error {
	e.liveIDs = e.shape.live
	if len(e.liveIDs) == 0 {
		return fmt.Errorf("no live request: seed more requests")
	}
	for i := range 4 {
		e.searches = append(e.searches, strings.ToLower(lastNames[i*7%len(lastNames)]))
		id := e.shape.running[(i*7919)%len(e.shape.running)]
		e.searches = append(e.searches, e.shape.number(int(id)))
	}
	e.searches = append(e.searches, "tidakadaorangnya")
	return e.app.Store.DB().QueryRowContext(ctx, rebind(e.app.Store.Dialect(), `SELECT COUNT(*) FROM request_steps
		WHERE tenant_id = ? AND role = ? AND finished_at IS NULL AND paused_at IS NULL`), e.shape.Tenant, string(sop.RoleKepalaSeksi)).Scan(&e.inbox)
}

// signIn makes a kepala_seksi with an enrolled second factor (as stafftest.New does) and
// signs in o.Sessions times the way a browser does: password at /masuk, then a recovery
// code at /masuk/verifikasi.
func (e *env) signIn(ctx context.Context) error {
	svc := e.app.Staff
	t := e.app.Tenants.Default()
	email := fmt.Sprintf("kasi%d@kominfo.go.id", time.Now().UnixNano())
	const password = "Petugas2026"
	u, _, err := svc.Add(ctx, t, staff.AddInput{FirstName: "Kasi", LastName: "Bench", Email: email, Roles: []sop.Role{sop.RoleKepalaSeksi}, Password: password}, nil)
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	enr, err := svc.BeginEnroll(ctx, u.ID, t.Name, u.Username)
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	code, err := totp.GenerateCodeCustom(enr.Secret, time.Now().Add(-30*time.Second), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return err
	}
	codes, err := svc.ConfirmEnroll(ctx, u.ID, code)
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	base, _ := url.Parse(e.baseURL)
	for i := range e.opt.Sessions {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Transport: e.client.Transport, Jar: jar, CheckRedirect: e.client.CheckRedirect}
		if loc, err := e.post(ctx, c, "/masuk", url.Values{"login": {email}, "password": {password}}); err != nil || loc != "/masuk/verifikasi" {
			return fmt.Errorf("staff password: %v, to %q", err, loc)
		}
		if loc, err := e.post(ctx, c, "/masuk/verifikasi", url.Values{"otp": {codes[i]}}); err != nil || loc != "/kantor" {
			return fmt.Errorf("staff second factor: %v, to %q", err, loc)
		}
		for _, ck := range jar.Cookies(base) {
			if ck.Name == "surel_sesi" {
				e.cookies = append(e.cookies, ck.Value)
			}
		}
		if len(e.cookies) != i+1 {
			return fmt.Errorf("staff login %d: no session cookie", i+1)
		}
	}
	return nil
}

// post sends a same-origin form as a browser does and returns the redirect's target.
func (e *env) post(ctx context.Context, c *http.Client, path string, f url.Values) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.baseURL+path, strings.NewReader(f.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.baseURL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("%s: status %d", path, resp.StatusCode)
	}
	return resp.Header.Get("Location"), nil
}

// get fetches path with a session and copies the body to w.
func (e *env) get(ctx context.Context, path, cookie string, w io.Writer) (int, error) {
	return harness.Get(ctx, e.client, e.baseURL+path, "surel_sesi="+cookie, w)
}

// check opens each page once and makes sure it shows what the data says: the inbox its
// task count and the soonest task, a request page its number. The inbox page it got
// becomes the body of the floor's static handler.
func (e *env) check(ctx context.Context, out io.Writer) error {
	var inbox bytes.Buffer
	if st, err := e.get(ctx, "/kantor", e.cookies[0], &inbox); err != nil || st != http.StatusOK {
		return fmt.Errorf("GET /kantor: %d %v", st, err)
	}
	// The whole inbox's count is exact (its counter, store/inbox_counts.go).
	if want := strconv.Itoa(e.inbox); !strings.Contains(inbox.String(), want) || !strings.Contains(inbox.String(), "SRL-") {
		return fmt.Errorf("GET /kantor does not show %s tasks and a request number", want)
	}
	id := e.liveIDs[len(e.liveIDs)/2]
	var page bytes.Buffer
	if st, err := e.get(ctx, "/kantor/permohonan/"+strconv.FormatInt(id, 10), e.cookies[0], &page); err != nil || st != http.StatusOK {
		return fmt.Errorf("GET /kantor/permohonan/%d: %d %v", id, st, err)
	}
	if n := e.shape.number(int(id)); !strings.Contains(page.String(), n) {
		return fmt.Errorf("GET /kantor/permohonan/%d does not show %s", id, n)
	}
	fmt.Fprintf(out, "signed in %d sessions of a kepala_seksi; inbox: %d tasks (%d KB page); request page %d KB; %d live requests to open\n",
		len(e.cookies), e.inbox, inbox.Len()/1024, page.Len()/1024, len(e.liveIDs))
	body := inbox.Bytes()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	e.floorURL = "http://" + ln.Addr().String() + "/kantor"
	e.floorSrv = e.app.HTTPServer()
	e.floorSrv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	go e.floorSrv.Serve(ln)
	return nil
}

// Close stops the servers, closes the app and removes what was not to be kept.
func (e *env) Close() {
	for _, s := range []*http.Server{e.srv, e.floorSrv} {
		if s != nil {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			s.Shutdown(sctx)
			cancel()
		}
	}
	if e.client != nil {
		e.client.CloseIdleConnections()
	}
	if e.app != nil {
		e.app.Close()
	}
	if e.execDir != "" {
		os.RemoveAll(e.execDir)
	}
	if e.opt.Keep != "" {
		return
	}
	os.RemoveAll(e.dir)
	if e.pgURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if admin, err := pgx.Connect(ctx, e.opt.PG); err == nil {
			admin.Exec(ctx, `DROP DATABASE IF EXISTS `+cmp.Or(e.opt.PGDB, pgDatabase)+` WITH (FORCE)`)
			admin.Close(ctx)
		}
	}
}
