package sop

import (
	"fmt"
	"strings"
	"testing"
)

func hasRule(err error, rule string) bool {
	for _, e := range Problems(err) {
		if e.Rule == rule {
			return true
		}
	}
	return false
}

// problemSet renders the problems as "line rule" for comparison.
func problemSet(err error) []string {
	var out []string
	for _, e := range Problems(err) {
		out = append(out, fmt.Sprintf("%d %s", e.Line, e.Rule))
	}
	return out
}

const goodYAML = `slug: contoh
name: Contoh
time_zone: WITA
hours:
  mon-fri: "08:00-12:00, 13:00-16:00"
steps:
  - key: ajukan
    name: Mengajukan permohonan
    role: pemohon
    kind: submit
    standard: 15m
  - key: buat
    name: Membuat akun
    role: admin_mail
    kind: provision
    standard: 1-2h
    output: Akun email
`

func TestLoadGood(t *testing.T) {
	d, err := Load("contoh.yaml", []byte(goodYAML))
	if err != nil {
		t.Fatal(err)
	}
	if d.TimeZone != "Asia/Makassar" {
		t.Errorf("WITA read as %q", d.TimeZone)
	}
	want := []Span{{480, 720}, {780, 960}}
	for wd := 1; wd <= 5; wd++ {
		if fmt.Sprint(d.Hours[wd]) != fmt.Sprint(want) {
			t.Errorf("day %d: %v", wd, d.Hours[wd])
		}
	}
	if d.Hours[0] != nil || d.Hours[6] != nil {
		t.Errorf("weekend should be closed: %v %v", d.Hours[0], d.Hours[6])
	}
	if s := d.Steps[1].Standard; s != (Standard{1, 2, Hour}) || s.Deadline() != WorkingMinutes(120) {
		t.Errorf("standard %+v", s)
	}
	if d.HoursText("id") != "Sen–Jum 08.00–12.00, 13.00–16.00" {
		t.Errorf("HoursText = %q", d.HoursText("id"))
	}
	if err := d.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want []string // "line rule", in report order
	}{
		{"many", `slug: Bad Slug
name: Test
time_zone: Mars/Olympus
hours:
  mon-thu: "08:00-16:00"
  fri: "8-11:30"
  thu: "08:00-12:00"
  xyz: "08:00-12:00"
colour: blue
steps:
  - key: a
    name: Step A
    role: kabid
    kind: manual
    standard: 2x
  - key: a
    name: Step B
    role: admin_mail
    kind: provisioning
    standard: 1h
    extra: 1
`, []string{
			"1 slug.format", "3 time_zone.unknown", "6 hours.format", "7 hours.duplicate_day", "8 hours.day",
			"9 key.unknown", "10 kind.provision_missing", "13 role.unknown", "14 kind.submit_first",
			"15 standard.format", "16 step.key_duplicate", "19 kind.unknown", "21 key.unknown",
		}},
		{"syntax", "slug: x\nname: y: z\n", []string{"2 yaml.syntax"}},
		// yaml.v3 reports a bad indentation at the start of the enclosing block.
		{"indentation", "slug: x\nname: y\nsteps:\n  - key: a\n   name: b\n", []string{"3 yaml.syntax"}},
		{"tab", "slug: x\n\tname: y\n", []string{"2 yaml.syntax"}},
		{"empty document", "# nothing\n", []string{"1 document.empty"}},
		{"not a mapping", "- a\n- b\n", []string{"1 value.type"}},
		{"missing", "slug: x\n", []string{
			"1 value.missing", "1 value.missing", "1 hours.none", "1 steps.empty"}},
		{"empty steps", `slug: x
name: y
time_zone: Asia/Jakarta
hours: {mon: "08:00-16:00"}
steps: []
`, []string{"5 steps.empty"}},
		{"kinds", `slug: x
name: y
time_zone: Asia/Jayapura
hours:
  mon-fri: "08:00-16:00"
steps:
  - key: cek
    name: Memeriksa
    role: pemohon
    kind: manual
    standard: 1h
  - key: selesai
    name: Selesai
    role: pemohon
    kind: done
    standard: 1h
  - key: uji
    name: Menguji
    role: admin_mail
    kind: account_test
    standard: 30m
  - key: buat
    name: Membuat
    role: admin_mail
    kind: provision
  - key: kapasitas
    name: Cek kapasitas
    role: kepala_bidang
    kind: capacity_check
    standard: 1d
  - key: lagi
    name: Ajukan lagi
    role: pemohon
    kind: submit
    standard: 15m
`, []string{
			"9 role.pemohon_kind", "10 kind.submit_first", "15 kind.done_last", "16 standard.done",
			"20 kind.test_before_provision", "22 standard.missing", "29 kind.capacity_after_provision", "34 kind.submit_once",
		}},
		{"dst", strings.Replace(goodYAML, "WITA", "Europe/Amsterdam", 1), []string{"3 time_zone.dst"}},
		{"local zone", strings.Replace(goodYAML, "WITA", "Local", 1), []string{"3 time_zone.unknown"}},
		{"hours", `slug: x
name: y
time_zone: Asia/Jakarta
hours:
  mon: "16:00-08:00"
  tue: "08:00-12:00, 11:00-13:00"
  wed: "08:00-25:00"
  thu: closed
  fri-mon: "08:00-16:00"
  sat: [1, 2]
steps:
  - key: a
    name: a
    role: pemohon
    kind: submit
    standard: 1h
  - key: b
    name: b
    role: admin_mail
    kind: provision
    standard: 1h
`, []string{"4 hours.none", "5 hours.order", "6 hours.overlap", "7 hours.format", "9 hours.day", "10 value.type"}},
		{"total", strings.Replace(goodYAML, "steps:", "total: 1h\nsteps:", 1), []string{"6 total.exceeded"}},
		{"bad total", strings.Replace(goodYAML, "steps:", "total: soon\nsteps:", 1), []string{"6 standard.format"}},
		{"duplicate key", "slug: x\nslug: y\n" + strings.TrimPrefix(goodYAML, "slug: contoh\n"), []string{"2 key.duplicate"}},
		{"types", `slug: x
name: [a, b]
time_zone: Asia/Jakarta
hours: "08:00-16:00"
steps: abc
`, []string{"2 value.type", "4 value.type", "5 value.type"}}, // no cascade of "missing"
		{"step not a mapping", strings.Replace(goodYAML, "steps:\n", "steps:\n  - just text\n", 1), []string{"7 value.type", "11 kind.submit_once"}},
		{"bad key", strings.Replace(goodYAML, "key: buat", "key: Buat-Akun", 1), []string{"12 step.key_format"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.name+".yaml", []byte(tc.yaml))
			got := problemSet(err)
			if strings.Join(got, ", ") != strings.Join(tc.want, ", ") {
				t.Errorf("problems:\n got  %s\n want %s\nerror:\n%v", strings.Join(got, ", "), strings.Join(tc.want, ", "), err)
			}
			for _, e := range Problems(err) {
				if e.File != tc.name+".yaml" || !strings.HasPrefix(e.Error(), fmt.Sprintf("%s.yaml:%d:", tc.name, e.Line)) || !strings.HasSuffix(e.Error(), "["+e.Rule+"]") {
					t.Errorf("error text %q does not name file, line and rule", e.Error())
				}
			}
		})
	}
}

