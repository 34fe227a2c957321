// Package dovecottest runs Debian's Dovecot and Postfix's postmap against surel's mail
// tables, configured from the blocks of docs/mail-server.md, for the sql driver's tests
// and the provisioning benchmark. It changes only what that page says the tests change:
// paths, ports, users, and the settings that let Dovecot run unprivileged on high ports.
package dovecottest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/store"
)

// DB names the database Dovecot and Postfix read: a SQLite file, or a PostgreSQL URL whose
// search_path parameter names the schema (as internal/dbtest makes them).
type DB struct {
	Dialect    store.Dialect
	SQLitePath string
	Postgres   *url.URL
}

// Installed reports whether dovecot and postmap are there.
func Installed() error {
	for _, bin := range []string{"dovecot", "postmap"} {
		if _, err := os.Stat(binPath(bin)); err != nil {
			return fmt.Errorf("%s is not installed (apt-get install dovecot-imapd dovecot-lmtpd dovecot-sqlite dovecot-pgsql postfix-sqlite postfix-pgsql)", bin)
		}
	}
	return nil
}

// ScratchDir makes a directory that Dovecot's unprivileged processes can traverse when
// the caller is root (t.TempDir's are private to root). The caller removes it.
func ScratchDir() (string, error) {
	dir, err := os.MkdirTemp("", "surel-dovecot-")
	if err != nil {
		return "", err
	}
	return dir, os.Chmod(dir, 0o755)
}

// Server is a running Dovecot.
type Server struct {
	Dir  string // its configuration, sockets and log
	IMAP string // 127.0.0.1:port
	LMTP string // 127.0.0.1:port

	cmd    *exec.Cmd
	exited chan struct{}
}

// Log is Dovecot's log so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "dovecot.log"))
	return string(b)
}

// Stop ends Dovecot and waits for it.
func (s *Server) Stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// StartT is Start for a test: it fails the test when Dovecot does not start, and stops
// it when the test ends, logging Dovecot's log if the test failed.
func StartT(t testing.TB, dir string, db DB) *Server {
	t.Helper()
	s, err := Start(dir, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("dovecot log:\n%s", s.Log())
		}
	})
	return s
}

