package roster

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// The fields of an entry, in the order of a file without a header.
const (
	colNIP = iota
	colName
	colInstansi
	colUnit
	colStatus
	colActive
	numCols
)

// headerNames maps the accepted column names (lower case, spaces as "_") to a field.
var headerNames = map[string]int{
	"nip":          colNIP,
	"nama":         colName,
	"name":         colName,
	"instansi":     colInstansi,
	"unit":         colUnit,
	"unit_kerja":   colUnit,
	"satuan_kerja": colUnit,
	"status":       colStatus,
	"aktif":        colActive,
	"active":       colActive,
}

// colLabels names the fields in problems.
var colLabels = [numCols]string{"nip", "nama", "instansi", "unit", "status", "aktif"}

// Reader reads a roster CSV and checks every row. The first row is a header naming the
// columns (case-insensitive: nip; nama or name; instansi; unit, unit_kerja or
// satuan_kerja; status; aktif or active; others are ignored, instansi and unit may be
// missing), or, when it starts with an 18-digit NIP, the first entry of a file in that
// column order. The separator is a comma, or a semicolon when the first line has more of
// those (a spreadsheet saved with Indonesian settings); a UTF-8 byte-order mark is
// skipped.
//
// Next returns the good rows until the first bad one; from there it only checks the rest
// of the file, and at its end returns a *FileError with the first MaxProblems problems
// instead of io.EOF, so a bad file is never half-imported.
type Reader struct {
	rec   records
	col   [numCols]int // index of each field in a record, -1 when the file lacks it
	need  int          // fields a record must have
	first [][]byte     // the first record when the file has no header
	line0 int
	bad   FileError
	rows  int
	row   row
}

// row is a checked record. Its byte slices point into the reader's buffers and are
// valid until the next read, so Sort packs a row without a string per field.
type row struct {
	key                  uint64 // the NIP as a number, see nipKey
	name, instansi, unit []byte
	status               Status
	active               bool
	line                 int
}

// entry copies a row into an Entry, with one allocation for its strings.
func (r *row) entry() Entry {
	buf := make([]byte, 0, 18+len(r.name)+len(r.instansi)+len(r.unit))
	buf = appendNIP(buf, r.key)
	buf = append(append(append(buf, r.name...), r.instansi...), r.unit...)
	s := string(buf)
	e := Entry{Status: r.status, Active: r.active}
	e.NIP, s = s[:18], s[18:]
	e.Name, s = s[:len(r.name)], s[len(r.name):]
	e.Instansi, e.Unit = s[:len(r.instansi)], s[len(r.instansi):]
	return e
}

// NewReader reads the header of a roster CSV. It fails with a *FileError when the
// header lacks a required column.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\uFEFF")) {
		br.Discard(3)
	}
	rd := &Reader{rec: records{br: br, sep: separator(br)}}
	head, line, err := rd.rec.next()
	if err == io.EOF {
		return nil, &FileError{Header: "the file is empty"}
	}
	if err != nil {
		return nil, err
	}
	if _, ok := cleanNIP(head[0]); ok {
		// No header: the canonical order, and this row is the first entry.
		for i := range rd.col {
			rd.col[i] = i
		}
		rd.need = numCols
		for _, f := range head {
			rd.first = append(rd.first, bytes.Clone(f))
		}
		rd.line0 = line
		return rd, nil
	}
	for i := range rd.col {
		rd.col[i] = -1
	}
	norm := strings.NewReplacer(" ", "_", "-", "_")
	for i, h := range head {
		c, ok := headerNames[norm.Replace(strings.ToLower(strings.TrimSpace(string(h))))]
		if !ok {
			continue
		}
		if rd.col[c] >= 0 {
			return nil, &FileError{Header: "column " + colLabels[c] + " appears twice in the header"}
		}
		rd.col[c] = i
		rd.need = max(rd.need, i+1)
	}
	var missing []string
	for _, c := range []int{colNIP, colName, colStatus, colActive} {
		if rd.col[c] < 0 {
			missing = append(missing, colLabels[c])
		}
	}
	if len(missing) > 0 {
		return nil, &FileError{Header: "the header lacks column(s) " + strings.Join(missing, ", ") +
			" (want nip, nama, instansi, unit_kerja, status, aktif)"}
	}
	return rd, nil
}

