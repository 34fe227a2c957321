package sop

import (
	"strings"
	"testing"
)

func TestParseHolidaysCSV(t *testing.T) {
	hs, err := ParseHolidaysCSV("libur.csv", strings.NewReader("\uFEFFTanggal,Nama\n# komentar\n17-08-2026,Hari Kemerdekaan\n\n2026-01-01, Tahun Baru\n25/12/2026,\"Natal, Hari Raya\"\n1/5/2026,Hari Buruh\n17/08/2026,Upacara\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{
		{Date{2026, 1, 1}, "Tahun Baru"},
		{Date{2026, 5, 1}, "Hari Buruh"},
		{Date{2026, 8, 17}, "Hari Kemerdekaan; Upacara"},
		{Date{2026, 12, 25}, "Natal, Hari Raya"},
	}
	if len(hs) != len(want) {
		t.Fatalf("got %v", hs)
	}
	for i := range want {
		if hs[i] != want[i] {
			t.Errorf("%d: %v, want %v", i, hs[i], want[i])
		}
	}

	// A spreadsheet saved in the Indonesian locale separates with ";".
	hs, err = ParseHolidaysCSV("libur.csv", strings.NewReader("tanggal;nama\r\n17/08/2026;Hari Kemerdekaan\r\n"))
	if err != nil || len(hs) != 1 || hs[0].Name != "Hari Kemerdekaan" {
		t.Fatalf("semicolons: %v %v", hs, err)
	}

	_, err = ParseHolidaysCSV("libur.csv", strings.NewReader("date,name\n2026-02-30,Salah\n2026-03-01\n2026-03-02,\n32/01/2026,x\n2026-03-03,a,b\n2026-03-04,a\x01b\n"))
	wantProblems(t, err, "libur.csv", problemWant{2, "holiday.date", `date "2026-02-30"`}, problemWant{3, "holiday.fields", "want date,name"},
		problemWant{4, "holiday.name", "2026-03-02: empty name"}, problemWant{5, "holiday.date", `date "32/01/2026"`},
		problemWant{6, "holiday.fields", "want date,name, got 3"}, problemWant{7, "holiday.name", "2026-03-04: control character"})
	// A trailing empty column (spreadsheets add them) is not an error.
	if hs, err := ParseHolidaysCSV("libur.csv", strings.NewReader("2026-03-03,Nyepi,,\n")); err != nil || len(hs) != 1 {
		t.Errorf("trailing empty columns: %v %v", hs, err)
	}
	_, err = ParseHolidaysCSV("libur.csv", strings.NewReader("2026-03-03,\"Nyepi\n"))
	wantProblems(t, err, "libur.csv", problemWant{1, "csv.syntax", "quote"})
	_, err = ParseHolidaysCSV("libur.csv", strings.NewReader("2026-03-03,\xff\xfe\n"))
	wantProblems(t, err, "libur.csv", problemWant{0, "text.utf8", "UTF-8"})
	if hs, err := ParseHolidaysCSV("libur.csv", strings.NewReader("")); err != nil || len(hs) != 0 {
		t.Errorf("empty file: %v %v", hs, err)
	}
	long := strings.Repeat("x", MaxHolidayName+1)
	_, err = ParseHolidaysCSV("libur.csv", strings.NewReader("2026-03-03,"+long))
	wantProblems(t, err, "libur.csv", problemWant{1, "holiday.name", "longer"})
}

func TestParseICal(t *testing.T) {
	const ics = "BEGIN:VCALENDAR\r\n" +
		"BEGIN:VEVENT\r\n" +
		"DTSTART;VALUE=DATE:20260320\r\n" +
		"DTEND;VALUE=DATE:20260322\r\n" +
		"SUMMARY:Idul Fitri\r\n" +
		"BEGIN:VALARM\r\n" +
		"ACTION:EMAIL\r\n" +
		"SUMMARY:Pengingat\r\n" +
		" yang dilipat\r\n" +
		"END:VALARM\r\n" +
		"END:VEVENT\r\n" +
		"BEGIN:VEVENT\r\n" +
		"DTSTART:20260101\r\n" +
		"SUMMARY:Tahun\r\n" +
		"  Baru\r\n" +
		"END:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	hs, err := ParseICal("libur.ics", strings.NewReader(ics))
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{{Date{2026, 1, 1}, "Tahun Baru"}, {Date{2026, 3, 20}, "Idul Fitri"}, {Date{2026, 3, 21}, "Idul Fitri"}}
	if len(hs) != len(want) {
		t.Fatalf("got %v", hs)
	}
	for i := range want {
		if hs[i] != want[i] {
			t.Errorf("%d: %v, want %v", i, hs[i], want[i])
		}
	}
	// Line numbers survive the skipped alarm.
	_, err = ParseICal("libur.ics", strings.NewReader("BEGIN:VEVENT\nBEGIN:VALARM\nTRIGGER:-PT1H\nEND:VALARM\nDTSTART;VALUE=DATE:2026XX01\nEND:VEVENT\n"))
	wantProblems(t, err, "libur.ics", problemWant{5, "ics.date", "DTSTART"})
	_, err = ParseICal("libur.ics", strings.NewReader("BEGIN:VEVENT\nDTSTART:20260817T080000Z\nSUMMARY:Upacara\nEND:VEVENT\n"))
	wantProblems(t, err, "libur.ics", problemWant{1, "ics.timed", `event "Upacara" has a time of day`})
}

// The parsers never panic, and what they accept is a clean table.
func FuzzParseHolidaysCSV(f *testing.F) {
	for _, s := range []string{"2026-08-17,Kemerdekaan\n", "tanggal;nama\n1/1/2026;x\n", "\"", "a,\"b\"\"c\"\n", "#\n\n,\n", "\uFEFF17-08-2026,x,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hs, err := ParseHolidaysCSV("libur.csv", strings.NewReader(s))
		if err != nil {
			return
		}
		checkTable(t, hs)
	})
}

func FuzzParseICal(f *testing.F) {
	for _, s := range []string{"BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260817\nDTEND;VALUE=DATE:20260819\nSUMMARY:x\nEND:VEVENT\n",
		"BEGIN:VEVENT\nDTSTART:20260101\nDURATION:P2W\nEND:VEVENT", "BEGIN:VEVENT\nBEGIN:VALARM\nEND:VEVENT\nEND:VALARM\n",
		"BEGIN:VEVENT\r\nSUMMARY;LANGUAGE=\"a:b\":c\r\n \r\nDTSTART:20261231\r\nEND:VEVENT\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hs, err := ParseICal("libur.ics", strings.NewReader(s))
		if err != nil {
			return
		}
		checkTable(t, hs)
	})
}

func checkTable(t *testing.T, hs []Holiday) {
	t.Helper()
	for i, h := range hs {
		if _, err := ParseDate(h.Date.String()); err != nil {
			t.Fatalf("invalid date %v", h.Date)
		}
		if h.Name == "" || strings.ContainsAny(h.Name, "\r\n\x00") {
			t.Fatalf("bad name %q", h.Name)
		}
		if i > 0 && !hs[i-1].Date.Before(h.Date) {
			t.Fatalf("not in order or duplicate: %v", hs)
		}
	}
}
