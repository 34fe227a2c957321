package complaint

import (
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
)

func TestNumbers(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n := newNumber()
		if len(n) != 13 || NormalizeNumber(n) != n || seen[n] {
			t.Fatalf("number %q", n)
		}
		seen[n] = true
	}
	for in, want := range map[string]string{
		"adu 7kq2 m9xd": "ADU-7KQ2-M9XD", "7KQ2M9XD": "ADU-7KQ2-M9XD", "ADU-7KQ2-M9XO": "ADU-7KQ2-M9X0", "adu-ikq2-m9xl": "ADU-1KQ2-M9X1",
		"ADU-7KQ2-M9X": "", "ADU-7KQ2-M9XU": "", "": "", "ADU-7KQ2-M9XD-1": "",
	} {
		if got := NormalizeNumber(in); got != want {
			t.Errorf("NormalizeNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// The form's rules, each named by its field; a signed-in applicant gives no contact.
func TestFilingCheck(t *testing.T) {
	fields := func(err error) string {
		e, _ := errs.As(err)
		if e == nil {
			return ""
		}
		var out []string
		for _, f := range e.Fields {
			out = append(out, f.Name+":"+f.Rule)
		}
		return strings.Join(out, " ")
	}
	long := strings.Repeat("a", 4001)
	for _, tc := range []struct {
		f    Filing
		want string
	}{
		{Filing{}, "nama:required email:contact_one kategori:choose judul:required isi:required"},
		{Filing{Name: "Rina", Email: "rina@", Phone: "12", Category: "layanan", Subject: "x", Body: "pendek"}, "email:email phone:phone isi:min_len"},
		{Filing{Name: "Rina", Phone: "+62 812-3456-7890", Category: "petugas", Subject: "x", Body: long}, "isi:max_len"},
		{Filing{Name: "Rina", Email: "RINA@Example.com ", Category: "informasi", Subject: "Tanya", Body: "Berapa lama akun dibuat?\n\n\n\nTerima kasih"}, ""},
		{Filing{User: &account.User{Email: "siti@example.com"}, Category: "x", Subject: "Tanya", Body: "Berapa lama akun dibuat setelah dikirim?"}, "kategori:choose"},
	} {
		f := tc.f
		f.Clean()
		if got := fields(f.Check()); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
		}
	}
	f := Filing{Email: " RINA@Example.com", Phone: "+62 812-3456-7890", Body: "a\r\n\r\n\r\n  b  c\n"}
	f.Clean()
	if f.Email != "rina@example.com" || f.Phone != "081234567890" || f.Body != "a\n\nb c" {
		t.Errorf("cleaned: %+v", f)
	}
}

func TestSummaryAndSLA(t *testing.T) {
	cal := &sop.Calendar{Loc: time.UTC, Holidays: map[sop.Date]string{}}
	for d := time.Monday; d <= time.Friday; d++ {
		cal.Hours[d] = []sop.Span{{Start: 8 * 60, End: 16 * 60}}
	}
	mon := time.Date(2026, 7, 6, 9, 0, 0, 0, time.UTC)
	due := cal.AddWorking(mon, sop.WorkingDays(5))
	c := Complaint{Category: "informasi", Status: Open, CreatedAt: mon, Due: due}
	for now, want := range map[time.Time]SLA{mon.Add(time.Hour): SLAOk, due.Add(-time.Hour): SLASoon, due.Add(time.Minute): SLAOver} {
		if got := SLAOf(c, cal, now); got != want {
			t.Errorf("at %v: %s, want %s", now, got, want)
		}
	}
	closed := c
	closed.Status, closed.ClosedInTime = Closed, true
	if SLAOf(closed, cal, due.Add(time.Hour)) != SLAIn {
		t.Error("closed in time")
	}
	cs := []Complaint{
		{Category: "informasi", Status: Closed, AnsweredAt: mon, AnswerDays: 50, CloseDays: 200, ClosedInTime: true, Due: due},
		{Category: "informasi", Status: Closed, AnsweredAt: mon, AnswerDays: 100, CloseDays: 700, ClosedInTime: false, Due: due},
		{Category: "layanan", Status: Answered, AnsweredAt: mon, AnswerDays: 300, Due: mon},
		{Category: "petugas", Status: Open, Due: due},
	}
	s := Summarize(cs, mon.Add(time.Hour))
	if s.Filed != 4 || s.Answered != 3 || s.Closed != 2 || s.InTime != 1 || s.Overdue != 1 || s.ByCategory["informasi"].Closed != 2 ||
		s.ByStatus[Open] != 1 || s.ByCategory["layanan"].Overdue != 1 {
		t.Fatalf("%+v", s)
	}
	if m, _ := Quantile(s.AnswerDays, 0.5); m != 1 {
		t.Errorf("median first answer %v", m)
	}
	if p, _ := Quantile(s.CloseDays, 0.9); p != 7 {
		t.Errorf("p90 close %v", p)
	}
	if _, ok := Quantile(nil, 0.5); ok {
		t.Error("a quantile of nothing")
	}
	if Days(map[string]int{"layanan": 10}, "layanan") != 10 || Days(nil, "petugas") != 60 || Days(map[string]int{"layanan": 0}, "layanan") != 14 {
		t.Error("days")
	}
}
