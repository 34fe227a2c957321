// Package sop holds the offices' standard operating procedures for an e-mail account
// request: the steps, who does each, the time standard of each (the "Mutu Baku / Waktu"
// column of the seeds), and the working calendar on which those standards are measured.
//
// A Definition is data: it is loaded from YAML (Load) and the four SOPs of the seed
// documents ship as presets (Presets). A Calendar turns a step's time standard into a due
// time (AddWorking), measures elapsed working time (WorkingBetween) and stops the clock
// while a request waits for the applicant (Clock). SVG draws a Definition as a swimlane
// diagram like the "diagram alir" of the seeds.
//
// The package is pure domain: no database, no HTTP.
package sop

import (
	"fmt"
	"strings"
	"time"
)

// Definition is one office's SOP for an e-mail account request.
type Definition struct {
	Slug string // tenant-unique identifier: lower-case letters, digits and hyphens
	Name string // title shown to staff and applicants
	// Source cites the document the SOP comes from (number, date), for display.
	Source string
	// TimeZone is an IANA name without daylight saving time: Asia/Jakarta (WIB),
	// Asia/Pontianak (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT).
	TimeZone string
	loc      *time.Location // TimeZone, loaded by Load
	// Hours are the working hours per weekday, indexed by time.Weekday (Sunday = 0); a
	// day without spans is closed.
	Hours [7][]Span
	// Total is the completion time the SOP promises as a whole ("Waktu Penyelesaian"),
	// if it states one; Load checks that the steps' standards fit in it.
	Total Standard
	// Service is the catalogue service the SOP is for: "email" (the default, the
	// tenant's own SOP) or one of the domain services, whose SOPs are presets under
	// presets/services (ServicePreset) run on the tenant's working calendar.
	Service string
	Steps   []Step
	// Services are the flows of the services acting on an existing mailbox (reset,
	// deactivation, reactivation, quota), by service code; see Flow.
	Services map[string][]Step
}

// Step is one activity of the SOP: one task in the back office, with its own SLA.
type Step struct {
	Key string // stable identifier within the SOP: lower-case letters, digits, underscores
	// Name is the activity as the seed words it ("Nama Proses"), in Indonesian.
	Name string
	// NameEN is the English rendering of Name, for the English interface; may be empty.
	NameEN string
	Role   Role
	// Jabatan is the title of the person holding the role in this office, for display
	// ("Kepala Bidang Aptika"); empty shows the role's generic label.
	Jabatan string
	// JabatanEN is Jabatan in English, for the English interface; may be empty.
	JabatanEN string
	Kind      Kind
	// Standard is the time standard; zero only for a Done step.
	Standard Standard
	// Requirements is the seed's "Persyaratan/Kelengkapan" column; may be empty.
	Requirements string
	// Output is the seed's "Output" column: the document or result the step produces.
	Output string
	// OutputEN is Output in English, for the English interface; may be empty.
	OutputEN string
}

// OutputIn is the step's output in lang ("id" or "en"), falling back to the Indonesian.
func (s Step) OutputIn(lang string) string {
	if lang == "en" && s.OutputEN != "" {
		return s.OutputEN
	}
	return s.Output
}

// JabatanIn is the office's title for the step's performer in lang: JabatanEN in
// English when the SOP gives it, else Jabatan as written.
func (s Step) JabatanIn(lang string) string {
	if lang == "en" && s.JabatanEN != "" {
		return s.JabatanEN
	}
	return s.Jabatan
}

// Who is who performs the step in lang: the office's title for it (Jabatan, or
// JabatanEN in English). An office's title without an English one stays as written,
// after the role's generic label.
func (s Step) Who(lang string) string {
	switch {
	case s.Jabatan == "":
		return s.Role.Label(lang)
	case lang == "en" && s.JabatanEN != "":
		return s.JabatanEN
	case lang == "en" && !strings.EqualFold(s.Jabatan, s.Role.Label(lang)):
		return s.Role.Label(lang) + " (" + s.Jabatan + ")"
	}
	return s.Jabatan
}

// Label is the step's name in lang ("id" or "en"), falling back to the Indonesian.
func (s Step) Label(lang string) string {
	if lang == "en" && s.NameEN != "" {
		return s.NameEN
	}
	return s.Name
}

// Role is who performs a step. The back office gives each staff member the tasks of
// their roles.
type Role string

// The roles.
const (
	RolePemohon      Role = "pemohon"       // the applicant (PNS/ASN or perangkat desa)
	RoleFrontDesk    Role = "front_desk"    // receives walk-in and letter requests
	RoleKepalaDinas  Role = "kepala_dinas"  // Kadis: head of the Diskominfo
	RoleKepalaBidang Role = "kepala_bidang" // Kabid: head of division
	RoleKepalaSeksi  Role = "kepala_seksi"  // Kasi: head of section
	RoleAdminMail    Role = "admin_mail"    // mail server or system admin, technical support
	RoleTenantAdmin  Role = "tenant_admin"  // administrator of the office's surel tenant
	// RolePengaduan handles complaints (internal/complaint); a tenant admin may hold it.
	RolePengaduan Role = "pengaduan"
)

var roles = []Role{RolePemohon, RoleFrontDesk, RoleKepalaDinas, RoleKepalaBidang, RoleKepalaSeksi, RoleAdminMail, RolePengaduan, RoleTenantAdmin}

// AllRoles lists every role in a fixed order, for forms.
func AllRoles() []Role { return append([]Role(nil), roles...) }

