package sop

import (
	"math/rand/v2"
	"testing"
	"time"
)

// kaltim is the calendar of seed 004 with the embedded 2026 holidays: WITA (UTC+8),
// Mon–Thu 08:00–16:00, Fri 08:00–11:30.
func kaltim(t testing.TB) *Calendar {
	t.Helper()
	d, ok := Preset("kaltim")
	if !ok {
		t.Fatal("no kaltim preset")
	}
	c, err := d.Calendar(DefaultHolidays())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wita is a wall-clock time in Kaltim.
func wita(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("Mon 2006-01-02 15:04:05", s, loc)
	if err != nil {
		v, err = time.ParseInLocation("Mon 2006-01-02 15:04", s, loc)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const layout = "Mon 2006-01-02 15:04:05"

// The week of 6–12 July 2026 has no holiday: Monday 6 … Friday 10, Saturday 11, Monday 13.
// 17 August 2026 (Independence Day) is a Monday; 18–24 March 2026 holds Nyepi, Idul Fitri
// and their cuti bersama (Wed 18 to Tue 24, weekend included).
func TestAddWorkingKaltim(t *testing.T) {
	c := kaltim(t)
	for _, tc := range []struct {
		start string
		d     Duration
		want  string
		why   string
	}{
		// Working minutes.
		{"Fri 2026-07-10 11:00", WorkingMinutes(60), "Mon 2026-07-13 08:30", "30m on Friday before 11:30, 30m from Monday's opening"},
		{"Fri 2026-07-10 11:20", WorkingMinutes(15), "Mon 2026-07-13 08:05", "10m on Friday, 5m on Monday"},
		{"Fri 2026-07-10 11:00", WorkingMinutes(30), "Fri 2026-07-10 11:30", "ends exactly at closing: due at closing, not Monday 08:00"},
		{"Sat 2026-07-11 10:00", WorkingMinutes(15), "Mon 2026-07-13 08:15", "entered on Saturday: starts Monday 08:00"},
		{"Sun 2026-07-12 23:59", WorkingMinutes(60), "Mon 2026-07-13 09:00", "entered on Sunday night: starts Monday 08:00"},
		{"Thu 2026-07-09 14:30", WorkingMinutes(180), "Fri 2026-07-10 09:30", "the 1-3h step's upper bound: 1.5h Thursday, 1.5h Friday"},
		{"Mon 2026-07-06 07:00", WorkingMinutes(60), "Mon 2026-07-06 09:00", "before opening: starts at 08:00"},
		{"Mon 2026-07-06 16:00", WorkingMinutes(60), "Tue 2026-07-07 09:00", "at closing: starts next morning"},
		{"Mon 2026-07-06 15:50", WorkingMinutes(15), "Tue 2026-07-07 08:05", "10m Monday, 5m Tuesday"},
		{"Mon 2026-07-06 10:00:30", WorkingMinutes(10), "Mon 2026-07-06 10:10:30", "seconds are kept"},
		{"Fri 2026-07-10 08:00", WorkingMinutes(420), "Mon 2026-07-13 11:30", "7h: all of Friday (3.5h) and 3.5h of Monday"},
		{"Mon 2026-07-06 10:00", Duration{}, "Mon 2026-07-06 10:00", "zero inside hours: start"},
		{"Sat 2026-07-11 10:00", Duration{}, "Mon 2026-07-13 08:00", "zero outside hours: next opening"},
		// Working days: same clock time n working days later, clamped down to the day's
		// latest working instant; at or before the opening means the closing of the day before.
		{"Mon 2026-07-06 10:00", WorkingDays(1), "Tue 2026-07-07 10:00", "same clock time next working day"},
		{"Fri 2026-07-10 10:00", WorkingDays(1), "Mon 2026-07-13 10:00", "weekend skipped"},
		{"Fri 2026-07-10 11:00", WorkingDays(1), "Mon 2026-07-13 11:00", "Friday's short hours do not matter for the target Monday"},
		{"Thu 2026-07-09 15:00", WorkingDays(1), "Fri 2026-07-10 11:30", "Friday has closed by 15:00: due at Friday's closing"},
		{"Sat 2026-07-11 09:00", WorkingDays(1), "Mon 2026-07-13 16:00", "starts Monday 08:00; Tuesday 08:00 is the opening, so Monday's closing: all of Monday"},
		{"Mon 2026-07-06 08:00", WorkingDays(1), "Mon 2026-07-06 16:00", "from the opening, one day is the whole day"},
		{"Thu 2026-07-09 16:00", WorkingDays(1), "Fri 2026-07-10 11:30", "entered at closing: starts Friday 08:00, so all of Friday"},
		{"Mon 2026-07-06 17:30", WorkingDays(1), "Tue 2026-07-07 16:00", "entered after hours: all of Tuesday"},
		{"Thu 2026-07-09 10:00", WorkingDays(2), "Mon 2026-07-13 10:00", "Friday is day 1, Monday day 2"},
		{"Mon 2026-07-06 10:00", Duration{Days: 1, Minutes: 30}, "Tue 2026-07-07 10:30", "days first, then minutes"},
		// Holidays.
		{"Fri 2026-08-14 11:00", WorkingMinutes(60), "Tue 2026-08-18 08:30", "Monday 17 August is Independence Day"},
		{"Fri 2026-08-14 10:00", WorkingDays(1), "Tue 2026-08-18 10:00", "Monday 17 August skipped whole"},
		{"Tue 2026-03-17 10:00", WorkingDays(1), "Wed 2026-03-25 10:00", "Nyepi, Idul Fitri and cuti bersama: 18–24 March"},
		{"Tue 2026-03-17 15:50", WorkingMinutes(15), "Wed 2026-03-25 08:05", "10m on the 17th, 5m after the holidays"},
		{"Thu 2026-12-24 09:00", WorkingMinutes(15), "Mon 2026-12-28 08:15", "cuti bersama 24 December, Christmas 25 December"},
	} {
		got := c.AddWorking(wita(t, tc.start), tc.d)
		if want := wita(t, tc.want); !got.Equal(want) {
			t.Errorf("AddWorking(%s, %v) = %s, want %s (%s)", tc.start, tc.d, got.Format(layout), want.Format(layout), tc.why)
		}
		if got.Location() != c.Loc {
			t.Errorf("AddWorking(%s) in %v, want %v", tc.start, got.Location(), c.Loc)
		}
	}
}

func TestZones(t *testing.T) {
	c := kaltim(t)
	// 08:00 WITA is 00:00 UTC: Monday's opening, given in UTC.
	opening := time.Date(2026, 7, 13, 0, 0, 0, 0, time.UTC)
	if !c.InHours(opening) || c.InHours(opening.Add(-time.Second)) {
		t.Errorf("Monday 00:00 UTC should be the 08:00 WITA opening")
	}
	// Sunday 23:30 UTC is Monday 07:30 WITA: a 15m step is due 08:15 WITA = 00:15 UTC.
	got := c.AddWorking(time.Date(2026, 7, 12, 23, 30, 0, 0, time.UTC), WorkingMinutes(15))
	if want := time.Date(2026, 7, 13, 0, 15, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("got %s, want %s", got.UTC(), want)
	}
	if h, m, _ := got.Clock(); h != 8 || m != 15 {
		t.Errorf("got %s, want 08:15 WITA", got)
	}
	// The same UTC instant in Palangka Raya (WIB, opens 07:30) is Monday 06:30: before
	// opening, so the step is due 07:45 WIB = 00:45 UTC.
	p, _ := Preset("palangkaraya")
	wib, err := p.Calendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	got = wib.AddWorking(time.Date(2026, 7, 12, 23, 30, 0, 0, time.UTC), WorkingMinutes(15))
	if want := time.Date(2026, 7, 13, 0, 45, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("WIB: got %s, want %s", got.UTC(), want)
	}
	for slug, abbrev := range map[string]string{"kaltim": "WITA", "kominfo": "WIB", "palangkaraya": "WIB", "pematangsiantar": "WIB"} {
		if d, _ := Preset(slug); d.ZoneAbbrev() != abbrev {
			t.Errorf("%s: zone %s, want %s", slug, d.ZoneAbbrev(), abbrev)
		}
	}
}

func TestWorkingBetween(t *testing.T) {
	c := kaltim(t)
	for _, tc := range []struct {
		a, b string
		want time.Duration
	}{
		{"Fri 2026-07-10 11:00", "Mon 2026-07-13 08:30", time.Hour},
		{"Thu 2026-07-09 15:00", "Fri 2026-07-10 11:30", 4*time.Hour + 30*time.Minute},
		{"Mon 2026-07-06 10:00", "Tue 2026-07-07 10:00", 8 * time.Hour},
		{"Fri 2026-07-10 10:00", "Mon 2026-07-13 10:00", 3*time.Hour + 30*time.Minute},
		{"Sat 2026-07-11 10:00", "Sun 2026-07-12 10:00", 0},
		{"Mon 2026-07-13 10:00", "Mon 2026-07-06 10:00", 0}, // reversed
		{"Fri 2026-08-14 08:00", "Tue 2026-08-18 08:00", 3*time.Hour + 30*time.Minute},
		{"Mon 2026-07-06 00:00", "Mon 2026-07-13 00:00", 4*8*time.Hour + 3*time.Hour + 30*time.Minute},
	} {
		if got := c.WorkingBetween(wita(t, tc.a), wita(t, tc.b)); got != tc.want {
			t.Errorf("WorkingBetween(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestVerdict(t *testing.T) {
	due := time.Date(2026, 7, 13, 0, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		finished time.Time
		want     string
	}{
		{due.Add(-time.Hour), VerdictIn},
		{due, VerdictIn},
		{due.Add(time.Second), VerdictOver},
	} {
		if got := Verdict(due, tc.finished); got != tc.want {
			t.Errorf("Verdict(due, %v) = %s, want %s", tc.finished.Sub(due), got, tc.want)
		}
	}
}

func TestPause(t *testing.T) {
	c := kaltim(t)
	// A 1-day step (Kabid Aptika, step 3) entered Monday 10:00 is due Tuesday 10:00. It is
	// returned to the applicant Monday 15:00 with 3h of working time left (1h Monday, 2h
	// Tuesday) and comes back Thursday 14:30: 1.5h Thursday, 1.5h Friday, due Friday 09:30.
	std, _ := ParseStandard("1d")
	k := c.Start(wita(t, "Mon 2026-07-06 10:00"), std)
	if want := wita(t, "Tue 2026-07-07 10:00"); !k.Due.Equal(want) {
		t.Fatalf("due %s, want %s", k.Due.Format(layout), want.Format(layout))
	}
	k = c.Pause(k, wita(t, "Mon 2026-07-06 15:00"))
	if !k.Paused() {
		t.Fatal("not paused")
	}
	if again := c.Pause(k, wita(t, "Tue 2026-07-07 09:00")); again != k {
		t.Errorf("pausing twice moved the pause: %+v", again)
	}
	k = c.Resume(k, wita(t, "Thu 2026-07-09 14:30"))
	if want := wita(t, "Fri 2026-07-10 09:30"); !k.Due.Equal(want) || k.Paused() {
		t.Errorf("after resume: %+v, want due %s", k, want.Format(layout))
	}
	if again := c.Resume(k, wita(t, "Fri 2026-07-10 09:00")); again != k {
		t.Errorf("resuming a running clock changed it: %+v", again)
	}

	for _, tc := range []struct {
		due, paused, resumed, want, why string
	}{
		{"Mon 2026-07-13 08:30", "Fri 2026-07-10 11:20", "Sat 2026-07-11 10:00", "Mon 2026-07-13 08:40",
			"40m left (10m Friday, 30m Monday); resumed on Saturday, the clock restarts Monday 08:00"},
		{"Tue 2026-07-07 10:00", "Tue 2026-07-07 11:00", "Wed 2026-07-08 09:00", "Tue 2026-07-07 10:00",
			"already over when paused: the due time stays"},
		{"Mon 2026-07-13 08:30", "Sat 2026-07-11 09:00", "Sun 2026-07-12 09:00", "Mon 2026-07-13 08:30",
			"paused and resumed outside hours: nothing changes"},
		{"Fri 2026-08-14 11:30", "Fri 2026-08-14 11:00", "Fri 2026-08-14 11:10", "Tue 2026-08-18 08:10",
			"30m left, resumed with 20m of Friday: 10m after the Independence Day weekend"},
	} {
		got := c.Reschedule(wita(t, tc.due), wita(t, tc.paused), wita(t, tc.resumed))
		if want := wita(t, tc.want); !got.Equal(want) {
			t.Errorf("Reschedule(%s, %s, %s) = %s, want %s (%s)", tc.due, tc.paused, tc.resumed, got.Format(layout), want.Format(layout), tc.why)
		}
	}
}

// propertyCalendars are DST-free calendars of different shapes: the presets' and a split
// day with a Saturday morning and random holidays in WIT.
func propertyCalendars(t *testing.T, rng *rand.Rand) map[string]*Calendar {
	out := map[string]*Calendar{"kaltim": kaltim(t)}
	p, _ := Preset("palangkaraya")
	out["palangkaraya"], _ = p.Calendar(DefaultHolidays())
	loc, err := time.LoadLocation("Asia/Jayapura")
	if err != nil {
		t.Fatal(err)
	}
	split := []Span{{8 * 60, 12 * 60}, {13 * 60, 16 * 60}}
	hol := map[Date]string{}
	for range 40 {
		hol[Date{2026, time.January, 1}.AddDays(rng.IntN(730))] = "random"
	}
	out["wit-split"] = &Calendar{Loc: loc, Hours: [7][]Span{
		time.Monday: split, time.Tuesday: split, time.Wednesday: split, time.Thursday: split,
		time.Friday: {{7*60 + 30, 11*60 + 30}, {13*60 + 30, 16 * 60}}, time.Saturday: {{8 * 60, 12 * 60}},
	}, Holidays: hol}
	return out
}

func TestAddWorkingProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 8))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, c := range propertyCalendars(t, rng) {
		for i := range 4000 {
			start := base.Add(time.Duration(rng.Int64N(int64(366 * 24 * time.Hour)))).Truncate(time.Second)
			if i%4 == 0 {
				start = start.Truncate(time.Hour) // often exactly on an opening or closing
			}
			m1, m2 := 1+rng.IntN(3000), 1+rng.IntN(3000)
			if m1 > m2 {
				m1, m2 = m2, m1
			}
			r1, r2 := c.AddWorking(start, WorkingMinutes(m1)), c.AddWorking(start, WorkingMinutes(m2))
			if r1.Before(start) {
				t.Fatalf("%s: AddWorking(%s, %dm) = %s, before start", name, start, m1, r1)
			}
			if got := c.WorkingBetween(start, r1); got != time.Duration(m1)*time.Minute {
				t.Fatalf("%s: WorkingBetween(%s, AddWorking(+%dm) = %s) = %v", name, start, m1, r1, got)
			}
			if !c.InHours(r1) || !c.InHours(r2) {
				t.Fatalf("%s: AddWorking(%s, %dm|%dm) = %s|%s, outside working hours", name, start, m1, m2, r1, r2)
			}
			if r2.Before(r1) {
				t.Fatalf("%s: not monotonic: +%dm = %s, +%dm = %s", name, m1, r1, m2, r2)
			}
			// Working days: after start, in working hours, monotonic in n, and never more
			// working time than n whole days.
			prev := start
			for n := 1; n <= 4; n++ {
				due := c.AddWorking(start, WorkingDays(n))
				if due.Before(prev) || !c.InHours(due) {
					t.Fatalf("%s: AddWorking(%s, %dd) = %s (previous %s)", name, start, n, due, prev)
				}
				if w := c.WorkingBetween(start, due); w > time.Duration(n)*10*time.Hour {
					t.Fatalf("%s: %dd from %s is %v of working time", name, n, start, w)
				}
				prev = due
			}
		}
	}
}

// The clock after a pause keeps exactly the working time that was left.
func TestRescheduleProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 13))
	c := kaltim(t)
	base := wita(t, "Thu 2026-01-01 00:00")
	for range 3000 {
		entered := base.Add(time.Duration(rng.Int64N(int64(330 * 24 * time.Hour)))).Truncate(time.Minute)
		due := c.AddWorking(entered, WorkingMinutes(1+rng.IntN(2000)))
		paused := entered.Add(time.Duration(rng.Int64N(int64(due.Sub(entered)) + 1)))
		resumed := paused.Add(time.Duration(rng.Int64N(int64(10 * 24 * time.Hour))))
		left := c.WorkingBetween(paused, due)
		got := c.Reschedule(due, paused, resumed)
		if got.Before(due) || got.Before(resumed) && left > 0 {
			t.Fatalf("Reschedule(%s, %s, %s) = %s", due, paused, resumed, got)
		}
		if w := c.WorkingBetween(resumed, got); paused.Before(due) && w != left {
			t.Fatalf("Reschedule(%s, %s, %s) = %s: %v left after resuming, want %v", due, paused, resumed, got, w, left)
		}
	}
}

