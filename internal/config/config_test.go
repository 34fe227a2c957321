package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
}
