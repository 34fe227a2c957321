package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/captcha"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/store"
)

// syncBuf collects the log for the no-secrets-in-logs check.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type harness struct {
	t   testing.TB
	a   *app.App
	srv *httptest.Server
	log *syncBuf
	c   *http.Client
}

func start(t testing.TB, d store.Dialect, env map[string]string) *harness {
	t.Helper()
	h := &harness{t: t, log: &syncBuf{}}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	e := map[string]string{"SUREL_DATA_DIR": t.TempDir(), "SUREL_DATABASE_URL": dbtest.URL(t, d), "SUREL_BASE_URL": base,
		"SUREL_SECRET_KEY": strings.Repeat("k", 40)}
	for k, v := range env {
		e[k] = v
	}
	cfg, err := config.Load(func(k string) string { return e[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.a, err = app.New(context.Background(), cfg, log, app.Options{Hash: &passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.a.Web.VerifyBaking(); err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h.a.Handler()
	srv.Start()
	h.srv = srv
	t.Cleanup(func() { srv.Close(); h.a.Close() })
	h.c = h.client()
	return h
}

// client is a browser-like client: cookies kept, redirects not followed.
func (h *harness) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type resp struct {
	status int
	loc    string
	body   string
	header http.Header
}

func (h *harness) do(c *http.Client, method, path string, form url.Values) resp {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// A browser's same-origin form post.
		req.Header.Set("Origin", h.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	return h.send(c, req)
}

// send makes the request and reads the whole answer.
func (h *harness) send(c *http.Client, req *http.Request) resp {
	h.t.Helper()
	r, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{r.StatusCode, r.Header.Get("Location"), string(b), r.Header}
}

func (h *harness) get(path string) resp                               { return h.do(h.c, "GET", path, nil) }
func (h *harness) post(path string, f url.Values) resp                { return h.do(h.c, "POST", path, f) }
func (h *harness) postAs(c *http.Client, p string, f url.Values) resp { return h.do(c, "POST", p, f) }

// solved returns a captcha payload solved the way the widget does it.
func (h *harness) solved() string {
	h.t.Helper()
	var ch captcha.Challenge
	r := h.get("/captcha/challenge")
	if err := json.Unmarshal([]byte(r.body), &ch); err != nil {
		h.t.Fatal(err)
	}
	p, err := captcha.Solve(ch)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

var linkRE = regexp.MustCompile(`https?://[^\s]+/(aktivasi|lupa-password)/[A-Za-z0-9_-]+`)

// runJobs works every due job, as the server's runner does in the background (a
// reset link, for one, is mailed by a job).
func (h *harness) runJobs() {
	h.t.Helper()
	for {
		ran, err := h.a.Runner.RunOne(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// mailLink waits for the job runner's work and returns the newest link mailed to addr.
func (h *harness) mailLink(addr string) string {
	h.t.Helper()
	ms, err := h.a.Store.Messages(context.Background(), addr, 1)
	if err != nil || len(ms) == 0 {
		h.t.Fatalf("no mail to %s", addr)
	}
	l := linkRE.FindString(ms[0].Text)
	if l == "" {
		h.t.Fatalf("no link in mail %q", ms[0].Text)
	}
	// The path only: the link's host is the tenant's (SUREL_BASE_URL's, here), which
	// need not be the test server's address.
	return mustURL(l).RequestURI()
}

func registration(h *harness, email string) url.Values {
	return url.Values{"first_name": {"Siti"}, "last_name": {"Rahma"}, "email": {email}, "phone": {"081234567890"},
		"password": {"rahasia123"}, "password2": {"rahasia123"}, "altcha": {h.solved()}}
}

// signup registers and activates an account, leaving h.c signed in; it returns the
// activation link.
func (h *harness) signup(email string) string {
	h.t.Helper()
	if r := h.post("/daftar", registration(h, email)); r.status != 303 {
		h.t.Fatalf("register: %d %s", r.status, r.body)
	}
	link := h.mailLink(email)
	if r := h.get(link); r.status != 303 || r.loc != "/akun" {
		h.t.Fatalf("activate: %d %s", r.status, r.loc)
	}
	return link
}

func contains(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q", w)
		}
	}
}

// Every page renders, in both languages, with no untranslated key showing.
func TestPagesRender(t *testing.T) {
	h := start(t, store.SQLite, nil)
	untranslated := regexp.MustCompile(`\b(field|rule|hint|nav|flash|home|login|register|profile|error)\.[a-z_]+\b`)
	for _, lang := range []string{"id", "en"} {
		h.get("/bahasa/" + lang)
		for _, tc := range []struct {
			path   string
			status int
			want   string
		}{
			{"/", 200, map[string]string{"id": "Email resmi pemerintah", "en": "Official government e-mail"}[lang]},
			{"/daftar", 200, map[string]string{"id": "Nama Depan", "en": "First name"}[lang]},
			{"/daftar/periksa-email", 200, map[string]string{"id": "Lanjutkan Aktivasi Akun", "en": "Continue Account Activation"}[lang]},
			{"/masuk", 200, map[string]string{"id": "Username atau email", "en": "Username or e-mail"}[lang]},
			{"/lupa-password", 200, map[string]string{"id": "Lupa password", "en": "Forgot password"}[lang]},
			{"/aktivasi", 200, map[string]string{"id": "Kirim ulang", "en": "Send the activation link again"}[lang]},
			{"/aktivasi/bogus", 404, map[string]string{"id": "Tautan ini tidak dikenal", "en": "This link is not recognised"}[lang]},
			{"/lupa-password/bogus", 404, map[string]string{"id": "Tautan ini tidak dikenal", "en": "This link is not recognised"}[lang]},
			{"/tidak-ada", 404, map[string]string{"id": "Halaman tidak ditemukan", "en": "Page not found"}[lang]},
		} {
			r := h.get(tc.path)
			if r.status != tc.status {
				t.Errorf("%s %s: status %d, want %d", lang, tc.path, r.status, tc.status)
			}
			contains(t, r.body, tc.want, `<html lang="`+lang+`">`)
			if m := untranslated.FindString(r.body); m != "" {
				t.Errorf("%s %s shows the key %q", lang, tc.path, m)
			}
			if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("%s: CSP %q", tc.path, csp)
			}
		}
	}
	if r := h.get("/akun"); r.status != 303 || r.loc != "/masuk?next=%2Fakun" {
		t.Fatalf("/akun signed out: %d %s", r.status, r.loc)
	}
}

func TestRegisterFormErrors(t *testing.T) {
	h := start(t, store.SQLite, nil)
	f := url.Values{"first_name": {"Siti"}, "last_name": {""}, "email": {"siti@"}, "phone": {"0812"},
		"password": {"abcdefgh"}, "password2": {"abcdefgh"}}
	r := h.post("/daftar", f)
	if r.status != 422 {
		t.Fatalf("status %d", r.status)
	}
	contains(t, r.body,
		"Email harus berupa alamat email yang benar",
		"Nomor HP harus nomor HP Indonesia",
		"Password harus kombinasi huruf dan angka.",
		"Kode Unik belum diselesaikan",
		`value="Siti"`, `value="siti@"`, `value="0812"`,
		`aria-invalid="true"`, `aria-describedby="h-email e-email"`)
	if strings.Contains(r.body, "abcdefgh") {
		t.Fatal("the password was sent back into the page")
	}
	if ms, _ := h.a.Store.Messages(context.Background(), "", 5); len(ms) != 0 {
		t.Fatal("an invalid form queued mail")
	}
	// English messages name the field too.
	h.get("/bahasa/en")
	r = h.post("/daftar", f)
	contains(t, r.body, "E-mail must be a valid e-mail address", "Password must combine letters and digits.")
}

// A taken e-mail, an unknown login and an unknown reset address answer exactly like the
// valid cases.
func TestNoAccountEnumeration(t *testing.T) {
	h := start(t, store.SQLite, nil)
	h.signup("siti@example.com")
	anon := h.client()

	a := h.postAs(anon, "/daftar", registration(h, "siti@example.com"))
	b := h.postAs(anon, "/daftar", registration(h, "baru@example.com"))
	if a.status != b.status || a.loc != b.loc {
		t.Fatalf("register taken %d %s vs new %d %s", a.status, a.loc, b.status, b.loc)
	}
	fa := h.postAs(anon, "/lupa-password", url.Values{"email": {"siti@example.com"}, "altcha": {h.solved()}})
	fb := h.postAs(anon, "/lupa-password", url.Values{"email": {"tidak@example.com"}, "altcha": {h.solved()}})
	if fa.status != fb.status || fa.body != fb.body {
		t.Fatalf("reset known %d vs unknown %d, bodies differ: %v", fa.status, fb.status, fa.body != fb.body)
	}
	la := h.postAs(anon, "/masuk", url.Values{"login": {"siti.rahma"}, "password": {"salah12345"}})
	lb := h.postAs(anon, "/masuk", url.Values{"login": {"orang.lain"}, "password": {"salah12345"}})
	if la.status != lb.status || la.status != 401 {
		t.Fatalf("login statuses %d %d", la.status, lb.status)
	}
	contains(t, la.body, "Username/email atau password salah.")
	contains(t, lb.body, "Username/email atau password salah.")
}

func TestSessionCookie(t *testing.T) {
	for _, base := range []string{"", "https://surel.example"} {
		h := start(t, store.SQLite, map[string]string{"SUREL_BASE_URL": base})
		if base == "" {
			base = h.srv.URL
		}
		h.signup("siti@example.com")
		h.post("/keluar", url.Values{})
		planted := &http.Cookie{Name: "surel_sesi", Value: "planted-by-attacker"}
		u, _ := url.Parse(h.srv.URL)
		h.c.Jar.SetCookies(u, []*http.Cookie{planted})
		r := h.post("/masuk", url.Values{"login": {"siti@example.com"}, "password": {"rahasia123"}, "next": {"//evil.example/x"}})
		if r.status != 303 || r.loc != "/akun" {
			t.Fatalf("login: %d %q (an off-site next must not be followed)", r.status, r.loc)
		}
		sc := r.header.Get("Set-Cookie")
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(sc, want) {
				t.Errorf("cookie %q lacks %s", sc, want)
			}
		}
		if secure := strings.Contains(sc, "Secure"); secure != strings.HasPrefix(base, "https://") {
			t.Errorf("base %s: cookie Secure=%v", base, secure)
		}
		if strings.Contains(sc, "planted-by-attacker") {
			t.Fatal("session id not renewed at login")
		}
		if r := h.get("/akun"); r.status != 200 {
			t.Fatalf("/akun after login: %d", r.status)
		}
		// Logging out ends the session on the server, not only in the browser.
		cookie := strings.SplitN(strings.TrimPrefix(sc, "surel_sesi="), ";", 2)[0]
		h.post("/keluar", url.Values{})
		other := h.client()
		other.Jar.SetCookies(u, []*http.Cookie{{Name: "surel_sesi", Value: cookie}})
		if r := h.do(other, "GET", "/akun", nil); r.status != 303 {
			t.Fatalf("session alive after logout: %d", r.status)
		}
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	h := start(t, store.SQLite, nil)
	req, _ := http.NewRequest("POST", h.srv.URL+"/masuk", strings.NewReader("login=a&password=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin POST: %d", r.StatusCode)
	}
}

func TestAuthRateLimit(t *testing.T) {
	h := start(t, store.SQLite, map[string]string{"SUREL_AUTH_RATE": "5"})
	var last resp
	for i := range 6 {
		last = h.post("/masuk", url.Values{"login": {"x" + string(rune('a'+i))}, "password": {"salah12345"}})
	}
	if last.status != 429 {
		t.Fatalf("6th POST: %d", last.status)
	}
	if ra := last.header.Get("Retry-After"); ra != "12" {
		t.Errorf("Retry-After %q, want 12", ra)
	}
	contains(t, last.body, "Terlalu banyak permintaan dari alamat Anda. Coba lagi dalam 12 detik.")
	// Pages still load: only the auth POSTs are limited.
	if r := h.get("/masuk"); r.status != 200 {
		t.Fatalf("GET limited too: %d", r.status)
	}
}

func TestLoginCaptchaAndLock(t *testing.T) {
	h := start(t, store.SQLite, nil)
	h.signup("siti@example.com")
	h.post("/keluar", url.Values{})
	var r resp
	for range 3 {
		r = h.post("/masuk", url.Values{"login": {"siti.rahma"}, "password": {"salah12345"}})
	}
	contains(t, r.body, "<altcha-widget")
	r = h.post("/masuk", url.Values{"login": {"siti.rahma"}, "password": {"rahasia123"}})
	if r.status != 422 {
		t.Fatalf("right password without captcha after failures: %d", r.status)
	}
	contains(t, r.body, "Kode Unik belum diselesaikan")
	for range 7 {
		r = h.post("/masuk", url.Values{"login": {"siti.rahma"}, "password": {"salah12345"}, "altcha": {h.solved()}})
	}
	if r.status != 429 {
		t.Fatalf("10th failure: %d", r.status)
	}
	contains(t, r.body, "Coba lagi dalam 15 menit", "Lupa password")
	// The owner gets in through a reset link despite the lock.
	h.post("/lupa-password", url.Values{"email": {"siti@example.com"}, "altcha": {h.solved()}})
	h.runJobs()
	link := h.mailLink("siti@example.com")
	if r := h.get(link); r.status != 200 {
		t.Fatalf("reset form: %d", r.status)
	}
	r = h.post(link, url.Values{"password": {"baru12345"}, "password2": {"baru12345"}})
	if r.status != 303 || r.loc != "/akun" {
		t.Fatalf("reset: %d %s %s", r.status, r.loc, r.body)
	}
	h.post("/keluar", url.Values{})
	if r := h.post("/masuk", url.Values{"login": {"siti.rahma"}, "password": {"baru12345"}}); r.status != 303 {
		t.Fatalf("login after reset: %d", r.status)
	}
}

// Whole journey on each engine; afterwards no password, link secret or session id is in
// the log.
func TestJourneyLogsNoSecrets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		h := start(t, st.Dialect(), nil)
		act := h.signup("siti@example.com")
		r := h.get("/akun")
		contains(t, r.body, "Lengkapi data berikut", "siti.rahma")
		r = h.post("/akun", url.Values{"full_name": {"Siti Rahma, S.Kom."}, "nip": {"196109231991031004"}, "jabatan": {"Pranata Komputer"},
			"instansi": {"Diskominfo"}, "satuan_kerja": {"Pemkab Merangin"}, "phone": {"081234567890"}, "address": {"Jl. Merdeka 1"}})
		if r.status != 303 {
			t.Fatalf("profile: %d %s", r.status, r.body)
		}
		r = h.get("/akun")
		contains(t, r.body, "Data diri tersimpan.", "sudah lengkap")
		r = h.post("/akun/password", url.Values{"old_password": {"rahasia123"}, "password": {"gantiPw789"}, "password2": {"gantiPw789"}})
		if r.status != 303 {
			t.Fatalf("change password: %d", r.status)
		}
		for _, secret := range []string{"rahasia123", "gantiPw789", strings.TrimPrefix(act, "/aktivasi/")} {
			if strings.Contains(h.log.String(), secret) {
				t.Errorf("log contains a secret %q", secret)
			}
		}
		for _, c := range h.c.Jar.Cookies(mustURL(h.srv.URL)) {
			if c.Name == "surel_sesi" && strings.Contains(h.log.String(), c.Value) {
				t.Error("log contains the session id")
			}
		}
		if !strings.Contains(h.log.String(), "request_id=") {
			t.Error("request lines carry no request id")
		}
	})
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestOpsEndpoints(t *testing.T) {
	h := start(t, store.SQLite, nil)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ok"} {
		h.get("/masuk")
		r := h.get(path)
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Errorf("%s: %d %q", path, r.status, r.body[:min(len(r.body), 80)])
		}
	}
	// /metrics is on the private listener, not the public one (issue 12: it showed route
	// counts, queue sizes and the exact Go version to anyone).
	if r := h.get("/metrics"); r.status != 404 || strings.Contains(r.body, "go_info") {
		t.Fatalf("public /metrics without a token: %d", r.status)
	}
	priv := httptest.NewServer(h.a.MetricsServer().Handler)
	defer priv.Close()
	pr, err := http.Get(priv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(pr.Body)
	pr.Body.Close()
	r := resp{status: pr.StatusCode, body: string(b)}
	if r.status != 200 {
		t.Fatalf("private /metrics: %d", r.status)
	}
	contains(t, r.body, `surel_jobs{status="dead"}`, `route="GET /masuk"`, "surel_http_requests_total")
	h.a.Close()
	if r := h.get("/readyz"); r.status != 503 {
		t.Fatalf("readyz with the database closed: %d", r.status)
	}
}

func TestStaticAssetsFingerprinted(t *testing.T) {
	h := start(t, store.SQLite, nil)
	r := h.get("/masuk")
	m := regexp.MustCompile(`/static/[0-9a-f]{12}/app\.css`).FindString(r.body)
	if m == "" {
		t.Fatal("no fingerprinted stylesheet link")
	}
	a := h.get(m)
	if a.status != 200 || !strings.Contains(a.header.Get("Cache-Control"), "immutable") {
		t.Fatalf("%s: %d %s", m, a.status, a.header.Get("Cache-Control"))
	}
	if r := h.get("/static/000000000000/app.css"); r.status != 404 {
		t.Fatalf("stale fingerprint served: %d", r.status)
	}
}
