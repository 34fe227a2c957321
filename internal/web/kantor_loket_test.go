package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

func loketForm() url.Values {
	return url.Values{"first_name": {"Budi"}, "last_name": {"Santoso"}, "email": {""}, "phone": {"0812 3456 7890"},
		"nip": {"196109231991031004"}, "jabatan": {"Pranata Komputer"}, "instansi": {"Diskominfo"}, "satuan_kerja": {"Pemkab Merangin"},
		"address": {"Jl. Merdeka 1, Bangko"}, "province": {"15"}, "regency": {"15.02"}, "mailbox": {"budi.santoso"}, "action": {"send"}}
}

func rows(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The front desk enters a walk-in request: only the front desk reaches the form; a form
// with errors comes back with what was typed and writes nothing; a good one gives a
// number, a receipt to print, and a task in the Kasi's inbox.
func TestLoket(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			tn := h.a.Tenants.Default()
			desk := stafftest.New(t, h.a.Staff, tn, "loket@kominfo.go.id", sop.RoleFrontDesk)
			kasi := stafftest.New(t, h.a.Staff, tn, "kasi@kominfo.go.id", sop.RoleKepalaSeksi)
			scan := upload{"scan_permohonan", "formulir.png", pngBytes(t, 40, 30)}
			doc := upload{"doc_kepegawaian", "kartu.png", pngBytes(t, 30, 20)}

			// Not for other staff, applicants or visitors.
			kc := h.client()
			h.signInStaff(kc, kasi)
			if r := h.do(kc, "GET", "/kantor/loket", nil); r.status != 403 {
				t.Fatalf("kasi at the front desk: %d", r.status)
			}
			if r := h.postMultipart(kc, "/kantor/loket", loketForm(), scan, doc); r.status != 403 {
				t.Fatalf("kasi entering a request: %d", r.status)
			}
			if strings.Contains(h.do(kc, "GET", "/kantor", nil).body, `href="/kantor/loket"`) {
				t.Fatal("the front desk's link shown to a kasi")
			}
			h.signup("siti@example.com")
			if r := h.get("/kantor/loket"); r.status != 403 {
				t.Fatalf("applicant at the front desk: %d", r.status)
			}
			if r := h.postMultipart(h.c, "/kantor/loket", loketForm(), scan, doc); r.status != 403 {
				t.Fatalf("applicant entering a request: %d", r.status)
			}
			if r := h.do(h.client(), "GET", "/kantor/loket", nil); r.status != 303 || !strings.HasPrefix(r.loc, "/masuk?next=") {
				t.Fatalf("visitor: %d %s", r.status, r.loc)
			}

			dc := h.client()
			h.signInStaff(dc, desk)
			r := h.do(dc, "GET", "/kantor/loket", nil)
			if r.status != 200 {
				t.Fatalf("form: %d %s", r.status, r.body)
			}
			contains(t, r.body, `href="/kantor/loket" aria-current="page"`, "Nama Depan", "Email <span class=\"muted\">(opsional)</span>",
				"Scan formulir bertanda tangan atau surat permohonan", "Scan Kartu Pegawai", `name="province"`, "Kabupaten/Kota")
			if strings.Count(r.body, `name="instansi"`) != 1 || strings.Count(r.body, `name="phone"`) != 1 {
				t.Error("a field asked twice")
			}
			r = h.do(dc, "GET", "/kantor/loket?jenis=desa", nil)
			contains(t, r.body, "Nomor SK Perangkat Desa", "Desa/Kelurahan", "Scan SK Kepala Desa", `action="/kantor/loket?jenis=desa"`)

			// Errors: everything typed comes back, nothing is written.
			users := rows(t, h.a.Store, "users")
			bad := loketForm()
			bad.Set("nip", "196102301991031004")
			bad.Set("jabatan", "")
			r = h.postMultipart(dc, "/kantor/loket?jenis=pns", bad, scan)
			if r.status != 422 {
				t.Fatalf("bad form: %d %s", r.status, r.body)
			}
			body := html.UnescapeString(r.body)
			contains(t, body, "NIP tidak valid", `value="Budi"`, `value="Santoso"`, `value="196102301991031004"`, `value="Pemkab Merangin"`,
				`value="budi.santoso"`, "Jl. Merdeka 1, Bangko", "Kabupaten Merangin", `id="e-doc_kepegawaian"`, `id="e-jabatan"`,
				"pilih ulang berkasnya")
			if n := rows(t, h.a.Store, "requests"); n != 0 || rows(t, h.a.Store, "users") != users || rows(t, h.a.Store, "request_files") != 0 {
				t.Fatalf("a refused form wrote rows: %d requests", n)
			}

			// A good form.
			r = h.postMultipart(dc, "/kantor/loket?jenis=pns", loketForm(), scan, doc)
			if r.status != 303 || !regexp.MustCompile(`^/kantor/loket/\d+$`).MatchString(r.loc) {
				t.Fatalf("send: %d %s %s", r.status, r.loc, r.body)
			}
			id := strings.TrimPrefix(r.loc, "/kantor/loket/")
			r = h.do(dc, "GET", r.loc, nil)
			if r.status != 200 {
				t.Fatalf("done page: %d", r.status)
			}
			number := regexp.MustCompile(`SRL-\d{4}-\d{6}`).FindString(r.body)
			contains(t, r.body, "Permohonan "+number+" tercatat.", "Budi Santoso", "081234567890", `href="/kantor/permohonan/`+id+`/tanda-terima"`,
				"Cetak tanda terima")
			for who, c := range map[string]*http.Client{"desk": dc, "kasi": kc} {
				r := h.do(c, "GET", "/kantor/permohonan/"+id+"/tanda-terima", nil)
				if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
					t.Fatalf("receipt for %s: %d %s", who, r.status, r.header.Get("Content-Type"))
				}
			}
			// An applicant cannot print it from the back office.
			if r := h.get("/kantor/permohonan/" + id + "/tanda-terima"); r.status != 403 {
				t.Fatalf("applicant's receipt from the back office: %d", r.status)
			}

			// The Kasi's inbox has it, and the staff page says where it came from.
			r = h.do(kc, "GET", "/kantor", nil)
			contains(t, r.body, number, "Budi Santoso", "budi.santoso@mail.go.id")
			r = h.do(kc, "GET", "/kantor/permohonan/"+id, nil)
			contains(t, r.body, "Loket pelayanan", "Petugas Pelayanan", "request.walkin")

			// The same person again is refused with the first number.
			r = h.postMultipart(dc, "/kantor/loket?jenis=pns", loketForm(), scan, doc)
			if r.status != 422 || !strings.Contains(r.body, number) {
				t.Fatalf("second request of the person: %d", r.status)
			}
			if n := rows(t, h.a.Store, "requests"); n != 1 {
				t.Fatalf("%d requests", n)
			}
		})
	}
}

