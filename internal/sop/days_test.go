package sop

import (
	"math"
	"testing"
)

// Working days elapsed agree with the due time of AddWorking: at the due time of n days
// exactly n, half a working day further n and a half, before opening nothing.
func TestWorkingDaysBetween(t *testing.T) {
	c := kaltim(t)
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"Mon 2026-07-06 10:00", "Mon 2026-07-06 09:00", 0},
		{"Sat 2026-07-11 10:00", "Mon 2026-07-13 07:00", 0},
		{"Mon 2026-07-06 10:00", "Tue 2026-07-07 10:00", 1},
		{"Mon 2026-07-06 10:00", "Tue 2026-07-07 14:00", 1.5},                             // 4 of Tue 10:00–Wed 10:00's 8 working hours
		{"Mon 2026-07-06 10:00", "Mon 2026-07-13 10:00", 5},                               // a week with its weekend
		{"Thu 2026-07-09 15:00", "Fri 2026-07-10 11:30", 1},                               // clamped to Friday's closing, as AddWorking is
		{"Fri 2026-08-14 10:00", "Tue 2026-08-18 10:00", 1},                               // 17 August is a holiday
		{"Mon 2026-07-06 08:00", "Mon 2026-07-06 12:00", 0.5},                             // half of Monday's eight hours
		{"Mon 2026-07-06 10:00", "Mon 2026-07-27 10:00", 15},                              // three weeks
		{"Sat 2026-07-11 10:00", "Mon 2026-07-13 16:00", 1},                               // the whole of Monday
		{"Mon 2026-07-06 10:00", "Wed 2026-07-08 10:00", 2},                               // two days
		{"Mon 2026-07-06 10:00", "Wed 2026-07-08 09:59:59", 1 + (7*60+59+59.0/60)/(8*60)}, // just short of two
	} {
		got := c.WorkingDaysBetween(wita(t, tc.a), wita(t, tc.b))
		if math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("%s → %s: %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	// Within a standard of n days exactly when not after AddWorking's due time.
	a := wita(t, "Thu 2026-03-12 14:10")
	for n := 1; n <= 60; n += 7 {
		due := c.AddWorking(a, WorkingDays(n))
		if got := c.WorkingDaysBetween(a, due); math.Abs(got-float64(n)) > 1e-9 {
			t.Errorf("%d days: %v", n, got)
		}
	}
}
