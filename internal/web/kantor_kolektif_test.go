package web_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/collective"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/printout/printouttest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// pemdaHarness is a server whose default tenant is a pemda's, with institutional
// mailboxes and collective requests.
func pemdaHarness(t *testing.T, d store.Dialect) *harness {
	cfg := filepath.Join(t.TempDir(), "tenants.yaml")
	os.WriteFile(cfg, []byte(`tenants:
  - slug: sintang
    name: Diskominfo Sintang
    mail_domain: sintang.go.id
    hosts: [127.0.0.1]
    sop: pematangsiantar
`), 0o600)
	return start(t, d, map[string]string{"SUREL_CONFIG": cfg})
}

func listCSV(lines ...string) []byte {
	return []byte("nip,nama,jabatan,unit,nomor_hp,email_pribadi,alamat_usulan\n" + strings.Join(lines, "\n") + "\n")
}

// The collective request's pages: the front desk uploads, a bad file stores nothing and
// says why next to its field, the report names row, column and rule, a fixed list is
// uploaded again, the valid rows are sent, and the Kasi approves them all at once.
func TestCollectivePages(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := pemdaHarness(t, d)
			tn := h.a.Tenants.Default()
			desk := stafftest.New(t, h.a.Staff, tn, "loket@sintang.go.id", sop.RoleFrontDesk)
			kasi := stafftest.New(t, h.a.Staff, tn, "kasi@sintang.go.id", sop.RoleKepalaSeksi)
			letter := upload{"scan_permohonan", "surat.png", pngBytes(t, 40, 30)}
			form := url.Values{"instansi": {"Dinas Kesehatan"}, "province": {"61"}, "regency": {"61.05"}}

			kc := h.client()
			h.signInStaff(kc, kasi)
			if r := h.postMultipart(kc, "/kantor/kolektif", form, letter, upload{"daftar", "d.csv", listCSV()}); r.status != 403 {
				t.Fatalf("kasi uploading: %d", r.status)
			}
			dc := h.client()
			h.signInStaff(dc, desk)
			r := h.do(dc, "GET", "/kantor/kolektif", nil)
			contains(t, r.body, "Unggah daftar baru", `href="/kantor/kolektif/templat.xlsx"`)
			tpl := h.do(dc, "GET", "/kantor/kolektif/templat.xlsx", nil)
			if _, err := collective.Parse([]byte(tpl.body)); err == nil || !strings.Contains(err.Error(), "list_empty") {
				t.Fatalf("template download: %d %v", tpl.status, err)
			}
			// Not a list: nothing stored, the field named, what was typed kept.
			r = h.postMultipart(dc, "/kantor/kolektif", form, letter, upload{"daftar", "d.csv", []byte("%PDF-1.4\x00\x01")})
			if r.status != 422 || rows(t, h.a.Store, "collectives") != 0 {
				t.Fatalf("pdf list: %d, %d stored", r.status, rows(t, h.a.Store, "collectives"))
			}
			contains(t, r.body, "Daftar pegawai (CSV atau XLSX) harus berkas CSV atau XLSX", `value="Dinas Kesehatan"`)
			r = h.postMultipart(dc, "/kantor/kolektif", form, letter, upload{"daftar", "d.csv", []byte("nip,nama,gaji\n1,2,3\n")})
			contains(t, r.body, "kolom yang tidak dikenal: &#34;gaji&#34;")
			// A list with errors: stored with its report.
			r = h.postMultipart(dc, "/kantor/kolektif", form, letter, upload{"daftar", "d.csv", listCSV(
				"196109231991031004,Budi Santoso,Staf,Umum,081234567890,budi@gmail.com,",
				"196109231991031004,Budi Lain,Staf,Umum,081234567890,,",
				"19610923,Sari,Staf,Umum,081234567890,,postmaster")})
			if r.status != 303 || !strings.HasPrefix(r.loc, "/kantor/kolektif/") {
				t.Fatalf("upload: %d %s %s", r.status, r.loc, r.body)
			}
			page := r.loc
			r = h.do(dc, "GET", page, nil)
			contains(t, r.body, "1 valid belum dikirim · 2 perlu diperbaiki", "budi.santoso", "diusulkan surel",
				"<strong>NIP</strong>: NIP sama dengan baris 2 daftar ini", "<strong>Alamat usulan</strong>: Alamat usulan adalah nama yang dicadangkan",
				"Saran: sari")
			// The fixed list replaces the rows not sent.
			r = h.postMultipart(dc, page, form, upload{"daftar", "d2.csv", listCSV(
				"196109231991031004,Budi Santoso,Staf,Umum,081234567890,budi@gmail.com,",
				fmt.Sprintf("%s,Sari Dewi,Staf,Umum,081234567890,,sari.dewi", "196109231991032005"))})
			if r.status != 303 {
				t.Fatalf("re-upload: %d %s", r.status, r.body)
			}
			contains(t, h.do(dc, "GET", page, nil).body, "2 valid belum dikirim · 0 perlu diperbaiki")
			if r = h.do(dc, "POST", page+"/kirim", url.Values{}); r.status != 303 {
				t.Fatalf("submit: %d %s", r.status, r.body)
			}
			r = h.do(dc, "GET", r.loc, nil)
			contains(t, r.body, "2 baris dikirim sebagai permohonan", "0 valid belum dikirim · 0 perlu diperbaiki · 2 dikirim")
			// Pematangsiantar's first step is the front desk's: the Kasi has no row to act on;
			// the desk approves every row at its step at once.
			if r = h.do(kc, "POST", page+"/tindak", url.Values{"action": {"setujui"}}); r.status != 409 {
				t.Fatalf("kasi approving: %d", r.status)
			}
			contains(t, r.body, "Tidak ada baris yang menunggu tindakan Anda")
			if r = h.do(dc, "POST", page+"/tindak", url.Values{"action": {"setujui"}}); r.status != 303 {
				t.Fatalf("approve all: %d %s", r.status, r.body)
			}
			contains(t, h.do(dc, "GET", r.loc, nil).body, "2 baris diproses; 0 tidak dapat diproses", "Menerima disposisi permohonan")
			// The OPD's result letter: a numbered letter to its head with each row's address
			// and status, no password.
			r = h.do(dc, "GET", page+"/surat-hasil", nil)
			if r.status != 200 || !strings.HasPrefix(r.body, "%PDF") {
				t.Fatalf("result letter: %d", r.status)
			}
			text, err := printouttest.Text([]byte(r.body))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Kepala Dinas Kesehatan", "Hasil Permohonan Kolektif", "budi.santoso@sintang.go.id", "sari.dewi@sintang.go.id",
				"196109231991031004", "Password tidak dicantumkan"} {
				if !strings.Contains(text, want) {
					t.Errorf("result letter lacks %q:\n%s", want, text)
				}
			}
			// Returning needs chosen rows.
			r = h.do(dc, "POST", page+"/tindak", url.Values{"action": {"kembalikan"}})
			if r.status != 422 {
				t.Fatalf("return without rows: %d", r.status)
			}
		})
	}
}