// A walk-in request returned for correction waits for the front desk, not for the
// applicant: the desk sees it in its inbox, opens the loket form filled with the request,
// gets errors back with what it typed and nothing written, then enters the correction,
// replacing one document and keeping the other; the request goes back to the Kasi's step.
func TestLoketCorrection(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			tn := h.a.Tenants.Default()
			desk := stafftest.New(t, h.a.Staff, tn, "loket@kominfo.go.id", sop.RoleFrontDesk)
			kasi := stafftest.New(t, h.a.Staff, tn, "kasi@kominfo.go.id", sop.RoleKepalaSeksi)
			dc, kc := h.client(), h.client()
			h.signInStaff(dc, desk)
			h.signInStaff(kc, kasi)
			r := h.postMultipart(dc, "/kantor/loket?jenis=pns", loketForm(), upload{"scan_permohonan", "formulir.png", pngBytes(t, 40, 30)},
				upload{"doc_kepegawaian", "kartu-lama.png", pngBytes(t, 30, 20)})
			if r.status != 303 {
				t.Fatalf("walk-in: %d %s", r.status, r.body)
			}
			id := strings.TrimPrefix(r.loc, "/kantor/loket/")
			page, fix := "/kantor/permohonan/"+id, "/kantor/permohonan/"+id+"/perbaikan"
			r = h.do(kc, "GET", page, nil)
			contains(t, r.body, "Kembalikan ke loket untuk diperbaiki")
			step := regexp.MustCompile(`name="langkah" value="(\d+)"`).FindStringSubmatch(r.body)
			if step == nil {
				t.Fatal("no step on the kasi's page")
			}
			// Nothing to correct yet.
			if r := h.do(dc, "GET", fix, nil); r.status != 409 {
				t.Fatalf("correction form of a request not returned: %d", r.status)
			}
			r = h.postAs(kc, page+"/tindak", url.Values{"langkah": {step[1]}, "aksi": {"return"}, "note": {"Scan kartu pegawai buram"}})
			if r.status != 303 {
				t.Fatalf("return: %d %s", r.status, r.body)
			}

			// The desk has the task; the kasi has neither the task nor the link.
			if r := h.do(dc, "GET", "/kantor", nil); !strings.Contains(r.body, `href="`+page+`"`) || !strings.Contains(r.body, "Perbaikan data di loket") {
				t.Fatal("the correction is not in the front desk's inbox")
			}
			if r := h.do(kc, "GET", "/kantor", nil); strings.Contains(r.body, `href="`+page+`"`) {
				t.Fatal("the returned request is still in the kasi's inbox")
			}
			if r := h.do(kc, "GET", page, nil); strings.Contains(r.body, `href="`+fix+`"`) {
				t.Fatal("the kasi is offered the front desk's correction")
			}
			if r := h.do(kc, "GET", fix, nil); r.status != 403 {
				t.Fatalf("kasi at the correction form: %d", r.status)
			}
			r = h.do(dc, "GET", page, nil)
			contains(t, r.body, "Menunggu perbaikan di loket", `href="`+fix+`"`, "Scan kartu pegawai buram")

			// The form, filled with the request.
			r = h.do(dc, "GET", fix, nil)
			if r.status != 200 {
				t.Fatalf("correction form: %d %s", r.status, r.body)
			}
			contains(t, r.body, "Scan kartu pegawai buram", `action="`+fix+`"`, `value="Budi"`, `value="Santoso"`, `value="196109231991031004"`,
				`value="budi.santoso"`, "Tersimpan: kartu-lama.png", "Kirim perbaikan")

			// Errors: typed values kept, nothing written.
			bad := loketForm()
			bad.Set("jabatan", "")
			bad.Set("satuan_kerja", "Setda Merangin")
			files := rows(t, h.a.Store, "request_files")
			r = h.postMultipart(dc, fix, bad, upload{"doc_kepegawaian", "kartu-baru.png", pngBytes(t, 32, 22)})
			if r.status != 422 || !strings.Contains(r.body, `id="e-jabatan"`) || !strings.Contains(r.body, `value="Setda Merangin"`) ||
				!strings.Contains(r.body, "Berkas yang baru dipilih belum disimpan") {
				t.Fatalf("bad correction: %d %s", r.status, r.body)
			}
			// Without a new document there is none to choose again.
			if r := h.postMultipart(dc, fix, bad); r.status != 422 || strings.Contains(r.body, "Berkas yang baru dipilih") {
				t.Fatalf("bad correction without documents: %d", r.status)
			}
			rq, err := h.a.Store.Request(t.Context(), parseInt(t, id))
			if err != nil || rq.Status != "perbaikan" || rows(t, h.a.Store, "request_files") != files {
				t.Fatalf("a refused correction changed the request: %+v %v", rq.Status, err)
			}

			// The correction: the new card replaces the old one, the scan is kept.
			good := loketForm()
			good.Set("satuan_kerja", "Setda Merangin")
			r = h.postMultipart(dc, fix, good, upload{"doc_kepegawaian", "kartu-baru.png", pngBytes(t, 32, 22)})
			if r.status != 303 || r.loc != page {
				t.Fatalf("correction: %d %s %s", r.status, r.loc, r.body)
			}
			rq, _ = h.a.Store.Request(t.Context(), parseInt(t, id))
			fs, _ := h.a.Store.FilesOf(t.Context(), rq.ID)
			names := map[string]string{}
			for _, f := range fs {
				names[f.Field] = f.OriginalName
			}
			if rq.Status != "diproses" || len(fs) != 2 || names["doc_kepegawaian"] != "kartu-baru.png" || names["scan_permohonan"] != "formulir.png" {
				t.Fatalf("after the correction: status %s, files %v", rq.Status, names)
			}
			u, _ := h.a.Store.UserByID(t.Context(), rq.UserID)
			if u.Profile.SatuanKerja != "Setda Merangin" {
				t.Fatalf("profile not corrected: %+v", u.Profile)
			}
			// Back in the kasi's inbox, on the same step; the desk is in the history and
			// the audit trail.
			if r := h.do(kc, "GET", "/kantor", nil); !strings.Contains(r.body, `href="`+page+`"`) {
				t.Fatal("the corrected request is not back in the kasi's inbox")
			}
			r = h.do(kc, "GET", page, nil)
			contains(t, r.body, `name="langkah" value="`+step[1]+`"`, "Perbaikan data di loket", desk.Name, "request.resubmit")
			if r := h.do(dc, "GET", fix, nil); r.status != 409 {
				t.Fatalf("correction form after the correction: %d", r.status)
			}
		})
	}
}

func parseInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
