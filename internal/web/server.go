// Package web is surel's HTML interface: the public pages, the applicant's portal, the
// back office (/kantor) and the tenant admin's screens, each area's routes in one
// function of routes.go. A screen's handlers live in the file named after its URL
// (/kantor/permohonan/{id}: kantor_permohonan.go, template kantor_permohonan.gohtml),
// each doc comment starting with its route; they call the domain services, never a
// store, and return errors, which render.go maps to a status and a translated message
// in one place.
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"github.com/surel-id/surel/internal/domains"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/archive"
	"github.com/surel-id/surel/internal/captcha"
	"github.com/surel-id/surel/internal/collective"
	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/input"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/ratelimit"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/rostersync"
	"github.com/surel-id/surel/internal/setup"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/standard"
	"github.com/surel-id/surel/internal/survey"
	"github.com/surel-id/surel/internal/upload"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/workflow"
)

// Tenants resolves the office a request is for, by host name, and a stored record's
// office by its id.
type Tenants interface {
	ForHost(host string) account.Tenant
	ByID(id int64) (account.Tenant, bool)
}

// Uploads keeps checked documents outside the web root (internal/upload).
type Uploads interface {
	Save(ctx context.Context, r io.Reader, rule upload.Rule, field, originalName string) (upload.File, error)
	Open(ctx context.Context, name string) (upload.Blob, error)
	Remove(ctx context.Context, name string) error
}

// Pinger is the database check of /readyz.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server holds everything the handlers need.
type Server struct {
	Accounts *account.Service
	Requests *request.Service
	Uploads  Uploads
	Regions  *wilayah.Data
	Captcha  *captcha.Service
	Tenants  Tenants
	DB       Pinger
	Log      *slog.Logger
	Metrics  *Metrics
	// Secure sets the Secure attribute of cookies (behind TLS).
	Secure bool
	// HSTS is the Strict-Transport-Security header of every answer ("max-age=…"), set
	// when the site is reached over TLS; empty sends none.
	HSTS string
	// MetricsToken, when not empty, serves GET /metrics on this handler to a scraper
	// that presents it as a bearer token; otherwise /metrics is only on the private
	// listener (MetricsHandler).
	MetricsToken string
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// AuthLimit limits POSTs to the authentication endpoints per client address.
	AuthLimit *ratelimit.Limiter
	// ChallengeLimit limits captcha challenges per client address: each costs a
	// signature, and a flood of them would fill the replay memory.
	ChallengeLimit *ratelimit.Limiter
	// Staff is the back office's people: roles and the second factor.
	Staff *staff.Service
	// Workflow runs the back office: inbox, actions, credentials.
	Workflow *workflow.Engine
	// Book resolves each tenant's SOP and working calendar, and keeps the tenant
	// admin's edits of them.
	Book *sop.Book
	// Registry is the tenant's mailboxes ("database akun email").
	Registry *registry.Service
	// Domains are the domain services' rules and register (verified instansi, the
	// register of domain names).
	Domains *domains.Rules
	// Collectives are OPDs' collective requests (internal/collective).
	Collectives *collective.Service
	// Letters numbers the official documents and verifies their codes.
	Letters *letter.Service
	// VerifyLimit limits lookups of verification codes per client address.
	VerifyLimit *ratelimit.Limiter
	// Reports computes the back office's reports.
	Reports *report.Service
	// Archive searches the requests that have left the service.
	Archive *archive.Service
	// Rosters imports the data kepegawaian and proposes deactivations from its changes.
	Rosters *rostersync.Service
	// Standards builds, keeps and prints the published service standard.
	Standards *standard.Service
	// Surveys takes the Survei Kepuasan Masyarakat's answers.
	Surveys *survey.Service
	// Setup keeps the tenants' first-run settings; FirstRun applies and tests them.
	Setup    *setup.Service
	FirstRun FirstRun
	// SetupTestLimit limits "Tes koneksi" per staff member: each makes the server call
	// a mail server.
	SetupTestLimit *ratelimit.Limiter
	// Complaints files and handles the complaints (pengaduan).
	Complaints *complaint.Service

	// Now is the clock of the checks that depend on the date (the holiday table's
	// years); nil is time.Now.
	Now func() time.Time

	tpl         *templates
	challenge   http.Handler // the captcha's challenges (captcha.go)
	assets      *assets
	uploadSlots chan struct{}
	// pageCache holds rendered anonymous pages (render.go, anonymousPlain).
	pageCache     sync.Map
	pageCacheSize atomic.Int32
	// touching, touchSlots and touches bound the session touches (session.go).
	touching   sync.Map
	touchSlots chan struct{}
	touches    sync.WaitGroup
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Init parses the templates and fingerprints the assets.
func (s *Server) Init() error {
	var err error
	if s.assets, err = newAssets(); err != nil {
		return err
	}
	if s.tpl, err = parseTemplates(s.assets); err != nil {
		return err
	}
	s.uploadSlots = make(chan struct{}, runtime.GOMAXPROCS(0))
	s.touchSlots = make(chan struct{}, maxTouches)
	s.challenge = s.Captcha.ChallengeHandler()
	return nil
}

// MetricsHandler serves /metrics for the private listener (SUREL_METRICS_ADDR); any
// other path is 404.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.Metrics.Handler())
	return mux
}

