package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/letter"
)

// The letters block becomes the tenant's letter settings, and each wrong setting is
// named by its path in the file with what it should be.
func TestLetters(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		f := filepath.Join(dir, "t.yaml")
		os.WriteFile(f, []byte("tenants:\n  - slug: kaltim\n    name: Diskominfo Kaltim\n    mail_domain: kaltimprov.go.id\n"+body), 0o600)
		return f
	}
	png := filepath.Join(dir, "logo.png")
	os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"), 0o600)
	c, err := Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_CONFIG": write(`    letters:
      office: DINAS KOMINFO
      place: Samarinda
      logo: ` + png + `
      signer: {name: Budi, nip: "197211231998031005"}
      numbering:
        report: {pattern: "{seq}/LAP/{tahun}"}
`)}))
	if err != nil {
		t.Fatal(err)
	}
	set := c.Tenants[0].Letters.Settings
	if set.Letterhead.Office != "DINAS KOMINFO" || set.Place != "Samarinda" || len(set.Letterhead.Logo) == 0 || set.Signer.NIP != "197211231998031005" ||
		set.Office != "KALTIM" || set.SeriesOf(letter.KindReport).Pattern != "{seq}/LAP/{tahun}" || set.SeriesOf(letter.KindReceipt).Pattern != letter.DefaultPattern {
		t.Fatalf("settings %+v", set)
	}

	txt := filepath.Join(dir, "logo.txt")
	os.WriteFile(txt, []byte("not an image"), 0o600)
	_, err = Load(env(map[string]string{"SUREL_DATA_DIR": dir, "SUREL_CONFIG": write(`    letters:
      logo: ` + txt + `
      office_code: DIS/KOMINFO
      signer: {nip: "123"}
      numbering:
        receipt: {pattern: "{seq}/{bulan}"}
        memo: {pattern: "{seq}"}
`)}))
	for _, want := range []string{"letters.logo: want a PNG or JPEG", "letters.office_code: want at most 30", "letters.signer.nip: want the 18 digits",
		"letters.numbering.receipt.pattern: a month token needs {tahun}", "letters.numbering.memo: want receipt"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}