var roleLabels = map[Role][2]string{
	RolePemohon:      {"Pemohon", "Applicant"},
	RoleFrontDesk:    {"Petugas Pelayanan", "Front desk"},
	RoleKepalaDinas:  {"Kepala Dinas", "Head of agency"},
	RoleKepalaBidang: {"Kepala Bidang", "Head of division"},
	RoleKepalaSeksi:  {"Kepala Seksi", "Head of section"},
	RoleAdminMail:    {"Admin Mail Server", "Mail server admin"},
	RoleTenantAdmin:  {"Admin Tenant", "Tenant admin"},
	RolePengaduan:    {"Petugas Pengaduan", "Complaints officer"},
}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { _, ok := roleLabels[r]; return ok }

// Label is the role's generic title in lang ("id" or "en").
func (r Role) Label(lang string) string {
	l, ok := roleLabels[r]
	if !ok {
		return string(r)
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// Kind says what the system does at a step, beyond recording who did it and when.
type Kind string

// The kinds.
const (
	// KindSubmit is the request entering the SOP: by the applicant on the portal, or by
	// the front desk on the applicant's behalf. Always the first step.
	KindSubmit Kind = "submit"
	// KindManual is a decision by staff: forward/dispose with a note, return to the
	// applicant for correction, reject with a reason, or approve.
	KindManual Kind = "manual"
	// KindCapacityCheck is a manual decision shown with the mail server's capacity
	// (accounts and quota used against the limit), seed 004 step 3.
	KindCapacityCheck Kind = "capacity_check"
	// KindProvision creates the mailbox on the mail server.
	KindProvision Kind = "provision"
	// KindAccountTest logs in to the new mailbox (seed 003 step 4).
	KindAccountTest Kind = "account_test"
	// KindDeliver hands the address and credentials to the applicant.
	KindDeliver Kind = "deliver"
	// KindReport records the account count after the addition (seed 004 step 5).
	KindReport Kind = "report"
	// KindArchive files the report and the request (seed 004 step 6).
	KindArchive Kind = "archive"
	// KindVerifyInstansi is a manual decision on a Verifikasi Instansi request: its
	// forward records the applicant's verified instansi (internal/domains).
	KindVerifyInstansi Kind = "verify_instansi"
	// KindPayment confirms the registry's fee was paid, with the uploaded proof, or
	// that the tenant's desa.id names are free.
	KindPayment Kind = "payment"
	// KindRegistry activates a desa.id name with the registry's reference: typed by
	// staff, or filed and followed through the tenant's registrar (a job).
	KindRegistry Kind = "registry"
	// KindDNSCreate writes a sub-domain's records on the tenant's DNS server (a job).
	KindDNSCreate Kind = "dns_create"
	// KindDNSTest asks the DNS server for the new name (a job, like the account test).
	KindDNSTest Kind = "dns_test"
	// KindDNSRemove removes a sub-domain's records from the DNS server (a job).
	KindDNSRemove Kind = "dns_remove"
	// KindDone closes the request. Optional; if present, the last step, without a time
	// standard.
	KindDone Kind = "done"
)

var kinds = []Kind{KindSubmit, KindManual, KindCapacityCheck, KindProvision, KindAccountTest, KindDeliver, KindReport, KindArchive, KindDone,
	KindResetPassword, KindDeactivate, KindReactivate, KindQuotaChange, KindHandover, KindPurge, KindClaim,
	KindVerifyInstansi, KindPayment, KindRegistry, KindDNSCreate, KindDNSTest, KindDNSRemove}

// AllKinds lists every kind in a fixed order, for forms.
func AllKinds() []Kind { return append([]Kind(nil), kinds...) }

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	for _, x := range kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Location loads the definition's time zone.
func (d Definition) Location() (*time.Location, error) {
	if d.loc != nil {
		return d.loc, nil
	}
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("sop %s: time zone: %w", d.Slug, err)
	}
	return loc, nil
}

// Calendar is the definition's working calendar with the given holidays (for example
// DefaultHolidays, or the tenant's edited table).
func (d Definition) Calendar(holidays map[Date]string) (*Calendar, error) {
	loc, err := d.Location()
	if err != nil {
		return nil, err
	}
	return &Calendar{Loc: loc, Hours: d.Hours, Holidays: holidays}, nil
}

// ZoneAbbrev is the Indonesian abbreviation of the time zone (WIB, WITA, WIT), or the
// zone's own abbreviation elsewhere.
func (d Definition) ZoneAbbrev() string {
	loc, err := d.Location()
	if err != nil {
		return d.TimeZone
	}
	name, _ := time.Date(2026, 1, 1, 12, 0, 0, 0, loc).Zone()
	return name
}

// Stamp is t as surel shows and prints a time to people: the wall clock of loc as
// "02-01-2006 15:04" and the zone's abbreviation (WIB, WITA, WIT), so that a time on a
// Kaltim receipt can never be read as Jakarta time.
func Stamp(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("02-01-2006 15:04 MST")
}

// Stamp is t in the office's time zone (Stamp); in UTC, so named, if the zone does not
// load.
func (d Definition) Stamp(t time.Time) string {
	loc, err := d.Location()
	if err != nil {
		loc = time.UTC
	}
	return Stamp(t, loc)
}

// Step returns the step with the given key.
func (d Definition) Step(key string) (Step, bool) {
	for _, s := range d.Steps {
		if s.Key == key {
			return s, true
		}
	}
	return Step{}, false
}
