package cluster

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/captcha"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailtest"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/upload/blobtest"
)

// need skips (fails in CI) when a part the suite runs is missing.
func need(t *testing.T, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s missing: the cluster suite is mandatory in CI", what)
	}
	t.Skipf("%s missing", what)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// surelBinary builds cmd/surel once per run of the suite.
func surelBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "surel-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "surel")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/surel")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// freePort gives a loopback port free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// proc is one surel process.
type proc struct {
	name    string
	addr    string // its HTTP listener
	metrics string // its private /metrics listener
	env     []string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error
}

// cluster is the deployment under test.
type cluster struct {
	t      *testing.T
	dir    string
	bin    string
	env    map[string]string // shared by every process
	procs  []*proc
	base   string // nginx's URL
	ngx    *nginx
	mail   *mailtest.Server
	smtp   *smtpGate
	s3     blobtest.Server
	bucket string
	db     *store.Store // the operator's view of the database
	op     *app.App     // the operator's tools (staff, reading mail), as `surel staff add` would
	next   int          // the last octet of the next client's address
	mu     sync.Mutex
}

// cheapHash keeps argon2id out of the operator's staff set-up.
var cheapHash = passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

const secretKey = "cluster-test-secret-key-cluster-test-secret-key"

// startCluster starts n processes at once on a fresh, empty database (they race to
// migrate it), behind nginx.
func startCluster(t *testing.T, n int) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("cluster suite skipped with -short")
	}
	need(t, "PostgreSQL (SUREL_TEST_POSTGRES)", os.Getenv("SUREL_TEST_POSTGRES") != "")
	ngxBin := os.Getenv("SUREL_NGINX")
	if ngxBin == "" {
		ngxBin = "/usr/sbin/nginx"
	}
	_, err := os.Stat(ngxBin)
	need(t, "nginx ("+ngxBin+")", err == nil)
	c := &cluster{t: t, dir: t.TempDir(), bin: surelBinary(t), next: 10}
	c.s3 = blobtest.S3(t)
	c.bucket = c.s3.Bucket(t)
	c.mail = mailtest.Start(t)
	c.smtp = startGate(t, c.mail)
	dbURL := dbtest.URL(t, store.Postgres)
	ngxAddr := freePort(t)
	c.base = "http://" + ngxAddr
	tenants := filepath.Join(c.dir, "tenants.yaml")
	os.WriteFile(tenants, []byte(`tenants:
  - slug: kominfo
    name: Layanan Email Resmi Pemerintah
    mail_domain: mail.go.id
    hosts: [127.0.0.1]
`), 0o600)
	c.env = map[string]string{
		"SUREL_DATABASE_URL": dbURL,
		"SUREL_BASE_URL":     c.base,
		"SUREL_SMTP_URL":     c.smtp.URL(),
		"SUREL_SECRET_KEY":   secretKey,
		"SUREL_STORAGE_URL":  c.s3.URL(c.bucket),
		"SUREL_TRUST_PROXY":  "1",
		"SUREL_CONFIG":       tenants,
		"SUREL_LOG_FORMAT":   "json",
		"SUREL_LOG_LEVEL":    "info",
	}
	var wg sync.WaitGroup
	for i := range n {
		p := c.newProc(fmt.Sprintf("p%d", i+1), nil)
		c.procs = append(c.procs, p)
		wg.Add(1)
		go func() { defer wg.Done(); p.start(t) }()
	}
	wg.Wait()
	for _, p := range c.procs {
		c.waitHealthy(p)
	}
	t.Cleanup(c.stopAll)
	c.ngx = startNginx(t, ngxBin, ngxAddr, c.procs)
	// The operator's handle on the same database and key.
	cfg, err := config.Load(func(k string) string {
		if k == "SUREL_METRICS_ADDR" {
			return "off"
		}
		if k == "SUREL_DATA_DIR" {
			return filepath.Join(c.dir, "operator")
		}
		return c.env[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	c.op, err = app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), app.Options{Hash: &cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.op.Close() })
	c.db = c.op.Store
	return c
}

// newProc prepares a process with the shared environment and overrides (an empty
// value removes a variable).
func (c *cluster) newProc(name string, override map[string]string) *proc {
	p := &proc{name: name, addr: freePort(c.t), metrics: freePort(c.t), logPath: filepath.Join(c.dir, name+".log")}
	env := map[string]string{"SUREL_ADDR": p.addr, "SUREL_METRICS_ADDR": p.metrics, "SUREL_DATA_DIR": filepath.Join(c.dir, name),
		"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")}
	for k, v := range c.env {
		env[k] = v
	}
	for k, v := range override {
		env[k] = v
	}
	for k, v := range env {
		if v != "" {
			p.env = append(p.env, k+"="+v)
		}
	}
	p.cmd = exec.Command(c.bin)
	return p
}

