package collective_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/surel-id/surel/internal/collective"
)

func fileErr(t *testing.T, err error) string {
	t.Helper()
	var fe *collective.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("want a file error, got %v", err)
	}
	return fe.Key
}

func TestParseCSV(t *testing.T) {
	csv := "\xEF\xBB\xBFNIP;Nama;Jabatan;Unit Kerja;No HP;Email Pribadi;Alamat Usulan\n" +
		"196109231991031004;Budi Santoso;Pranata;Bidang TI;0812 3456 7890;budi@gmail.com;\n" +
		";;;;;;\n" +
		"196109231991031005;=HYPERLINK(\"x\");Pranata;Bidang TI;081234567890;;\n"
	rows, err := collective.Parse([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].NIP != "196109231991031004" || rows[0].Unit != "Bidang TI" || rows[0].Email != "budi@gmail.com" || rows[0].Line != 2 {
		t.Fatalf("rows = %+v", rows)
	}
	if rows[1].Line != 4 || len(rows[1].Formulas) != 1 || rows[1].Formulas[0] != collective.ColNama {
		t.Fatalf("formula row = %+v", rows[1])
	}
	// Windows-1252, as older Excel saves "CSV": the name's é survives.
	w, _ := charmap.Windows1252.NewEncoder().String("nip,nama,jabatan,unit,nomor_hp\n196109231991031004,André Siregar,Staf,Umum,081234567890\n")
	rows, err = collective.Parse([]byte(w))
	if err != nil || rows[0].Nama != "André Siregar" {
		t.Fatalf("windows-1252: %+v, %v", rows, err)
	}
}

func TestParseRefusesWholeFiles(t *testing.T) {
	head := "nip,nama,jabatan,unit,nomor_hp\n"
	var big strings.Builder
	big.WriteString(head)
	for i := 0; i <= collective.MaxRows; i++ {
		fmt.Fprintf(&big, "1961092319910310%02d,Nama %d,Staf,Umum,081234567890\n", i%100, i)
	}
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"pdf":     {[]byte("%PDF-1.4\n\x00\x01binary"), "list_kind"},
		"xls":     {[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "list_xls"},
		"zip":     {[]byte("PK\x03\x04not really a workbook"), "list_kind"},
		"unknown": {[]byte("nip,nama,jabatan,unit,nomor_hp,gaji\n1,a,b,c,d,e\n"), "list_column"},
		"missing": {[]byte("nip,nama\n1,a\n"), "list_column_missing"},
		"twice":   {[]byte("nip,nama,name,jabatan,unit,nomor_hp\n"), "list_column_twice"},
		"empty":   {[]byte(head), "list_empty"},
		"10001":   {[]byte(big.String()), "list_rows"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := collective.Parse(c.data)
			if got := fileErr(t, err); got != c.want {
				t.Fatalf("%s: %s, want %s", name, got, c.want)
			}
		})
	}
}

func TestParseXLSXAndTemplate(t *testing.T) {
	tpl, err := collective.TemplateXLSX()
	if err != nil {
		t.Fatal(err)
	}
	// The template read back is an empty list with every column.
	if _, err := collective.Parse(tpl); fileErr(t, err) != "list_empty" {
		t.Fatalf("template: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	f.SetSheetRow("Daftar", "A2", &[]any{"196109231991031004", "Budi Santoso", "Pranata", "Bidang TI", "081234567890", "", "budi.santoso"})
	f.SetSheetRow("Daftar", "A3", &[]any{"196109231991031005", "Sari", "Staf", "Umum", "081234567891"})
	f.SetCellFormula("Daftar", "B3", `CONCATENATE("Sa","ri")`)
	buf, _ := f.WriteToBuffer()
	rows, err := collective.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Mailbox != "budi.santoso" || rows[0].NIP != "196109231991031004" {
		t.Fatalf("rows = %+v", rows)
	}
	// The formula is marked, never evaluated.
	if len(rows[1].Formulas) != 1 || rows[1].Formulas[0] != collective.ColNama || rows[1].Nama == "Sari" {
		t.Fatalf("formula row = %+v", rows[1])
	}
	if csv := collective.TemplateCSV(); !bytes.HasPrefix(csv, []byte("\xEF\xBB\xBFnip,nama,")) {
		t.Fatalf("csv template = %q", csv)
	}
}
