package report

import (
	"context"
	"encoding/csv"
	"io"
	"time"

	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/staff"
)

// The CSV dialect of every export, chosen for Excel with an Indonesian locale, where
// offices open them:
//
//   - UTF-8 with a byte-order mark: without it Excel reads the file as the system's
//     ANSI code page and "–" or "é" turn to mojibake.
//   - ";" between fields: Excel id-ID's list separator, since its decimal separator is
//     the comma; with "," Excel would put each whole line in one column.
//   - no "sep=;" first line: it would make Excel use ";" in any locale, but Excel then
//     ignores the byte-order mark (mojibake again), and every other program (LibreOffice,
//     pandas, a database import) reads the line as data.
//   - decimal commas and no thousands separators in numbers (cell), CRLF line ends.
//
// LibreOffice and other readers take the same file when told ";" and UTF-8.
const bom = "\ufeff"

// CSV writes CSV rows to w in the dialect above, buffered (encoding/csv's own buffer,
// so an export of any length streams in constant memory); Flush at the end. One record
// is reused for every row: a million rows allocate no more for it than one.
type CSV struct {
	w   *csv.Writer
	rec []string
}

// NewCSV starts a CSV export with its byte-order mark.
func NewCSV(w io.Writer) (*CSV, error) {
	if _, err := io.WriteString(w, bom); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = ';', true
	return &CSV{w: cw}, nil
}

// Header writes the columns' headings.
func (c *CSV) Header(cols []Column) error {
	rec := make([]string, len(cols))
	for i, col := range cols {
		rec[i] = col.Heading(true)
	}
	return c.w.Write(rec)
}

// Row writes one row.
func (c *CSV) Row(vals []Value) error {
	c.rec = c.rec[:0]
	for _, v := range vals {
		c.rec = append(c.rec, cell(v))
	}
	return c.w.Write(c.rec)
}

// Flush writes out what is buffered.
func (c *CSV) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// WriteCSV writes a whole table: headings, rows and its totals.
func WriteCSV(w io.Writer, t Table) error {
	c, err := NewCSV(w)
	if err != nil {
		return err
	}
	if err := c.Header(t.Columns); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := c.Row(r); err != nil {
			return err
		}
	}
	if t.Foot != nil {
		if err := c.Row(t.Foot); err != nil {
			return err
		}
	}
	return c.Flush()
}

// AccountList writes the accounts made in f's period (seed 003's "database akun email")
// to w as CSV in lang, each row as the store reads it: a million accounts stream in
// the memory of one.
func (s *Service) AccountList(ctx context.Context, m staff.Member, f Filter, lang string, w io.Writer) error {
	sc, err := s.scope(ctx, m, KindAccounts, f)
	if err != nil {
		return err
	}
	c, err := NewCSV(w)
	if err != nil {
		return err
	}
	T := func(k string) string { return i18n.T(lang, k) }
	cols := []Column{{Label: T("receipt.number")}, {Label: T("field.full_name")}, {Label: T("field.nip")}, {Label: T("letter.address")},
		{Label: T("field.instansi")}, {Label: T("field.satuan_kerja")}, {Label: T("report.service")}, {Label: T("report.kind")},
		{Label: T("report.status")}, {Label: T("report.created_at"), Kind: Date}, {Label: T("report.zone")}}
	if err := c.Header(cols); err != nil {
		return err
	}
	zone := time.Now().In(sc.cal.Loc).Format("MST")
	row := make([]Value, len(cols))
	err = s.Store.EachAccount(ctx, sc.q, func(a AccountRow) error {
		row[0], row[1], row[2], row[3] = TextV(a.Number), TextV(a.Name), TextV(a.NIP), TextV(a.Mailbox)
		row[4], row[5], row[6] = TextV(a.Instansi), TextV(a.Unit), TextV(s.serviceName(a.Service, lang))
		row[7], row[8] = TextV(T("registry.kind."+a.Kind)), TextV(T("registry.status."+a.Status))
		row[9], row[10] = DateV(a.CreatedAt.In(sc.cal.Loc).Format("2006-01-02 15:04")), TextV(zone)
		return c.Row(row)
	})
	if err != nil {
		return err
	}
	return c.Flush()
}
