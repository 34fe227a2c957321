package roster

import (
	"fmt"
	"testing"
)

func TestNamesMatch(t *testing.T) {
	for _, tc := range []struct {
		roster, applicant string
		want              bool
	}{
		{"Murni", "MURNI", true},
		{"Drs. H. Murni, M.Si.", "MURNI", true},          // titles and degrees go; one word left each
		{"Drs. H. Murni, M.Si.", "Murni Lestari", false}, // a one-word name must match exactly
		{"Hj. Siti Aminah, S.Pd.", "siti aminah", true},
		{"Siti Nurhaliza", "Siti Nurhaliza Binti Ahmad", true}, // every word of the shorter (two) in the longer
		{"Siti Nurhaliza Binti Ahmad", "Nurhaliza Siti", true},
		{"Budi Santoso", "Budi", false},                    // the shorter has one word
		{"Budi Santoso", "Budi Santosa", false},            // a letter off is for the verifier to judge
		{"Ir. Ahmad Fauzi S.T. M.T.", "Ahmad Fauzi", true}, // dotted degrees without a comma
		{"Ahmad Fauzi ST", "Ahmad Fauzi", true},            // undotted ST stays, but the shorter has two words in it
		{"Agus Setiawan", "agus   setiawan", true},         // spaces fold
		{"Ma'ruf Amin", "Maruf Amin", true},                // apostrophes go
		{"Nur-Aini Rahma", "Nur Aini Rahma", true},         // other punctuation separates
		{"Muhammad H. Siregar", "Muhammad Siregar", true},  // H. inside is an initial, and the shorter is in the longer
		{"Muhammad H. Siregar", "Muhammad H Siregar", true},
		{"H. Muhammad", "Muhammad", true},                   // H. first is Haji
		{"Dr. dr. Andi Wijaya, Sp.PD", "Andi Wijaya", true}, // two honorifics, degree after the comma
		{"Ani Ani", "Ani", false},                           // words are a multiset
		{"Ani Ani Lestari", "Ani Lestari", true},
		{"Ani Lestari", "Ani Ani Lestari", true},
		{"Ani Budi", "Ani Ani", false},
		{"", "Murni", false},
		{"Drs.", "Drs.", false}, // nothing left to compare
	} {
		if got := NamesMatch(tc.roster, tc.applicant); got != tc.want {
			t.Errorf("NamesMatch(%q, %q) = %v, want %v", tc.roster, tc.applicant, got, tc.want)
		}
		if got := NamesMatch(tc.applicant, tc.roster); got != tc.want {
			t.Errorf("NamesMatch(%q, %q) = %v, want %v (not symmetric)", tc.applicant, tc.roster, got, tc.want)
		}
	}
}

func TestCheck(t *testing.T) {
	pns := Entry{NIP: "198001012005011002", Name: "Drs. H. Murni, M.Si.", Status: PNS, Active: true}
	with := func(f func(*Entry)) *Entry {
		e := pns
		f(&e)
		return &e
	}
	for _, tc := range []struct {
		name      string
		e         *Entry
		found     bool
		applicant string
		policy    Policy
		want      string
	}{
		{"match", &pns, true, "Murni", Policy{}, "[]"},
		{"absent", nil, false, "Murni", Policy{}, "[{not_in_roster }]"},
		{"absent, entry ignored", &pns, false, "Murni", Policy{}, "[{not_in_roster }]"},
		{"inactive", with(func(e *Entry) { e.Active = false }), true, "Murni", Policy{}, "[{inactive }]"},
		{"PPPK", with(func(e *Entry) { e.Status = PPPK }), true, "Murni", Policy{}, "[{not_pns PPPK}]"},
		{"PPPK allowed", with(func(e *Entry) { e.Status = PPPK }), true, "Murni", Policy{AllowPPPK: true}, "[]"},
		{"honorer even when PPPK is allowed", with(func(e *Entry) { e.Status = Honorer }), true, "Murni",
			Policy{AllowPPPK: true}, "[{not_pns honorer}]"},
		{"name", &pns, true, "Murni Lestari", Policy{}, "[{name_mismatch Drs. H. Murni, M.Si.}]"},
		{"all at once", with(func(e *Entry) { e.Active, e.Status = false, Honorer }), true, "Budi", Policy{},
			"[{inactive } {not_pns honorer} {name_mismatch Drs. H. Murni, M.Si.}]"},
	} {
		if got := fmt.Sprint(Check(tc.e, tc.found, tc.applicant, tc.policy)); got != tc.want {
			t.Errorf("%s: Check = %s, want %s", tc.name, got, tc.want)
		}
	}
}
