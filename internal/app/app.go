// Package app wires a deployment together from its Config: the store, the tenants, the
// services, the web server and the job runner. main, the browser tests and the benchmarks
// all start surel through it, so they run the same thing.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/surel-id/surel/internal/desaid"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/archive"
	"github.com/surel-id/surel/internal/captcha"
	"github.com/surel-id/surel/internal/collective"
	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/ratelimit"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/rostersync"
	"github.com/surel-id/surel/internal/seal"
	"github.com/surel-id/surel/internal/setup"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/standard"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/survey"
	"github.com/surel-id/surel/internal/upload"
	"github.com/surel-id/surel/internal/upload/s3store"
	"github.com/surel-id/surel/internal/web"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/workflow"
)

// App is one running deployment.
type App struct {
	Config   config.Config
	Store    *store.Store
	Accounts *account.Service
	Requests *request.Service
	// Book resolves each tenant's SOP and working calendar.
	Book     *sop.Book
	Staff    *staff.Service
	Outbox   *notify.Outbox
	Runner   *jobs.Runner
	Web      *web.Server
	Tenants  *Tenants
	Workflow *workflow.Engine
	// Letters numbers and verifies the official documents.
	Letters *letter.Service
	// Archive searches the finished requests and purges scans past their retention.
	Archive *archive.Service
	// Uploads keeps the documents: a directory of this machine or a shared bucket.
	Uploads *upload.Store
	// Setup keeps the tenants' first-run settings (/kantor/pengaturan/awal).
	Setup *setup.Service
	Log   *slog.Logger

	servers *mailServers

	// leading is true while this process holds the leader lock (leader.go).
	leading *atomic.Bool
}

// Options adjust what tests and benchmarks need to differ from production.
type Options struct {
	// Hash overrides the argon2id parameters (tests use cheap ones).
	Hash *passwd.Params
	// Registrar gives a tenant's desa.id registrar by its slug (nil: the office files by
	// hand); surel ships no driver, the tests a fake (desaidtest).
	Registrar func(tenant string) desaid.Registrar
	// RegistryPoll is how long a pending desa.id application waits before it is asked
	// about again; an hour when 0.
	RegistryPoll time.Duration
}

// New opens the database, applies migrations, creates the configured tenants and builds
// the services.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opt Options) (*App, error) {
	open := store.Open
	if !cfg.Migrate {
		open = store.OpenCurrent
	}
	st, err := open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	st.SetMaxConns(cfg.DBMaxConns)
	a, err := build(ctx, cfg, st, log, opt)
	if err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

