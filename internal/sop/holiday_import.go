package sop

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Holiday is one day off in a tenant's holiday table: a national holiday, a day of cuti
// bersama or a local one.
type Holiday struct {
	Date Date
	Name string
}

// HolidayList is the table m as a list in date order.
func HolidayList(m map[Date]string) []Holiday {
	out := make([]Holiday, 0, len(m))
	for d, name := range m {
		out = append(out, Holiday{d, name})
	}
	slices.SortFunc(out, func(a, b Holiday) int {
		switch {
		case a.Date.Before(b.Date):
			return -1
		case b.Date.Before(a.Date):
			return 1
		}
		return 0
	})
	return out
}

// HolidayMap is the list as the table a Calendar reads; two entries for one date join
// their names with "; ".
func HolidayMap(hs []Holiday) map[Date]string {
	out := make(map[Date]string, len(hs))
	for _, h := range hs {
		merge(out, map[Date]string{h.Date: h.Name})
	}
	return out
}

// MaxHolidayName bounds the name of a holiday, in characters.
const MaxHolidayName = 200

// ParseHolidayDate reads a date as offices write it: YYYY-MM-DD (ISO), or DD-MM-YYYY and
// DD/MM/YYYY (the Indonesian order, as a spreadsheet exports it; day and month may have
// one digit).
func ParseHolidayDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "2-1-2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t), nil
		}
	}
	return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY", s)
}

// ParseHolidaysCSV reads a holiday table a tenant uploads: one "date,name" per row, the
// date as ParseHolidayDate reads it. A header row (date/tanggal), blank lines, lines
// starting with # and a UTF-8 byte order mark are skipped; a file whose first row uses
// ";" (a spreadsheet in the Indonesian locale) is read with ";" as the separator. Every
// bad row is reported, joined, as an *Error naming file, the line and the rule (see
// Problems). The result is in date order, two rows for one date joined as one holiday.
func ParseHolidaysCSV(file string, r io.Reader) ([]Holiday, error) {
	data, err := readText(file, r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	if sep := sniffSeparator(data); sep != ',' {
		cr.Comma = sep
	}
	out := map[Date]string{}
	var errs []error
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, problem(file, pe.Line, "csv.syntax", "%v", pe.Err))
				break // the reader cannot resync after a quoting error
			}
			return nil, fmt.Errorf("holidays: %w", err)
		}
		line, _ := cr.FieldPos(0)
		head := strings.ToLower(strings.TrimSpace(rec[0]))
		if first && (head == "date" || head == "tanggal") {
			continue
		}
		h, p := csvHoliday(file, line, rec)
		if p != nil {
			errs = append(errs, p)
			continue
		}
		merge(out, map[Date]string{h.Date: h.Name})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return HolidayList(out), nil
}

// csvHoliday reads one row of a holiday table, or says what is wrong with it.
func csvHoliday(file string, line int, rec []string) (Holiday, *Error) {
	if len(rec) < 2 || (len(rec) > 2 && strings.Join(rec[2:], "") != "") {
		return Holiday{}, problem(file, line, "holiday.fields", "want date,name, got %d fields", len(rec))
	}
	d, err := ParseHolidayDate(rec[0])
	if err != nil {
		return Holiday{}, problem(file, line, "holiday.date", "%v", err)
	}
	name, err := holidayName(rec[1])
	if err != nil {
		return Holiday{}, problem(file, line, "holiday.name", "%s: %v", d, err)
	}
	return Holiday{d, name}, nil
}

// readText reads an uploaded holiday file: UTF-8, a byte order mark dropped.
func readText(file string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("holidays: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return nil, problem(file, 0, "text.utf8", "the file is not UTF-8 text")
	}
	return data, nil
}

// sniffSeparator picks ";" when the first data line has a ";" and no ",".
func sniffSeparator(data []byte) rune {
	for line := range strings.Lines(string(data)) {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if strings.Contains(t, ";") && !strings.Contains(t, ",") {
			return ';'
		}
		return ','
	}
	return ','
}

// holidayName checks a holiday's name: not empty, not too long, no control characters.
func holidayName(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New("empty name")
	case utf8.RuneCountInString(s) > MaxHolidayName:
		return "", fmt.Errorf("name longer than %d characters", MaxHolidayName)
	case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "", errors.New("control character in the name")
	}
	return s, nil
}

// CheckHoliday checks one holiday entered in a form: its name as in an imported file.
func CheckHoliday(h Holiday) (Holiday, error) {
	name, err := holidayName(h.Name)
	if err != nil {
		return h, err
	}
	h.Name = name
	return h, nil
}

// ParseICal reads the all-day events of an iCalendar file (RFC 5545) as holidays, as
// readICS does (folded lines, DTSTART;VALUE=DATE or a bare date, DTEND exclusive,
// DURATION in days or weeks, problems with their lines), and gives them in date order.
// Components nested in an event (VALARM) are skipped, so a reminder's SUMMARY does not
// rename the holiday.
func ParseICal(file string, r io.Reader) ([]Holiday, error) {
	data, err := readText(file, r)
	if err != nil {
		return nil, err
	}
	m, err := readICS(file, bytes.NewReader(blankNested(data)))
	if err != nil {
		return nil, err
	}
	return HolidayList(m), nil
}

// blankNested empties the lines of components nested inside a VEVENT (VALARM, or any
// other), keeping the line count so the errors still point at the right line.
func blankNested(data []byte) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	depth := 0 // 1 inside a VEVENT, more inside what it nests
	for i, l := range lines {
		t := strings.ToUpper(strings.TrimRight(string(l), "\r\n"))
		switch {
		case strings.HasPrefix(t, "BEGIN:"):
			if depth > 0 || t == "BEGIN:VEVENT" {
				depth++
			}
		case strings.HasPrefix(t, "END:") && depth > 1:
			depth--
			lines[i] = []byte("\n")
			continue
		case strings.HasPrefix(t, "END:") && depth == 1:
			depth = 0
		}
		if depth > 1 {
			lines[i] = []byte("\n")
		}
	}
	return bytes.Join(lines, nil)
}
