package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/printout/printouttest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/workflow"
)

// The front desk's resets from an OPD's letter over HTTP: a missing or too long number
// is named next to its field with everything typed kept; the letter's number is recorded
// on every request it starts, so its result page is read by the number alone (an old link
// with ids is sent there), for its tenant's desk only (another tenant's letter, even
// with the same number, is not shown); the form lists the latest letters; the request's
// pages (staff, owner, in both languages), its history (in both), the mailbox's registry
// page and the person's printed account and result letters name the letter.
func TestKantorResetSurat(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			ctx := context.Background()
			tn, kaltim := h.a.Tenants.Default(), h.a.Tenants.ForHost("kaltim.test")
			h.signup("siti@example.com") // the owner of one mailbox, signed in on h.c
			siti, err := h.a.Store.UserByEmail(ctx, tn.ID, "siti@example.com")
			if err != nil {
				t.Fatal(err)
			}
			boxes := map[string]registry.Mailbox{}
			for _, m := range []registry.Mailbox{
				{TenantID: tn.ID, Address: "siti.rahma@mail.go.id", OwnerID: siti.ID, Name: "Siti Rahma"},
				{TenantID: tn.ID, Address: "budi.santoso@mail.go.id", Name: "Budi Santoso"},
				{TenantID: kaltim.ID, Address: "ani.lestari@kaltimprov.go.id", Name: "Ani Lestari"},
				{TenantID: kaltim.ID, Address: "dewi.kartika@kaltimprov.go.id", Name: "Dewi Kartika"},
			} {
				if boxes[m.Address], err = h.a.Workflow.Registry.Created(ctx, m, audit.System); err != nil {
					t.Fatal(err)
				}
			}
			const ref = "800/45/DINKES/2026"
			// Kaltim's desk enters a letter of the same number, and one of its own.
			kdesk := stafftest.New(t, h.a.Staff, kaltim, "loket@kaltimprov.go.id", sop.RoleFrontDesk)
			for kref, line := range map[string]string{ref: "ani.lestari", "800/7/KALTIM": "dewi.kartika"} {
				if rs, err := h.a.Requests.ResetsByLetter(ctx, kaltim, kdesk.Member, "", line, kref); err != nil || len(rs) != 1 {
					t.Fatalf("kaltim's letter %s: %+v %v", kref, rs, err)
				}
			}

			desk := stafftest.New(t, h.a.Staff, tn, "loket@kominfo.go.id", sop.RoleFrontDesk)
			dc := h.client()
			h.signInStaff(dc, desk)
			r := h.do(dc, "GET", "/kantor/akun/reset-surat", nil)
			contains(t, r.body, "Belum ada surat OPD yang dimasukkan.")
			list := "siti.rahma\nbudi.santoso@mail.go.id"
			long := strings.Repeat("8", request.MaxLetterRef+1)
			for number, msg := range map[string]string{"": "Nomor surat OPD wajib diisi.", long: "Nomor surat OPD paling panjang 100 karakter."} {
				r = h.do(dc, "POST", "/kantor/akun/reset-surat", url.Values{"nomor_surat": {number}, "daftar_akun": {list}})
				if r.status != 422 {
					t.Fatalf("number %q: %d", number, r.status)
				}
				contains(t, r.body, msg, `id="e-nomor_surat"`, `value="`+number+`"`, "siti.rahma\nbudi.santoso@mail.go.id</textarea>")
			}
			if rs, _ := h.a.Store.RequestsOn(ctx, tn.ID, "budi.santoso@mail.go.id"); len(rs) != 0 {
				t.Fatalf("a request started by a refused form: %+v", rs)
			}

			r = h.do(dc, "POST", "/kantor/akun/reset-surat", url.Values{"nomor_surat": {" " + ref + " "}, "daftar_akun": {list}})
			result := "/kantor/akun/reset-surat/hasil?surat=800%2F45%2FDINKES%2F2026"
			if r.status != 303 || r.loc != result {
				t.Fatalf("letter sent: %d %q %s", r.status, r.loc, r.body)
			}
			// The result page by the letter's number alone, read from the database.
			r = h.do(dc, "GET", result, nil)
			if r.status != 200 {
				t.Fatalf("result page: %d", r.status)
			}
			contains(t, r.body, "Permohonan reset dari surat "+ref, "siti.rahma@mail.go.id", "budi.santoso@mail.go.id", "Budi Santoso")
			if strings.Contains(r.body, "kaltimprov") {
				t.Fatal("another tenant's request of the same number is listed")
			}
			started, err := h.a.Requests.LetterRequests(ctx, desk.Member, ref)
			if err != nil || len(started) != 2 {
				t.Fatalf("the letter's requests: %+v %v", started, err)
			}
			for _, rq := range started {
				contains(t, r.body, rq.Number, fmt.Sprintf(`href="/kantor/permohonan/%d"`, rq.ID))
			}
			if old := h.do(dc, "GET", result+fmt.Sprintf("&id=%d&id=%d", started[0].ID, started[1].ID), nil); old.status != 303 || old.loc != result {
				t.Fatalf("an old link with ids: %d %q", old.status, old.loc)
			}
			for _, other := range []string{"800%2F7%2FKALTIM", "tidak-ada", ""} {
				if r := h.do(dc, "GET", "/kantor/akun/reset-surat/hasil?surat="+other, nil); r.status != 404 || strings.Contains(r.body, "kaltimprov") {
					t.Fatalf("letter %q: %d", other, r.status)
				}
			}
			kabid := stafftest.New(t, h.a.Staff, tn, "kabid@kominfo.go.id", sop.RoleKepalaBidang)
			kc := h.client()
			h.signInStaff(kc, kabid)
			if r := h.do(kc, "GET", result, nil); r.status != 403 {
				t.Fatalf("kabid at the result page: %d", r.status)
			}

			// The form lists the letter, linked to its result page.
			r = h.do(dc, "GET", "/kantor/akun/reset-surat", nil)
			contains(t, r.body, `id="recent-letters"`, ">"+ref+"</a>", "<td data-label=\"Jumlah orang\">2</td>", "<td data-label=\"Selesai\">0</td>")
			if !strings.Contains(strings.ToLower(r.body), `href="/kantor/akun/reset-surat/hasil?surat=800%2f45%2fdinkes%2f2026"`) || strings.Contains(r.body, "800/7/KALTIM") {
				t.Fatalf("recent letters:\n%s", r.body)
			}

			// The request's pages, its history and the registry's page name the letter.
			var sitiReq, budiReq request.Request
			for _, rq := range started {
				if rq.Mailbox == "siti.rahma" {
					sitiReq = rq
				} else {
					budiReq = rq
				}
			}
			r = h.do(dc, "GET", fmt.Sprintf("/kantor/permohonan/%d", budiReq.ID), nil)
			contains(t, r.body, `id="dasar-surat"`, "<dt>Dasar</dt>", "surat OPD nomor "+ref, "Berdasarkan surat nomor "+ref)
			r = h.get(fmt.Sprintf("/permohonan/%d", sitiReq.ID))
			if r.status != 200 {
				t.Fatalf("the owner's request page: %d", r.status)
			}
			contains(t, r.body, `id="dasar-surat"`, "<dt>Dasar</dt>", "surat OPD nomor "+ref)
			h.get("/bahasa/en")
			contains(t, h.get(fmt.Sprintf("/permohonan/%d", sitiReq.ID)).body, "<dt>Based on</dt>", "agency letter number "+ref)
			r = h.do(dc, "GET", fmt.Sprintf("/kantor/akun/%d", boxes["budi.santoso@mail.go.id"].ID), nil)
			contains(t, r.body, "surat OPD nomor "+ref)

			// Budi's reset done: his own account letter answers the OPD's letter.
			budiReq.Status, budiReq.UpdatedAt, budiReq.ClosedAt = request.Done, time.Now(), time.Now()
			if err := h.a.Store.UpdateRequest(ctx, budiReq); err != nil {
				t.Fatal(err)
			}
			const pw = "Baru2026xyz"
			if err := h.a.Store.PutCredential(ctx, workflow.Credential{RequestID: budiReq.ID, Address: budiReq.MailboxAddress(),
				Sealed: h.a.Workflow.Seal.Seal(pw, fmt.Sprintf("request:%d", budiReq.ID)), CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			lr := h.do(dc, "POST", fmt.Sprintf("/kantor/permohonan/%d/surat", budiReq.ID), url.Values{})
			if lr.status != 200 {
				t.Fatalf("account letter: %d %s", lr.status, lr.body)
			}
			text, err := printouttest.Text([]byte(lr.body))
			if err != nil {
				t.Fatal(err)
			}
			text = strings.Join(strings.Fields(text), " ")
			for _, want := range []string{"Menindaklanjuti surat OPD nomor " + ref, "Budi Santoso telah direset", pw, "budi.santoso@mail.go.id"} {
				if !strings.Contains(text, want) {
					t.Errorf("account letter lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "siti.rahma") {
				t.Error("another person of the letter is in Budi's account letter")
			}
			// So does the result letter, with the request's number, never a password.
			res := h.do(dc, "GET", fmt.Sprintf("/kantor/permohonan/%d/surat-hasil", budiReq.ID), nil)
			if res.status != 200 {
				t.Fatalf("result letter: %d", res.status)
			}
			rt, err := printouttest.Text([]byte(res.body))
			if err != nil {
				t.Fatal(err)
			}
			rt = strings.Join(strings.Fields(rt), " ")
			if !strings.Contains(rt, "Menindaklanjuti surat OPD nomor "+ref+", dengan ini kami sampaikan bahwa permohonan nomor "+budiReq.Number) || strings.Contains(rt, pw) {
				t.Errorf("result letter:\n%s", rt)
			}
			r = h.do(dc, "GET", "/kantor/akun/reset-surat", nil)
			contains(t, r.body, "<td data-label=\"Selesai\">1</td>")

			// In English the staff's page reads the history's note in English too.
			h.do(dc, "GET", "/bahasa/en", nil)
			r = h.do(dc, "GET", fmt.Sprintf("/kantor/permohonan/%d", sitiReq.ID), nil)
			contains(t, r.body, "<dt>Based on</dt>", "agency letter number "+ref, "Based on letter number "+ref)
			if strings.Contains(r.body, "Berdasarkan surat") {
				t.Error("the English page shows the Indonesian note")
			}
		})
	}
}