func build(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger, opt Options) (*App, error) {
	if err := st.CheckKey(ctx, KeyCheck(cfg.SecretKey), time.Now()); err != nil {
		return nil, err
	}
	setupBox, err := seal.New(Subkey(cfg.SecretKey, "setup"))
	if err != nil {
		return nil, err
	}
	settings := &setup.Service{Store: st, Seal: setupBox}
	ts, err := loadTenants(ctx, cfg, st, settings)
	if err != nil {
		return nil, err
	}
	var sender notify.Sender
	if cfg.SMTPURL != "" {
		if sender, err = notify.NewSMTP(cfg.SMTPURL); err != nil {
			return nil, err
		}
	}
	ob, err := notify.NewOutbox(st, sender, cfg.SMTPFrom, log)
	if err != nil {
		return nil, err
	}
	hp := passwd.Default
	if opt.Hash != nil {
		hp = *opt.Hash
	}
	accounts := &account.Service{Store: st, Mail: ob, Hasher: passwd.New(hp), Log: log,
		Limits: account.Limits{CaptchaAfter: cfg.Limits.CaptchaAfter, LockAfter: cfg.Limits.LockAfter, LockFor: cfg.Limits.LockFor,
			SessionIdle: cfg.Limits.SessionIdle, SessionMax: cfg.Limits.SessionMax}}
	accounts.Tenants = ts.ByID
	if err := accounts.Init(ctx); err != nil {
		return nil, err
	}
	staffs := &staff.Service{Store: st, Accounts: accounts, Mail: ob, Key: Subkey(cfg.SecretKey, "staff-totp"),
		Limits: staff.Limits{MaxAttempts: 5, LockFor: cfg.Limits.LockFor}}
	var catalog request.Catalog
	if cfg.CatalogFile != "" {
		catalog, err = request.LoadCatalogFile(cfg.CatalogFile)
	} else {
		catalog, err = request.LoadCatalog(nil)
	}
	if err != nil {
		return nil, err
	}
	regions, err := wilayah.Load()
	if err != nil {
		return nil, err
	}
	blobs, err := openBlobs(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	uploads := &upload.Store{Blobs: blobs, Pending: st}
	// Each tenant's SOP and working calendar: its own SOP and holiday table once edited on
	// /kantor/sop and /kantor/kalender, else its preset and the national holidays.
	book := &sop.Book{Store: st, National: sop.DefaultHolidays()}
	requests := &request.Service{Store: st, Files: uploads, Catalog: catalog, Regions: regions, Mail: ob, Log: log,
		Book: book, Roster: st}
	leading := new(atomic.Bool)
	metrics := web.NewMetrics(web.NewJobsCollector(st.CountJobs), prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "surel_leader", Help: "1 while this process runs the deployment's periodic work (reminders, snapshots, sweeps)."},
		func() float64 {
			if leading.Load() {
				return 1
			}
			return 0
		}))
	srv := &web.Server{Accounts: accounts, Requests: requests, Uploads: uploads, Regions: regions, Captcha: captcha.New(Subkey(cfg.SecretKey, "captcha"), captcha.Options{Spent: st}),
		Tenants: ts, DB: st, Log: log, Metrics: metrics, Secure: cfg.Secure(), HSTS: hsts(cfg), MetricsToken: cfg.MetricsToken, TrustProxy: cfg.TrustProxy,
		AuthLimit: ratelimit.New(cfg.Limits.AuthPerMinute, nil), ChallengeLimit: ratelimit.New(3*cfg.Limits.AuthPerMinute, nil)}
	srv.Staff, srv.Book = staffs, book
	servers := &mailServers{}
	engine, err := backOffice(ctx, cfg, st, ts, servers, book, requests, staffs, ob, log)
	if err != nil {
		return nil, err
	}
	srv.Workflow, srv.Registry = engine, engine.Registry
	settings.Audit = engine.Audit
	// The services on an existing mailbox read the registry; a self-service reset's job
	// starts with the request's sending.
	requests.Registry, requests.Auto = engine.Registry, engine.StartAuto
	if srv.Domains, err = domainServices(cfg, st, ts, regions, engine.Registry, requests, engine, opt); err != nil {
		return nil, err
	}
	srv.Collectives = &collective.Service{Store: st, Look: st, Users: st, Requests: requests, Regions: regions, Workflow: engine,
		Accounts: accounts, Audit: engine.Audit}
	letters := &letter.Service{Store: st, Audit: engine.Audit, Settings: letterSettings(cfg, ts)}
	srv.Letters, srv.VerifyLimit = letters, ratelimit.New(30, nil)
	// The reports take the last figures read, however old (At says when); none before the
	// first reading.
	view := func(v workflow.CapacityView) report.CapacityView {
		err := v.Err
		if v.Known() {
			err = nil
		} else if err == nil {
			err = errors.New("the mail server's capacity has not been read yet")
		}
		return report.CapacityView{Now: v.Now, Limits: v.Limits, At: v.At, Err: err}
	}
	reports := &report.Service{Store: st, Book: book, Tenant: ts.ByID, Catalog: catalog, Letters: letters,
		Capacity: func(ctx context.Context, tenantID int64) report.CapacityView {
			return view(engine.Capacity(ctx, tenantID))
		}}
	engine.Reports = reports
	engine.OnCapacity = func(ctx context.Context, tenantID int64, v workflow.CapacityView) {
		if err := reports.KeepCapacity(ctx, tenantID, view(v)); err != nil {
			log.Warn("capacity not kept for the report", "tenant", tenantID, "err", err)
		}
	}
	srv.Reports = reports
	archives := &archive.Service{Store: st, Book: book, Tenant: ts.ByID, Tenants: ts.All, Audit: engine.Audit}
	srv.Archive = archives
	srv.Rosters = &rostersync.Service{Store: st, Requests: requests, Registry: engine.Registry, Audit: engine.Audit, Options: roster.Options{TempDir: rosterTemp(cfg.DataDir)}}
	srv.Surveys = &survey.Service{Store: st, Book: book}
	srv.Standards = &standard.Service{Store: st, Book: book, Catalog: catalog, Reports: reports, Staff: staffs, Letters: letters, Audit: engine.Audit,
		Survey: func(ctx context.Context, t account.Tenant, lang string) (*standard.IKM, error) {
			x, period, ok, err := srv.Surveys.Current(ctx, t, lang)
			if err != nil || !ok {
				return nil, err
			}
			return &standard.IKM{Period: period, Value: x.Converted, Shown: report.Show(report.DecimalV(x.Converted, true), lang), Grade: x.Grade,
				Label: survey.Text(x.Label, lang), Respondents: x.N}, nil
		}}
	srv.Complaints = &complaint.Service{Store: st, Book: book, Mail: ob, Audit: engine.Audit,
		Settings: func(ctx context.Context, tenantID int64) (map[string]int, string, error) {
			set, err := srv.Standards.Settings(ctx, tenantID)
			return set.ComplaintDays, set.WithDefaults().LaporURL, err
		}}
	srv.Standards.Complaints = srv.Complaints
	if err := srv.Init(); err != nil {
		return nil, err
	}
	handlers := engine.Handlers()
	handlers[notify.JobKind] = ob.Deliver
	handlers[workflow.JobSync] = engine.SyncJob
	handlers[account.JobSendLink] = func(ctx context.Context, j jobs.Job) error { return accounts.SendLink(ctx, j.Ref) }
	runner := &jobs.Runner{Store: st, Log: log, Handlers: handlers, Pools: pools(cfg, engine),
		Own: instance(cfg), Instance: instance(cfg) + strconv.Itoa(os.Getpid()),
		OnDead: engine.JobDied,
		OnRun: func(kind string, err error) {
			outcome := "ok"
			if err != nil {
				outcome = "error"
			}
			metrics.Jobs.WithLabelValues(kind, outcome).Inc()
		}}
	st.JobQueue(runner.QueueOf)
	a := &App{Config: cfg, Store: st, Accounts: accounts, Requests: requests, Book: book, Staff: staffs, Outbox: ob, Runner: runner, Web: srv, Tenants: ts, Workflow: engine, Letters: letters, Archive: archives, Uploads: uploads, Log: log, leading: leading,
		Setup: settings, servers: servers}
	srv.Setup, srv.FirstRun, srv.SetupTestLimit = settings, firstRun{a}, ratelimit.New(10, nil)
	return a, nil
}

