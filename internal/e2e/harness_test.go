package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailtest"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/store"
)

// Timeouts. Nothing sleeps for them: they bound explicit waits.
const (
	actionTimeout  = 15 * time.Second // one browser action or page load
	captchaTimeout = 30 * time.Second // the widget's proof of work on a slow CI core
	mailTimeout    = 15 * time.Second // the job runner delivering to mailtest
	pollEvery      = 50 * time.Millisecond
)

// chromium returns the browser binary, or skips (fails in CI) when there is none.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser suite skipped with -short")
	}
	p := os.Getenv("SUREL_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium missing (%v); the browser suite is mandatory in CI", err)
		}
		t.Skipf("chromium missing (%v); install it or set SUREL_CHROMIUM", err)
	}
	return p
}

// server is surel started in-process as main starts it, with mail going to a real
// SMTP server on loopback.
type server struct {
	URL  string
	App  *app.App
	Mail *mailtest.Server
}

// cheapHash keeps argon2id out of the suite's run time.
var cheapHash = passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func startServer(t *testing.T, d store.Dialect) *server {
	t.Helper()
	return startServerEnv(t, d, nil)
}

// startServerEnv is startServer with more environment (SUREL_CONFIG, say).
func startServerEnv(t *testing.T, d store.Dialect, extra map[string]string) *server {
	t.Helper()
	mail := mailtest.Start(t)
	// The listener comes first: SUREL_BASE_URL must name it so mailed links work.
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	env := map[string]string{
		"SUREL_ADDR":         hs.Listener.Addr().String(),
		"SUREL_DATA_DIR":     t.TempDir(),
		"SUREL_DATABASE_URL": dbtest.URL(t, d),
		"SUREL_BASE_URL":     base,
		"SUREL_SMTP_URL":     mail.URL(),
		"SUREL_SECRET_KEY":   "e2e-secret-key-e2e-secret-key-e2e-secret-key",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logw := &testLog{t: t}
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(context.Background(), cfg, log, app.Options{Hash: &cheapHash})
	if err != nil {
		hs.Close()
		t.Fatal(err)
	}
	if err := a.Web.VerifyBaking(); err != nil {
		hs.Close()
		t.Fatal(err)
	}
	hs.Config.Handler = a.Handler()
	hs.Start()

	ctx, cancel := context.WithCancel(context.Background())
	a.Runner.Poll = pollEvery // mail leaves within a poll, not the production half second
	done := make(chan struct{})
	go func() { defer close(done); a.Runner.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		hs.Close()
		a.Close()
		logw.stop()
	})
	return &server{URL: base, App: a, Mail: mail}
}

// testLog sends the application's warnings to the test log until the test ends.
type testLog struct {
	mu      sync.Mutex
	t       *testing.T
	stopped bool
}

func (w *testLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Logf("app: %s", strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLog) stop() { w.mu.Lock(); w.stopped = true; w.mu.Unlock() }

// browser is one Chromium tab at phone size, with helpers that fail the test with the
// page's URL, its visible text and a screenshot.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string // the application's URL
	shots string // screenshot directory
	n     int    // screenshots taken
	step  string // what the test is doing, for failure messages

	mu      sync.Mutex
	console []consoleLine
}

// consoleLine is one console message, exception or browser log entry of the tab.
type consoleLine struct {
	Type chromedp.ConsoleType
	Text string // with where it came from
}

const (
	phoneWidth  = 360
	phoneHeight = 800
)

func newBrowser(t *testing.T, base, shots string) *browser {
	t.Helper()
	return newBrowserWith(t, base, shots)
}

