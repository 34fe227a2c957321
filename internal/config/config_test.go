package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/yamlpos"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(env(map[string]string{"SUREL_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DatabaseURL != "sqlite:"+filepath.Join(dir, "surel.db") || c.BaseURL != "http://localhost:8080" || c.Secure() {
		t.Fatalf("%+v", c)
	}
	if len(c.Tenants) != 1 || c.Tenants[0].Password.MinLength != 6 {
		t.Fatalf("default tenant %+v", c.Tenants)
	}
	// The generated key is kept, private, and reused.
	st, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret key file: %v %v", err, st)
	}
	c2, _ := Load(env(map[string]string{"SUREL_DATA_DIR": dir}))
	if string(c2.SecretKey) != string(c.SecretKey) || len(c.SecretKey) < 32 {
		t.Fatal("secret key not reused")
	}
}

func TestErrorsNameTheSetting(t *testing.T) {
	_, err := Load(env(map[string]string{"SUREL_DATA_DIR": t.TempDir(), "SUREL_DATABASE_URL": "mysql://x",
		"SUREL_SMTP_URL": "http://x", "SUREL_SECRET_KEY": "short", "SUREL_AUTH_RATE": "lots", "SUREL_BASE_URL": "ftp://x"}))
	for _, want := range []string{"SUREL_DATABASE_URL", "SUREL_SMTP_URL", "SUREL_SECRET_KEY", "SUREL_AUTH_RATE", "SUREL_BASE_URL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func TestTenantFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte(`tenants:
  - slug: kaltim
    name: Diskominfo Prov. Kalimantan Timur
    hosts: [surel.kaltimprov.go.id]
    time_zone: Asia/Makassar
    mail_domain: kaltimprov.go.id
    password: {min_length: 4, reject_common: true}
`), 0o600)
	c, err := Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_CONFIG": good}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Tenants[0].Slug != "kaltim" || c.Tenants[0].Password.MinLength != 6 || !c.Tenants[0].Password.RejectCommon {
		t.Fatalf("%+v", c.Tenants[0])
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("tenants:\n  - slug: Bad Slug\n    name: ''\n    time_zone: Mars/Olympus\n    pasword: {}\n"), 0o600)
	_, err = Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_CONFIG": bad}))
	if err == nil || !strings.Contains(err.Error(), "line 5") || !strings.Contains(err.Error(), "pasword") {
		t.Fatalf("unknown key not reported with its line: %v", err)
	}
	os.WriteFile(bad, []byte("tenants:\n  - slug: Bad Slug\n    name: ''\n    time_zone: Mars/Olympus\n"), 0o600)
	_, err = Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_CONFIG": bad}))
	for _, want := range []string{"tenants[0].slug", "tenants[0].name", "tenants[0].time_zone"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	// Each problem names the file, the line and column of the setting it refuses, or of the
	// tenant entry when the setting is missing (mail_domain here).
	want := map[string]string{
		"tenants[0].slug":        bad + ":2:11: tenants[0].slug: want lower-case",
		"tenants[0].name":        bad + ":3:11: tenants[0].name: required",
		"tenants[0].time_zone":   bad + ":4:16: tenants[0].time_zone: unknown time zone Mars/Olympus",
		"tenants[0].mail_domain": bad + ":2:5: tenants[0].mail_domain: required",
	}
	problems := yamlpos.Problems(err)
	if len(problems) != len(want) {
		t.Errorf("%d problems, want %d: %v", len(problems), len(want), err)
	}
	for _, p := range problems {
		if w, ok := want[p.Path]; !ok || !strings.HasPrefix(p.Error(), w) {
			t.Errorf("%q, want it to start with %q", p.Error(), w)
		}
	}
}

func TestMailServer(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "zimbra.pw")
	os.WriteFile(pwFile, []byte("rahasia\n"), 0o600)
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte(`tenants:
  - slug: kaltim
    name: Diskominfo Prov. Kalimantan Timur
    mail_domain: kaltimprov.go.id
    mail_server:
      driver: zimbra
      zimbra:
        url: https://10.1.2.3:9071
        admin_user: surel@kaltimprov.go.id
        admin_password_file: `+pwFile+`
        tls_server_name: mail.kaltimprov.go.id
        cos: pemda
        owner_attribute: zimbraNotes
      imap_addr: imaps://mail.kaltimprov.go.id:993
      webmail_url: https://mail.kaltimprov.go.id
      limits: {max_accounts: 5000, total_quota: 500G, default_quota: 2G}
      sync_at: "02:30"
  - slug: siantar
    name: Diskominfo Kota Pematangsiantar
    mail_domain: pematangsiantarkota.go.id
  - slug: maju
    name: Desa Maju
    mail_domain: desamaju.id
    mail_server:
      driver: cpanel
      cpanel: {url: "https://host.example.co.id:2083", user: desamaju, token_file: `+pwFile+`}
`), 0o600)
	c, err := Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_CONFIG": good}))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Tenants[0].Mail
	if m.Driver != "zimbra" || m.Zimbra.AdminPassword != "rahasia" || m.Limits.TotalQuotaBytes != 500<<30 ||
		m.Limits.DefaultQuotaBytes != 2<<30 || m.Limits.MaxAccounts != 5000 || m.IMAPAddr != "imaps://mail.kaltimprov.go.id:993" || m.SyncAt != "02:30" {
		t.Fatalf("%+v", m)
	}
	// The admin proxy's URL without a path gets the admin service's.
	if z := m.Zimbra; z.URL != "https://10.1.2.3:9071/service/admin/soap" || z.ServerName != "mail.kaltimprov.go.id" ||
		z.COS != "pemda" || z.OwnerAttribute != "zimbraNotes" {
		t.Fatalf("zimbra %+v", z)
	}
	if d := c.Tenants[1].Mail; d.Driver != "sql" || d.PasswordScheme != "ARGON2ID" {
		t.Fatalf("defaults %+v", d)
	}
	if cp := c.Tenants[2].Mail; cp.Driver != "cpanel" || cp.CPanel.Token != "rahasia" || cp.CPanel.User != "desamaju" {
		t.Fatalf("cpanel %+v", cp)
	}
	if d, _ := Load(env(map[string]string{"SUREL_DATA_DIR": dir})); d.Tenants[0].Mail.Driver != "sql" {
		t.Fatalf("built-in tenant %+v", d.Tenants[0].Mail)
	}

	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(`tenants:
  - slug: a
    name: A
    mail_domain: a.go.id
    mail_server:
      driver: exchange
      password_scheme: MD5
      imap_addr: mail.a.go.id
      lmtp_addr: nowhere
      webmail_url: ftp://x
      limits: {max_accounts: -1, total_quota: lots, default_quota: 2X}
  - slug: b
    name: B
    mail_domain: b.go.id
    mail_server:
      driver: zimbra
      zimbra: {url: "mail.b.go.id", admin_password: x, admin_password_file: /nonexistent, tls_server_name: "10.0.0.1:7071"}
      limits: {total_quota: 1G, default_quota: 2G}
  - slug: c
    name: C
    mail_domain: c.go.id
    mail_server:
      driver: cpanel
      cpanel: {url: "http://c.go.id:2083/execute"}
  - slug: d
    name: D
    mail_domain: d.go.id
    mail_server:
      limits: {total_quota: 100G}
  - slug: e
    name: E
    mail_domain: e.go.id
    mail_server: {sync_at: "24:00"}
`), 0o600)
	_, err = Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_CONFIG": bad}))
	for _, want := range []string{
		"tenants[0].mail_server.driver", "tenants[0].mail_server.password_scheme", "tenants[0].mail_server.imap_addr",
		"tenants[0].mail_server.lmtp_addr", "tenants[0].mail_server.webmail_url", "tenants[0].mail_server.limits.max_accounts",
		"tenants[0].mail_server.limits.total_quota", "tenants[0].mail_server.limits.default_quota",
		"tenants[1].mail_server.zimbra.url", "tenants[1].mail_server.zimbra.admin_user",
		"tenants[1].mail_server.zimbra.admin_password_file", "tenants[1].mail_server.limits.default_quota: 2G is more",
		"tenants[1].mail_server.zimbra.tls_server_name",
		"tenants[2].mail_server.cpanel.url", "tenants[2].mail_server.cpanel.user", "tenants[2].mail_server.cpanel.token: required",
		"tenants[3].mail_server.limits.default_quota: required with total_quota",
		`tenants[4].mail_server.sync_at: want a time of day HH:MM (00:00 to 23:59, the tenant's time zone), got "24:00"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "0": 0, "1024": 1024, "2G": 2 << 30, "500G": 500 << 30, "512M": 512 << 20,
		"1T": 1 << 40, "100K": 100 << 10, "2GB": 2 << 30, "2GiB": 2 << 30, "2g": 2 << 30, " 3 G ": 3 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	for _, in := range []string{"G", "-1G", "1.5G", "2X", "99999999999T"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestHSTSAndMetrics(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(env(map[string]string{"SUREL_DATA_DIR": dir}))
	if err != nil || c.HSTSMaxAge != 31536000 || c.MetricsAddr != "127.0.0.1:9464" || c.MetricsToken != "" {
		t.Fatalf("defaults: %v %+v", err, c)
	}
	tok := filepath.Join(dir, "metrics.token")
	os.WriteFile(tok, []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	c, err = Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_HSTS_MAX_AGE": "0", "SUREL_METRICS_ADDR": "off",
		"SUREL_METRICS_TOKEN_FILE": tok}))
	if err != nil || c.HSTSMaxAge != 0 || c.MetricsAddr != "" || c.MetricsToken != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("set: %v %+v", err, c)
	}
	_, err = Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_HSTS_MAX_AGE": "a year", "SUREL_METRICS_ADDR": "9464",
		"SUREL_METRICS_TOKEN": "short"}))
	for _, want := range []string{"SUREL_HSTS_MAX_AGE", "SUREL_METRICS_ADDR", "SUREL_METRICS_TOKEN: want at least 24"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func TestPlainHTTPPublic(t *testing.T) {
	for base, want := range map[string]bool{
		"http://localhost:8080": false, "http://127.0.0.1:8080": false, "http://[::1]:8080": false, "http://surel.localhost": false,
		"https://surel.example.go.id": false, "http://surel.example.go.id": true, "http://10.0.0.5:8080": true, "http://192.168.1.20": true,
	} {
		c := Config{BaseURL: base}
		if got := c.PlainHTTPPublic(); got != want {
			t.Errorf("%s: %v, want %v", base, got, want)
		}
	}
}

// A tenant's links use its own host: its base_url, else the deployment's scheme and port
// with its first host, else the deployment's base URL.
func TestTenantBaseURL(t *testing.T) {
	c := Config{BaseURL: "https://surel.example.go.id:8443"}
	for _, tc := range []struct {
		t    Tenant
		want string
	}{
		{Tenant{}, "https://surel.example.go.id:8443"},
		{Tenant{Hosts: []string{"surel.kaltimprov.go.id", "email.kaltimprov.go.id"}}, "https://surel.kaltimprov.go.id:8443"},
		{Tenant{Hosts: []string{"surel.kaltimprov.go.id"}, BaseURL: "https://layanan.kaltimprov.go.id/"}, "https://layanan.kaltimprov.go.id"},
	} {
		if got := c.TenantBaseURL(tc.t); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.t, got, tc.want)
		}
	}
	if got := (Config{BaseURL: "http://localhost"}).TenantBaseURL(Tenant{Hosts: []string{"desa.test"}}); got != "http://desa.test" {
		t.Errorf("no port: %s", got)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "t.yaml")
	os.WriteFile(bad, []byte("tenants:\n  - slug: a\n    name: A\n    mail_domain: a.go.id\n    base_url: surel.a.go.id\n"), 0o600)
	if _, err := Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_CONFIG": bad})); err == nil || !strings.Contains(err.Error(), "tenants[0].base_url") {
		t.Fatalf("bad base_url: %v", err)
	}
}

