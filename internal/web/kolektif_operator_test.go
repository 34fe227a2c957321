package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// An OPD operator over HTTP: only the tenant admin marks one; the operator's portal
// uploads and sends their OPD's lists (the OPD fixed, whatever the form says) and opens
// no other; an unmarked account is forbidden.
func TestOperatorPortal(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := pemdaHarness(t, d)
			tn := h.a.Tenants.Default()
			admin := stafftest.New(t, h.a.Staff, tn, "admin@sintang.go.id", sop.RoleTenantAdmin)
			desk := stafftest.New(t, h.a.Staff, tn, "loket@sintang.go.id", sop.RoleFrontDesk)
			letter := upload{"scan_permohonan", "surat.png", pngBytes(t, 40, 30)}
			list := listCSV("196109231991031004,Budi Santoso,Staf,Umum,081234567890,budi@gmail.com,")

			h.signup("opd@example.com")
			if r := h.get("/kolektif"); r.status != 403 {
				t.Fatalf("unmarked account at /kolektif: %d", r.status)
			}
			dc := h.client()
			h.signInStaff(dc, desk)
			mark := url.Values{"email": {"opd@example.com"}, "instansi": {"Dinas Kesehatan"}}
			if r := h.do(dc, "POST", "/kantor/operator-opd", mark); r.status != 403 {
				t.Fatalf("front desk marking an operator: %d", r.status)
			}
			ac := h.client()
			h.signInStaff(ac, admin)
			r := h.do(ac, "POST", "/kantor/operator-opd", url.Values{"email": {"tidak.ada@example.com"}, "instansi": {"Dinas Kesehatan"}})
			if r.status != 422 || !strings.Contains(r.body, "Tidak ada akun portal aktif") || !strings.Contains(r.body, `value="tidak.ada@example.com"`) {
				t.Fatalf("unknown account: %d %s", r.status, r.body)
			}
			if r := h.do(ac, "POST", "/kantor/operator-opd", mark); r.status != 303 {
				t.Fatalf("mark: %d %s", r.status, r.body)
			}
			contains(t, h.do(ac, "GET", "/kantor/operator-opd", nil).body, "opd@example.com", "Dinas Kesehatan", "/cabut")

			contains(t, h.get("/permohonan").body, `id="operator-link"`, `href="/kolektif"`)
			r = h.get("/kolektif")
			contains(t, r.body, `id="operator-of"`, "Dinas Kesehatan", `action="/kolektif"`, `href="/kolektif/templat.xlsx"`)
			if strings.Contains(r.body, `name="instansi"`) {
				t.Fatal("the operator may type another OPD")
			}
			r = h.postMultipart(h.c, "/kolektif", url.Values{"instansi": {"Dinas Lain"}, "province": {"61"}, "regency": {"61.05"}}, letter,
				upload{"daftar", "d.csv", list})
			if r.status != 303 || !strings.HasPrefix(r.loc, "/kolektif/") {
				t.Fatalf("operator's upload: %d %s %s", r.status, r.loc, r.body)
			}
			mine := r.loc
			r = h.get(mine)
			contains(t, r.body, "Dinas Kesehatan", `action="`+mine+`/kirim"`)
			if strings.Contains(r.body, "/tindak") && strings.Contains(r.body, `id="setujui"`) {
				t.Fatal("the operator is offered staff's actions")
			}
			// Another OPD's list, uploaded by the front desk: not there for the operator.
			r = h.postMultipart(dc, "/kantor/kolektif", url.Values{"instansi": {"Dinas Pendidikan"}, "province": {"61"}, "regency": {"61.05"}},
				letter, upload{"daftar", "d.csv", list})
			theirs := strings.TrimPrefix(r.loc, "/kantor")
			if r.status != 303 || h.get(theirs).status != 404 {
				t.Fatalf("operator at another OPD's list %s: %d", theirs, h.get(theirs).status)
			}
			if r := h.post(theirs+"/kirim", url.Values{}); r.status != 404 {
				t.Fatalf("operator sending another OPD's list: %d", r.status)
			}
			if r := h.get("/kantor" + mine); r.status != 403 {
				t.Fatalf("operator at the back office's page: %d", r.status)
			}
			if r := h.post(mine+"/kirim", url.Values{}); r.status != 303 || !strings.Contains(r.loc, "ok=1") {
				t.Fatalf("operator sending: %d %s", r.status, r.loc)
			}
			// Another portal account: forbidden.
			h.c = h.client()
			h.signup("warga@example.com")
			if r := h.get("/kolektif"); r.status != 403 {
				t.Fatalf("another account at /kolektif: %d", r.status)
			}
			if r := h.get(mine); r.status != 403 {
				t.Fatalf("another account at the operator's list: %d", r.status)
			}
		})
	}
}
