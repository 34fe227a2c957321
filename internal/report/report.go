// Package report is the back office's reports (/kantor/laporan, seed 004 steps 5–6 and
// seed 003's "database akun email"): accounts created and deactivated over time and by
// instansi; requests by status and service; compliance with the SOP's time standards per
// step and for the SOP as a whole, with the median and 90th percentile of working time;
// the backlog by step and age; returns to applicants and refusals with their reasons;
// and the mail server's capacity over time. Each report is figures, tables and charts
// (internal/chart) for a period, an instansi and a service; the adapters show it as a
// page, CSV (WriteCSV) and a numbered PDF letter (Letter).
//
// At national scale (a million requests, ten million history rows) nothing here reads
// the history, the requests or the registry row by row: every figure comes from counts
// the store keeps, written with what they count in its transaction — the steps ended
// per day, step and working-time bucket (sop.WorkBucket), the requests sent per status,
// the returns and refusals per step and reason, the accounts' events per instansi, unit
// and kind — for the tenant and per instansi, so a report's work grows with its groups
// (days, steps, instansi), not with the rows behind them. The counts equal a count over
// the rows (internal/workflow's TestReportCountsEqualTheRows).
package report

import (
	"time"

	"github.com/surel-id/surel/internal/chart"
)

// Kind names a report; the value is its URL segment under /kantor/laporan/.
type Kind string

// The reports.
const (
	KindAccounts Kind = "akun"
	KindService  Kind = "layanan"
	KindBacklog  Kind = "antrean"
	KindOutcomes Kind = "pengembalian"
	KindCapacity Kind = "kapasitas"
	KindSurvey   Kind = "skm"
	// KindComplaints is the complaints (pengaduan) and their handling time.
	KindComplaints Kind = "pengaduan"
)

// Kinds lists the reports in the order the pages show them.
var Kinds = []Kind{KindAccounts, KindService, KindBacklog, KindOutcomes, KindCapacity, KindSurvey, KindComplaints}

// Valid reports whether k is a report.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Report is one report as computed, in one language (the page's; the PDF's is always
// Indonesian): its headline figures, charts and tables.
type Report struct {
	Kind    Kind
	Lang    string
	Title   string
	Filter  Filter
	At      time.Time // when it was computed
	Zone    *time.Location
	Figures []Figure
	Charts  []chart.Chart
	Tables  []Table
	// Notes are remarks under the report (how a figure is measured).
	Notes []string
}

// Figure is one headline number.
type Figure struct {
	Label string
	Value Value
}

// Table is one table of a report; Name is its part of the CSV's file name.
type Table struct {
	Name    string
	Title   string
	Columns []Column
	Rows    [][]Value
	// Foot is a last row of totals; nil for none.
	Foot []Value
}

// Column is a table's column: its heading, what its values are, and the unit its CSV
// values are in ("%", "menit", "GB"), which the CSV heading names.
type Column struct {
	Label string
	Kind  ValueKind
	Unit  string
}

// ValueKind says how a value is written.
type ValueKind int

// The kinds of value.
const (
	Text    ValueKind = iota
	Count             // a whole number
	Percent           // a share, 0–100
	Minutes           // a working time in minutes
	Bytes             // a size
	Date              // a day (Value.S as YYYY-MM-DD)
	Decimal           // a number with two decimals (an index)
)

// Value is one cell: text, or a number with its kind. Missing is a number that does not
// exist (no finished step: no median), written as a dash, or empty in CSV.
type Value struct {
	Kind    ValueKind
	S       string
	N       float64
	Missing bool
}

// TextV is a text.
func TextV(s string) Value { return Value{Kind: Text, S: s} }

// CountV is a whole number.
func CountV(n int64) Value { return Value{Kind: Count, N: float64(n)} }

// PercentV is a share of part in whole, missing when whole is 0.
func PercentV(part, whole int64) Value {
	if whole == 0 {
		return Value{Kind: Percent, Missing: true}
	}
	return Value{Kind: Percent, N: float64(part) * 100 / float64(whole)}
}

// MinutesV is a working time; missing when ok is false.
func MinutesV(m int, ok bool) Value { return Value{Kind: Minutes, N: float64(m), Missing: !ok} }

// BytesV is a size.
func BytesV(n int64) Value { return Value{Kind: Bytes, N: float64(n)} }

// DecimalV is a number shown with two decimals; missing when ok is false.
func DecimalV(x float64, ok bool) Value { return Value{Kind: Decimal, N: x, Missing: !ok} }

// DateV is a day.
func DateV(s string) Value { return Value{Kind: Date, S: s} }
