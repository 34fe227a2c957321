package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/printout/printouttest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// A tenant in Central Indonesian Time (Kaltim, seed 004) prints its receipts in WITA
// and says so: the time the request was received and the time of printing, an hour
// ahead of Jakarta, never labelled WIB.
func TestReceiptInTenantZone(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "tenants.yaml")
			os.WriteFile(cfg, []byte(`tenants:
  - slug: kaltim
    name: Diskominfo Prov. Kalimantan Timur
    mail_domain: kaltimprov.go.id
    sop: kaltim
`), 0o600)
			h := start(t, d, map[string]string{"SUREL_CONFIG": cfg})
			desk := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "loket@kaltimprov.go.id", sop.RoleFrontDesk)
			dc := h.client()
			h.signInStaff(dc, desk)
			r := h.postMultipart(dc, "/kantor/loket", loketForm(), upload{"scan_permohonan", "surat.png", pngBytes(t, 40, 30)},
				upload{"doc_kepegawaian", "kartu.png", pngBytes(t, 30, 20)})
			if r.status != 303 {
				t.Fatalf("walk-in: %d %s", r.status, r.body)
			}
			id := strings.TrimPrefix(r.loc, "/kantor/loket/")
			rc := h.do(dc, "GET", "/kantor/permohonan/"+id+"/tanda-terima", nil)
			if rc.status != 200 || rc.header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("receipt: %d %s", rc.status, rc.header.Get("Content-Type"))
			}
			text, err := printouttest.Text([]byte(rc.body))
			if err != nil {
				t.Fatal(err)
			}
			rq, err := h.a.Store.Request(t.Context(), parseInt(t, id))
			if err != nil {
				t.Fatal(err)
			}
			wita, _ := time.LoadLocation("Asia/Makassar")
			received := rq.SubmittedAt.In(wita).Format("02-01-2006 15:04") + " WITA"
			if !strings.Contains(text, "Diterima\n:\n"+received) {
				t.Errorf("receipt lacks the received time %q:\n%s", received, text)
			}
			if !strings.Contains(text, "Diterbitkan oleh sistem surel pada ") || strings.Count(text, " WITA") < 2 {
				t.Errorf("receipt's printing time is not in WITA:\n%s", text)
			}
			if strings.Contains(text, "WIB") {
				t.Errorf("a WITA tenant's receipt says WIB:\n%s", text)
			}
			// Where the request is and its deadline (issue 17); Kaltim's SOP states no
			// standard as a whole, so none is printed.
			for _, want := range []string{"Tahap sekarang\n:\n", "Batas Waktu\n:\n"} {
				if !strings.Contains(text, want) {
					t.Errorf("receipt lacks %q:\n%s", want, text)
				}
			}
		})
	}
}