// Start writes the configuration of docs/mail-server.md under dir (made by ScratchDir)
// for db, starts Dovecot in the foreground with IMAP and LMTP on free loopback ports, and
// waits for its greeting. Call Stop when done.
func Start(dir string, db DB) (*Server, error) {
	docs, err := DocBlocks()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "dovecot")
	mailRoot := filepath.Join(dir, "vmail")
	for _, p := range []string{conf, mailRoot} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return nil, err
		}
	}
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		return nil, err
	}
	root := os.Geteuid() == 0
	internal, login, mailUser, authWorker, group, mailUID := u.Username, u.Username, u.Username, u.Username, g.Name, u.Uid
	if root {
		// Dovecot refuses root for login processes and mail access: use the users the
		// Debian package creates, and let the mail user own the mail root.
		internal, login, mailUser, authWorker, group = "dovecot", "dovenull", "dovecot", "root", "dovecot"
		d, err := user.Lookup("dovecot")
		if err != nil {
			return nil, err
		}
		mailUID = d.Uid
		uid, _ := strconv.Atoi(d.Uid)
		gid, _ := strconv.Atoi(d.Gid)
		if err := os.Chown(mailRoot, uid, gid); err != nil {
			return nil, err
		}
	}
	imapPort, err := freePort()
	if err != nil {
		return nil, err
	}
	lmtpPort, err := freePort()
	if err != nil {
		return nil, err
	}

	r := &replacer{}
	sqlConf := docs["dovecot-sql.conf.ext"]
	dictConf := docs["dovecot-dict-sql.conf.ext"]
	surelConf := docs["99-surel.conf"]
	if db.Dialect == store.SQLite {
		sqlConf = strings.ReplaceAll(sqlConf, "/var/lib/surel/data/surel.db", db.SQLitePath)
		dictConf = strings.ReplaceAll(dictConf, "/var/lib/surel/data/surel.db", db.SQLitePath)
	} else {
		sqlConf = r.line(sqlConf, "driver = sqlite", "driver = pgsql")
		sqlConf = r.line(sqlConf, "connect = /var/lib/surel/data/surel.db", "connect = "+pgConnect(db.Postgres))
		dictConf = r.line(dictConf, "connect = /var/lib/surel/data/surel.db", "connect = "+pgConnect(db.Postgres))
		surelConf = r.line(surelConf, "  quota = sqlite:/etc/dovecot/dovecot-dict-sql.conf.ext", "  quota = pgsql:/etc/dovecot/dovecot-dict-sql.conf.ext")
	}
	sqlConf = strings.ReplaceAll(sqlConf, "/var/vmail", mailRoot)
	surelConf = strings.ReplaceAll(surelConf, "/etc/dovecot/", conf+"/")
	surelConf = r.line(surelConf, "mail_uid = vmail", "mail_uid = "+mailUser)
	surelConf = r.line(surelConf, "mail_gid = vmail", "mail_gid = "+group)
	surelConf = r.line(surelConf, "first_valid_uid = 5000", "first_valid_uid = "+mailUID)
	surelConf = r.line(surelConf, "  unix_listener /var/spool/postfix/private/dovecot-lmtp {", "  unix_listener "+conf+"/postfix-lmtp {")
	surelConf = r.line(surelConf, "    user = postfix", "    user = "+internal)
	surelConf = r.line(surelConf, "    group = postfix", "    group = "+group)
	if r.err != nil {
		return nil, r.err
	}

	main := fmt.Sprintf(`# Generated by internal/mailbox/dovecottest from docs/mail-server.md.
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
listen = 127.0.0.1
protocols = imap lmtp
ssl = no
# Refused logins are part of the tests; do not make each wait two seconds.
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
`, conf, internal, login, imapPort, lmtpPort, authWorker, group)
	if !root {
		// Only root may chroot.
		main += "service anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}\n"
	}
	for name, text := range map[string]string{
		"dovecot.conf":              main,
		"99-surel.conf":             surelConf,
		"dovecot-sql.conf.ext":      sqlConf,
		"dovecot-dict-sql.conf.ext": dictConf,
	} {
		if err := os.WriteFile(filepath.Join(conf, name), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command(binPath("dovecot"), "-F", "-c", filepath.Join(conf, "dovecot.conf"))
	out, err := os.Create(filepath.Join(conf, "stdout.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, err
	}
	s := &Server{Dir: conf, IMAP: fmt.Sprintf("127.0.0.1:%d", imapPort), LMTP: fmt.Sprintf("127.0.0.1:%d", lmtpPort),
		cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); out.Close(); close(s.exited) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.Dial("tcp", s.IMAP)
		if err == nil {
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "* OK") {
				return s, nil
			}
		}
		select {
		case <-s.exited:
			b, _ := os.ReadFile(filepath.Join(conf, "stdout.log"))
			return nil, fmt.Errorf("dovecot exited: %s\n%s", b, s.Log())
		default:
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("dovecot did not answer on %s:\n%s", s.IMAP, s.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Maps are the three Postfix virtual maps of docs/mail-server.md, for postmap -q.
type Maps struct {
	maps map[string]string // domains, mailboxes, aliases → "sqlite:FILE" or "pgsql:FILE"
	env  []string
}

// Postfix writes the maps for db under dir.
func Postfix(dir string, db DB) (*Maps, error) {
	docs, err := DocBlocks()
	if err != nil {
		return nil, err
	}
	dir = filepath.Join(dir, "postfix")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m := &Maps{maps: map[string]string{}, env: os.Environ()}
	r := &replacer{}
	for _, name := range []string{"domains", "mailboxes", "aliases"} {
		file := "surel-" + name + ".cf"
		text := docs[file]
		kind := "sqlite"
		if db.Dialect == store.SQLite {
			text = strings.ReplaceAll(text, "/var/lib/surel/data/surel.db", db.SQLitePath)
		} else {
			kind = "pgsql"
			u := db.Postgres
			pass, _ := u.User.Password()
			text = r.line(text, "dbpath = /var/lib/surel/data/surel.db", fmt.Sprintf(
				"hosts = inet:%s:%s\ndbname = %s\nuser = %s\npassword = %s",
				u.Hostname(), or(u.Port(), "5432"), strings.TrimPrefix(u.Path, "/"), u.User.Username(), pass))
		}
		// main.cf names each map; the tests use the same reference.
		if !strings.Contains(docs["main.cf"], "sqlite:/etc/postfix/"+file) {
			return nil, fmt.Errorf("docs/mail-server.md: main.cf does not name %s", file)
		}
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return nil, err
		}
		m.maps[name] = kind + ":" + path
	}
	if r.err != nil {
		return nil, r.err
	}
	if db.Dialect == store.Postgres {
		// Postfix has no setting for the schema; libpq reads it from the environment.
		m.env = append(m.env, "PGOPTIONS=-c search_path="+db.Postgres.Query().Get("search_path"))
	}
	return m, nil
}

// Query runs postmap -q key against the map named domains, mailboxes or aliases; "" is
// not found.
func (m *Maps) Query(name, key string) (string, error) {
	cmd := exec.Command(binPath("postmap"), "-q", key, m.maps[name])
	cmd.Env = m.env
	out, err := cmd.Output()
	got := strings.TrimSpace(string(out))
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && got == "" {
		return "", nil
	}
	if err != nil {
		if ee != nil {
			return "", fmt.Errorf("postmap -q %s %s: %w: %s", key, m.maps[name], err, ee.Stderr)
		}
		return "", fmt.Errorf("postmap -q %s %s: %w", key, m.maps[name], err)
	}
	return got, nil
}

// DocBlocks reads the code blocks of docs/mail-server.md that follow a
// "<!-- file: NAME -->" line.
func DocBlocks() (map[string]string, error) {
	_, here, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(here), "..", "..", "..", "docs", "mail-server.md")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
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
			return nil, fmt.Errorf("docs/mail-server.md:%d: %s is not followed by a code block", i+1, name)
		}
		var body []string
		for i += 2; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		out[name] = strings.Join(body, "\n") + "\n"
	}
	for _, want := range []string{"99-surel.conf", "dovecot-sql.conf.ext", "dovecot-dict-sql.conf.ext", "main.cf", "surel-domains.cf", "surel-mailboxes.cf", "surel-aliases.cf"} {
		if out[want] == "" {
			return nil, fmt.Errorf("docs/mail-server.md has no block for %s", want)
		}
	}
	return out, nil
}

