// Package web is surel's HTML interface: the public pages, the applicant's portal, the
// back office (/kantor) and the tenant admin's screens. Handlers live one action per
// file, named after the URL they serve; they call the domain services, and return
// errors, which render.go maps to a status and a translated message in one place.
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/captcha"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/ratelimit"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
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
	Open(name string) (*os.File, error)
	Remove(name string) error
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
	// Letters numbers the official documents and verifies their codes.
	Letters *letter.Service
	// VerifyLimit limits lookups of verification codes per client address.
	VerifyLimit *ratelimit.Limiter

	// Now is the clock of the checks that depend on the date (the holiday table's
	// years); nil is time.Now.
	Now func() time.Time

	tpl         *templates
	assets      *assets
	uploadSlots chan struct{}
	// pageCache holds rendered anonymous pages (render.go, anonymousPlain).
	pageCache     sync.Map
	pageCacheSize atomic.Int32
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
	return nil
}

// Handler returns the whole HTTP interface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn handlerFunc, mw ...func(handlerFunc) handlerFunc) {
		for i := len(mw) - 1; i >= 0; i-- {
			fn = mw[i](fn)
		}
		mux.Handle(pattern, s.serve(pattern, fn))
	}
	limited := s.rateLimited

	h("GET /{$}", s.home)
	h("GET /daftar", s.registerForm)
	h("POST /daftar", s.register, limited)
	h("GET /daftar/periksa-email", s.registerDone)
	h("GET /aktivasi/{token}", s.activate)
	h("GET /aktivasi", s.resendForm)
	h("POST /aktivasi", s.resend, limited)
	h("GET /masuk", s.loginForm)
	h("POST /masuk", s.login, limited)
	h("POST /keluar", s.logout)
	h("GET /masuk/verifikasi", s.mfaVerifyForm)
	h("POST /masuk/verifikasi", s.mfaVerify, limited)
	h("GET /masuk/aktifkan-2fa", s.mfaEnrollForm)
	h("POST /masuk/aktifkan-2fa", s.mfaEnroll, limited)
	h("GET /lupa-password", s.forgotForm)
	h("POST /lupa-password", s.forgot, limited)
	h("GET /lupa-password/{token}", s.resetForm)
	h("POST /lupa-password/{token}", s.reset, limited)
	h("GET /akun", s.profileForm, s.signedIn)
	h("POST /akun", s.profile, s.signedIn)
	h("POST /akun/password", s.changePassword, s.signedIn, limited)
	h("GET /permohonan", s.requestList, s.signedIn)
	h("GET /tambah-permohonan", s.catalog, s.signedIn)
	h("GET /tambah-permohonan/{service}", s.chooseKind, s.signedIn)
	h("POST /tambah-permohonan/{service}", s.startDraft, s.signedIn)
	h("GET /permohonan/alamat", s.mailboxCheck, s.signedIn)
	h("GET /permohonan/{id}", s.requestView, s.signedIn)
	h("GET /permohonan/{id}/ubah", s.editForm, s.signedIn)
	h("POST /permohonan/{id}/ubah", s.edit, s.signedIn)
	h("GET /permohonan/{id}/ringkasan", s.summary, s.signedIn)
	h("POST /permohonan/{id}/kirim", s.submit, s.signedIn)
	h("POST /permohonan/{id}/hapus", s.discard, s.signedIn)
	h("GET /permohonan/{id}/berkas/{file}", s.download, s.signedIn)
	h("GET /permohonan/{id}/tanda-terima", s.receipt, s.signedIn)
	h("GET /permohonan/{id}/surat-hasil", s.resultLetter, s.signedIn)
	h("GET /notifikasi", s.notifications, s.signedIn)
	h("GET /kantor", s.inbox, s.staffOnly)
	h("GET /kantor/permohonan/{id}", s.caseView, s.staffOnly)
	h("POST /kantor/permohonan/{id}/tindak", s.caseAct, s.staffOnly)
	h("GET /kantor/permohonan/{id}/berkas/{file}", s.caseFile, s.staffOnly)
	h("POST /kantor/permohonan/{id}/surat", s.letter, s.staffWith(sop.RoleFrontDesk, sop.RoleAdminMail))
	h("GET /kantor/permohonan/{id}/tanda-terima", s.caseReceipt, s.staffOnly)
	h("GET /kantor/permohonan/{id}/surat-hasil", s.caseResultLetter, s.staffOnly)
	loket := s.staffWith(sop.RoleFrontDesk)
	h("GET /kantor/loket", s.loketForm, loket)
	h("POST /kantor/loket", s.loket, loket)
	h("GET /kantor/loket/{id}", s.loketDone, loket)
	h("GET /kantor/permohonan/{id}/perbaikan", s.loketFixForm, loket)
	h("POST /kantor/permohonan/{id}/perbaikan", s.loketFix, loket)
	h("POST /permohonan/{id}/password", s.reveal, s.signedIn)
	h("GET /permohonan/{id}/password-email", s.mailboxPasswordForm, s.signedIn)
	h("POST /permohonan/{id}/password-email", s.mailboxPassword, s.signedIn, limited)
	admin := s.staffWith(sop.RoleTenantAdmin)
	h("GET /kantor/staf", s.staffList, admin)
	h("GET /kantor/staf/tambah", s.staffAddForm, admin)
	h("POST /kantor/staf/tambah", s.staffAdd, admin)
	h("GET /kantor/staf/{id}", s.staffEditForm, admin)
	h("POST /kantor/staf/{id}", s.staffEdit, admin)
	h("POST /kantor/staf/{id}/reset-2fa", s.staffResetMFA, admin)
	h("GET /kantor/sop", s.kantorSOPForm, admin)
	h("POST /kantor/sop", s.kantorSOP, admin)
	h("GET /kantor/kalender", s.kantorCalendarForm, admin)
	h("POST /kantor/kalender", s.kantorCalendar, admin)
	h("GET /kantor/alur", s.kantorFlow, s.staffOnly)
	h("GET /kantor/akun", s.accounts, s.staffOnly)
	h("GET /kantor/akun.csv", s.accountsCSV, s.staffOnly)
	h("GET /kantor/akun/{id}", s.account, s.staffOnly)
	h("GET /alur-layanan", s.publicFlow)
	h("GET /verifikasi", s.verifyForm)
	h("GET /verifikasi/{code}", s.verify)
	h("GET /alur-layanan.svg", s.publicFlowSVG)
	h("GET /wilayah", s.regionChildren)
	h("GET /wilayah/cari", s.regionSearch)
	h("GET /bahasa/{lang}", s.setLang)
	h("GET /healthz", s.healthz)
	h("GET /readyz", s.readyz)
	if s.MetricsToken != "" {
		mux.Handle("GET /metrics", s.bearer(s.MetricsToken, s.Metrics.Handler()))
	}
	challenge := s.Captcha.ChallengeHandler()
	h("GET /captcha/challenge", func(w http.ResponseWriter, r *http.Request) error {
		if ok, wait := s.ChallengeLimit.Allow(s.clientIP(r)); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			http.Error(w, "too many challenges", http.StatusTooManyRequests)
			return nil
		}
		challenge.ServeHTTP(w, r)
		return nil
	})
	mux.Handle("GET /static/", s.assets)
	mux.Handle("GET /favicon.ico", http.RedirectHandler(s.assets.URL("favicon.svg"), http.StatusMovedPermanently))
	h("/", s.notFound)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(s.serve("cross-origin", func(w http.ResponseWriter, r *http.Request) error {
		return errs.New(errs.Forbidden, "error.cross_origin")
	}))
	return s.requestID(s.securityHeaders(cop.Handler(mux)))
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
		r = s.withUser(sw, r)
		r = r.WithContext(context.WithValue(r.Context(), keyLang, s.lang(r)))
		func() {
			defer func() {
				if p := recover(); p != nil {
					s.Log.ErrorContext(r.Context(), "panic", "panic", p, "request_id", RequestIDOf(r.Context()))
					s.renderError(sw, r, errInternal)
				}
			}()
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

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return errNotFound
}
