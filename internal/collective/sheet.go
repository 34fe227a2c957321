package collective

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// The columns of a list, by their header names in the template. Every header a file
// uses must be one of these or an alias (aliases); the first five are required.
const (
	ColNIP     = "nip"
	ColNama    = "nama"
	ColJabatan = "jabatan"
	ColUnit    = "unit"
	ColPhone   = "nomor_hp"
	ColEmail   = "email_pribadi"
	ColMailbox = "alamat_usulan"
)

// Columns are the template's columns, in order.
var Columns = []string{ColNIP, ColNama, ColJabatan, ColUnit, ColPhone, ColEmail, ColMailbox}

// required are the columns a list must have; the personal e-mail and the proposed
// address may be left out (surel proposes an address).
var required = []string{ColNIP, ColNama, ColJabatan, ColUnit, ColPhone}

// aliases maps the header names people write (lower case, spaces and dashes as "_") to
// a column.
var aliases = map[string]string{
	"nip": ColNIP, "nama": ColNama, "nama_lengkap": ColNama, "name": ColNama, "jabatan": ColJabatan,
	"unit": ColUnit, "unit_kerja": ColUnit, "satuan_kerja": ColUnit,
	"nomor_hp": ColPhone, "no_hp": ColPhone, "hp": ColPhone, "nomor_telepon": ColPhone, "telepon": ColPhone,
	"email_pribadi": ColEmail, "e_mail_pribadi": ColEmail, "email": ColEmail,
	"alamat_usulan": ColMailbox, "alamat_email_usulan": ColMailbox, "usulan_alamat": ColMailbox, "alamat_email": ColMailbox,
}

// MaxRows is the most employees one list may hold: a larger one is refused whole (split
// it), so that a validation's report stays within seconds.
const MaxRows = 10000

// MaxBytes bounds an uploaded list.
const MaxBytes = 10 << 20

// Row is one employee of a list as the file gives it, its values trimmed.
type Row struct {
	// Line is the row's number in the sheet (the header is line 1).
	Line    int
	NIP     string
	Nama    string
	Jabatan string
	Unit    string
	Phone   string
	Email   string
	Mailbox string
	// Formulas names the columns whose cell held a formula: never evaluated, refused.
	Formulas []string
}

// Value is the row's value of a column.
func (r Row) Value(col string) string {
	switch col {
	case ColNIP:
		return r.NIP
	case ColNama:
		return r.Nama
	case ColJabatan:
		return r.Jabatan
	case ColUnit:
		return r.Unit
	case ColPhone:
		return r.Phone
	case ColEmail:
		return r.Email
	case ColMailbox:
		return r.Mailbox
	}
	return ""
}

func (r *Row) set(col, v string) {
	switch col {
	case ColNIP:
		r.NIP = v
	case ColNama:
		r.Nama = v
	case ColJabatan:
		r.Jabatan = v
	case ColUnit:
		r.Unit = v
	case ColPhone:
		r.Phone = v
	case ColEmail:
		r.Email = v
	case ColMailbox:
		r.Mailbox = v
	}
}

// FileError refuses a whole file: nothing of it is stored. Key is the rule it breaks
// ("list_kind" …, the interface's "rule.<key>" message), Args its arguments.
type FileError struct {
	Key  string
	Args []any
}

func (e *FileError) Error() string { return fmt.Sprintf("collective list: %s %v", e.Key, e.Args) }

func refuse(key string, args ...any) error { return &FileError{Key: key, Args: args} }