// separator guesses the field separator from the first line.
func separator(br *bufio.Reader) byte {
	b, _ := br.Peek(4096)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if bytes.Count(b, []byte(";")) > bytes.Count(b, []byte(",")) {
		return ';'
	}
	return ','
}

// Next returns the next good entry and its line; see Reader.
func (rd *Reader) Next() (Entry, int, error) {
	r, err := rd.next()
	if err != nil {
		return Entry{}, 0, err
	}
	return r.entry(), r.line, nil
}

// next is Next without the copy: the row is valid until the next call.
func (rd *Reader) next() (*row, error) {
	for {
		var rec [][]byte
		var line int
		var err error
		if rd.first != nil {
			rec, line, rd.first = rd.first, rd.line0, nil
		} else {
			rec, line, err = rd.rec.next()
		}
		if err == io.EOF {
			if rd.bad.Total > 0 {
				return nil, &rd.bad
			}
			if rd.rows == 0 {
				return nil, &FileError{Header: "the file has no entries"}
			}
			return nil, io.EOF
		}
		if err != nil {
			if p, ok := err.(*Problem); ok {
				rd.bad.add(*p)
				continue
			}
			return nil, err
		}
		if !rd.check(rec, line) || rd.bad.Total > 0 {
			continue
		}
		rd.rows++
		return &rd.row, nil
	}
}

// check fills rd.row from a record, recording its problems.
func (rd *Reader) check(rec [][]byte, line int) bool {
	if len(rec) < rd.need {
		rd.bad.add(Problem{Line: line, Reason: "fields", Value: "too few fields"})
		return false
	}
	field := func(c int) []byte {
		if rd.col[c] < 0 {
			return nil
		}
		return bytes.TrimSpace(rec[rd.col[c]])
	}
	r := &rd.row
	r.line = line
	var ok bool
	if r.key, ok = cleanNIP(rec[rd.col[colNIP]]); !ok {
		rd.bad.add(Problem{Line: line, Column: colLabels[colNIP], Reason: "nip", Value: string(rec[rd.col[colNIP]])})
	}
	if r.name = field(colName); len(r.name) == 0 {
		rd.bad.add(Problem{Line: line, Column: colLabels[colName], Reason: "name"})
		ok = false
	}
	r.instansi, r.unit = field(colInstansi), field(colUnit)
	for _, f := range [...]struct {
		col int
		b   []byte
	}{{colName, r.name}, {colInstansi, r.instansi}, {colUnit, r.unit}} {
		if !utf8.Valid(f.b) || bytes.IndexByte(f.b, 0) >= 0 {
			rd.bad.add(Problem{Line: line, Column: colLabels[f.col], Reason: "text"})
			ok = false
		}
	}
	switch s := field(colStatus); {
	case equalFold(s, "pns"):
		r.status = PNS
	case equalFold(s, "pppk"):
		r.status = PPPK
	case equalFold(s, "honorer"):
		r.status = Honorer
	default:
		rd.bad.add(Problem{Line: line, Column: colLabels[colStatus], Reason: "status", Value: string(s)})
		ok = false
	}
	switch a := field(colActive); {
	case equalFold(a, "1") || equalFold(a, "true") || equalFold(a, "ya") || equalFold(a, "y"):
		r.active = true
	case equalFold(a, "0") || equalFold(a, "false") || equalFold(a, "tidak") || equalFold(a, "n"):
		r.active = false
	default:
		rd.bad.add(Problem{Line: line, Column: colLabels[colActive], Reason: "active", Value: string(a)})
		ok = false
	}
	return ok
}

// equalFold compares b with the lower-case ASCII word s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// cleanNIP gives the number of 18 digits, allowing the spaces a formatted cell shows
// ("19700101 199901 1 001") and the apostrophe a spreadsheet puts before a number kept as
// text. The structure (dates, gender) is not checked: a roster also holds PPPK numbers,
// which follow another pattern.
func cleanNIP(b []byte) (uint64, bool) {
	b = bytes.TrimSpace(b)
	b = bytes.TrimPrefix(b, []byte("'"))
	var k uint64
	n := 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			k = k*10 + uint64(c-'0')
			n++
		case c == ' ':
		default:
			return 0, false
		}
	}
	return k, n == 18
}

