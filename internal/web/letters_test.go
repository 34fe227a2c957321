package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout/printouttest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// kaltimLetters is a Kaltim tenant file with its letterhead, signer and numbering.
func kaltimLetters(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	logo := filepath.Join(dir, "logo.png")
	if err := os.WriteFile(logo, pngBytes(t, 60, 72), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "tenants.yaml")
	os.WriteFile(cfg, []byte(`tenants:
  - slug: kaltim
    name: Diskominfo Prov. Kalimantan Timur
    mail_domain: kaltimprov.go.id
    sop: kaltim
    letters:
      government: PEMERINTAH PROVINSI KALIMANTAN TIMUR
      office: DINAS KOMUNIKASI DAN INFORMATIKA
      address: Jl. Basuki Rahmat No. 41, Samarinda 75117
      phone: (0541) 733333
      email: diskominfo@kaltimprov.go.id
      website: https://diskominfo.kaltimprov.go.id
      logo: `+logo+`
      place: Samarinda
      office_code: DISKOMINFO
      signer:
        jabatan: Kepala Dinas Komunikasi dan Informatika Provinsi Kalimantan Timur
        name: Dr. Muhammad Faisal, S.Kom., M.Si.
        pangkat: Pembina Utama Muda (IV/c)
        nip: "197211231998031005"
      numbering:
        receipt: {pattern: "{seq}/{kode}/{bulan-romawi}/{tahun}", code: TT.AKUN}
`), 0o600)
	return cfg
}

var wita = time.FixedZone("WITA", 8*3600)

// The front desk prints a walk-in request's receipt as a letter of the office: kop,
// number from the tenant's pattern (the same when printed again), place and date in
// words, the addressee, the signer, and a QR code that, decoded from the rendered page,
// opens the public verification page of that receipt.
func TestReceiptLetterAndVerification(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := start(t, d, map[string]string{"SUREL_CONFIG": kaltimLetters(t)})
			desk := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "loket@kaltimprov.go.id", sop.RoleFrontDesk)
			dc := h.client()
			h.signInStaff(dc, desk)
			r := h.postMultipart(dc, "/kantor/loket", loketForm(), upload{"scan_permohonan", "surat.png", pngBytes(t, 40, 30)},
				upload{"doc_kepegawaian", "kartu.png", pngBytes(t, 30, 20)})
			if r.status != 303 {
				t.Fatalf("walk-in: %d %s", r.status, r.body)
			}
			id := strings.TrimPrefix(r.loc, "/kantor/loket/")
			first := h.do(dc, "GET", "/kantor/permohonan/"+id+"/tanda-terima", nil)
			if first.status != 200 || first.header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("receipt: %d %s", first.status, first.body)
			}
			text, err := printouttest.Text([]byte(first.body))
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().In(wita)
			number := fmt.Sprintf("1/TT.AKUN/%s/%d", letter.Roman(int(now.Month())), now.Year())
			for _, want := range []string{"PEMERINTAH PROVINSI KALIMANTAN TIMUR", "DINAS KOMUNIKASI DAN INFORMATIKA", "Jl. Basuki Rahmat No. 41",
				"TANDA TERIMA PERMOHONAN", "Nomor: " + number, "Yth. Budi Santoso", "Samarinda, " + letter.Date(now),
				"Dr. Muhammad Faisal, S.Kom., M.Si.", "NIP. 197211231998031005", "Kode verifikasi: ", " WITA"} {
				if !strings.Contains(text, want) {
					t.Errorf("receipt lacks %q:\n%s", want, text)
				}
			}
			again, _ := printouttest.Text([]byte(h.do(dc, "GET", "/kantor/permohonan/"+id+"/tanda-terima", nil).body))
			if !strings.Contains(again, "Nomor: "+number) {
				t.Errorf("printed again, the receipt has another number:\n%s", again)
			}

			printouttest.QRTools(t)
			codes, err := printouttest.QRCodes([]byte(first.body), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if len(codes) != 1 || !strings.HasPrefix(codes[0], h.srv.URL+"/verifikasi/") {
				t.Fatalf("QR codes on the receipt: %q", codes)
			}
			anon := h.client()
			v := h.do(anon, "GET", strings.TrimPrefix(codes[0], h.srv.URL), nil)
			if v.status != 200 {
				t.Fatalf("verification page: %d", v.status)
			}
			contains(t, v.body, "Tanda Terima Permohonan", number, "Budi Santoso", "budi.santoso@kaltimprov.go.id",
				"PEMERINTAH PROVINSI KALIMANTAN TIMUR", "WITA")
			if v.header.Get("Referrer-Policy") != "no-referrer" || v.header.Get("X-Robots-Tag") != "noindex" {
				t.Errorf("verification headers: %v", v.header)
			}
			// The code printed on paper, typed by hand in lower case, finds the same page.
			code := strings.TrimPrefix(codes[0], h.srv.URL+"/verifikasi/")
			typed := h.do(anon, "GET", "/verifikasi?kode="+strings.ToLower(letter.ShowCode(code)), nil)
			if typed.status != 303 || typed.loc != "/verifikasi/"+code {
				t.Errorf("typed code: %d %s", typed.status, typed.loc)
			}
			for _, bad := range []string{"/verifikasi/0000-0000-0000", "/verifikasi/xyz", "/verifikasi?kode=xyz"} {
				if b := h.do(anon, "GET", bad, nil); b.status != 404 || !strings.Contains(b.body, "Kode verifikasi tidak dikenal") {
					t.Errorf("%s: %d", bad, b.status)
				}
			}
			if strings.Contains(h.log.String(), code) {
				t.Error("the verification code reached the log")
			}
		})
	}
}

