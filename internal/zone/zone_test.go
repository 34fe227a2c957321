package zone_test

import (
	"errors"
	"testing"

	"github.com/surel-id/surel/internal/zone"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		rs   []zone.Record
		want string
	}{
		{[]zone.Record{{zone.A, "203.0.113.5"}}, ""},
		{[]zone.Record{{zone.A, "10.20.30.40"}, {zone.AAAA, "2001:db8::1"}}, ""},
		{[]zone.Record{{zone.CNAME, "apps.example.org"}}, ""},
		{nil, "zone_no_record"},
		{[]zone.Record{{zone.A, "2001:db8::1"}}, "zone_bad_address"},
		{[]zone.Record{{zone.AAAA, "203.0.113.5"}}, "zone_bad_address"},
		{[]zone.Record{{zone.A, "127.0.0.1"}}, "zone_bad_address"},
		{[]zone.Record{{zone.A, "0.0.0.0"}}, "zone_bad_address"},
		{[]zone.Record{{zone.A, "1.2.3"}}, "zone_bad_address"},
		{[]zone.Record{{zone.CNAME, "apps.example.org"}, {zone.A, "203.0.113.5"}}, "zone_cname_alone"},
		{[]zone.Record{{zone.CNAME, "localhost"}}, "zone_bad_host"},
		{[]zone.Record{{zone.CNAME, "-x.example.org"}}, "zone_bad_host"},
		{[]zone.Record{{zone.CNAME, "a_b.example.org"}}, "zone_bad_host"},
		{[]zone.Record{{"MX", "mail.example.org"}}, "zone_bad_type"},
	} {
		if got := zone.Check(c.rs); got != c.want {
			t.Errorf("Check(%v) = %q, want %q", c.rs, got, c.want)
		}
	}
}

func TestFormatParseSame(t *testing.T) {
	rs := []zone.Record{{zone.A, "203.0.113.5"}, {zone.AAAA, "2001:DB8:0::5"}}
	back, err := zone.Parse(zone.Format(rs))
	if err != nil || !zone.Same(back, rs) || back[1].Value != "2001:db8::5" {
		t.Fatalf("Parse(Format) = %v, %v", back, err)
	}
	if zone.Same(rs, rs[:1]) || !zone.Same([]zone.Record{{zone.CNAME, "A.Example.org."}}, []zone.Record{{zone.CNAME, "a.example.org"}}) {
		t.Fatal("Same is wrong")
	}
	if _, err := zone.Parse("A"); err == nil {
		t.Fatal("Parse accepted a record without value")
	}
}

func TestErrorsNameWhatToDo(t *testing.T) {
	err := zone.Fail(zone.ErrExists, "sipd.kota.go.id", "A 203.0.113.9")
	if !errors.Is(err, zone.ErrExists) || !zone.Permanent(err) {
		t.Fatal("kind lost")
	}
	if got := err.Error(); got != "nama sipd.kota.go.id sudah memiliki record di server DNS; pilih nama lain atau hapus record lama di server (jawaban server: A 203.0.113.9)" {
		t.Fatalf("message = %q", got)
	}
	if zone.Permanent(errors.New("i/o timeout")) || zone.Permanent(zone.Fail(zone.ErrNoRecords, "x", "")) {
		t.Fatal("a network error or a missing record is not permanent")
	}
	if !zone.InZone("a.kota.go.id", "kota.go.id") || zone.InZone("akota.go.id", "kota.go.id") {
		t.Fatal("InZone")
	}
}

// TestExplainReadsBackEachKind: a failed step keeps the error's text only, and the
// request's page reads its kind back to explain it in the viewer's language.
func TestExplainReadsBackEachKind(t *testing.T) {
	for _, kind := range []error{zone.ErrExists, zone.ErrBadKey, zone.ErrRefused, zone.ErrNotInZone, zone.ErrNoRecords} {
		msg := zone.Fail(kind, "sipd.kota.go.id", "rcode REFUSED").Error()
		got, answer := zone.Explain("workflow.dns_create: " + msg)
		if got != kind || answer != "rcode REFUSED" {
			t.Errorf("Explain(%q) = %v, %q", msg, got, answer)
		}
	}
	if got, _ := zone.Explain("connection refused"); got != nil {
		t.Errorf("another error explained as %v", got)
	}
}