// The messages say what is wrong in words an operator can act on.
func TestLoadMessages(t *testing.T) {
	_, err := Load("kaltim.yaml", []byte(strings.Replace(goodYAML, "role: admin_mail", "role: kabid", 1)))
	want := `kaltim.yaml:14:11: steps[1].role: unknown role "kabid"; want one of pemohon, front_desk, kepala_dinas, kepala_bidang, kepala_seksi, admin_mail, pengaduan, tenant_admin [role.unknown]`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestValidateInCode(t *testing.T) {
	d, _ := Load("contoh.yaml", []byte(goodYAML))
	d.Steps[1].Role = "boss"
	d.Hours[1] = []Span{{600, 500}}
	err := d.Validate()
	if !hasRule(err, "role.unknown") || !hasRule(err, "hours.order") {
		t.Errorf("Validate: %v", err)
	}
	for _, e := range Problems(err) {
		if e.Line != 0 || e.File != "" || strings.HasPrefix(e.Error(), ":") {
			t.Errorf("in-code problem %q has a position", e.Error())
		}
	}
}

func TestParseStandard(t *testing.T) {
	for in, want := range map[string]Standard{
		"15m": {15, 15, Minute}, "30m": {30, 30, Minute}, "1h": {1, 1, Hour}, "1-3h": {1, 3, Hour},
		"1d": {1, 1, Day}, "1-4d": {1, 4, Day}, "90m": {90, 90, Minute}, "2-2d": {2, 2, Day},
	} {
		got, err := ParseStandard(in)
		if err != nil || got != want {
			t.Errorf("ParseStandard(%q) = %+v, %v", in, got, err)
		}
		if back, _ := ParseStandard(got.String()); back != got {
			t.Errorf("String(%q) = %q does not read back", in, got.String())
		}
	}
	for _, in := range []string{"", "15", "m", "0m", "3-1h", "1-h", "-1h", "1.5h", "+1h", "1 h", "1w", "1000d", "91d", "1-+2d", "１h"} {
		if s, err := ParseStandard(in); err == nil {
			t.Errorf("ParseStandard(%q) = %+v, want an error", in, s)
		}
	}
	for _, tc := range []struct{ in, id, en string }{
		{"15m", "15 menit", "15 min"},
		{"1h", "1 jam", "1 hour"},
		{"1-3h", "1–3 jam", "1–3 hours"},
		{"1d", "1 hari kerja", "1 working day"},
		{"1-4d", "1–4 hari kerja", "1–4 working days"},
	} {
		s, _ := ParseStandard(tc.in)
		if s.Text("id") != tc.id || s.Text("en") != tc.en {
			t.Errorf("%s: %q / %q", tc.in, s.Text("id"), s.Text("en"))
		}
	}
	if d, _ := ParseStandard("1-3h"); d.Deadline() != WorkingMinutes(180) {
		t.Errorf("1-3h deadline %v, want the upper bound", d.Deadline())
	}
	if d, _ := ParseStandard("1-4d"); d.Deadline() != WorkingDays(4) {
		t.Errorf("1-4d deadline %v", d.Deadline())
	}
}

func TestParseSpans(t *testing.T) {
	for in, want := range map[string]string{
		"08:00-16:00":                 "[08:00-16:00]",
		" 07:30 - 12:00 ,13:00-16:30": "[07:30-12:00 13:00-16:30]",
		"00:00-24:00":                 "[00:00-24:00]",
		"closed":                      "[]",
	} {
		got, err := ParseSpans(in)
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("ParseSpans(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "8:00-16:00", "08:00", "08:00-16:60", "24:30-25:00", "16:00-08:00", "08:00-08:00", "08:00-12:00,12:00-11:00", "08.00-16.00"} {
		if got, err := ParseSpans(in); err == nil {
			t.Errorf("ParseSpans(%q) = %v, want an error", in, got)
		}
	}
}