// SUREL_STORAGE_URL names a bucket, with its secret in the URL or apart; bad URLs name
// the setting and what is missing.
func TestStorage(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(env(map[string]string{"SUREL_DATA_DIR": dir}))
	if err != nil || c.Storage.S3 != nil || c.Storage.Dir != filepath.Join(dir, "uploads") {
		t.Fatalf("default storage %+v %v", c.Storage, err)
	}
	c, err = Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_STORAGE_URL": "s3://AKIA@s3.example.go.id/surel/docs?region=id-jkt-1",
		"SUREL_STORAGE_SECRET": "rahasia"}))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Storage.S3; s == nil || *s != (S3Storage{Endpoint: "s3.example.go.id", TLS: true, Bucket: "surel", Prefix: "docs/",
		Region: "id-jkt-1", AccessKey: "AKIA", SecretKey: "rahasia"}) {
		t.Fatalf("s3 storage %+v", c.Storage.S3)
	}
	c, err = Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_STORAGE_URL": "s3+http://k:s@127.0.0.1:8333/b"}))
	if err != nil || c.Storage.S3.TLS || c.Storage.S3.Endpoint != "127.0.0.1:8333" || c.Storage.S3.SecretKey != "s" || c.Storage.S3.Prefix != "" {
		t.Fatalf("plain http storage %+v %v", c.Storage.S3, err)
	}
	for url, want := range map[string]string{
		"http://k:s@h/b":    "want s3://",
		"s3://h/b":          "want s3://",
		"s3://k:s@h/":       "bucket is missing",
		"s3://k@h/b":        "secret key is required",
		"s3://k:s@h/b?x=1":  "",
		"s3://k:s@h:9000/b": "",
	} {
		_, err := Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_STORAGE_URL": url}))
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", url, err, want)
		}
	}
}
