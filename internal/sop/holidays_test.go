package sop

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultHolidays(t *testing.T) {
	h := DefaultHolidays()
	// SKB 3 Menteri 2026: 17 national holidays and 8 days of cuti bersama.
	national, cuti := 0, 0
	for _, name := range h {
		if strings.HasPrefix(name, "Cuti Bersama") {
			cuti++
		} else {
			national++
		}
	}
	if national != 17 || cuti != 8 {
		t.Errorf("%d national holidays and %d cuti bersama, want 17 and 8", national, cuti)
	}
	// The fixed-date holidays.
	for date, name := range map[string]string{
		"2026-01-01": "Tahun Baru", "2026-05-01": "Hari Buruh", "2026-06-01": "Pancasila",
		"2026-08-17": "Kemerdekaan", "2026-12-25": "Kelahiran Yesus Kristus",
	} {
		d, _ := ParseDate(date)
		if !strings.Contains(h[d], name) {
			t.Errorf("%s: %q, want %s", date, h[d], name)
		}
	}
	h[Date{2026, time.July, 7}] = "edited"
	if _, ok := DefaultHolidays()[Date{2026, time.July, 7}]; ok {
		t.Error("DefaultHolidays shares its map")
	}
}

// The embedded national table is read as an uploaded one is (ParseHolidaysCSV): its
// format (ISO dates, a date,name header, # comments) stays readable.
func TestHolidaysCSVAsEmbedded(t *testing.T) {
	hs, err := ParseHolidaysCSV("t.csv", strings.NewReader("# comment\ndate,name\n2026-08-17, Hari Kemerdekaan\n\n2026-08-17,Upacara\n\"2026-12-25\",\"Natal, Hari Raya\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := HolidayMap(hs)
	if len(h) != 2 || h[Date{2026, 8, 17}] != "Hari Kemerdekaan; Upacara" || h[Date{2026, 12, 25}] != "Natal, Hari Raya" {
		t.Errorf("got %v", h)
	}
	_, err = ParseHolidaysCSV("t.csv", strings.NewReader("date,name\n2026-02-30,Salah\n2026-03-01\n2026-03-02,\n"))
	wantProblems(t, err, "t.csv", problemWant{2, "holiday.date", `date "2026-02-30"`}, problemWant{3, "holiday.fields", "want date,name"},
		problemWant{4, "holiday.name", "2026-03-02: empty name"})
}

func TestReadICS(t *testing.T) {
	const ics = "BEGIN:VCALENDAR\r\n" +
		"VERSION:2.0\r\n" +
		"BEGIN:VEVENT\r\n" +
		"DTSTART;VALUE=DATE:20260817\r\n" +
		"DTEND;VALUE=DATE:20260818\r\n" +
		"SUMMARY:Hari Proklamasi Kemerdekaan\r\n" +
		"  Republik Indonesia\r\n" + // folded line: one space removed
		"END:VEVENT\r\n" +
		"BEGIN:VEVENT\r\n" +
		"SUMMARY:Idul Fitri\\, cuti bersama\r\n" +
		"DTSTART;VALUE=DATE:20260320\r\n" +
		"DTEND;VALUE=DATE:20260325\r\n" + // exclusive: 20 to 24 March
		"END:VEVENT\r\n" +
		"BEGIN:VEVENT\r\n" +
		"DTSTART:20261224\r\n" +
		"DURATION:P2D\r\n" +
		"SUMMARY:Natal\r\n" +
		"END:VEVENT\r\n" +
		"BEGIN:VEVENT\r\n" +
		"DTSTART;VALUE=DATE:20260101\r\n" +
		"DTEND;VALUE=DATE:20260101\r\n" + // end equal to start: one day
		"SUMMARY:Tahun Baru\r\n" +
		"END:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	h, err := readICS("t.ics", strings.NewReader(ics))
	if err != nil {
		t.Fatal(err)
	}
	want := map[Date]string{
		{2026, 8, 17}:  "Hari Proklamasi Kemerdekaan Republik Indonesia",
		{2026, 3, 20}:  "Idul Fitri, cuti bersama",
		{2026, 3, 21}:  "Idul Fitri, cuti bersama",
		{2026, 3, 22}:  "Idul Fitri, cuti bersama",
		{2026, 3, 23}:  "Idul Fitri, cuti bersama",
		{2026, 3, 24}:  "Idul Fitri, cuti bersama",
		{2026, 12, 24}: "Natal",
		{2026, 12, 25}: "Natal",
		{2026, 1, 1}:   "Tahun Baru",
	}
	if len(h) != len(want) {
		t.Errorf("got %d days, want %d: %v", len(h), len(want), h)
	}
	for d, name := range want {
		if h[d] != name {
			t.Errorf("%s: %q, want %q", d, h[d], name)
		}
	}

	_, err = readICS("t.ics", strings.NewReader("BEGIN:VEVENT\nDTSTART;TZID=Asia/Jakarta:20260817T080000\nSUMMARY:Upacara\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260110\nDTEND;VALUE=DATE:20260105\nEND:VEVENT\n"))
	wantProblems(t, err, "t.ics", problemWant{1, "ics.timed", `event "Upacara" has a time of day`}, problemWant{5, "ics.start", "event without DTSTART"},
		problemWant{8, "ics.range", `event "" ends before it starts`})
}

// problemWant is a problem an import must report: its line, its rule and part of its
// message.
type problemWant struct {
	line      int
	rule, msg string
}

// wantProblems checks that err reports each problem of want, in file, as an *Error.
func wantProblems(t *testing.T, err error, file string, want ...problemWant) {
	t.Helper()
	ps := Problems(err)
	for _, w := range want {
		found := false
		for _, p := range ps {
			if p.File == file && p.Line == w.line && p.Rule == w.rule && strings.Contains(p.Msg, w.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("error %v lacks line %d [%s] %q", err, w.line, w.rule, w.msg)
		}
	}
}