// The verification page is limited per client address: guessing is not an option.
func TestVerificationRateLimited(t *testing.T) {
	h := start(t, store.SQLite, nil)
	var last resp
	for i := 0; i < 31; i++ {
		last = h.get("/verifikasi/ABCD-EFGH-JKMN")
	}
	if last.status != 429 || last.header.Get("Retry-After") == "" {
		t.Fatalf("31st lookup in a minute: %d", last.status)
	}
}

var numberRE = regexp.MustCompile(`Nomor\n:\n(\S+)`)

// The account letter and the result letter are letters to the applicant (Hal, Yth.,
// closing, signer); the account letter prints the password once, and neither its
// verification page nor the stored document ever holds it.
func TestAccountAndResultLetters(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := start(t, d, map[string]string{"SUREL_CONFIG": kaltimLetters(t)})
			h.signup("siti@example.com")
			rq := h.finished("siti@example.com")
			ctx := context.Background()
			const pw = "Awal2026abc"
			if err := h.a.Store.PutCredential(ctx, workflow.Credential{RequestID: rq.ID, Address: rq.MailboxAddress(),
				Sealed: h.a.Workflow.Seal.Seal(pw, fmt.Sprintf("request:%d", rq.ID)), CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			desk := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "loket@kaltimprov.go.id", sop.RoleFrontDesk)
			dc := h.client()
			h.signInStaff(dc, desk)
			lr := h.do(dc, "POST", fmt.Sprintf("/kantor/permohonan/%d/surat", rq.ID), map[string][]string{})
			if lr.status != 200 {
				t.Fatalf("account letter: %d %s", lr.status, lr.body)
			}
			text, err := printouttest.Text([]byte(lr.body))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Hal", "Pemberitahuan Akun Email Resmi", "Yth. Sdr. Siti Rahma", "Dengan hormat,", pw,
				"siti.rahma@kaltimprov.go.id", "Demikian kami sampaikan", "NIP. 197211231998031005", "Samarinda, "} {
				if !strings.Contains(text, want) {
					t.Errorf("account letter lacks %q:\n%s", want, text)
				}
			}
			doc, err := h.a.Store.DocumentOf(ctx, rq.ID, letter.KindAccountLetter)
			if err != nil {
				t.Fatal(err)
			}
			if m := numberRE.FindStringSubmatch(text); m == nil || m[1] != doc.Number {
				t.Errorf("letter number %v, stored %q", m, doc.Number)
			}
			v := h.do(h.client(), "GET", "/verifikasi/"+doc.Code, nil)
			contains(t, v.body, "Surat Pemberitahuan Akun Email", doc.Number, "siti.rahma@kaltimprov.go.id")
			if strings.Contains(v.body, pw) || strings.Contains(fmt.Sprint(doc), pw) {
				t.Error("the password is attested or kept")
			}
			// Printed a second time: the password is gone, so the letter is refused.
			if again := h.do(dc, "POST", fmt.Sprintf("/kantor/permohonan/%d/surat", rq.ID), map[string][]string{}); again.status != 409 {
				t.Errorf("second account letter: %d", again.status)
			}

			// The applicant prints the result letter; the office prints the same one.
			res := h.get(fmt.Sprintf("/permohonan/%d/surat-hasil", rq.ID))
			if res.status != 200 {
				t.Fatalf("result letter: %d %s", res.status, res.body)
			}
			rt, _ := printouttest.Text([]byte(res.body))
			for _, want := range []string{"Hasil Permohonan Akun Email Resmi", "disetujui", "siti.rahma@kaltimprov.go.id", "Yth. Sdr. Siti Rahma"} {
				if !strings.Contains(rt, want) {
					t.Errorf("result letter lacks %q:\n%s", want, rt)
				}
			}
			if strings.Contains(rt, pw) {
				t.Error("the result letter prints the password")
			}
			st, _ := printouttest.Text([]byte(h.do(dc, "GET", fmt.Sprintf("/kantor/permohonan/%d/surat-hasil", rq.ID), nil).body))
			if numberRE.FindStringSubmatch(st)[1] != numberRE.FindStringSubmatch(rt)[1] {
				t.Errorf("the office's result letter has another number than the applicant's")
			}
			// Another applicant cannot print it.
			other := h.client()
			h.c = other
			h.signup("lain@example.com")
			if r := h.do(other, "GET", fmt.Sprintf("/permohonan/%d/surat-hasil", rq.ID), nil); r.status != 404 {
				t.Errorf("another applicant's result letter: %d", r.status)
			}
		})
	}
}
