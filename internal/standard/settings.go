package standard

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
)

// Settings are the components of the standard that no live data gives, as the tenant
// admin writes them (PermenPANRB 15/2014, lampiran I): each a text of one or more lines,
// a line per point. An empty one shows its default.
type Settings struct {
	LegalBasis  string `json:"legal_basis"` // dasar hukum
	Cost        string `json:"cost"`        // biaya/tarif
	Product     string `json:"product"`     // produk pelayanan
	Complaints  string `json:"complaints"`  // penanganan pengaduan, saran dan masukan
	Facilities  string `json:"facilities"`  // sarana, prasarana dan/atau fasilitas
	Competence  string `json:"competence"`  // kompetensi pelaksana
	Supervision string `json:"supervision"` // pengawasan internal
	Guarantee   string `json:"guarantee"`   // jaminan pelayanan
	Security    string `json:"security"`    // jaminan keamanan dan keselamatan pelayanan
	Evaluation  string `json:"evaluation"`  // evaluasi kinerja pelaksana
	// LaporURL is the tenant's page on SP4N-LAPOR!, the national complaints channel.
	LaporURL string `json:"lapor_url"`
	// ComplaintDays are the time standards of the complaint categories in working days
	// (internal/complaint), by category; a category left out keeps its default.
	ComplaintDays map[string]int `json:"complaint_days,omitempty"`
}

// ComplaintField is the form field of a complaint category's time standard.
func ComplaintField(category string) string { return "complaint_days_" + category }

// Fields are the settings' form field names in the order of the form, with the text each
// holds.
func (s *Settings) Fields() []Field {
	return []Field{{"legal_basis", &s.LegalBasis}, {"cost", &s.Cost}, {"product", &s.Product}, {"complaints", &s.Complaints},
		{"facilities", &s.Facilities}, {"competence", &s.Competence}, {"supervision", &s.Supervision}, {"guarantee", &s.Guarantee},
		{"security", &s.Security}, {"evaluation", &s.Evaluation}}
}

// Field is one text component of Settings by its form field name.
type Field struct {
	Name string
	Text *string
}

// maxText bounds one component: a few paragraphs.
const maxText = 2000

// Defaults are what an office publishes before its admin writes its own: the
// regulations every e-mail service rests on and plain promises surel itself keeps.
var Defaults = Settings{
	LegalBasis: "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik\n" +
		"Peraturan Presiden Nomor 95 Tahun 2018 tentang Sistem Pemerintahan Berbasis Elektronik\n" +
		"Surat Edaran Menteri PANRB Nomor 6 Tahun 2013 tentang Penggunaan Alamat E-mail Resmi Pemerintah pada Instansi Pemerintah\n" +
		"Peraturan Menteri PANRB Nomor 15 Tahun 2014 tentang Pedoman Standar Pelayanan\n" +
		"Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan Masyarakat",
	Cost:    "Tidak dipungut biaya",
	Product: "Akun email resmi pemerintah dan surat pemberitahuan akun (nama pengguna dan kata sandi)",
	Complaints: "Menu Pengaduan di portal ini, dengan nomor pengaduan untuk memantau tanggapannya\n" +
		"Loket pelayanan kantor pada jam kerja\n" +
		"Saran dan masukan melalui Survei Kepuasan Masyarakat setelah permohonan selesai\n" +
		"SP4N-LAPOR! (www.lapor.go.id)",
	Facilities:  "Portal layanan daring yang dapat diakses 24 jam\nLoket pelayanan\nServer email dan webmail",
	Competence:  "Pendidikan paling rendah SLTA\nMemahami pengelolaan akun email dan keamanan informasi",
	Supervision: "Pengawasan oleh atasan langsung secara berjenjang\nPengawasan oleh Aparat Pengawas Intern Pemerintah (Inspektorat)",
	Guarantee:   "Permohonan diselesaikan sesuai standar waktu yang tercantum, tanpa biaya; setiap langkah dapat dipantau pemohon di portal",
	Security: "Data pribadi pemohon hanya dipakai untuk layanan ini dan dijaga kerahasiaannya\n" +
		"Kata sandi awal hanya ditampilkan satu kali kepada pemohon dan tidak dikirim melalui email",
	Evaluation: "Kepatuhan waktu layanan diukur setiap hari dari data permohonan\n" +
		"Survei Kepuasan Masyarakat setiap periode dan tindak lanjut hasilnya",
	LaporURL: "https://www.lapor.go.id",
}

// WithDefaults fills every empty component from Defaults.
func (s Settings) WithDefaults() Settings {
	d := Defaults
	fs, ds := s.Fields(), d.Fields()
	for i, f := range fs {
		if strings.TrimSpace(*f.Text) == "" {
			*f.Text = *ds[i].Text
		}
	}
	if s.LaporURL == "" {
		s.LaporURL = d.LaporURL
	}
	return s
}

// Clean trims each component and makes it storable (one space between words, lines
// kept, no empty line).
func (s Settings) Clean() Settings {
	for _, f := range s.Fields() {
		var lines []string
		for _, l := range strings.Split(strings.ReplaceAll(*f.Text, "\r\n", "\n"), "\n") {
			if l = strings.Join(strings.Fields(input.Clean(l)), " "); l != "" {
				lines = append(lines, l)
			}
		}
		*f.Text = strings.Join(lines, "\n")
	}
	s.LaporURL = strings.TrimSpace(input.Clean(s.LaporURL))
	return s
}

// Check names each component too long, and a LAPOR! link that is not an https URL.
func (s Settings) Check() error {
	var fs errs.Fields
	for _, f := range s.Fields() {
		if n := utf8.RuneCountInString(*f.Text); n > maxText {
			fs.Add(f.Name, "max_len", maxText)
		}
	}
	if s.LaporURL != "" {
		u, err := url.Parse(s.LaporURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(s.LaporURL) > 300 {
			fs.Add("lapor_url", "https_url")
		}
	}
	for k, n := range s.ComplaintDays {
		if !complaint.ValidCategory(k) {
			return errs.New(errs.Invalid, "error.bad_form")
		}
		if n < 1 || n > complaint.MaxDays {
			fs.Add(ComplaintField(k), "quota_range", 1, complaint.MaxDays)
		}
	}
	return fs.Err()
}

// Lines splits a component into its points.
func Lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
