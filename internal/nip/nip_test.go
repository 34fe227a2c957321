package nip

import (
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	// The SOP of seed 003 is signed by NIP 19610923 199103 1 004.
	n, err := Parse("196109231991031004")
	if err != nil {
		t.Fatal(err)
	}
	if !n.Birth.Equal(time.Date(1961, 9, 23, 0, 0, 0, 0, time.UTC)) || n.TMT.Year() != 1991 || n.TMT.Month() != 3 || n.Gender != 1 || n.Sequence != 4 {
		t.Fatalf("parsed %+v", n)
	}
	for in, reason := range map[string]string{
		"19610923199103100":   "length",
		"1961092319910310045": "length",
		"19610923199103100a":  "digits",
		"196102301991031004":  "birth_date", // 30 February
		"196113231991031004":  "birth_date",
		"196109231991131004":  "tmt",
		"196109231975031004":  "tmt_age", // appointed at 13
		"196109231991033004":  "gender",
		"196109231991031000":  "sequence",
	} {
		_, err := Parse(in)
		var e *Error
		if !errors.As(err, &e) || e.Reason != reason {
			t.Errorf("Parse(%s) = %v, want %s", in, err, reason)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("196109231991031004")
	f.Add("000000000000000000")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			return
		}
		if len(s) != 18 || n.Gender < 1 || n.Gender > 2 || n.TMT.Before(n.Birth.AddDate(18, 0, -31)) {
			t.Fatalf("accepted %q as %+v", s, n)
		}
	})
}
