// Package nip reads the Nomor Induk Pegawai of a PNS: 18 digits made of the birth date
// (YYYYMMDD), the month of appointment as CPNS (TMT, YYYYMM), the gender (1 male,
// 2 female) and a three-digit sequence.
package nip

import (
	"strconv"
	"time"
)

// NIP is a parsed, structurally valid number.
type NIP struct {
	Number   string
	Birth    time.Time
	TMT      time.Time // first day of the month of appointment
	Gender   int       // 1 male, 2 female
	Sequence int
}

// Error says which part of a number is wrong. Reason is a stable key ("length",
// "digits", "birth_date", "tmt", "tmt_age", "gender", "sequence") that the web layer
// translates into words.
type Error struct{ Reason string }

func (e *Error) Error() string { return e.Reason }

// Parse checks the structure of s (spaces already removed).
func Parse(s string) (NIP, error) {
	if len(s) != 18 {
		return NIP{}, &Error{"length"}
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return NIP{}, &Error{"digits"}
		}
	}
	y, _ := strconv.Atoi(s[0:4])
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:8])
	birth := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1900 || m < 1 || m > 12 || birth.Day() != d || birth.Month() != time.Month(m) {
		return NIP{}, &Error{"birth_date"}
	}
	ty, _ := strconv.Atoi(s[8:12])
	tm, _ := strconv.Atoi(s[12:14])
	if ty < 1900 || tm < 1 || tm > 12 {
		return NIP{}, &Error{"tmt"}
	}
	tmt := time.Date(ty, time.Month(tm), 1, 0, 0, 0, 0, time.UTC)
	// Appointment as CPNS requires being 18; the TMT month may be the birthday's month.
	if tmt.Before(time.Date(y+18, time.Month(m), 1, 0, 0, 0, 0, time.UTC)) {
		return NIP{}, &Error{"tmt_age"}
	}
	g := int(s[14] - '0')
	if g != 1 && g != 2 {
		return NIP{}, &Error{"gender"}
	}
	seq, _ := strconv.Atoi(s[15:18])
	if seq == 0 {
		return NIP{}, &Error{"sequence"}
	}
	return NIP{Number: s, Birth: birth, TMT: tmt, Gender: g, Sequence: seq}, nil
}
