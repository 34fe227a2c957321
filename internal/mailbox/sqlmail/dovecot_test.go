package sqlmail_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/store"
)

// The Dovecot and Postfix suite: Debian's dovecot and postmap binaries, configured from the
// blocks of docs/mail-server.md, reading the tables the driver writes. With CI=true a
// missing binary fails the test; elsewhere it skips.
func TestDovecot(t *testing.T) {
	for _, bin := range []string{"dovecot", "postmap"} {
		if _, err := exec.LookPath(bin); err != nil {
			if _, err2 := os.Stat("/usr/sbin/" + bin); err2 == nil {
				continue
			}
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is not installed (apt-get install dovecot-imapd dovecot-lmtpd dovecot-sqlite dovecot-pgsql postfix-sqlite postfix-pgsql)", bin)
			}
			t.Skipf("%s not installed", bin)
		}
	}
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) { dovecotSuite(t, d) })
	}
}

func dovecotSuite(t *testing.T, d store.Dialect) {
	ctx := context.Background()
	env := newMailEnv(t, d)
	st := env.st
	// The production defaults (19 MiB argon2id) for the main mailbox, proving Dovecot
	// verifies what surel writes; a cheap hash elsewhere.
	s, err := sqlmail.New(st.DB(), st.Dialect(), sqlmail.Options{DefaultQuota: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	blf, err := sqlmail.New(st.DB(), st.Dialect(), sqlmail.Options{Scheme: sqlmail.BlfCrypt, BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	const domain = "kaltimprov.go.id"
	budi := "budi.santoso@" + domain
	siti := "siti.aminah@" + domain
	pw := mailbox.GeneratePassword()
	if err := s.AddDomain(ctx, domain); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, mailbox.New{Address: budi, Name: "Budi Santoso", Password: pw, Owner: "request:1"}); err != nil {
		t.Fatal(err)
	}
	if err := blf.Create(ctx, mailbox.New{Address: siti, Name: "Siti Aminah", Password: "Siti12345", Owner: "request:2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias(ctx, "postmaster@"+domain, budi); err != nil {
		t.Fatal(err)
	}

	dv := env.startDovecot(t)

	// Account test of seed 003 step 4, for both schemes.
	if err := mailbox.TestLogin(ctx, dv.imap, budi, pw); err != nil {
		t.Fatalf("ARGON2ID login: %v\n%s", err, dv.log())
	}
	if err := mailbox.TestLogin(ctx, dv.imap, siti, "Siti12345"); err != nil {
		t.Fatalf("BLF-CRYPT login: %v\n%s", err, dv.log())
	}
	if err := mailbox.TestLogin(ctx, dv.imap, budi, pw+"x"); !errors.Is(err, mailbox.ErrLoginRefused) {
		t.Fatalf("wrong password: %v", err)
	}
	// Login names are lower-cased by auth_username_format.
	if err := mailbox.TestLogin(ctx, dv.imap, "Budi.Santoso@KaltimProv.go.id", pw); err != nil {
		t.Fatalf("mixed-case login: %v", err)
	}
	if err := mailbox.TestDelivery(ctx, dv.lmtp, dv.imap, budi, pw); err != nil {
		t.Fatalf("delivery: %v\n%s", err, dv.log())
	}
	// The quota plugin writes the space used to mail_quota through dict-sql; a message
	// delivered and then deleted leaves 0, so deliver one to keep.
	if err := dv.deliver(ctx, siti); err != nil {
		t.Fatalf("deliver to siti: %v\n%s", err, dv.log())
	}
	waitFor(t, dv, "quota usage recorded", func() bool {
		u, err := blf.Usage(ctx, siti)
		return err == nil && u.UsedBytes > 0
	})
	if c, err := s.Capacity(ctx, domain); err != nil || c.Accounts != 2 || c.UsedBytes == 0 {
		t.Fatalf("capacity %+v %v", c, err)
	}

	// Postfix's maps answer from the same rows.
	pf := env.postfixMaps(t)
	pf.expect(t, "domains", domain, domain)
	pf.expect(t, "domains", "other.go.id", "")
	pf.expect(t, "mailboxes", budi, domain+"/budi.santoso/")
	pf.expect(t, "mailboxes", "nobody@"+domain, "")
	pf.expect(t, "aliases", "postmaster@"+domain, budi)

	// A new password replaces the old one at once (no auth cache).
	pw2 := mailbox.GeneratePassword()
	if err := s.SetPassword(ctx, budi, pw2); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.TestLogin(ctx, dv.imap, budi, pw); !errors.Is(err, mailbox.ErrLoginRefused) {
		t.Fatalf("old password after change: %v", err)
	}
	if err := mailbox.TestLogin(ctx, dv.imap, budi, pw2); err != nil {
		t.Fatalf("new password: %v", err)
	}
	// A repeated create for the same owner leaves one mailbox whose password is the
	// repeated one (a retry after a crash hands over working credentials).
	if err := s.Create(ctx, mailbox.New{Address: budi, Password: pw, Owner: "request:1"}); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.TestLogin(ctx, dv.imap, budi, pw); err != nil {
		t.Fatalf("password of the repeated create: %v", err)
	}

	// Locked: no login, no delivery, unknown to Postfix; unlocked: all back.
	if err := s.SetLocked(ctx, budi, true); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.TestLogin(ctx, dv.imap, budi, pw); !errors.Is(err, mailbox.ErrLoginRefused) {
		t.Fatalf("locked login: %v", err)
	}
	if err := dv.deliver(ctx, budi); err == nil {
		t.Fatal("locked mailbox accepted mail")
	}
	pf.expect(t, "mailboxes", budi, "")
	if err := s.SetLocked(ctx, budi, false); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.TestDelivery(ctx, dv.lmtp, dv.imap, budi, pw); err != nil {
		t.Fatalf("delivery after unlock: %v", err)
	}
	pf.expect(t, "mailboxes", budi, domain+"/budi.santoso/")

	// The quota from the row is enforced: a mailbox full to its quota refuses mail.
	u, _ := blf.Usage(ctx, siti)
	if err := blf.SetQuota(ctx, siti, u.UsedBytes); err != nil {
		t.Fatal(err)
	}
	if err := dv.deliver(ctx, siti); err == nil || !strings.Contains(err.Error(), "uota") {
		t.Fatalf("delivery beyond quota: %v", err)
	}
}

// mailEnv is one test's database and scratch directory. The directory is made by hand,
// not t.TempDir, because when the test runs as root Dovecot's unprivileged processes must
// traverse it.
type mailEnv struct {
	t       *testing.T
	d       store.Dialect
	st      *store.Store
	dir     string
	dbPath  string // SQLite file
	pgURL   *url.URL
	docs    map[string]string
	root    bool
	me      string // user running the test
	myGroup string // and its primary group
	mailUID string
}

func newMailEnv(t *testing.T, d store.Dialect) *mailEnv {
	dir, err := os.MkdirTemp("", "surel-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	e := &mailEnv{t: t, d: d, dir: dir, docs: docBlocks(t), root: os.Geteuid() == 0}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	e.me, e.mailUID = u.Username, u.Uid
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		t.Fatal(err)
	}
	e.myGroup = g.Name
	var dbURL string
	if d == store.SQLite {
		e.dbPath = filepath.Join(dir, "surel.db")
		dbURL = "sqlite:" + e.dbPath
	} else {
		dbURL = dbtest.URL(t, d)
		if e.pgURL, err = url.Parse(dbURL); err != nil {
			t.Fatal(err)
		}
	}
	if e.st, err = store.Open(context.Background(), dbURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	return e
}

// pgConnect is the libpq connection string of the test database for Dovecot, with the
// test schema chosen through options (Dovecot passes the string to libpq unchanged).
func (e *mailEnv) pgConnect() string {
	u := e.pgURL
	pass, _ := u.User.Password()
	q := u.Query()
	s := fmt.Sprintf("host=%s port=%s dbname=%s user=%s", u.Hostname(), or(u.Port(), "5432"), strings.TrimPrefix(u.Path, "/"), u.User.Username())
	if pass != "" {
		s += " password=" + pass
	}
	if m := q.Get("sslmode"); m != "" {
		s += " sslmode=" + m
	}
	return s + " options='-c search_path=" + q.Get("search_path") + "'"
}

type dovecot struct {
	dir        string
	imap, lmtp string
}

func (d *dovecot) log() string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	return string(b)
}

// deliver hands a message to LMTP without looking for it.
func (d *dovecot) deliver(ctx context.Context, address string) error {
	conn, err := net.DialTimeout("tcp", d.lmtp, 5*time.Second)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("test.invalid"); err != nil {
		return err
	}
	if err := c.Mail("postmaster@test.invalid", nil); err != nil {
		return err
	}
	if err := c.Rcpt(address, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "From: <postmaster@test.invalid>\r\nTo: <%s>\r\nSubject: kept\r\n\r\n%s\r\n", address, strings.Repeat("isi pesan ", 100))
	_, err = w.CloseWithLMTPResponse()
	return err
}

// startDovecot writes the configuration of docs/mail-server.md with the test's paths and
// ports, starts Dovecot in the foreground and stops it at the end of the test.
func (e *mailEnv) startDovecot(t *testing.T) *dovecot {
	dir := filepath.Join(e.dir, "dovecot")
	mailRoot := filepath.Join(e.dir, "vmail")
	for _, p := range []string{dir, mailRoot} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	internal, login, mailUser, authWorker := e.me, e.me, e.me, e.me
	group := e.myGroup
	mailUID := e.mailUID
	if e.root {
		// Dovecot refuses root for login processes and mail access: use the users the
		// Debian package creates, and let the mail user own the mail root.
		internal, login, mailUser, authWorker = "dovecot", "dovenull", "dovecot", "root"
		group = "dovecot"
		u, err := user.Lookup("dovecot")
		if err != nil {
			t.Fatal(err)
		}
		mailUID = u.Uid
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(mailRoot, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	imapPort, lmtpPort := freePort(t), freePort(t)

	sqlConf := e.docs["dovecot-sql.conf.ext"]
	dictConf := e.docs["dovecot-dict-sql.conf.ext"]
	surelConf := e.docs["99-surel.conf"]
	if e.d == store.SQLite {
		sqlConf = strings.ReplaceAll(sqlConf, "/var/lib/surel/data/surel.db", e.dbPath)
		dictConf = strings.ReplaceAll(dictConf, "/var/lib/surel/data/surel.db", e.dbPath)
	} else {
		sqlConf = replaceLine(t, sqlConf, "driver = sqlite", "driver = pgsql")
		sqlConf = replaceLine(t, sqlConf, "connect = /var/lib/surel/data/surel.db", "connect = "+e.pgConnect())
		dictConf = replaceLine(t, dictConf, "connect = /var/lib/surel/data/surel.db", "connect = "+e.pgConnect())
		surelConf = replaceLine(t, surelConf, "  quota = sqlite:/etc/dovecot/dovecot-dict-sql.conf.ext", "  quota = pgsql:/etc/dovecot/dovecot-dict-sql.conf.ext")
	}
	sqlConf = strings.ReplaceAll(sqlConf, "/var/vmail", mailRoot)
	surelConf = strings.ReplaceAll(surelConf, "/etc/dovecot/", dir+"/")
	surelConf = replaceLine(t, surelConf, "mail_uid = vmail", "mail_uid = "+mailUser)
	surelConf = replaceLine(t, surelConf, "mail_gid = vmail", "mail_gid = "+group)
	surelConf = replaceLine(t, surelConf, "first_valid_uid = 5000", "first_valid_uid = "+mailUID)
	surelConf = replaceLine(t, surelConf, "  unix_listener /var/spool/postfix/private/dovecot-lmtp {", "  unix_listener "+dir+"/postfix-lmtp {")
	surelConf = replaceLine(t, surelConf, "    user = postfix", "    user = "+internal)
	surelConf = replaceLine(t, surelConf, "    group = postfix", "    group = "+group)

	main := fmt.Sprintf(`# Generated by internal/mailbox/sqlmail's test.
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
listen = 127.0.0.1
protocols = imap lmtp
ssl = no
# Refused logins are part of the test; do not make each wait two seconds.
auth_failure_delay = 0
default_internal_user = %[2]s
default_internal_group = %[7]s
default_login_user = %[3]s
service imap-login {
  inet_listener imap {
    port = %[4]d
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = %[5]d
  }
}
service auth-worker {
  user = %[6]s
}
# No growing delay for the address the refused logins come from (auth penalty).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service dict {
  user = %[6]s
}
!include %[1]s/99-surel.conf
`, dir, internal, login, imapPort, lmtpPort, authWorker, group)
	if !e.root {
		// Only root may chroot.
		main += "service anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}\n"
	}
	for name, text := range map[string]string{
		"dovecot.conf":              main,
		"99-surel.conf":             surelConf,
		"dovecot-sql.conf.ext":      sqlConf,
		"dovecot-dict-sql.conf.ext": dictConf,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(dovecotBin(), "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); out.Close(); close(exited) }()
	dv := &dovecot{dir: dir, imap: fmt.Sprintf("127.0.0.1:%d", imapPort), lmtp: fmt.Sprintf("127.0.0.1:%d", lmtpPort)}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("dovecot log:\n%s", dv.log())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.Dial("tcp", dv.imap)
		if err == nil {
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "* OK") {
				break
			}
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(filepath.Join(dir, "stdout.log"))
			t.Fatalf("dovecot exited: %s\n%s", b, dv.log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dovecot did not answer on %s:\n%s", dv.imap, dv.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return dv
}

// postfix is the three virtual maps of docs/mail-server.md, for postmap -q.
type postfix struct {
	maps map[string]string // name → "sqlite:FILE" or "pgsql:FILE"
	env  []string
}

func (e *mailEnv) postfixMaps(t *testing.T) *postfix {
	dir := filepath.Join(e.dir, "postfix")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := &postfix{maps: map[string]string{}, env: os.Environ()}
	mainCf := e.docs["main.cf"]
	for _, name := range []string{"domains", "mailboxes", "aliases"} {
		file := "surel-" + name + ".cf"
		text := e.docs[file]
		kind := "sqlite"
		if e.d == store.SQLite {
			text = strings.ReplaceAll(text, "/var/lib/surel/data/surel.db", e.dbPath)
		} else {
			kind = "pgsql"
			u := e.pgURL
			pass, _ := u.User.Password()
			text = replaceLine(t, text, "dbpath = /var/lib/surel/data/surel.db", fmt.Sprintf(
				"hosts = inet:%s:%s\ndbname = %s\nuser = %s\npassword = %s",
				u.Hostname(), or(u.Port(), "5432"), strings.TrimPrefix(u.Path, "/"), u.User.Username(), pass))
		}
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		// main.cf names each map; the test uses the same reference.
		if !strings.Contains(mainCf, "sqlite:/etc/postfix/"+file) {
			t.Fatalf("main.cf in docs does not name %s", file)
		}
		p.maps[name] = kind + ":" + path
	}
	if e.d == store.Postgres {
		// Postfix has no setting for the schema; libpq reads it from the environment.
		p.env = append(p.env, "PGOPTIONS=-c search_path="+e.pgURL.Query().Get("search_path"))
	}
	return p
}

// expect runs postmap -q key against the map; want "" means not found.
func (p *postfix) expect(t *testing.T, name, key, want string) {
	t.Helper()
	cmd := exec.Command(postmapBin(), "-q", key, p.maps[name])
	cmd.Env = p.env
	out, err := cmd.Output()
	got := strings.TrimSpace(string(out))
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && got == "" {
		err = nil // not found
	}
	if err != nil {
		t.Fatalf("postmap -q %s %s: %v %s", key, p.maps[name], err, ee.Stderr)
	}
	if got != want {
		t.Errorf("postmap -q %s %s: got %q, want %q", key, name, got, want)
	}
}

// docBlocks reads the code blocks of docs/mail-server.md that follow a
// "<!-- file: NAME -->" line.
func docBlocks(t *testing.T) map[string]string {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "mail-server.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		name, ok := strings.CutPrefix(lines[i], "<!-- file: ")
		if !ok {
			continue
		}
		name = strings.TrimSuffix(name, " -->")
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			t.Fatalf("docs/mail-server.md:%d: %s is not followed by a code block", i+1, name)
		}
		var body []string
		for i += 2; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		out[name] = strings.Join(body, "\n") + "\n"
	}
	for _, want := range []string{"99-surel.conf", "dovecot-sql.conf.ext", "dovecot-dict-sql.conf.ext", "main.cf", "surel-domains.cf", "surel-mailboxes.cf", "surel-aliases.cf"} {
		if out[want] == "" {
			t.Fatalf("docs/mail-server.md has no block for %s", want)
		}
	}
	return out
}

// replaceLine swaps one whole line, failing when the docs no longer have it: the test
// changes only what docs/mail-server.md says it changes.
func replaceLine(t *testing.T, text, old, new string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	n := 0
	for i, l := range lines {
		if l == old {
			lines[i] = new
			n++
		}
	}
	if n == 0 {
		t.Fatalf("docs/mail-server.md: line %q not found in\n%s", old, text)
	}
	return strings.Join(lines, "\n")
}

func waitFor(t *testing.T, dv *dovecot, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\n%s", what, dv.log())
		}
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func dovecotBin() string { return binPath("dovecot") }
func postmapBin() string { return binPath("postmap") }

// binPath finds a binary that Debian installs in /usr/sbin, which is not on every user's
// PATH.
func binPath(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return "/usr/sbin/" + name
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
