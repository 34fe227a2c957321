package report

import (
	"math"
	"strconv"
	"strings"

	"github.com/surel-id/surel/internal/chart"
	"github.com/surel-id/surel/internal/i18n"
)

// Show writes v for a page or a PDF in lang: numbers as Indonesian (and the reports'
// English) readers know them, 1.234 and 87,5 %, working time in hours and minutes.
func Show(v Value, lang string) string {
	if v.Missing {
		return "–"
	}
	switch v.Kind {
	case Count:
		return chart.Number(v.N)
	case Percent:
		return chart.Number(v.N) + " %"
	case Minutes:
		return Duration(int(v.N), lang)
	case Bytes:
		return Size(v.N)
	case Decimal:
		return fixed(v.N)
	}
	return v.S
}

// fixed is v with two decimals and a decimal comma: an index as the regulation writes
// it (82,45).
func fixed(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', 2, 64), ".", ",", 1)
}

// Duration is a working time in hours and minutes: "2 j 05 m", "45 m".
func Duration(minutes int, lang string) string {
	h, m := minutes/60, minutes%60
	if h == 0 {
		return i18n.T(lang, "report.minutes", m)
	}
	mm := strconv.Itoa(m)
	if m < 10 {
		mm = "0" + mm
	}
	return i18n.T(lang, "report.hours_minutes", h, mm)
}

// Size is a byte count in GB (or MB below one), with a decimal comma.
func Size(n float64) string {
	if n >= 1<<30 {
		return chart.Number(n/(1<<30)) + " GB"
	}
	return chart.Number(math.Round(n/(1<<20))) + " MB"
}

// cell writes v for CSV as Excel with an Indonesian locale reads it: numbers without
// thousands separators and with a decimal comma (so they stay numbers there), working
// time in minutes and sizes in GB (their headings say so), nothing for a missing
// number. Text is kept as text: a digit string Excel would turn into a number (an
// 18-digit NIP loses its last digits, a phone number its leading zero) is written as
// the formula ="…", and text Excel would read as a formula (=, +, -, @ first) gets a
// leading apostrophe.
func cell(v Value) string {
	if v.Missing {
		return ""
	}
	switch v.Kind {
	case Count:
		return strconv.FormatFloat(v.N, 'f', 0, 64)
	case Percent:
		return decimal(v.N, 1)
	case Minutes:
		return strconv.Itoa(int(v.N))
	case Bytes:
		return decimal(v.N/(1<<30), 2)
	case Decimal:
		return fixed(v.N)
	}
	return guard(v.S)
}

// decimal is v with at most places decimals and a decimal comma.
func decimal(v float64, places int) string {
	s := strconv.FormatFloat(v, 'f', places, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return strings.Replace(s, ".", ",", 1)
}

// guard keeps text from being read as a number or a formula (cell).
func guard(s string) string {
	if s == "" {
		return s
	}
	digits := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			digits = false
			break
		}
	}
	if digits && (len(s) > 11 || s[0] == '0' && len(s) > 1) {
		return `="` + s + `"`
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Heading is a column's heading, in CSV with the unit its values are in.
func (c Column) Heading(csv bool) string {
	if csv && c.Unit != "" {
		return c.Label + " (" + c.Unit + ")"
	}
	return c.Label
}