// newBrowserWith is newBrowser with more Chromium options (a host resolver rule, say).
func newBrowserWith(t *testing.T, base, shots string, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	bin := chromium(t)
	profile := t.TempDir() // removed after the browser has exited (cleanups run in reverse)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(phoneWidth, phoneHeight),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
	}
	// The defaults bring headless, no-first-run, disable-background-networking and
	// disable-sync among Puppeteer's usual quiet flags.
	opts = append(append(chromedp.DefaultExecAllocatorOptions[:], opts...), extra...)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); acancel() })

	b := &browser{t: t, ctx: ctx, base: base, shots: shots}
	// The first Run starts the browser and binds it to ctx, which has no deadline;
	// every later action gets its own timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, phoneHeight)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, consoleLine{m.Type, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1)})
			b.mu.Unlock()
		}
	}()
	return b
}

// Console returns what the pages wrote to the console so far, exceptions and CSP
// reports included.
func (b *browser) Console() []consoleLine {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]consoleLine(nil), b.console...)
}

// do runs browser actions with the action timeout.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitJS polls expr until it is true. Navigations in between are fine: an evaluation
// that fails while a document is replaced is retried.
func (b *browser) waitJS(what, expr string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		if time.Now().After(deadline) {
			if last != nil {
				b.fatalf("waiting %v for %s: %v", timeout, what, last)
			}
			b.fatalf("waiting %v for %s", timeout, what)
		}
		time.Sleep(pollEvery)
	}
}

// open navigates to a path of the application (or an absolute URL) and waits for the load.
func (b *browser) open(path string) {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.base + path
	}
	b.do("open "+u, chromedp.Navigate(u))
	b.waitJS("page load", `document.readyState === "complete"`, actionTimeout)
}

// markPage tags the current document so waitNewPage can tell when it is replaced.
func (b *browser) markPage() {
	b.t.Helper()
	eval[chromedp.Void](b, `window.__e2eOld = true`)
}

// waitNewPage waits until the marked document has been replaced by a loaded one.
func (b *browser) waitNewPage() {
	b.t.Helper()
	b.waitJS("the next page", `window.__e2eOld === undefined && document.readyState === "complete"`, actionTimeout)
}

// click clicks the first element matching the CSS selector and waits for the page it
// leads to (a link, a submit button).
func (b *browser) click(sel string) {
	b.t.Helper()
	b.markPage()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	b.waitNewPage()
}

// clickText clicks the link or button whose visible text is exactly text, and waits for
// the next page: what a user does when told "click Daftar".
func (b *browser) clickText(scope, text string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => {
		const want = %q;
		const els = [...document.querySelectorAll(%q)].filter(e =>
			(e.matches("a, button, input[type=submit]")) && (e.innerText || e.value || "").trim() === want && e.offsetParent !== null);
		if (els.length === 0) return "";
		els[0].setAttribute("data-e2e-target", "1");
		return "ok";
	})()`, text, scope+" a, "+scope+" button, "+scope+" input[type=submit]")
	if eval[string](b, js) != "ok" {
		b.fatalf("no visible link or button %q in %s", text, scope)
	}
	b.click(`[data-e2e-target="1"]`)
}

// fill replaces the value of an input by typing, as a user would.
func (b *browser) fill(sel, text string) {
	b.t.Helper()
	if !eval[bool](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.value = ""; return true; })()`, sel)) {
		b.fatalf("no field %s", sel)
	}
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// path is the current URL's path.
func (b *browser) path() string {
	b.t.Helper()
	return eval[string](b, `location.pathname`)
}

// text is the page's visible text.
func (b *browser) text() string {
	b.t.Helper()
	return eval[string](b, `document.body ? document.body.innerText : ""`)
}

