package sop

import (
	"slices"
	"testing"
	"time"
)

// The embedded table holds 2026 only: during 2026 nothing is missing until 1 October
// (in the office's zone), then 2027 is; in 2027 the current year itself is.
func TestMissingHolidayYears(t *testing.T) {
	c := kaltim(t)
	for _, tc := range []struct {
		at   string
		want []int
	}{
		{"Thu 2026-01-01 08:00", nil},
		{"Wed 2026-09-30 23:59", nil},
		{"Thu 2026-10-01 00:00", []int{2027}},
		{"Thu 2026-12-31 16:00", []int{2027}},
		{"Fri 2027-01-01 00:00", []int{2027}},
		{"Fri 2027-10-01 09:00", []int{2027, 2028}},
	} {
		if got := c.MissingHolidayYears(wita(t, tc.at)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: missing %v, want %v", tc.at, got, tc.want)
		}
	}
	// The office's own date decides, not the server's: 15:30 UTC on 30 September is
	// 23:30 WITA, an hour later it is 1 October in Samarinda and still 30 September in
	// UTC.
	at := time.Date(2026, 9, 30, 15, 30, 0, 0, time.UTC)
	if got := c.MissingHolidayYears(at); got != nil {
		t.Errorf("30 September 23:30 WITA: %v", got)
	}
	if got := c.MissingHolidayYears(at.Add(time.Hour)); !slices.Equal(got, []int{2027}) {
		t.Errorf("1 October 00:30 WITA (16:30 UTC, 30 September): %v", got)
	}
	with := map[Date]string{{2027, 1, 1}: "Tahun Baru 2027 Masehi"}
	if got := MissingHolidayYears(with, Date{2027, 3, 1}); got != nil {
		t.Errorf("a table with 2027: %v", got)
	}
}

// A year the table lacks still has working days and hours: deadlines skip weekends and
// closed hours (only the holidays are not known).
func TestDeadlinesWithoutHolidays(t *testing.T) {
	c := kaltim(t)
	// Friday 1 January 2027 is New Year's Day, which the table does not hold yet: it
	// counts as a working day (Fri 08:00–11:30). 1h from 11:00 runs over the weekend.
	got := c.AddWorking(wita(t, "Fri 2027-01-01 11:00"), Duration{Minutes: 60})
	if want := wita(t, "Mon 2027-01-04 08:30"); !got.Equal(want) {
		t.Fatalf("1h from Fri 1 Jan 2027 11:00: %s, want %s", got.Format(layout), want.Format(layout))
	}
	got = c.AddWorking(wita(t, "Sat 2027-01-02 10:00"), Duration{Days: 1})
	if want := wita(t, "Mon 2027-01-04 16:00"); !got.Equal(want) {
		t.Fatalf("1d from Sat 2 Jan 2027: %s, want %s", got.Format(layout), want.Format(layout))
	}
}