// start runs the process; its output goes to its log file.
func (p *proc) start(t *testing.T) {
	f, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Error(err)
		return
	}
	cmd := exec.Command(p.cmd.Path)
	cmd.Env, cmd.Stdout, cmd.Stderr = p.env, f, f
	if err := cmd.Start(); err != nil {
		t.Error(err)
		return
	}
	p.cmd, p.done, p.err = cmd, make(chan struct{}), nil
	go func() { p.err = cmd.Wait(); f.Close(); close(p.done) }()
}

// alive tells whether the process runs.
func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// signal sends sig to the process (by its pid) and, for SIGTERM, waits for it to end.
func (p *proc) signal(t *testing.T, sig syscall.Signal, wait time.Duration) {
	t.Helper()
	if !p.alive() {
		return
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(wait):
		t.Errorf("%s still running %s after %v", p.name, wait, sig)
		p.cmd.Process.Kill()
		<-p.done
	}
}

func (c *cluster) stopAll() {
	var wg sync.WaitGroup
	for _, p := range c.procs {
		wg.Add(1)
		go func() { defer wg.Done(); p.signal(c.t, syscall.SIGTERM, 40*time.Second) }()
	}
	wg.Wait()
	if c.t.Failed() {
		for _, p := range c.procs {
			c.t.Logf("--- log of %s (%s) ---\n%s", p.name, p.addr, tail(p.logPath, 40))
		}
	}
}

// tail is the last n lines of a file.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitHealthy waits for a process's /healthz.
func (c *cluster) waitHealthy(p *proc) {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if !p.alive() {
			c.t.Fatalf("%s exited: %v\n%s", p.name, p.err, tail(p.logPath, 30))
		}
		r, err := http.Get("http://" + p.addr + "/healthz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("%s not healthy within a minute\n%s", p.name, tail(p.logPath, 30))
}

// metric reads one series' value from a process's /metrics (0 when absent).
func (p *proc) metric(t *testing.T, name string) float64 {
	t.Helper()
	r, err := http.Get("http://" + p.metrics + "/metrics")
	if err != nil {
		t.Fatalf("%s /metrics: %v", p.name, err)
	}
	defer r.Body.Close()
	sc := bufio.NewScanner(r.Body)
	for sc.Scan() {
		var v float64
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == name {
			fmt.Sscan(f[1], &v)
			return v
		}
	}
	return 0
}

// nginx is Debian's nginx in front of the processes, run by the test.
type nginx struct {
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// startNginx runs nginx on addr with docs/nginx's files, round robin over procs. As
// root it runs as nobody (it needs no privilege: a loopback port above 1024).
func startNginx(t *testing.T, bin, addr string, procs []*proc) *nginx {
	t.Helper()
	dir, err := os.MkdirTemp("", "surel-nginx-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	_, file, _, _ := runtime.Caller(0)
	docs := filepath.Join(filepath.Dir(file), "..", "..", "docs", "nginx")
	for _, name := range []string{"surel-http.conf", "surel-proxy.conf", "surel-headers.conf"} {
		b, err := os.ReadFile(filepath.Join(docs, name))
		if err != nil {
			t.Fatal(err)
		}
		// The documented files, with this directory for /etc/nginx.
		os.WriteFile(filepath.Join(dir, name), bytes.ReplaceAll(b, []byte("/etc/nginx/"), []byte(dir+"/")), 0o644)
	}
	var up strings.Builder
	for _, p := range procs {
		fmt.Fprintf(&up, "    server %s max_fails=1 fail_timeout=2s;\n", p.addr)
	}
	conf := fmt.Sprintf(`worker_processes 1;
error_log %[1]s/error.log warn;
pid %[1]s/nginx.pid;
events { worker_connections 512; }
http {
    default_type application/octet-stream;
    log_format upstream '$remote_addr "$request" $status $upstream_addr';
    access_log %[1]s/access.log upstream;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[1]s/surel-http.conf;
    upstream surel {
%[2]s        keepalive 16;
    }
    server {
        listen %[3]s;
        include %[1]s/surel-proxy.conf;
    }
}
`, dir, up.String(), addr)
	os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644)
	cmd := exec.Command(bin, "-e", filepath.Join(dir, "error.log"), "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	if os.Geteuid() == 0 {
		filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, 65534, 65534) })
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("nginx: %v", err)
	}
	n := &nginx{dir: dir, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(n.done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-n.done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-n.done
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			return n
		}
		select {
		case <-n.done:
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %s\n%s", out.String(), b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("nginx did not listen")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// upstreams lists the processes nginx sent a client's requests to, in order.
func (n *nginx) upstreams(t *testing.T, client string) []string {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(n.dir, "access.log"))
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == client {
			out = append(out, f[len(f)-1])
		}
	}
	return out
}