// pools are the job runner's queues: provisioning (the mail servers' calls) apart from
// mail, so that an unanswering mail server holds up neither the other (nor, with
// timeouts shorter than the HTTP server's, a page). Kinds of no pool run in the first.
func pools(cfg config.Config, engine *workflow.Engine) []jobs.Pool {
	var provision []string
	for k := range engine.Handlers() {
		provision = append(provision, k)
	}
	return []jobs.Pool{
		{Name: "provision", Kinds: provision, Workers: cfg.Jobs.ProvisionWorkers, Timeout: 45 * time.Second},
		{Name: "mail", Kinds: []string{notify.JobKind, account.JobSendLink}, Workers: cfg.Jobs.MailWorkers, Timeout: 30 * time.Second},
		// A sync of a tenant's mail server runs for minutes: its own pool, one at a time.
		{Name: "sync", Kinds: []string{workflow.JobSync}, Workers: 1, Timeout: workflow.SyncTimeout},
	}
}

// instance names this process among the deployment's in the leases of its jobs: host
// and listen address, which no two running processes share, so a restarted process
// recognises its previous run's leases (the pid is added per run).
func instance(cfg config.Config) string {
	host, _ := os.Hostname()
	return host + ":" + cfg.Addr + "/"
}

// letterSettings gives each configured tenant's letter settings (the tenant file's
// letters block, its name and slug as defaults).
func letterSettings(cfg config.Config, ts *Tenants) func(ctx context.Context, tenantID int64) (letter.Settings, error) {
	byID := map[int64]letter.Settings{}
	for _, c := range cfg.Tenants {
		if t, ok := ts.BySlug(c.Slug); ok {
			byID[t.ID] = c.Letters.Settings.WithDefaults(c.Name, c.Slug)
		}
	}
	return func(ctx context.Context, tenantID int64) (letter.Settings, error) {
		set, ok := byID[tenantID]
		if !ok {
			return set, fmt.Errorf("letters: tenant %d not configured", tenantID)
		}
		return set, nil
	}
}

// hsts is the Strict-Transport-Security header: only for a site reached over TLS (a
// browser ignores it over plain HTTP, and a localhost one must stay reachable without).
func hsts(cfg config.Config) string {
	if !cfg.Secure() || cfg.HSTSMaxAge <= 0 {
		return ""
	}
	return "max-age=" + strconv.Itoa(cfg.HSTSMaxAge)
}

