// Package zonetest runs Debian's BIND 9 and PowerDNS on loopback ports, each holding a
// zone the test creates, for the DNS drivers' tests and the sub-domain journeys; and
// holds the checks every zone.Server driver passes (Run).
//
// Both servers run unprivileged: started as root (as CI is), BIND drops to the bind
// user (-u) and PowerDNS to pdns (setuid), each in a scratch directory that user owns.
// Each is stopped by its own process id when the test ends.
package zonetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	_ "modernc.org/sqlite" // the PowerDNS gsqlite3 database, made with Debian's schema
)

// Packages are Debian's packages the servers come from, for messages and .ci/run.
const Packages = "bind9 bind9-dnsutils pdns-server pdns-backend-sqlite3"

// pdnsSchema is the gsqlite3 backend's schema as pdns-backend-sqlite3 installs it.
const pdnsSchema = "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql"

// Require skips the test when the servers are not installed, or fails it under CI=true
// (the suite is mandatory there).
func Require(t testing.TB) {
	t.Helper()
	var missing []string
	for _, p := range []string{binPath("named"), binPath("pdns_server"), pdnsSchema} {
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p)
		}
	}
	if _, err := exec.LookPath("dig"); err != nil {
		missing = append(missing, "dig")
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("DNS servers not installed (%s missing): apt-get install %s", strings.Join(missing, ", "), Packages)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Key is a TSIG key: its name and base64 secret, hmac-sha256.
type Key struct {
	Name   string
	Secret string
}

func newKey(name string) Key {
	b := make([]byte, 32)
	rand.Read(b)
	return Key{Name: name, Secret: base64.StdEncoding.EncodeToString(b)}
}

// Taken is a name each test zone holds from the start, as an office's zone holds its
// web site: a create of it must fail with zone.ErrExists.
const Taken = "www"

// TakenAddr is the address Taken points to.
const TakenAddr = "203.0.113.80"

// Server is a running DNS server with a test zone.
type Server struct {
	Name string // "bind" or "powerdns"
	Zone string
	// Addr is its DNS listener, 127.0.0.1:port (UDP and TCP).
	Addr string
	// Key may update any name of the zone (A, AAAA, CNAME); Guest is a key the server
	// knows but lets write nothing, whose updates are REFUSED.
	Key, Guest Key
	// APIURL and APIKey are PowerDNS's HTTP API; empty for BIND.
	APIURL, APIKey string

	dir    string
	log    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// Log is the server's output so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.log)
	return string(b)
}

func (s *Server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.dir)
}

// scratch makes a directory owned by the user the server drops to when the caller is
// root, so it can write its journal, database and sockets there.
func scratch(owner string) (dir string, uid, gid int, err error) {
	dir, err = os.MkdirTemp("", "surel-dns-")
	if err != nil {
		return "", 0, 0, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return dir, 0, 0, err
	}
	if os.Geteuid() != 0 {
		return dir, -1, -1, nil
	}
	u, err := user.Lookup(owner)
	if err != nil {
		return dir, 0, 0, err
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return dir, uid, gid, nil
}

func chownAll(dir string, uid, gid int) error {
	if uid < 0 {
		return nil
	}
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(p, uid, gid)
	})
}

