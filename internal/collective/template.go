package collective

import (
	"bytes"
	"encoding/csv"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// example is the template's sample employee, on the instructions sheet only: a sample
// row in the list itself would be submitted by whoever forgets to delete it.
var example = []string{"196109231991031004", "Budi Santoso, S.Kom.", "Pranata Komputer Ahli Pertama", "Bidang Aplikasi Informatika",
	"081234567890", "budi.santoso@gmail.com", "budi.santoso"}

// TemplateCSV is the list's template as CSV: the header row alone, UTF-8 with a
// byte-order mark so that Excel opens it in the right encoding.
func TemplateCSV() []byte {
	var b bytes.Buffer
	b.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&b)
	w.Write(Columns)
	w.Flush()
	return b.Bytes()
}

// TemplateXLSX is the list's template as a workbook: the sheet "Daftar" with the header
// and every column formatted as text (an 18-digit NIP or a phone number typed into a
// number cell loses digits), and the sheet "Petunjuk" saying what each column holds,
// with a sample row.
func TemplateXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Daftar"); err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return nil, err
	}
	last, _ := excelize.ColumnNumberToName(len(Columns))
	if err := f.SetColStyle("Daftar", "A:"+last, text); err != nil {
		return nil, err
	}
	if err := f.SetColWidth("Daftar", "A", last, 26); err != nil {
		return nil, err
	}
	for i, c := range Columns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr("Daftar", cell, c)
		f.SetCellStyle("Daftar", cell, cell, bold)
	}
	if _, err := f.NewSheet("Petunjuk"); err != nil {
		return nil, err
	}
	help := [][]string{
		{"Kolom", "Isi", "Contoh"},
		{ColNIP, "NIP 18 angka (wajib)", example[0]},
		{ColNama, "Nama lengkap sesuai data kepegawaian (wajib)", example[1]},
		{ColJabatan, "Jabatan (wajib)", example[2]},
		{ColUnit, "Unit kerja / satuan kerja (wajib)", example[3]},
		{ColPhone, "Nomor HP (wajib)", example[4]},
		{ColEmail, "Email pribadi: undangan mengambil akun lewat portal (boleh kosong: surat tertutup di loket)", example[5]},
		{ColMailbox, "Alamat email yang diusulkan, tanpa @domain (boleh kosong: surel mengusulkan)", example[6]},
		{},
		{fmt.Sprintf("Paling banyak %d pegawai per daftar. Isi di lembar \"Daftar\" mulai baris 2; jangan memakai rumus.", MaxRows)},
	}
	for r, row := range help {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellStr("Petunjuk", cell, v)
		}
	}
	f.SetColWidth("Petunjuk", "A", "C", 40)
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