// replacer swaps whole lines, remembering the first line the docs no longer have: the
// tests change only what docs/mail-server.md says they change.
type replacer struct{ err error }

func (r *replacer) line(text, old, new string) string {
	lines := strings.Split(text, "\n")
	n := 0
	for i, l := range lines {
		if l == old {
			lines[i] = new
			n++
		}
	}
	if n == 0 && r.err == nil {
		r.err = fmt.Errorf("docs/mail-server.md: line %q not found in\n%s", old, text)
	}
	return strings.Join(lines, "\n")
}

// pgConnect is the libpq connection string for Dovecot, with the schema chosen through
// options (Dovecot hands the string to libpq unchanged).
func pgConnect(u *url.URL) string {
	pass, _ := u.User.Password()
	q := u.Query()
	s := fmt.Sprintf("host=%s port=%s dbname=%s user=%s", u.Hostname(), or(u.Port(), "5432"), strings.TrimPrefix(u.Path, "/"), u.User.Username())
	if pass != "" {
		s += " password=" + pass
	}
	if m := q.Get("sslmode"); m != "" {
		s += " sslmode=" + m
	}
	if sp := q.Get("search_path"); sp != "" {
		s += " options='-c search_path=" + sp + "'"
	}
	return s
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// binPath finds a binary Debian installs in /usr/sbin, which is not on every user's PATH.
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