// nipKey is the number of an 18-digit NIP, for a key that sorts as the text does.
func nipKey(nip string) (uint64, bool) {
	if len(nip) != 18 {
		return 0, false
	}
	var k uint64
	for i := 0; i < len(nip); i++ {
		if nip[i] < '0' || nip[i] > '9' {
			return 0, false
		}
		k = k*10 + uint64(nip[i]-'0')
	}
	return k, true
}

// appendNIP appends the 18 digits of a key.
func appendNIP(b []byte, key uint64) []byte {
	var d [18]byte
	for i := 17; i >= 0; i-- {
		d[i] = byte('0' + key%10)
		key /= 10
	}
	return append(b, d[:]...)
}

// records splits CSV text into records: RFC 4180 quoting (a quoted field may hold the
// separator, doubled quotes and line breaks), a quote inside an unquoted field taken as
// it is, LF or CRLF line ends, blank lines skipped. It does what encoding/csv does,
// several times faster and without allocating: the fields are views into its buffers.
type records struct {
	br     *bufio.Reader
	sep    byte
	line   int      // lines read
	fields [][]byte // reused by every record
	buf    []byte   // the unquoted text of a record with quotes
	long   []byte   // a line longer than br's buffer
}

// readLine returns the next line without its line end, valid until the next call.
func (r *records) readLine() ([]byte, error) {
	l, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], l...)
		for err == bufio.ErrBufferFull {
			l, err = r.br.ReadSlice('\n')
			r.long = append(r.long, l...)
		}
		l = r.long
	}
	if err != nil && (err != io.EOF || len(l) == 0) {
		return nil, err
	}
	r.line++
	l = bytes.TrimSuffix(l, []byte("\n"))
	l = bytes.TrimSuffix(l, []byte("\r"))
	return l, nil
}

// next returns the fields of the next record, valid until the next call, and the line
// it starts on. A malformed record is returned as a *Problem error, and reading can go
// on after it.
func (r *records) next() ([][]byte, int, error) {
	for {
		l, err := r.readLine()
		if err != nil {
			return nil, 0, err
		}
		if len(l) == 0 {
			continue
		}
		if bytes.IndexByte(l, '"') >= 0 {
			return r.quoted(l)
		}
		r.fields = r.fields[:0]
		for {
			i := bytes.IndexByte(l, r.sep)
			if i < 0 {
				break
			}
			r.fields = append(r.fields, l[:i])
			l = l[i+1:]
		}
		r.fields = append(r.fields, l)
		return r.fields, r.line, nil
	}
}

// quoted splits a line holding quotes, reading on while a quoted field spans lines.
func (r *records) quoted(l []byte) ([][]byte, int, error) {
	start := r.line
	buf := r.buf[:0]
	var ends [16]int
	end := ends[:0]
	i := 0
	for {
		if i < len(l) && l[i] == '"' {
			i++
			for {
				j := bytes.IndexByte(l[i:], '"')
				if j < 0 { // the field goes on on the next line
					buf = append(buf, l[i:]...)
					buf = append(buf, '\n')
					next, err := r.readLine()
					if err == io.EOF {
						return nil, 0, &Problem{Line: start, Reason: "csv", Value: "a quoted field is not closed"}
					}
					if err != nil {
						return nil, 0, err
					}
					l, i = next, 0
					continue
				}
				buf = append(buf, l[i:i+j]...)
				i += j + 1
				if i < len(l) && l[i] == '"' { // a doubled quote
					buf = append(buf, '"')
					i++
					continue
				}
				break
			}
		}
		// Up to the separator (after a closing quote, anything before it is kept).
		k := bytes.IndexByte(l[i:], r.sep)
		if k < 0 {
			k = len(l) - i
		}
		buf = append(buf, l[i:i+k]...)
		i += k
		end = append(end, len(buf))
		if i >= len(l) {
			break
		}
		i++ // the separator
		if i == len(l) {
			end = append(end, len(buf))
			break
		}
	}
	r.buf = buf
	r.fields = r.fields[:0]
	from := 0
	for _, e := range end {
		r.fields = append(r.fields, buf[from:e:e])
		from = e
	}
	return r.fields, start, nil
}
