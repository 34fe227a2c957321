package web_test

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox/zimbra/zimbrafake"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// A Zimbra tenant whose delegated admin lacks getDomainQuotaUsage: the page of the step
// that shows the capacity still shows the accounts against the limit, and says which
// figure is missing and what to grant.
func TestKantorCapacityWithoutQuotaUsageRight(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			f := zimbrafake.Start(t, "mail.go.id")
			f.Do(func(st *zimbrafake.State) {
				st.Admins["surel@mail.go.id"] = &zimbrafake.Admin{ID: "adm", Password: "rahasia",
					Rights: map[string][]string{"mail.go.id": zimbrafake.DomainAdminRights}}
				st.AddAccount("lama@mail.go.id", "x", map[string]string{"zimbraMailQuota": "1073741824"})
			})
			dir := t.TempDir()
			ca, pw := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "zimbra.pw")
			os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.TLS.Certificate().Raw}), 0o600)
			os.WriteFile(pw, []byte("rahasia\n"), 0o600)
			cfg := filepath.Join(dir, "tenants.yaml")
			os.WriteFile(cfg, []byte(`tenants:
  - slug: kominfo
    name: Layanan Kominfo
    mail_domain: mail.go.id
    hosts: [127.0.0.1]
    mail_server:
      driver: zimbra
      zimbra: {url: "`+f.URL+`", admin_user: surel@mail.go.id, admin_password_file: `+pw+`, ca_file: `+ca+`}
      limits: {max_accounts: 100, default_quota: 1G}
`), 0o600)
			h := start(t, d, map[string]string{"SUREL_CONFIG": cfg})
			tn := h.a.Tenants.Default()
			desk := stafftest.New(t, h.a.Staff, tn, "loket@kominfo.go.id", sop.RoleFrontDesk)
			kasi := stafftest.New(t, h.a.Staff, tn, "kasi@kominfo.go.id", sop.RoleKepalaSeksi)
			kabid := stafftest.New(t, h.a.Staff, tn, "kabid@kominfo.go.id", sop.RoleKepalaBidang)
			admin := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleAdminMail)
			dc, kc, bc, ac := h.client(), h.client(), h.client(), h.client()
			h.signInStaff(dc, desk)
			h.signInStaff(kc, kasi)
			h.signInStaff(bc, kabid)
			h.signInStaff(ac, admin)
			r := h.postMultipart(dc, "/kantor/loket", loketForm(), upload{"scan_permohonan", "formulir.png", pngBytes(t, 40, 30)},
				upload{"doc_kepegawaian", "kartu.png", pngBytes(t, 30, 20)})
			if r.status != 303 {
				t.Fatalf("walk-in: %d %s", r.status, r.body)
			}
			page := "/kantor/permohonan/" + strings.TrimPrefix(r.loc, "/kantor/loket/")
			// The Kasi and the Kabid forward; the admin's step shows the capacity.
			for _, c := range []*http.Client{kc, bc} {
				step := regexp.MustCompile(`name="langkah" value="(\d+)"`).FindStringSubmatch(h.do(c, "GET", page, nil).body)
				if step == nil {
					t.Fatal("no step on the page")
				}
				if r := h.postAs(c, page+"/tindak", url.Values{"langkah": {step[1]}, "aksi": {"forward"}}); r.status != 303 {
					t.Fatalf("forward: %d", r.status)
				}
			}
			// Before the leader's first reading the page says so, without waiting.
			r = h.do(ac, "GET", page, nil)
			contains(t, r.body, "Kapasitas belum diketahui: sedang diperiksa")
			if err := h.a.Workflow.SnapshotCapacity(context.Background(), tn.ID); err != nil {
				t.Fatal(err)
			}
			r = h.do(ac, "GET", page, nil)
			contains(t, r.body, "Kapasitas mail server", "Akun terpakai: 1", "Sebagian angka belum dapat dibaca dari server",
				"grant the right getDomainQuotaUsage on domain mail.go.id to surel@mail.go.id")
			if strings.Contains(r.body, "Kapasitas tidak dapat dibaca") {
				t.Fatal("the capacity is shown as unreadable")
			}
		})
	}
}