// value is the current value of a form control.
func (b *browser) value(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%q) || {value: "<missing>"}).value`, sel))
}

func (b *browser) wantPath(want string) {
	b.t.Helper()
	if got := b.path(); got != want {
		b.fatalf("at %s, want %s", got, want)
	}
}

// wantText checks that each string appears in the page's visible text.
func (b *browser) wantText(want ...string) {
	b.t.Helper()
	txt := b.text()
	for _, w := range want {
		if !strings.Contains(txt, w) {
			b.fatalf("the page does not show %q", w)
		}
	}
}

func (b *browser) wantNoText(unwanted ...string) {
	b.t.Helper()
	txt := b.text()
	for _, w := range unwanted {
		if strings.Contains(txt, w) {
			b.fatalf("the page shows %q, which it should not", w)
		}
	}
}

// wantIn checks that the element matching sel exists and its visible text contains want.
func (b *browser) wantIn(sel, want string) {
	b.t.Helper()
	got := eval[string](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : "<no element %s>"; })()`, sel, sel))
	if !strings.Contains(got, want) {
		b.fatalf("%s shows %q, want it to contain %q", sel, got, want)
	}
}

// fieldError returns the message shown next to the input named name, checking it
// sits in the same field block as the input and the input points at it for screen
// readers. An empty string means no message.
func (b *browser) fieldError(name string) string {
	b.t.Helper()
	res := eval[[]string](b, fmt.Sprintf(`(() => {
		const e = document.getElementById("e-" + %[1]q);
		if (!e) return ["", ""];
		const block = e.closest(".field");
		const input = document.getElementById("f-" + %[1]q);
		let where = "";
		if (!block) where = "the message is not inside a .field block";
		else if (!input && %[1]q !== "captcha") where = "no input #f-" + %[1]q;
		else if (input && !block.contains(input)) where = "the message is not in the same .field block as its input";
		else if (input && input.tagName !== "DIV" && !(input.getAttribute("aria-describedby") || "").split(/\s+/).includes(e.id)) where = "the input's aria-describedby does not name the message";
		return [e.innerText, where];
	})()`, name))
	if res[1] != "" {
		b.fatalf("field %s: %s", name, res[1])
	}
	return res[0]
}

// wantFieldError checks the message next to a field.
func (b *browser) wantFieldError(name, want string) {
	b.t.Helper()
	if got := b.fieldError(name); !strings.Contains(got, want) {
		b.fatalf("message next to %s = %q, want %q", name, got, want)
	}
}

// waitCaptcha waits until the ALTCHA widget in the form has solved its challenge. The
// widget (altcha 2.x, vendored) renders in light DOM: once verified it adds
// <input type="hidden" name="altcha"> with the payload, and marks its box
// data-state="verified".
func (b *browser) waitCaptcha(form string) {
	b.t.Helper()
	b.waitJS("the captcha widget in "+form+" to verify", fmt.Sprintf(`(() => {
		const f = document.querySelector(%[1]q);
		const w = f && f.querySelector("altcha-widget");
		if (!w) throw new Error("no altcha-widget in " + %[1]q);
		const box = w.querySelector(".altcha");
		const st = box && box.getAttribute("data-state");
		if (st === "error" || st === "expired") throw new Error("widget state " + st);
		const i = f.querySelector('input[type=hidden][name=altcha]');
		return st === "verified" && i && i.value !== "";
	})()`, form), captchaTimeout)
}

// shot saves a full-page screenshot as NN-name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	b.n++
	b.save(fmt.Sprintf("%02d-%s.png", b.n, name))
}

func (b *browser) save(file string) error {
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, fullPage)
	if err == nil {
		err = os.WriteFile(filepath.Join(b.shots, file), png, 0o644)
	}
	if err != nil {
		b.t.Errorf("screenshot %s: %v", file, err)
	}
	return err
}

// shotWide saves a full-page screenshot at desktop width (1366 px) as NN-name-1366.png,
// and returns the tab to phone width.
func (b *browser) shotWide(name string) {
	b.t.Helper()
	b.n++
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	file := fmt.Sprintf("%02d-%s-%d.png", b.n, name, desktopWidth)
	png, err := chromedp.Run(ctx, fullPageAt(desktopWidth))
	if err == nil {
		err = os.WriteFile(filepath.Join(b.shots, file), png, 0o644)
	}
	if err != nil {
		b.t.Errorf("screenshot %s: %v", file, err)
	}
}

// desktopWidth is the width of an office's desktop screen for shotWide.
const desktopWidth = 1366