// Daylight saving time: Load refuses such zones (rule time_zone.dst, see TestLoadErrors).
// The arithmetic itself works on wall-clock times, so where the transition falls outside
// working hours — Europe/Amsterdam's is at 02:00 on a Sunday — it still gives the expected
// wall-clock answer; this shows why the refusal is a choice for clarity, not a necessity.
func TestDSTZone(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Skip(err)
	}
	day := []Span{{9 * 60, 17 * 60}}
	c := &Calendar{Loc: loc, Hours: [7][]Span{time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day}}
	// Summer time starts Sunday 29 March 2026.
	start := time.Date(2026, 3, 27, 16, 30, 0, 0, loc)
	got := c.AddWorking(start, WorkingMinutes(60))
	if want := time.Date(2026, 3, 30, 9, 30, 0, 0, loc); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
	if w := c.WorkingBetween(start, got); w != time.Hour {
		t.Errorf("WorkingBetween = %v", w)
	}
	d := Definition{Slug: "nl", Name: "x", TimeZone: "Europe/Amsterdam", Hours: c.Hours,
		Steps: []Step{{Key: "a", Name: "a", Role: RolePemohon, Kind: KindSubmit, Standard: Standard{1, 1, Hour}},
			{Key: "b", Name: "b", Role: RoleAdminMail, Kind: KindProvision, Standard: Standard{1, 1, Hour}}}}
	if !hasRule(d.Validate(), "time_zone.dst") {
		t.Errorf("Validate accepted a DST zone: %v", d.Validate())
	}
}

func TestDate(t *testing.T) {
	d, err := ParseDate("2026-08-17")
	if err != nil || d != (Date{2026, time.August, 17}) || d.Weekday() != time.Monday || d.String() != "2026-08-17" {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	if d.AddDays(15) != (Date{2026, time.September, 1}) || !d.Before(d.AddDays(1)) || d.Before(d) {
		t.Errorf("date arithmetic")
	}
	for _, bad := range []string{"2026-02-30", "17-08-2026", "2026-8-17", ""} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

func TestWorkBucket(t *testing.T) {
	for m, want := range map[int]int{-3: 0, 0: 0, 45: 45, 119: 119, 120: 120, 124: 120, 479: 475, 480: 480, 494: 480, 2399: 2385, 2400: 2400, 2459: 2400, 10000: 9960} {
		if got := WorkBucket(m); got != want {
			t.Errorf("WorkBucket(%d) = %d, want %d", m, got, want)
		}
		if b := WorkBucket(m); max(m, 0) >= b+BucketWidth(b) {
			t.Errorf("%d lies beyond its bucket %d (+%d)", m, b, BucketWidth(b))
		}
	}
}