// StartBIND starts named with zone (its SOA, NS and the Taken name), writable by Key
// through update-policy and by nobody else. The server stops when t ends.
func StartBIND(t testing.TB, zoneName string) *Server {
	t.Helper()
	Require(t)
	dir, uid, gid, err := scratch("bind")
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Name: "bind", Zone: zoneName, Addr: fmt.Sprintf("127.0.0.1:%d", port), Key: newKey("surel"), Guest: newKey("tamu"),
		dir: dir, log: filepath.Join(dir, "named.log"), exited: make(chan struct{})}
	conf := fmt.Sprintf(`options {
	directory "%[1]s";
	listen-on port %[2]d { 127.0.0.1; };
	listen-on-v6 { none; };
	pid-file "%[1]s/named.pid";
	session-keyfile "%[1]s/session.key";
	managed-keys-directory "%[1]s";
	recursion no;
	dnssec-validation no;
};
controls { };
key "%[3]s" { algorithm hmac-sha256; secret "%[4]s"; };
key "%[5]s" { algorithm hmac-sha256; secret "%[6]s"; };
zone "%[7]s" {
	type primary;
	file "%[1]s/%[7]s.zone";
	update-policy { grant %[3]s subdomain %[7]s. A AAAA CNAME; };
};
`, dir, port, s.Key.Name, s.Key.Secret, s.Guest.Name, s.Guest.Secret, zoneName)
	zoneFile := fmt.Sprintf(`$TTL 3600
@	IN SOA ns1.%[1]s. hostmaster.%[1]s. 1 3600 600 86400 300
@	IN NS ns1.%[1]s.
ns1	IN A 127.0.0.1
%[2]s	IN A %[3]s
`, zoneName, Taken, TakenAddr)
	if err := os.WriteFile(filepath.Join(dir, "named.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, zoneName+".zone"), []byte(zoneFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chownAll(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	args := []string{"-g", "-c", filepath.Join(dir, "named.conf")}
	if uid >= 0 {
		args = append(args, "-u", "bind")
	}
	s.start(t, binPath("named"), args)
	return s
}

// StartPowerDNS starts pdns_server on a gsqlite3 database made from Debian's schema,
// with the API on, creates zone through the API (with the Taken name), and the TSIG
// keys: Key allowed to update the zone (TSIG-ALLOW-DNSUPDATE), Guest known but not
// allowed. The server stops when t ends.
func StartPowerDNS(t testing.TB, zoneName string) *Server {
	t.Helper()
	Require(t)
	dir, uid, gid, err := scratch("pdns")
	if err != nil {
		t.Fatal(err)
	}
	dnsPort, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	apiPort, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Name: "powerdns", Zone: zoneName, Addr: fmt.Sprintf("127.0.0.1:%d", dnsPort), APIURL: fmt.Sprintf("http://127.0.0.1:%d", apiPort),
		APIKey: newKey("api").Secret, dir: dir, log: filepath.Join(dir, "pdns.log"), exited: make(chan struct{})}
	schema, err := os.ReadFile(pdnsSchema)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "pdns.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(string(schema))
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := chownAll(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	args := []string{"--config-dir=" + dir, "--daemon=no", "--guardian=no", "--socket-dir=" + dir,
		"--local-address=127.0.0.1", fmt.Sprintf("--local-port=%d", dnsPort),
		"--launch=gsqlite3", "--gsqlite3-database=" + filepath.Join(dir, "pdns.db"),
		"--api=yes", "--api-key=" + s.APIKey, "--webserver=yes", "--webserver-address=127.0.0.1",
		fmt.Sprintf("--webserver-port=%d", apiPort), "--webserver-allow-from=127.0.0.1/32",
		"--dnsupdate=yes", "--allow-dnsupdate-from=127.0.0.1/32", "--loglevel=6"}
	if uid >= 0 {
		args = append(args, "--setuid=pdns", "--setgid=pdns")
	}
	s.start(t, binPath("pdns_server"), args)
	// The zone, its Taken name and the keys, as an operator would make them.
	steps := []struct {
		method, path string
		body         any
	}{
		{"POST", "/zones", map[string]any{"name": zoneName + ".", "kind": "Native", "nameservers": []string{"ns1." + zoneName + "."}}},
		{"PATCH", "/zones/" + zoneName + ".", map[string]any{"rrsets": []map[string]any{{"name": Taken + "." + zoneName + ".", "type": "A", "ttl": 3600,
			"changetype": "REPLACE", "records": []map[string]any{{"content": TakenAddr, "disabled": false}}}}}},
	}
	for _, st := range steps {
		if _, err := s.api(st.method, st.path, st.body); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range []*Key{&s.Key, &s.Guest} {
		name := []string{"surel", "tamu"}[i]
		b, err := s.api("POST", "/tsigkeys", map[string]any{"name": name, "algorithm": "hmac-sha256"})
		if err != nil {
			t.Fatal(err)
		}
		var key struct {
			Key string `json:"key"`
		}
		if err := json.Unmarshal(b, &key); err != nil {
			t.Fatal(err)
		}
		*k = Key{Name: name, Secret: key.Key}
	}
	if _, err := s.api("PUT", "/zones/"+zoneName+"./metadata/TSIG-ALLOW-DNSUPDATE",
		map[string]any{"kind": "TSIG-ALLOW-DNSUPDATE", "metadata": []string{s.Key.Name}}); err != nil {
		t.Fatal(err)
	}
	return s
}

// api calls PowerDNS's API at /api/v1/servers/localhost+path.
func (s *Server) api(method, path string, body any) ([]byte, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.APIURL+"/api/v1/servers/localhost"+path, bytes.NewReader(b))
	req.Header.Set("X-API-Key", s.APIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("powerdns %s %s: %d %s", method, path, resp.StatusCode, out.String())
	}
	return out.Bytes(), nil
}

// start runs the server in the foreground, stops it when t ends, and waits until its
// DNS port answers.
func (s *Server) start(t testing.TB, bin string, args []string) {
	t.Helper()
	out, err := os.Create(s.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	go func() { cmd.Wait(); out.Close(); close(s.exited) }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log:\n%s", s.Name, s.Log())
		}
		s.stop()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-s.exited:
			t.Fatalf("%s exited:\n%s", s.Name, s.Log())
		default:
		}
		if err := s.ready(); err == nil {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("%s did not answer on %s: %v\n%s", s.Name, s.Addr, err, s.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ready checks the DNS port and, for PowerDNS, the API. BIND listens before it has
// loaded its zones (an update then is SERVFAIL): it is ready when it answers for the
// zone's SOA.
func (s *Server) ready() error {
	if s.APIURL == "" {
		q := new(dns.Msg)
		q.SetQuestion(dns.Fqdn(s.Zone), dns.TypeSOA)
		r, _, err := (&dns.Client{Net: "tcp", Timeout: time.Second}).Exchange(q, s.Addr)
		if err != nil {
			return err
		}
		if r.Rcode != dns.RcodeSuccess || !r.Authoritative || len(r.Answer) == 0 {
			return fmt.Errorf("SOA of %s: %s", s.Zone, dns.RcodeToString[r.Rcode])
		}
		return nil
	}
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return err
	}
	c.Close()
	{
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", s.APIURL+"/api/v1/servers/localhost", nil)
		req.Header.Set("X-API-Key", s.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return errors.New(resp.Status)
		}
	}
	return nil
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