// openBlobs opens where documents are kept (Config.Storage). The directory of one
// machine cannot serve several processes: with PostgreSQL the log says so at start.
func openBlobs(ctx context.Context, cfg config.Config, log *slog.Logger) (upload.Blobs, error) {
	if s := cfg.Storage.S3; s != nil {
		b, err := s3store.Open(ctx, s3store.Options{Endpoint: s.Endpoint, TLS: s.TLS, Bucket: s.Bucket, Prefix: s.Prefix, Region: s.Region,
			AccessKey: s.AccessKey, SecretKey: s.SecretKey})
		if err != nil {
			return nil, fmt.Errorf("SUREL_STORAGE_URL: %w", err)
		}
		return b, nil
	}
	d := &upload.Dir{Path: cfg.Storage.Dir}
	// Files half-written when a process died; younger ones may be an upload under way
	// in another process sharing the directory.
	if n, err := d.SweepTemp(time.Now(), time.Hour); err != nil {
		log.Warn("uploads: sweep", "err", err)
	} else if n > 0 {
		log.Info("uploads: half-written files removed", "count", n)
	}
	if !cfg.SQLite() {
		log.Warn("documents are kept on this machine's disk (" + cfg.Storage.Dir + "): other processes on this database cannot read them; " +
			"several processes need SUREL_STORAGE_URL (docs/deployment.md)")
	}
	return d, nil
}

// Handler is the whole HTTP interface.
func (a *App) Handler() http.Handler { return a.Web.Handler() }

// Close releases the database.
func (a *App) Close() error {
	a.Web.WaitTouches() // the session touches under way, before their database closes
	return a.Store.Close()
}

// HTTPServer is the HTTP server Serve runs: the app's handler on Config.Addr, with its
// timeouts and error log. The load programs under bench serve with it too, so that they
// measure the production settings.
func (a *App) HTTPServer() *http.Server {
	return &http.Server{Addr: a.Config.Addr, Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
}

// Serve runs the job runner and the HTTP server until ctx ends, then shuts down
// gracefully.
func (a *App) Serve(ctx context.Context) error {
	ms := a.MetricsServer()
	var ml net.Listener
	if ms != nil {
		// Listened to before anything starts, so a taken port stops the start with
		// its name instead of leaving the metrics silently missing.
		var err error
		if ml, err = net.Listen("tcp", ms.Addr); err != nil {
			return fmt.Errorf("SUREL_METRICS_ADDR: %w (set another address, or off)", err)
		}
	}
	ran := make(chan struct{})
	go func() { a.Runner.Run(ctx); close(ran) }()
	go a.lead(ctx)
	go a.listen(ctx)
	go a.checkMailServers(ctx)
	hs := a.HTTPServer()
	errc := make(chan error, 2)
	go func() { errc <- hs.ListenAndServe() }()
	if ms != nil {
		go func() { errc <- ms.Serve(ml) }()
		a.Log.Info("metrics", "addr", ms.Addr, "public", a.Config.MetricsToken != "")
	}
	mailMode := "kept in the outbox (set SUREL_SMTP_URL to send; read with `surel outbox`)"
	if a.Outbox.Sender != nil {
		mailMode = "sent by SMTP"
	}
	a.Log.Info("surel serving", "addr", a.Config.Addr, "base_url", a.Config.BaseURL, "database", string(a.Store.Dialect()), "mail", mailMode)
	a.LogStartupWarnings(ctx, time.Now())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: no new requests or jobs; running ones finish")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if ms != nil {
		ms.Shutdown(sctx)
	}
	err := hs.Shutdown(sctx)
	// The runner records its jobs' outcomes before the caller closes the database.
	<-ran
	return err
}

// MetricsServer is the private /metrics listener on Config.MetricsAddr, nil when it is
// off.
func (a *App) MetricsServer() *http.Server {
	if a.Config.MetricsAddr == "" {
		return nil
	}
	return &http.Server{Addr: a.Config.MetricsAddr, Handler: a.Web.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
}

// KeyCheck is the value by which the processes of a deployment find out that they run
// with the same secret key (store.CheckKey): a subkey of its own, which tells nothing
// about the key or its other subkeys.
func KeyCheck(secret []byte) string {
	return hex.EncodeToString(Subkey(secret, "key-check")[:16])
}

// Subkey derives a purpose-bound key from the secret key, so the keys of its uses (the
// captcha's HMAC, the sealed credentials, the TOTP secrets) never coincide.
func Subkey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("surel/" + purpose))
	return m.Sum(nil)
}

// rosterTemp is where a roster import's sorted runs go: beside the database, not in a
// /tmp that may be memory; "" (the system's) when the data directory cannot be made.
func rosterTemp(dir string) string {
	if dir == "" || os.MkdirAll(dir, 0o700) != nil {
		return ""
	}
	return dir
}