// Parse reads a list from an uploaded file, whatever its name says: an XLSX workbook (its
// first sheet) or CSV text (comma or semicolon separated, UTF-8 with or without a
// byte-order mark, or Windows-1252 as older Excel saves it). The first non-empty row is
// the header. Formulas are never evaluated: their cells are marked (Row.Formulas). Any
// other file, an unknown or missing column, or more than MaxRows employees is a
// *FileError.
func Parse(data []byte) ([]Row, error) {
	switch {
	case len(data) == 0:
		return nil, refuse("list_empty")
	case len(data) > MaxBytes:
		return nil, refuse("list_size", MaxBytes>>20)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return parseXLSX(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		// The binary .xls of Excel 97–2003.
		return nil, refuse("list_xls")
	}
	if bytes.IndexByte(data[:min(len(data), 8192)], 0) >= 0 {
		return nil, refuse("list_kind")
	}
	return parseCSV(data)
}

func parseCSV(data []byte) ([]Row, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) {
		dec, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return nil, refuse("list_encoding")
		}
		data = dec
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var b builder
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, refuse("list_csv", pe.Line)
			}
			return nil, refuse("list_kind")
		}
		line, _ := cr.FieldPos(0)
		if err := b.add(line, rec, nil); err != nil {
			return nil, err
		}
	}
	return b.done()
}

func parseXLSX(data []byte) ([]Row, error) {
	formulas, err := hasFormulas(data)
	if err != nil {
		return nil, refuse("list_kind")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, refuse("list_kind")
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, refuse("list_kind")
	}
	defer rows.Close()
	var b builder
	for line := 1; rows.Next(); line++ {
		rec, err := rows.Columns()
		if err != nil {
			return nil, refuse("list_kind")
		}
		var formula func(col int) bool
		if formulas {
			formula = func(col int) bool {
				cell, err := excelize.CoordinatesToCellName(col+1, line)
				if err != nil {
					return false
				}
				fm, err := f.GetCellFormula(sheet, cell)
				return err == nil && fm != ""
			}
		}
		if err := b.add(line, rec, formula); err != nil {
			return nil, err
		}
	}
	return b.done()
}

// hasFormulas tells whether a workbook's sheets hold any formula (an <f> element), so
// that a plain list is read without asking cell by cell.
func hasFormulas(data []byte) (bool, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false, err
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") || zf.UncompressedSize64 > 200<<20 {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return false, err
		}
		body, err := io.ReadAll(io.LimitReader(rc, 200<<20))
		rc.Close()
		if err != nil {
			return false, err
		}
		if bytes.Contains(body, []byte("<f>")) || bytes.Contains(body, []byte("<f ")) {
			return true, nil
		}
	}
	return false, nil
}

// builder turns records into rows: the header first, then one row per non-empty record.
type builder struct {
	cols []string // column of each field, "" for an empty header cell
	rows []Row
}

func (b *builder) add(line int, rec []string, formula func(int) bool) error {
	empty := true
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			empty = false
			break
		}
	}
	if empty {
		return nil
	}
	if b.cols == nil {
		return b.header(rec)
	}
	if len(b.rows) == MaxRows {
		return refuse("list_rows", MaxRows)
	}
	r := Row{Line: line}
	for i, v := range rec {
		if i >= len(b.cols) || b.cols[i] == "" {
			if strings.TrimSpace(v) != "" {
				return refuse("list_extra", line)
			}
			continue
		}
		v = strings.TrimSpace(strings.ReplaceAll(v, "\x00", ""))
		if formula != nil && formula(i) || strings.HasPrefix(v, "=") {
			r.Formulas = append(r.Formulas, b.cols[i])
		}
		r.set(b.cols[i], v)
	}
	b.rows = append(b.rows, r)
	return nil
}

func (b *builder) header(rec []string) error {
	seen := map[string]bool{}
	b.cols = make([]string, len(rec))
	for i, h := range rec {
		key := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h), "*")))
		key = strings.NewReplacer(" ", "_", "-", "_", ".", "").Replace(key)
		if key == "" {
			continue
		}
		col, ok := aliases[key]
		switch {
		case !ok:
			return refuse("list_column", strings.TrimSpace(h), strings.Join(Columns, ", "))
		case seen[col]:
			return refuse("list_column_twice", col)
		}
		seen[col] = true
		b.cols[i] = col
	}
	for _, c := range required {
		if !seen[c] {
			return refuse("list_column_missing", c)
		}
	}
	return nil
}

func (b *builder) done() ([]Row, error) {
	if b.cols == nil || len(b.rows) == 0 {
		return nil, refuse("list_empty")
	}
	return b.rows, nil
}
