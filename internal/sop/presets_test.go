package sop

import (
	"strings"
	"testing"
	"time"
)

// row is one step of a preset as the seeds (and PRODUCT.md's table) give it.
type row struct {
	key      string
	role     Role
	kind     Kind
	standard string
	name     string // a part of the Indonesian name
	output   string // a part of the output; "" checks that there is none
}

func TestPresets(t *testing.T) {
	all := Presets()
	var slugs []string
	for _, d := range all {
		slugs = append(slugs, d.Slug)
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", d.Slug, err)
		}
	}
	if strings.Join(slugs, " ") != "kominfo pematangsiantar palangkaraya kaltim" {
		t.Errorf("presets %v", slugs)
	}
	if _, ok := Preset("nope"); ok {
		t.Error("Preset(nope) found")
	}
	// Each call gives a fresh copy.
	all[0].Steps[0].Name = "changed"
	if d, _ := Preset(all[0].Slug); d.Steps[0].Name == "changed" {
		t.Error("Presets share their steps")
	}

	for _, tc := range []struct {
		slug, zone, hours, total string
		rows                     []row
	}{
		{"kominfo", "Asia/Jakarta", "Mon–Thu 07:30–16:00; Fri 07:30–16:30", "1-4d", []row{
			{"pengajuan", RolePemohon, KindSubmit, "15m", "secara daring", "Permohonan"},
			{"verifikasi", RoleKepalaSeksi, KindManual, "1d", "Memverifikasi", "terverifikasi"},
			{"persetujuan", RoleKepalaBidang, KindManual, "1d", "Menyetujui", "disetujui/ditolak"},
			{"pembuatan_akun", RoleAdminMail, KindProvision, "1d", "Membuat akun mail.go.id", "password"},
			{"selesai", RolePemohon, KindDone, "", "Selesai", ""},
		}},
		{"pematangsiantar", "Asia/Jakarta", "Mon–Thu 07:30–16:00; Fri 07:30–16:30", "1d", []row{
			{"pengajuan", RolePemohon, KindSubmit, "30m", "dengan membawa formulir pendaftaran E-mail", "Formulir"},
			{"terima_formulir", RoleFrontDesk, KindManual, "30m", "kepada Kepala Bidang Penyelenggaraan E-Government", "Formulir"},
			{"periksa_data", RoleKepalaBidang, KindManual, "2h", "memeriksa kesesuaian data pemohon", "diperiksa"},
			{"teruskan", RoleKepalaBidang, KindManual, "30m", "kepada technical support", "technical support"},
			{"buat_akun", RoleAdminMail, KindProvision, "4h", "berupa username dan password", "Akun E-mail aktif"},
			{"terima_surat", RolePemohon, KindDeliver, "30m", "Menerima surat pemberitahuan", "Surat pemberitahuan"},
			{"selesai", RolePemohon, KindDone, "", "Selesai", ""},
		}},
		{"palangkaraya", "Asia/Jakarta", "Mon–Thu 07:30–16:00; Fri 07:30–16:30", "", []row{
			{"pengajuan", RolePemohon, KindSubmit, "15m", "Nama, NIP dan alamat email yang diusulkan", ""},
			{"cek_data", RoleKepalaSeksi, KindManual, "15m", "(Apabila data tidak valid maka akan dikonfirmasikan kepada pemohon)", "menerima disposisi formulir permohonan dan surat pernyataan"},
			{"buat_email", RoleAdminMail, KindProvision, "30m", "Melakukan Pembuatan Email", "Terciptanya akun Email pemohon"},
			{"uji_akun", RoleAdminMail, KindAccountTest, "30m", "Melakukan pengujian akun email", "Terciptanya akun Email yang valid"},
			{"kirim_konfirmasi", RoleAdminMail, KindDeliver, "10m", "Mengirimkan konfirmasi username dan kata sandi", "Register username dan kata sandi Email"},
		}},
		{"kaltim", "Asia/Makassar", "Mon–Thu 08:00–16:00; Fri 08:00–11:30", "", []row{
			{"surat_permohonan", RolePemohon, KindSubmit, "1d", "Pemohon mengirimkan surat permohonan pembuatan akun email resmi Pemprov. Kaltim.", "Tanda terima surat masuk (Bagian Umum)"},
			{"disposisi_kadis", RoleKepalaDinas, KindManual, "1-3h", "Kadis mendisposisi proses pembuatan email kepada Bidang Aptika.", "Disposisi"},
			{"cek_kapasitas", RoleKepalaBidang, KindCapacityCheck, "1d", "Kabid Aptika meneruskan disposisi Kadis dengan mempertimbangkan ketersediaan kapasitas (daya tampung) mail server.", "Disposisi"},
			{"buat_akun", RoleAdminMail, KindProvision, "1h", "Admin mail server membuat akun email baru sesuai dengan Disposisi Pimpinan.", "Akun email resmi baru"},
			{"laporan_jumlah_akun", RoleKepalaSeksi, KindReport, "15m", "membuat laporan jumlah akun sesuai dengan penambahan data terakhir.", "Dokumen"},
			{"lapor_arsip", RoleKepalaSeksi, KindArchive, "15m", "Menyampaikan laporan kepada kabid Aptika, dan mengarsipkan.", "Telaahan Staf, Arsip"},
			{"sampaikan_hasil", RoleKepalaSeksi, KindDeliver, "1d", "(disetujui/ditolak) kepada OPD/ASN Pemohon.", "Surat Keluar"},
		}},
	} {
		d, ok := Preset(tc.slug)
		if !ok {
			t.Fatalf("no preset %s", tc.slug)
		}
		if d.TimeZone != tc.zone || d.HoursText("en") != tc.hours || d.Total.String() != tc.total || d.Name == "" || d.Source == "" {
			t.Errorf("%s: zone %s, hours %q, total %q", tc.slug, d.TimeZone, d.HoursText("en"), d.Total)
		}
		if len(d.Steps) != len(tc.rows) {
			t.Errorf("%s: %d steps, want %d", tc.slug, len(d.Steps), len(tc.rows))
			continue
		}
		for i, r := range tc.rows {
			s := d.Steps[i]
			if s.Key != r.key || s.Role != r.role || s.Kind != r.kind || s.Standard.String() != r.standard {
				t.Errorf("%s step %d: %s %s %s %s, want %s %s %s %s", tc.slug, i+1, s.Key, s.Role, s.Kind, s.Standard, r.key, r.role, r.kind, r.standard)
			}
			if !strings.Contains(s.Name, r.name) || (r.output == "") != (s.Output == "") || !strings.Contains(s.Output, r.output) {
				t.Errorf("%s step %d: name %q, output %q", tc.slug, i+1, s.Name, s.Output)
			}
			if s.Jabatan == "" || s.NameEN == "" {
				t.Errorf("%s step %d: no jabatan or English name", tc.slug, i+1)
			}
		}
	}
}

// The day-long SOPs fit in their promise on their own calendar: Pematangsiantar's steps,
// chained from a Monday opening, end by Monday's closing; Kominfo's within four working days.
func TestPresetTotals(t *testing.T) {
	for slug, want := range map[string]string{
		"pematangsiantar": "Mon 2026-07-06 15:30",
		"kominfo":         "Thu 2026-07-09 07:45", // 15m, then three days at 07:45
		"palangkaraya":    "Mon 2026-07-06 09:10",
		// 1d from Monday's opening → all of Monday; 3h → Tue 11:00; 1d → Wed 11:00; 1h → 12:00;
		// 15m, 15m → 12:30; 1d → Thu 12:30.
		"kaltim": "Thu 2026-07-09 12:30",
	} {
		d, _ := Preset(slug)
		c, err := d.Calendar(DefaultHolidays())
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 7, 6, 0, 0, 0, 0, c.Loc) // a Monday, before opening
		for _, s := range d.Steps {
			at = c.AddWorking(at, s.Standard.Deadline())
		}
		if got := at.Format("Mon 2006-01-02 15:04"); got != want {
			t.Errorf("%s: all steps end %s, want %s", slug, got, want)
		}
	}
}
