package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/store"
)

func pngBytes(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{0, 0, 200, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type upload struct {
	field, name string
	data        []byte
}

// postForm sends a multipart form as a browser does.
func (h *harness) postMultipart(c *http.Client, path string, vals url.Values, files ...upload) resp {
	h.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range vals {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile(f.field, f.name)
		fw.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", h.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", h.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return h.send(c, req)
}

var profileForm = url.Values{"full_name": {"Siti Rahma, S.Kom."}, "jabatan": {"Pranata Komputer"}, "instansi": {"Diskominfo"},
	"satuan_kerja": {"Pemkab Merangin"}, "phone": {"081234567890"}, "address": {"Jl. Merdeka 1, Bangko"}}

func TestRequestJourney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		h := start(t, st.Dialect(), nil)
		h.signup("siti@example.com")
		if r := h.post("/akun", profileForm); r.status != 303 {
			t.Fatalf("profile: %d", r.status)
		}
		r := h.get("/tambah-permohonan")
		contains(t, r.body, "Pendaftaran Akun Email", "Ajukan")
		r = h.get("/tambah-permohonan/email")
		contains(t, r.body, "Pegawai honorer tidak dapat mengajukan", "PNS Umum", "Perangkat Desa")
		if r := h.post("/tambah-permohonan/email", url.Values{}); r.status != 422 || !strings.Contains(r.body, "Pilih Jenis Layanan.") {
			t.Fatalf("no kind chosen: %d", r.status)
		}
		r = h.post("/tambah-permohonan/email", url.Values{"jenis": {"pns"}})
		if r.status != 303 || !strings.HasSuffix(r.loc, "/ubah") {
			t.Fatalf("start draft: %d %s", r.status, r.loc)
		}
		form := r.loc
		r = h.get(form)
		contains(t, r.body, "Scan Kartu Pegawai", "siti.rahma", `value="Diskominfo"`, "Provinsi")

		// A mislabelled file and an invalid NIP: each field says why, the good values stay.
		vals := url.Values{"nip": {"196102301991031004"}, "instansi": {"Diskominfo"}, "province": {"15"}, "regency": {"15.02"},
			"satuan_kerja": {"Pemkab Merangin"}, "phone": {"081234567890"}, "mailbox": {"siti.rahma"}, "action": {"next"}}
		r = h.postMultipart(h.c, form, vals, upload{"doc_kepegawaian", "kartu.pdf", []byte("<html><script>alert(1)</script></html>")})
		if r.status != 422 {
			t.Fatalf("bad form: %d %s", r.status, r.body)
		}
		contains(t, r.body, "NIP tidak valid: 8 digit pertama", `value="Pemkab Merangin"`, "Kabupaten Merangin")
		if !regexp.MustCompile(`(?s)id="e-doc_kepegawaian">[^<]+</p>`).MatchString(r.body) {
			t.Fatal("the refused file has no message by its field")
		}
		// The good scan is kept when the next error is fixed.
		vals.Set("nip", "196109231991031004")
		vals.Set("action", "refresh")
		r = h.postMultipart(h.c, form, vals, upload{"doc_kepegawaian", "kartu.png", pngBytes(t, 40, 30)})
		if r.status != 200 {
			t.Fatalf("refresh: %d %s", r.status, r.body)
		}
		contains(t, r.body, "Berkas tersimpan:", "kartu.png")
		vals.Set("action", "next")
		r = h.postMultipart(h.c, form, vals)
		if r.status != 303 || !strings.HasSuffix(r.loc, "/ringkasan") {
			t.Fatalf("next: %d %s", r.status, r.body)
		}
		sum := h.get(r.loc)
		contains(t, sum.body, "siti.rahma@mail.go.id", "Kabupaten Merangin", "196109231991031004", "kartu.png", "Kirim")
		id := strings.Split(r.loc, "/")[2]
		r = h.post("/permohonan/"+id+"/kirim", url.Values{})
		if r.status != 303 || r.loc != "/permohonan/"+id {
			t.Fatalf("kirim: %d %s %s", r.status, r.loc, r.body)
		}
		view := h.get(r.loc)
		contains(t, view.body, "Menunggu Diproses", "Mengajukan permohonan", "Memverifikasi data pemohon", "In SLA", "Batas Waktu", "SRL-")
		rc := h.get("/permohonan/" + id + "/tanda-terima")
		if rc.status != 200 || rc.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(rc.body, "%PDF-") {
			t.Fatalf("receipt: %d %s", rc.status, rc.header.Get("Content-Type"))
		}
		list := h.get("/permohonan?status=menunggu")
		contains(t, list.body, "siti.rahma@mail.go.id")
		// The document is the owner's: the owner gets it, another applicant a 404.
		link := regexp.MustCompile(`/permohonan/\d+/berkas/\d+`).FindString(view.body)
		if d := h.get(link); d.status != 200 || d.header.Get("Content-Type") != "image/png" {
			t.Fatalf("owner download: %d %s", d.status, d.header.Get("Content-Type"))
		}
		// Its bytes gone from the store (deleted by hand, a restore without them): a 404,
		// not a server error.
		files, _ := h.a.Store.FilesOf(context.Background(), parseInt(t, id))
		if err := h.a.Uploads.Remove(context.Background(), files[0].Name); err != nil {
			t.Fatal(err)
		}
		if d := h.get(link); d.status != 404 {
			t.Fatalf("a document missing from the store: %d", d.status)
		}
		other := h.client()
		h.c, other = other, h.c
		h.signup("lain@example.com")
		if d := h.get(link); d.status != 404 {
			t.Fatalf("another user's download: %d", d.status)
		}
		if d := h.get("/permohonan/" + id); d.status != 404 {
			t.Fatalf("another user's request: %d", d.status)
		}
		h.c = other
		// Sent: no more edits.
		if r := h.postMultipart(h.c, form, vals); r.status != 409 {
			t.Fatalf("edit after Kirim: %d", r.status)
		}
		n := h.get("/notifikasi")
		contains(t, n.body, "sudah dikirim dan menunggu diproses")
	})
}

func TestRegionsJSON(t *testing.T) {
	h := start(t, store.SQLite, nil)
	r := h.get("/wilayah?induk=15")
	contains(t, r.body, `"code":"15.02"`, `"name":"Kabupaten Merangin"`)
	r = h.get("/wilayah/cari?q=pasar%20bangko&dalam=15.02")
	contains(t, r.body, "Pasar Bangko", "Kabupaten Merangin, Jambi")
}
