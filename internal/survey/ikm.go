// Package survey is the Survei Kepuasan Masyarakat (community satisfaction survey) of
// PermenPANRB 14/2017: the applicant of a request that ended (Selesai or Ditolak) answers
// the regulation's nine elements (unsur) on its four-point scale, with optional
// respondent data and a suggestion, once per request and anonymously (an answer keeps
// no link to its request or applicant, and its day only); the office reads the index
// (Indeks Kepuasan Masyarakat, IKM) per period and per service, with its grade and
// whether the period reached the regulation's minimum sample.
package survey

import (
	"math"
)

// Elements is the number of elements (unsur) the regulation asks about.
const Elements = 9

// Element is one unsur with its question and the words of its four answers, from the
// regulation's sample questionnaire, in Indonesian and English.
type Element struct {
	Key      string // u1 … u9, the form field and column
	Name     [2]string
	Question [2]string
	Answers  [2][4]string
}

// The nine elements of PermenPANRB 14/2017, in the regulation's order.
var Unsur = [Elements]Element{
	{"u1", [2]string{"Persyaratan", "Requirements"},
		[2]string{"Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?", "How well do the service's requirements fit the service?"},
		[2][4]string{{"Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"}, {"Not fitting", "Hardly fitting", "Fitting", "Very fitting"}}},
	{"u2", [2]string{"Sistem, mekanisme dan prosedur", "System, mechanism and procedure"},
		[2]string{"Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?", "How easy was the service's procedure?"},
		[2][4]string{{"Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"}, {"Not easy", "Hardly easy", "Easy", "Very easy"}}},
	{"u3", [2]string{"Waktu penyelesaian", "Completion time"},
		[2]string{"Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?", "How fast was the service?"},
		[2][4]string{{"Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"}, {"Not fast", "Hardly fast", "Fast", "Very fast"}}},
	{"u4", [2]string{"Biaya/tarif", "Cost/fee"},
		[2]string{"Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?", "How fair was the cost of the service?"},
		[2][4]string{{"Sangat mahal", "Cukup mahal", "Murah", "Gratis"}, {"Very expensive", "Rather expensive", "Cheap", "Free"}}},
	{"u5", [2]string{"Produk spesifikasi jenis pelayanan", "Product of the service"},
		[2]string{"Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?", "How well did what you received match the product the service standard promises?"},
		[2][4]string{{"Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"}, {"Not matching", "Hardly matching", "Matching", "Fully matching"}}},
	{"u6", [2]string{"Kompetensi pelaksana", "Staff competence"},
		[2]string{"Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?", "How competent were the staff?"},
		[2][4]string{{"Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"}, {"Not competent", "Hardly competent", "Competent", "Very competent"}}},
	{"u7", [2]string{"Perilaku pelaksana", "Staff conduct"},
		[2]string{"Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?", "How polite and friendly were the staff?"},
		[2][4]string{{"Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"}, {"Not polite or friendly", "Hardly polite or friendly", "Polite and friendly", "Very polite and friendly"}}},
	{"u8", [2]string{"Penanganan pengaduan, saran dan masukan", "Handling of complaints, suggestions and feedback"},
		[2]string{"Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?", "How are the users' complaints handled?"},
		[2][4]string{{"Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"}, {"There is none", "There is one, not working", "Working, not fully", "Well managed"}}},
	{"u9", [2]string{"Sarana dan prasarana", "Facilities"},
		[2]string{"Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?", "How good are the facilities?"},
		[2][4]string{{"Buruk", "Cukup", "Baik", "Sangat baik"}, {"Poor", "Fair", "Good", "Very good"}}},
}

// Text picks the Indonesian (0) or English (1) of a pair.
func Text(p [2]string, lang string) string {
	if lang == "en" {
		return p[1]
	}
	return p[0]
}

// Totals are the answers of a group (a period, a service) added up: how many answered,
// and per element the sum of their values (1–4).
type Totals struct {
	N   int
	Sum [Elements]int
}

// Add counts one answer's values.
func (t *Totals) Add(values [Elements]int) {
	t.N++
	for i, v := range values {
		t.Sum[i] += v
	}
}

// Index is the IKM of a group as the regulation computes it: each element's average
// (nilai rata-rata, NRR), their weighted sum with equal weights of 1/9 (the
// regulation's "0,11"), on the 1–4 scale, converted to 25–100 (×25), with the
// perception value (1–4), the service quality grade (mutu pelayanan, D–A) and the
// performance label (kinerja unit pelayanan) of the regulation's table.
type Index struct {
	N         int
	NRR       [Elements]float64
	Value     float64 // 1–4
	Converted float64 // 25–100
	Persepsi  int
	Grade     string
	Label     [2]string
}

// Grades are the regulation's table: the converted index's lower bound (inclusive, to
// two decimals), the perception value, the grade and the performance label.
var Grades = []struct {
	From     float64
	Persepsi int
	Grade    string
	Label    [2]string
}{
	{88.31, 4, "A", [2]string{"Sangat baik", "Very good"}},
	{76.61, 3, "B", [2]string{"Baik", "Good"}},
	{65.00, 2, "C", [2]string{"Kurang baik", "Poor"}},
	{25.00, 1, "D", [2]string{"Tidak baik", "Bad"}},
}

// Compute is the group's index; false when no one answered.
func Compute(t Totals) (Index, bool) {
	if t.N == 0 {
		return Index{}, false
	}
	x := Index{N: t.N}
	for i, s := range t.Sum {
		x.NRR[i] = float64(s) / float64(t.N)
		x.Value += x.NRR[i] / Elements
	}
	x.Converted = x.Value * 25
	shown := math.Round(x.Converted*100) / 100
	for _, g := range Grades {
		if shown >= g.From {
			x.Persepsi, x.Grade, x.Label = g.Persepsi, g.Grade, g.Label
			break
		}
	}
	return x, true
}

// MinSample is the regulation's minimum number of respondents for a population of
// users (Krejcie and Morgan, as its table gives it: 95 % confidence, 5 % margin):
// s = χ²·N·P(1−P) / (d²(N−1) + χ²·P(1−P)), χ² = 3,841, P = 0,5, d = 0,05, rounded.
func MinSample(population int) int {
	if population <= 0 {
		return 0
	}
	const chi2, p, d = 3.841, 0.5, 0.05
	n := float64(population)
	s := chi2 * n * p * (1 - p) / (d*d*(n-1) + chi2*p*(1-p))
	return int(math.Round(s))
}
