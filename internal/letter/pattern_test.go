package letter_test

import (
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/letter"
)

func TestPatternCheck(t *testing.T) {
	for p, want := range map[letter.Pattern]string{
		"{seq}/{kode}/{bulan-romawi}/{tahun}": "",
		"{seq:4}/{kode}/{kantor}/{tahun}":     "",
		"SRT-{seq}":                           "",
		"{kode}/{tahun}":                      "pattern_seq",
		"{seq}/{seq}/{tahun}":                 "pattern_seq",
		"{seq}/{bulan-romawi}":                "pattern_year",
		"{seq}/{bulan}":                       "pattern_year",
		"{seq}/{nomor}/{tahun}":               "pattern_token",
		"{seq:0}/{tahun}":                     "pattern_token",
		"{seq:12}/{tahun}":                    "pattern_token",
		"{seq/{tahun}":                        "pattern_token",
		"{seq}?{tahun}":                       "pattern_char",
		"{seq}/<b>":                           "pattern_char",
		"":                                    "pattern_len",
		letter.Pattern(strings.Repeat("A", 98) + "{seq}"): "pattern_len",
	} {
		got := ""
		if err := p.Check(); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("%q: %q, want %q", p, got, want)
		}
	}
}

func TestPatternFormat(t *testing.T) {
	wita := time.FixedZone("WITA", 8*3600)
	at := time.Date(2026, 12, 6, 9, 30, 0, 0, wita)
	for p, want := range map[letter.Pattern]string{
		"{seq}/{kode}/{bulan-romawi}/{tahun}":              "7/TT/XII/2026",
		letter.DefaultPattern:                              "7/TT/DISKOMINFO/XII/2026",
		"{seq:4}/{kode}.{kantor}/{bulan}/{tahun}":          "0007/TT.DISKOMINFO/12/2026",
		"{seq:1}-{kode}":                                   "7-TT",
		"555/{seq}/{kantor}-{kode}/{bulan-romawi}/{tahun}": "555/7/DISKOMINFO-TT/XII/2026",
	} {
		if got := p.Format(7, "TT", "DISKOMINFO", at); got != want {
			t.Errorf("%q: %q, want %q", p, got, want)
		}
	}
	if got := letter.Pattern("{seq:3}/{tahun}").Format(12345, "", "", at); got != "12345/2026" {
		t.Errorf("a number wider than its padding: %q", got)
	}
	// The series is the pattern with the codes: kinds with alike numbers share it.
	if a, b := letter.DefaultPattern.Series("TT", "X"), letter.DefaultPattern.Series("SPA", "X"); a == b {
		t.Errorf("two codes, one series %q", a)
	}
	if letter.DefaultPattern.Period(at) != 2026 || letter.Pattern("SRT-{seq}").Period(at) != 0 {
		t.Error("period: yearly with {tahun}, 0 without")
	}
}

func TestRomanAndDate(t *testing.T) {
	want := []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}
	for i, w := range want {
		if got := letter.Roman(i + 1); got != w {
			t.Errorf("Roman(%d) = %q", i+1, got)
		}
	}
	if got := letter.Roman(2026); got != "MMXXVI" {
		t.Errorf("Roman(2026) = %q", got)
	}
	// The date is the office's: 23:30 UTC on 5 December is 6 December in Samarinda.
	wita, _ := time.LoadLocation("Asia/Makassar")
	at := time.Date(2026, 12, 5, 23, 30, 0, 0, time.UTC).In(wita)
	if got := letter.PlaceDate("Samarinda", at); got != "Samarinda, 6 Desember 2026" {
		t.Errorf("PlaceDate = %q", got)
	}
	if got := letter.PlaceDate("", at); got != "6 Desember 2026" {
		t.Errorf("PlaceDate without a place = %q", got)
	}
	if got := letter.Date(time.Date(2026, 8, 17, 0, 0, 0, 0, time.UTC)); got != "17 Agustus 2026" {
		t.Errorf("Date = %q", got)
	}
}

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c, err := letter.NewCode(nil)
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := letter.NormalizeCode(c); !ok || n != c {
			t.Fatalf("a new code %q does not read back: %q %v", c, n, ok)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice in 1000", c)
		}
		seen[c] = true
	}
	for in, want := range map[string]string{
		"ABCD-EFGH-JKMN":    "ABCDEFGHJKMN",
		"abcd efgh jkmn":    "ABCDEFGHJKMN",
		"O0IL-1234-5678":    "001112345678",
		"ABCD-EFGH-JKM":     "",
		"ABCD-EFGH-JKMNP":   "",
		"ABCD-EFGH-JKMU":    "", // U is not in the alphabet
		"ABCD-EFGH-JKM\x00": "",
		"ÄBCD-EFGH-JKMN":    "",
	} {
		got, ok := letter.NormalizeCode(in)
		if ok != (want != "") || got != want {
			t.Errorf("NormalizeCode(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if got := letter.ShowCode("ABCDEFGHJKMN"); got != "ABCD-EFGH-JKMN" {
		t.Errorf("ShowCode = %q", got)
	}
}

func TestSettingsCheck(t *testing.T) {
	ok := letter.Settings{Office: "DISKOMINFO", Signer: letter.Signer{NIP: "196109231991031004"},
		Series: map[letter.Kind]letter.Series{letter.KindReport: {Pattern: "{seq}/{kode}/{tahun}", Code: "LAP.JML"}}}
	if err := ok.Check(); err != nil {
		t.Fatalf("valid settings: %v", err)
	}
	bad := letter.Settings{Office: "DIS/KOMINFO", Signer: letter.Signer{NIP: "1961"},
		Series: map[letter.Kind]letter.Series{letter.KindReceipt: {Pattern: "{seq}/{bulan}"}}}
	err := bad.Check()
	for _, want := range []string{"office_code=letter_code", "signer_nip=nip_digits", "series_receipt_pattern=pattern_year"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v lacks %s", err, want)
		}
	}
}