// fullPage captures the whole page at phone width.
var fullPage = fullPageAt(phoneWidth)

// fullPageAt captures the whole page at a width. It grows the viewport to the page's
// height and waits for two frames before capturing, because Chromium's
// captureBeyondViewport leaves parts of long pages unpainted now and then; then it
// returns the viewport to the phone's size.
func fullPageAt(width int64) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		if width != phoneWidth {
			if _, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: phoneHeight, DeviceScaleFactor: 1}); err != nil {
				return nil, err
			}
		}
		return capture(ctx, t, width)
	}
}

func capture(ctx context.Context, t *chromedp.Target, width int64) ([]byte, error) {
	h, err := chromedp.Evaluate[int64](`Math.ceil(Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0))`)(ctx, t)
	if err != nil {
		return nil, err
	}
	h = max(h, phoneHeight)
	size := func(h int64) error {
		_, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: h, DeviceScaleFactor: 1})
		return err
	}
	if err := size(h); err != nil {
		return nil, err
	}
	defer func() {
		cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: phoneWidth, Height: phoneHeight, DeviceScaleFactor: 1})
	}()
	if _, err := chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise)(ctx, t); err != nil {
		return nil, err
	}
	r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, FromSurface: new(true)})
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}

// fatalf ends the test with what the browser shows.
func (b *browser) fatalf(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	url, uerr := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if uerr != nil {
		url = "<" + uerr.Error() + ">"
	}
	txt, terr := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if terr != nil {
		txt = "<" + terr.Error() + ">"
	}
	if len(txt) > 4000 {
		txt = txt[:4000] + "…"
	}
	file := fmt.Sprintf("FAILED-%02d-%s.png", b.n+1, slug(b.step))
	if b.save(file) == nil {
		file = filepath.Join(b.shots, file)
	}
	var console []string
	for _, m := range b.Console() {
		console = append(console, m.Text)
	}
	b.t.Fatalf("step %q: %s\nURL: %s\nscreenshot: %s\nvisible text:\n%s\nconsole:\n  %s",
		b.step, msg, url, file, indent(txt), strings.Join(console, "\n  "))
}

// blockURLs makes the browser refuse requests matching the URL patterns (none: allow
// everything again).
func (b *browser) blockURLs(patterns ...string) {
	b.t.Helper()
	var ps []*network.BlockPattern
	for _, p := range patterns {
		ps = append(ps, &network.BlockPattern{URLPattern: p, Block: true})
	}
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: ps}); err != nil {
		b.fatalf("block %v: %v", patterns, err)
	}
}

// key presses one key (a kb constant) on the focused element.
func (b *browser) key(k string) {
	b.t.Helper()
	b.do("key", chromedp.KeyEvent(k))
}

// cookies lists the names of the browser's cookies for the application.
func (b *browser) cookies() []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
	if err != nil {
		b.fatalf("cookies: %v", err)
	}
	var names []string
	for _, c := range res.Cookies {
		names = append(names, c.Name)
	}
	return names
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

func slug(s string) string {
	s = strings.ToLower(s)
	var out []rune
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			out = append(out, r)
		case len(out) > 0 && out[len(out)-1] != '-':
			out = append(out, '-')
		}
	}
	return strings.Trim(string(out), "-")
}

// screenshotDir is where an engine's screenshots go; old ones matching glob are removed
// so the directory shows this run only.
func screenshotDir(t *testing.T, engine string, globs ...string) string {
	t.Helper()
	base := os.Getenv("SUREL_SCREENSHOTS")
	if base == "" {
		base = filepath.Join("testdata", "screenshots")
	}
	dir := filepath.Join(base, engine)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, g := range globs {
		old, _ := filepath.Glob(filepath.Join(dir, g))
		for _, f := range old {
			os.Remove(f)
		}
	}
	return dir
}

// httpGet fetches a URL without the browser, for checks behind its back.
func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: actionTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(body)
}