// client is one browser at its own loopback address (nginx's rate limit is per address).
type client struct {
	c    *cluster
	ip   string
	http *http.Client
}

func (c *cluster) client() *client {
	c.mu.Lock()
	c.next++
	ip := fmt.Sprintf("127.0.0.%d", c.next)
	c.mu.Unlock()
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}
	return &client{c: c, ip: ip, http: &http.Client{Jar: jar, Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	status int
	loc    string
	body   string
	header http.Header
}

func (cl *client) send(req *http.Request) resp {
	cl.c.t.Helper()
	r, err := cl.http.Do(req)
	if err != nil {
		cl.c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{r.StatusCode, r.Header.Get("Location"), string(b), r.Header}
}

func (cl *client) get(path string) resp {
	cl.c.t.Helper()
	req, _ := http.NewRequest("GET", cl.c.base+path, nil)
	return cl.send(req)
}

// post sends a form as a browser on the site does.
func (cl *client) post(path string, form url.Values) resp {
	cl.c.t.Helper()
	req, _ := http.NewRequest("POST", cl.c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", cl.c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return cl.send(req)
}

type file struct {
	field, name string
	data        []byte
}

func (cl *client) postMultipart(path string, vals url.Values, files ...file) resp {
	cl.c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range vals {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile(f.field, f.name)
		fw.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", cl.c.base+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", cl.c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return cl.send(req)
}

// solved is a captcha payload solved as the widget does it, for a challenge of any
// process.
func (cl *client) solved() string {
	cl.c.t.Helper()
	var ch captcha.Challenge
	if err := json.Unmarshal([]byte(cl.get("/captcha/challenge").body), &ch); err != nil {
		cl.c.t.Fatal(err)
	}
	p, err := captcha.Solve(ch)
	if err != nil {
		cl.c.t.Fatal(err)
	}
	return p
}

// scan is a small PNG that passes the upload checks.
func scan(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{0, 0, 200, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func contains(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q", w)
		}
	}
}

var stepRE = regexp.MustCompile(`name="langkah" value="(\d+)"`)

// waitFor polls ok until it holds or d passes, and tells how long it took.
func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) time.Duration {
	t.Helper()
	begin := time.Now()
	for !ok() {
		if time.Since(begin) > d {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(25 * time.Millisecond)
	}
	return time.Since(begin)
}

// smtpGate stands between the processes and the SMTP server: it forwards each
// connection, or holds new ones unanswered while held (a mail server that does not
// answer), to catch a mail job in flight.
type smtpGate struct {
	l      net.Listener
	to     string
	mu     sync.Mutex
	hold   bool
	held   []net.Conn
	heldCh chan struct{}
}

func startGate(t *testing.T, m *mailtest.Server) *smtpGate {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &smtpGate{l: l, to: strings.TrimPrefix(m.URL(), "smtp://"), heldCh: make(chan struct{}, 16)}
	go g.serve()
	t.Cleanup(func() { l.Close(); g.release() })
	return g
}

// URL is SUREL_SMTP_URL for the processes.
func (g *smtpGate) URL() string { return "smtp://" + g.l.Addr().String() }

func (g *smtpGate) serve() {
	for {
		conn, err := g.l.Accept()
		if err != nil {
			return
		}
		g.mu.Lock()
		if g.hold {
			g.held = append(g.held, conn)
			g.mu.Unlock()
			select {
			case g.heldCh <- struct{}{}:
			default:
			}
			continue
		}
		g.mu.Unlock()
		go forward(conn, g.to)
	}
}

// holdNew makes new connections wait unanswered; release lets the held ones through
// and stops holding.
func (g *smtpGate) holdNew() {
	g.mu.Lock()
	g.hold = true
	g.mu.Unlock()
}

func (g *smtpGate) release() {
	g.mu.Lock()
	held := g.held
	g.hold, g.held = false, nil
	g.mu.Unlock()
	for _, c := range held {
		go forward(c, g.to)
	}
}

func forward(conn net.Conn, to string) {
	defer conn.Close()
	up, err := net.Dial("tcp", to)
	if err != nil {
		return
	}
	defer up.Close()
	go io.Copy(up, conn)
	io.Copy(conn, up)
}
