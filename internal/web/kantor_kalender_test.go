package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/sop"
)

func TestKantorCalendar(t *testing.T) {
	h, c := sopAdmin(t)
	tenant := h.a.Tenants.Default()
	holiday := func(d sop.Date) string {
		t.Helper()
		_, cal, err := h.a.Book.Workflow(t.Context(), tenant.SOPRef())
		if err != nil {
			t.Fatal(err)
		}
		return cal.Holidays[d]
	}
	r := h.do(c, "GET", "/kantor/kalender", nil)
	if r.status != 200 {
		t.Fatalf("GET: %d", r.status)
	}
	contains(t, r.body, "2026-08-17", "tabel libur nasional", "WIB (Asia/Jakarta)", "07:30-16:00", "07:30-16:30")

	// Add one, delete a national one: the tenant's table now rules.
	if r := h.postAs(c, "/kantor/kalender", url.Values{"action": {"add"}, "holiday_date": {"2026-07-07"}, "holiday_name": {"HUT Kota"}}); r.status != 303 {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	if r := h.postAs(c, "/kantor/kalender", url.Values{"action": {"delete"}, "holiday_date": {"2026-08-17"}}); r.status != 303 {
		t.Fatalf("delete: %d", r.status)
	}
	if holiday(sop.Date{Year: 2026, Month: 7, Day: 7}) != "HUT Kota" || holiday(sop.Date{Year: 2026, Month: 8, Day: 17}) != "" {
		t.Fatal("the calendar does not follow the edits")
	}
	if holiday(sop.Date{Year: 2026, Month: 1, Day: 1}) == "" {
		t.Fatal("the first edit did not start from the national table")
	}
	r = h.do(c, "GET", "/kantor/kalender", nil)
	contains(t, r.body, "HUT Kota", "Tabel libur milik kantor ini")

	// A bad date or an empty name is shown by its field.
	r = h.postAs(c, "/kantor/kalender", url.Values{"action": {"add"}, "holiday_date": {"31-02-2026"}, "holiday_name": {""}})
	if r.status != 422 {
		t.Fatalf("bad add: %d", r.status)
	}
	contains(t, r.body, `id="e-holiday_date"`, `id="e-holiday_name"`)

	// CSV import: a bad line refuses the file and names the line.
	r = h.postMultipart(c, "/kantor/kalender", url.Values{"action": {"import"}},
		upload{"holiday_file", "libur.csv", []byte("tanggal,nama\n09-01-2026,HUT Provinsi\n2026-13-01,Salah\n")})
	if r.status != 422 {
		t.Fatalf("bad CSV: %d", r.status)
	}
	contains(t, r.body, "libur.csv:3:1: date", "[holiday.date]", "1 baris bermasalah")
	if holiday(sop.Date{Year: 2026, Month: 1, Day: 9}) != "" {
		t.Fatal("a refused file was partly imported")
	}
	r = h.postMultipart(c, "/kantor/kalender", url.Values{"action": {"import"}},
		upload{"holiday_file", "libur.csv", []byte("tanggal;nama\n09/01/2026;HUT Provinsi\n")})
	if r.status != 303 {
		t.Fatalf("CSV: %d %s", r.status, r.body)
	}
	if holiday(sop.Date{Year: 2026, Month: 1, Day: 9}) != "HUT Provinsi" || holiday(sop.Date{Year: 2026, Month: 7, Day: 7}) != "HUT Kota" {
		t.Fatal("CSV import did not add to the table")
	}

	// iCalendar import, replacing the table.
	ics := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Natal dan\r\n  cuti bersama\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	r = h.postMultipart(c, "/kantor/kalender", url.Values{"action": {"import"}, "replace": {"1"}}, upload{"holiday_file", "libur.ics", []byte(ics)})
	if r.status != 303 {
		t.Fatalf("ics: %d %s", r.status, r.body)
	}
	for _, d := range []int{24, 25, 26} {
		if holiday(sop.Date{Year: 2026, Month: 12, Day: d}) != "Natal dan cuti bersama" {
			t.Errorf("12-%d not imported", d)
		}
	}
	if holiday(sop.Date{Year: 2026, Month: 1, Day: 9}) != "" {
		t.Error("replace kept the old rows")
	}
	r = h.postMultipart(c, "/kantor/kalender", url.Values{"action": {"import"}},
		upload{"holiday_file", "x.ics", []byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260817T080000\nSUMMARY:Upacara\nEND:VEVENT\n")})
	if r.status != 422 || !strings.Contains(r.body, "x.ics:2:1: event") {
		t.Fatalf("timed ics event: %d", r.status)
	}

	// Not text, too big, no file.
	if r := h.postMultipart(c, "/kantor/kalender", url.Values{"action": {"import"}}, upload{"holiday_file", "libur.csv", pngBytes(t, 4, 4)}); r.status != 422 ||
		!strings.Contains(r.body, "bukan teks") {
		t.Errorf("binary upload: %d", r.status)
	}
	big := []byte(strings.Repeat("2026-01-01,Tahun Baru\n", (1<<20)/22+10))
	if r := h.postMultipart(c, "/kantor/kalender", url.Values{"action": {"import"}}, upload{"holiday_file", "big.csv", big}); r.status != 422 {
		t.Errorf("big upload: %d", r.status)
	}
	if r := h.postMultipart(c, "/kantor/kalender", url.Values{"action": {"import"}}); r.status != 422 || !strings.Contains(r.body, `id="e-holiday_file"`) {
		t.Errorf("no file: %d", r.status)
	}
}