// bearer lets through requests whose Authorization header is "Bearer token"; others get
// 401 with the challenge Prometheus expects.
func (s *Server) bearer(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="surel metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyUser
	keySession
	keyUnread
	keyLang
	keyStaff
)

// requestID tags the request (and every log line it writes) with an id.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyRequestID, id)))
	})
}

// RequestIDOf gives the id requestID gave the request, for log handlers.
func RequestIDOf(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if s.HSTS != "" {
			h.Set("Strict-Transport-Security", s.HSTS)
		}
		// The ALTCHA widget solves in a Web Worker and styles itself: hence worker-src
		// and style-src for 'self' only; nothing is loaded from elsewhere.
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"worker-src 'self' blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// cleanQuery makes the query's values storable text (input.Clean) before any handler
// reads them: a search for "%00" reached PostgreSQL, which refuses NUL bytes.
func cleanQuery(u *url.URL) {
	if u.RawQuery == "" || !strings.Contains(u.RawQuery, "%") && input.Storable(u.RawQuery) {
		return
	}
	v, _ := url.ParseQuery(u.RawQuery)
	if input.CleanValues(v) {
		u.RawQuery = v.Encode()
	}
}

// clientIP is the address rate limits and sessions record. Behind a proxy it is the
// header's, cleaned: it is stored with sessions and audit entries.
func (s *Server) clientIP(r *http.Request) string {
	if s.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return input.Truncate(input.Clean(strings.TrimSpace(parts[len(parts)-1])), 64)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handlerFunc is a handler that returns its error for serve to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// serve adapts a handlerFunc: it resolves language and session, times the request for
// /metrics, logs it and renders a returned error.
func (s *Server) serve(pattern string, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		cleanQuery(r.URL)
		r, authErr := s.withUser(sw, r)
		r = r.WithContext(context.WithValue(r.Context(), keyLang, s.lang(r)))
		func() {
			defer func() {
				if p := recover(); p != nil {
					s.Log.ErrorContext(r.Context(), "panic", "panic", p, "request_id", RequestIDOf(r.Context()))
					s.renderError(sw, r, errInternal)
				}
			}()
			if authErr != nil {
				s.renderError(sw, r, authErr)
				return
			}
			if err := fn(sw, r); err != nil {
				s.renderError(sw, r, err)
			}
		}()
		d := time.Since(start)
		s.Metrics.observe(pattern, sw.status, d)
		path := r.URL.Path
		if strings.Contains(pattern, "{token}") || strings.Contains(pattern, "{code}") {
			path = "[link secret not logged]"
		}
		s.Log.LogAttrs(r.Context(), levelFor(sw.status), "http",
			slog.String("request_id", RequestIDOf(r.Context())), slog.String("method", r.Method),
			slog.String("route", pattern), slog.String("path", path), slog.Int("status", sw.status),
			slog.Duration("took", d), slog.String("ip", s.clientIP(r)))
	})
}

func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// / (any path no other route takes) is the not-found page.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return errNotFound
}
