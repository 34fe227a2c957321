package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// The archive is every staff member's, not a visitor's; it lists a refused request and
// finds it by its number, applicant, NIP and period, not a live one; its request page
// opens read-only; a wrong filter is named by its field, what was typed kept.
func TestKantorArchive(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := start(t, d, map[string]string{"SUREL_CONFIG": kaltimLetters(t)})
			ctx := context.Background()
			tn := h.a.Tenants.Default()
			desk := stafftest.New(t, h.a.Staff, tn, "loket@kaltimprov.go.id", sop.RoleFrontDesk)
			dc := h.client()
			h.signInStaff(dc, desk)
			if r := h.do(h.client(), "GET", "/kantor/arsip", nil); r.status != 303 || !strings.HasPrefix(r.loc, "/masuk") {
				t.Errorf("visitor at the archive: %d %s", r.status, r.loc)
			}
			var ids []int64
			for i := range 2 {
				form := loketForm()
				if i == 1 {
					form.Set("first_name", "Ani")
					form.Set("last_name", "Lestari")
					form.Set("nip", "197211231998031005")
					form.Set("mailbox", "ani.lestari")
				}
				r := h.postMultipart(dc, "/kantor/loket", form, upload{"scan_permohonan", "surat.png", pngBytes(t, 40, 30)},
					upload{"doc_kepegawaian", "kartu.png", pngBytes(t, 30, 20)})
				id, err := strconv.ParseInt(strings.TrimPrefix(r.loc, "/kantor/loket/"), 10, 64)
				if r.status != 303 || err != nil {
					t.Fatalf("loket: %d %s", r.status, r.loc)
				}
				ids = append(ids, id)
			}
			// The first is refused last month; the second stays live.
			rq, err := h.a.Store.Request(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			filed := time.Now().AddDate(0, -1, 0).UTC()
			rq.Status, rq.ClosedAt, rq.FiledAt = request.Refused, filed, filed
			if err := h.a.Store.UpdateRequest(ctx, rq); err != nil {
				t.Fatal(err)
			}
			if err := h.a.Store.FileRequest(ctx, rq); err != nil {
				t.Fatal(err)
			}
			month := filed.Format("2006-01")
			for _, q := range []string{"", "?q=" + rq.Number, "?q=budi+santoso", "?q=" + rq.Values["nip"], "?status=ditolak",
				"?dari=" + month + "-01&sampai=" + filed.AddDate(0, 1, -filed.Day()).Format("2006-01-02")} {
				r := h.do(dc, "GET", "/kantor/arsip"+q, nil)
				if r.status != 200 {
					t.Fatalf("archive %s: %d", q, r.status)
				}
				contains(t, r.body, `href="/kantor/permohonan/`+strconv.FormatInt(ids[0], 10)+`"`, "Ditolak", "1 permohonan ditemukan")
				if strings.Contains(r.body, `href="/kantor/permohonan/`+strconv.FormatInt(ids[1], 10)+`"`) {
					t.Errorf("archive %s lists a live request", q)
				}
				if m := untranslatedReport.FindString(r.body); m != "" || strings.Contains(r.body, "arsip.") {
					t.Errorf("archive shows a key: %s", r.body)
				}
			}
			for _, q := range []string{"?q=tidak+ada+siapa", "?status=selesai", "?sampai=" + month + "-01&dari=2000-01-01&instansi=Lain"} {
				contains(t, h.do(dc, "GET", "/kantor/arsip"+q, nil).body, "Tidak ada permohonan arsip")
			}
			bad := h.do(dc, "GET", "/kantor/arsip?dari=2026-02-30&status=hilang&q=budi", nil)
			if bad.status != 422 {
				t.Fatalf("a wrong filter: %d", bad.status)
			}
			contains(t, bad.body, `value="2026-02-30"`, `value="budi"`, `id="e-dari"`, `id="e-status"`)
			page := h.do(dc, "GET", "/kantor/permohonan/"+strconv.FormatInt(ids[0], 10), nil)
			if page.status != 200 || strings.Contains(page.body, `action="/kantor/permohonan/`+strconv.FormatInt(ids[0], 10)+`/tindak"`) {
				t.Errorf("archived request page: %d, with actions: %v", page.status, strings.Contains(page.body, "/tindak"))
			}
		})
	}
}
