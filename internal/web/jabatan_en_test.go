package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// In English the job titles of the SOP's steps are English (jabatan_en): in the steps
// table and swimlane of /alur-layanan, the diagram of /kantor/sop, the request's
// current step and its history; in Indonesian they stay as the SOP writes them.
func TestJobTitlesInEnglish(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			tn := h.a.Tenants.Default()
			desk := stafftest.New(t, h.a.Staff, tn, "loket@kominfo.go.id", sop.RoleFrontDesk)
			kasi := stafftest.New(t, h.a.Staff, tn, "kasi@kominfo.go.id", sop.RoleKepalaSeksi)
			admin := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleTenantAdmin)

			h.get("/bahasa/en")
			body := html.UnescapeString(h.get("/alur-layanan").body)
			contains(t, body, "Service Verifier, mail.go.id", "Approving Officer, mail.go.id", "Civil Servant / Village Official")
			for _, id := range []string{"Verifikator Layanan", "Pejabat Penyetuju", "PNS / Perangkat Desa"} {
				if strings.Contains(body, id) {
					t.Errorf("English /alur-layanan shows %q", id)
				}
			}
			h.get("/bahasa/id")
			contains(t, html.UnescapeString(h.get("/alur-layanan").body), "Verifikator Layanan mail.go.id", "Pejabat Penyetuju Layanan mail.go.id")

			ac := h.client()
			h.signInStaff(ac, admin)
			h.do(ac, "GET", "/bahasa/en", nil)
			r := h.do(ac, "GET", "/kantor/sop", nil)
			svg := html.UnescapeString(r.body[strings.Index(r.body, "<svg"):strings.Index(r.body, "</svg>")])
			if !strings.Contains(svg, "Service Verifier, mail.go.id") || strings.Contains(svg, "Verifikator Layanan") {
				t.Error("the /kantor/sop diagram does not name the verifier in English")
			}

			h.signup("siti@example.com")
			dc := h.client()
			h.signInStaff(dc, desk)
			form := loketForm()
			form.Set("email", "siti@example.com")
			r = h.postMultipart(dc, "/kantor/loket", form, upload{"scan_permohonan", "formulir.png", pngBytes(t, 40, 30)},
				upload{"doc_kepegawaian", "kartu.png", pngBytes(t, 30, 20)})
			id := regexp.MustCompile(`\d+$`).FindString(r.loc)
			kc := h.client()
			h.signInStaff(kc, kasi)
			h.do(kc, "GET", "/bahasa/en", nil)
			page := html.UnescapeString(h.do(kc, "GET", "/kantor/permohonan/"+id, nil).body)
			contains(t, page, "(Service Verifier, mail.go.id)", "Position")
			hist := page[strings.Index(page, `class="history"`):]
			contains(t, hist, "Service Verifier, mail.go.id")
			if strings.Contains(hist, "Verifikator Layanan") || strings.Contains(hist, "PNS / Perangkat Desa") {
				t.Error("the English history shows an Indonesian title")
			}
			h.do(kc, "GET", "/bahasa/id", nil)
			page = html.UnescapeString(h.do(kc, "GET", "/kantor/permohonan/"+id, nil).body)
			contains(t, page, "(Verifikator Layanan mail.go.id)")
		})
	}
}
