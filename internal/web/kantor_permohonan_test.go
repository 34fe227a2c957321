package web_test

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// The back office over HTTP: who sees and may act on a task, a note kept on a form
// error, a second action on a finished step, the account letter for the front desk, and
// the one-time password afterwards refused to the applicant.
func TestKantor(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			tn := h.a.Tenants.Default()
			desk := stafftest.New(t, h.a.Staff, tn, "loket@kominfo.go.id", sop.RoleFrontDesk)
			kasi := stafftest.New(t, h.a.Staff, tn, "kasi@kominfo.go.id", sop.RoleKepalaSeksi)
			kabid := stafftest.New(t, h.a.Staff, tn, "kabid@kominfo.go.id", sop.RoleKepalaBidang)
			admin := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleAdminMail)

			// The applicant has a portal account; the desk enters the request with its
			// e-mail, so the request is theirs.
			h.signup("siti@example.com")
			dc := h.client()
			h.signInStaff(dc, desk)
			form := loketForm()
			form.Set("email", "siti@example.com")
			r := h.postMultipart(dc, "/kantor/loket", form, upload{"scan_permohonan", "formulir.png", pngBytes(t, 40, 30)},
				upload{"doc_kepegawaian", "kartu.png", pngBytes(t, 30, 20)})
			if r.status != 303 || !regexp.MustCompile(`^/kantor/loket/\d+$`).MatchString(r.loc) {
				t.Fatalf("walk-in: %d %s %s", r.status, r.loc, r.body)
			}
			id := strings.TrimPrefix(r.loc, "/kantor/loket/")
			page := "/kantor/permohonan/" + id

			// Applicants never reach the back office.
			if r := h.get("/kantor"); r.status != 403 {
				t.Fatalf("applicant at /kantor: %d", r.status)
			}
			if r := h.get(page); r.status != 403 {
				t.Fatalf("applicant at the staff page: %d", r.status)
			}
			kc, bc, ac := h.client(), h.client(), h.client()
			h.signInStaff(kc, kasi)
			h.signInStaff(bc, kabid)
			h.signInStaff(ac, admin)
			// Staff management and sign-ins are in the audit trail.
			trail, err := h.a.Store.AuditTrail(t.Context(), "user:"+strconv.FormatInt(kasi.UserID, 10))
			if err != nil || len(trail) < 2 || trail[0].Action != "staff.add" || trail[0].Actor != "operator" ||
				trail[len(trail)-1].Action != "login.staff" || trail[len(trail)-1].IP == "" {
				t.Fatalf("kasi's trail: %+v, %v", trail, err)
			}
			if r := h.do(kc, "GET", "/kantor", nil); r.status != 200 || !strings.Contains(r.body, `href="`+page+`"`) {
				t.Fatalf("kasi inbox: %d", r.status)
			}
			if r := h.do(bc, "GET", "/kantor", nil); strings.Contains(r.body, `href="`+page+`"`) {
				t.Fatal("the kasi's task is in the kabid's inbox")
			}
			r = h.do(kc, "GET", page, nil)
			contains(t, r.body, "Langkah saat ini", `value="forward"`, `value="return"`, `value="refuse"`, "Jejak audit", "request.walkin", "formulir.png")
			step := regexp.MustCompile(`name="langkah" value="(\d+)"`).FindStringSubmatch(r.body)
			if step == nil {
				t.Fatal("no step id on the page")
			}
			// The kabid sees the page but has no buttons, and a forged POST is refused.
			if r := h.do(bc, "GET", page, nil); r.status != 200 || strings.Contains(r.body, `value="forward"`) {
				t.Fatalf("kabid page: %d", r.status)
			}
			if r := h.postAs(bc, page+"/tindak", url.Values{"langkah": {step[1]}, "aksi": {"forward"}}); r.status != 403 {
				t.Fatalf("kabid acting on the kasi's step: %d", r.status)
			}
			// Refusing without a reason: the field says so.
			if r := h.postAs(kc, page+"/tindak", url.Values{"langkah": {step[1]}, "aksi": {"refuse"}, "note": {"  "}}); r.status != 422 ||
				!strings.Contains(r.body, "Catatan wajib diisi") {
				t.Fatalf("refuse without a note: %d", r.status)
			}
			// Forward; the same click again says someone finished it.
			if r := h.postAs(kc, page+"/tindak", url.Values{"langkah": {step[1]}, "aksi": {"forward"}, "note": {"lengkap"}}); r.status != 303 || r.loc != "/kantor" {
				t.Fatalf("forward: %d %s", r.status, r.loc)
			}
			// A warning, not a success, with the note typed in vain given back (issue 17).
			if r := h.postAs(kc, page+"/tindak", url.Values{"langkah": {step[1]}, "aksi": {"forward"}, "note": {"catatan kedua"}}); r.status != 409 ||
				!strings.Contains(r.body, "sudah diselesaikan oleh petugas lain") || !strings.Contains(r.body, `id="kalah"`) ||
				!strings.Contains(r.body, ">catatan kedua</textarea>") {
				t.Fatalf("second forward: %d %s", r.status, r.loc)
			}
			// Kabid approves; the admin amends the address to a reserved name (refused,
			// kept), then a good one.
			r = h.do(bc, "GET", page, nil)
			step = regexp.MustCompile(`name="langkah" value="(\d+)"`).FindStringSubmatch(r.body)
			if r := h.postAs(bc, page+"/tindak", url.Values{"langkah": {step[1]}, "aksi": {"forward"}}); r.status != 303 {
				t.Fatalf("kabid forward: %d", r.status)
			}
			r = h.do(ac, "GET", page, nil)
			contains(t, r.body, "Kapasitas mail server", `value="budi.santoso"`)
			step = regexp.MustCompile(`name="langkah" value="(\d+)"`).FindStringSubmatch(r.body)
			r = h.postAs(ac, page+"/tindak", url.Values{"langkah": {step[1]}, "aksi": {"provision"}, "mailbox": {"postmaster"}})
			if r.status != 422 || !strings.Contains(r.body, "dicadangkan") || !strings.Contains(r.body, `value="postmaster"`) {
				t.Fatalf("reserved address: %d", r.status)
			}
			if r := h.postAs(ac, page+"/tindak", url.Values{"langkah": {step[1]}, "aksi": {"provision"}, "mailbox": {"siti.rahma"}}); r.status != 303 || r.loc != page {
				t.Fatalf("provision: %d %s", r.status, r.loc)
			}
			for {
				ran, err := h.a.Runner.RunOne(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if !ran {
					break
				}
			}
			r = h.do(dc, "GET", page, nil)
			contains(t, r.body, "Selesai", "siti.rahma@mail.go.id dibuat", "Cetak surat pemberitahuan akun")
			// The desk prints the letter: a PDF, and the password is gone from the system.
			r = h.postAs(dc, page+"/surat", url.Values{})
			if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
				t.Fatalf("letter: %d %s", r.status, r.header.Get("Content-Type"))
			}
			if r := h.postAs(dc, page+"/surat", url.Values{}); r.status != 409 {
				t.Fatalf("second letter: %d", r.status)
			}
			if r := h.postAs(kc, page+"/surat", url.Values{}); r.status != 403 {
				t.Fatalf("kasi printing the letter: %d", r.status)
			}
			if r := h.post("/permohonan/"+id+"/password", url.Values{}); r.status != 409 || !strings.Contains(r.body, "sudah pernah ditampilkan") {
				t.Fatalf("applicant after the letter: %d", r.status)
			}
			if r := h.get("/permohonan/" + id); !strings.Contains(r.body, "sudah ditampilkan pada") {
				t.Fatal("the applicant is not told the password was handed over")
			}
		})
	}
}
