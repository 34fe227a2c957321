// Package setup keeps what a tenant admin sets on the first-run page
// (/kantor/pengaturan/awal): the office's name, its mail domain, the SOP preset, the
// working hours and the mail server, so that a new office need not write YAML for its
// first steps.
//
// Precedence (docs/configuration.md, "First-run settings"): a setting the tenant file
// (SUREL_CONFIG) gives is the file's, and the page shows it read-only; the file is the
// source for automation. A setting the file leaves out is the page's once saved, else
// the built-in default. Working hours and their time zone apply over the preset's while
// the tenant follows a preset; an SOP of its own (/kantor/sop) carries its own hours.
//
// The mail server's secret (Zimbra's admin password, cPanel's API token) is sealed with
// the deployment's secret key like a new mailbox's first password (internal/seal), never
// shown back on the page and never logged.
package setup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/seal"
	"github.com/surel-id/surel/internal/sop"
)

// Settings are a tenant's first-run settings. An empty field is not set: the tenant
// file's value or the default applies.
type Settings struct {
	Name       string
	MailDomain string
	// SOP is the preset's slug: kominfo, pematangsiantar, palangkaraya or kaltim.
	SOP string
	// TimeZone and Hours replace the preset's working calendar: an IANA zone and one
	// day's hours per weekday (sop.ParseSpans: "08:00-16:00", "closed"), Sunday first.
	// Hours are kept only when they differ from the preset's.
	TimeZone string
	Hours    [7]string
	Mail     Mail
	// UpdatedAt and UpdatedBy are the last save's; zero before the first.
	UpdatedAt time.Time
	UpdatedBy int64
}

// Mail is the mail server as the page sets it; Driver empty leaves the tenant's.
type Mail struct {
	Driver         string `json:"driver"`
	PasswordScheme string `json:"password_scheme,omitempty"`
	// URL and User are Zimbra's admin service and admin account, or cPanel's address
	// and account.
	URL  string `json:"url,omitempty"`
	User string `json:"user,omitempty"`
	// COS is Zimbra's class of service for new accounts.
	COS           string `json:"cos,omitempty"`
	TLSServerName string `json:"tls_server_name,omitempty"`
	IMAPAddr      string `json:"imap_addr,omitempty"`
	WebmailURL    string `json:"webmail_url,omitempty"`
	// Secret is Zimbra's admin password or cPanel's token: kept sealed, never shown.
	Secret string `json:"-"`
}

// Record is Settings as the store keeps them: the mail server's settings as JSON, its
// secret sealed.
type Record struct {
	Name, MailDomain, SOP, TimeZone string
	Hours                           string // "sun=closed;mon=08:00-16:00;…", empty: the preset's
	Mail                            string // Mail as JSON, empty: not set
	Secret                          string // sealed
	UpdatedAt                       time.Time
	UpdatedBy                       int64
}

// Store keeps the settings; internal/store implements it. Methods called with the ctx
// given to Tx's fn run in that transaction.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	// TenantSetup is the tenant's saved settings; an error wrapping errs.ErrNotFound
	// before the first save.
	TenantSetup(ctx context.Context, tenantID int64) (Record, error)
	// SaveTenantSetup stores them and tells the other processes (their tenants and mail
	// servers are rebuilt).
	SaveTenantSetup(ctx context.Context, tenantID int64, r Record) error
}

// Service reads and saves the settings.
type Service struct {
	Store Store
	// Seal keeps the mail server's secret.
	Seal  *seal.Box
	Audit audit.Writer
	Now   func() time.Time
}

// Presets are the SOP presets the page offers, in the order the docs list them.
var Presets = []string{"kominfo", "pematangsiantar", "palangkaraya", "kaltim"}

// Zones are the time zones the page offers: WIB, WITA, WIT.
var Zones = []string{"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}

// Drivers are the mail server drivers (docs/mail-server.md).
var Drivers = []string{"sql", "zimbra", "cpanel"}

// Days are the hours' keys in time.Weekday order.
var Days = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// sealContext binds the sealed secret to its tenant's row.
func sealContext(tenantID int64) string { return fmt.Sprintf("tenant-setup:%d", tenantID) }

// Get is the tenant's saved settings, with the secret opened; saved is false before the
// first save. A secret that no longer opens (the key changed) is left empty: the page
// asks for it again.
func (s *Service) Get(ctx context.Context, tenantID int64) (set Settings, saved bool, err error) {
	r, err := s.Store.TenantSetup(ctx, tenantID)
	if errors.Is(err, errs.ErrNotFound) {
		return Settings{}, false, nil
	}
	if err != nil {
		return Settings{}, false, fmt.Errorf("setup: %w", err)
	}
	set = Settings{Name: r.Name, MailDomain: r.MailDomain, SOP: r.SOP, TimeZone: r.TimeZone, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}
	set.Hours = parseHours(r.Hours)
	if r.Mail != "" {
		if err := json.Unmarshal([]byte(r.Mail), &set.Mail); err != nil {
			return Settings{}, false, fmt.Errorf("setup: tenant %d mail server: %w", tenantID, err)
		}
	}
	if r.Secret != "" && s.Seal != nil {
		set.Mail.Secret, _ = s.Seal.Open(r.Secret, sealContext(tenantID))
	}
	return set, true, nil
}

// parseHours reads the stored hours; an empty text is the preset's (all empty).
func parseHours(text string) (h [7]string) {
	for part := range strings.SplitSeq(text, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		for i, d := range Days {
			if d == k {
				h[i] = v
			}
		}
	}
	return h
}

func formatHours(h [7]string) string {
	if h == ([7]string{}) {
		return ""
	}
	parts := make([]string, 7)
	for i, d := range Days {
		parts[i] = d + "=" + h[i]
	}
	return strings.Join(parts, ";")
}

// PresetHours is a preset's hours as the page shows them, Sunday first.
func PresetHours(def sop.Definition) (h [7]string) {
	for i, spans := range def.Hours {
		h[i] = SpansText(spans)
	}
	return h
}

// SpansText writes one day's hours as ParseSpans reads them.
func SpansText(spans []sop.Span) string {
	if len(spans) == 0 {
		return "closed"
	}
	parts := make([]string, len(spans))
	for i, sp := range spans {
		parts[i] = sp.String()
	}
	return strings.Join(parts, ", ")
}

// Save checks in against the rules and stores it as the tenant's settings, with its
// audit entry (setup.save, naming the settings changed, never the secret) in the same
// transaction. base is the tenant as the tenant file or the default gives it: the
// settings it manages (config.Tenant.Managed) are not the page's and are not stored. An
// empty in.Mail.Secret keeps the stored secret of the same driver. Refused input comes
// back as errs.Fields named after the form's fields.
func (s *Service) Save(ctx context.Context, tenantID int64, base config.Tenant, in Settings, by audit.Actor) (Settings, error) {
	old, _, err := s.Get(ctx, tenantID)
	if err != nil {
		return Settings{}, err
	}
	in = Normalize(in)
	if in.Mail.Secret == "" && in.Mail.Driver == old.Mail.Driver {
		in.Mail.Secret = old.Mail.Secret
	}
	for _, k := range base.Managed {
		switch k {
		case "name":
			in.Name = ""
		case "mail_domain":
			in.MailDomain = ""
		case "sop":
			in.SOP = ""
		case "mail_server":
			in.Mail = Mail{}
		}
	}
	if err := Check(base, in); err != nil {
		return Settings{}, err
	}
	// Hours equal to the preset's are not kept: a later change of preset brings its own.
	preset := in.SOP
	if preset == "" {
		preset = base.SOP
	}
	if def, ok := sop.Preset(presetOr(preset)); ok {
		if sameHours(in.Hours, PresetHours(def)) {
			in.Hours = [7]string{}
		}
		if in.TimeZone == def.TimeZone {
			in.TimeZone = ""
		}
	}
	in.UpdatedAt, in.UpdatedBy = s.now(), by.ID
	rec := Record{Name: in.Name, MailDomain: in.MailDomain, SOP: in.SOP, TimeZone: in.TimeZone, Hours: formatHours(in.Hours),
		UpdatedAt: in.UpdatedAt, UpdatedBy: by.ID}
	if in.Mail.Driver != "" {
		b, _ := json.Marshal(in.Mail)
		rec.Mail = string(b)
		if in.Mail.Secret != "" && s.Seal != nil {
			rec.Secret = s.Seal.Seal(in.Mail.Secret, sealContext(tenantID))
		}
	}
	changed := Changed(old, in)
	err = s.Store.Tx(ctx, func(ctx context.Context) error {
		if err := s.Store.SaveTenantSetup(ctx, tenantID, rec); err != nil {
			return fmt.Errorf("setup: save: %w", err)
		}
		if s.Audit == nil {
			return nil
		}
		return s.Audit.Record(ctx, by.Entry(tenantID, "setup.save", "tenant:"+base.Slug, strings.Join(changed, ", ")))
	})
	if err != nil {
		return Settings{}, err
	}
	return in, nil
}

func presetOr(slug string) string {
	if slug == "" {
		return "kominfo"
	}
	return slug
}

// sameHours compares two weeks of hours as the calendar reads them.
func sameHours(a, b [7]string) bool {
	for i := range a {
		x, err1 := sop.ParseSpans(a[i])
		y, err2 := sop.ParseSpans(b[i])
		if err1 != nil || err2 != nil || SpansText(x) != SpansText(y) {
			return false
		}
	}
	return true
}

// Changed names the settings that differ between a and b, for the audit trail: the
// secret by its name only.
func Changed(a, b Settings) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("name", a.Name != b.Name)
	add("mail_domain", a.MailDomain != b.MailDomain)
	add("sop", a.SOP != b.SOP)
	add("time_zone", a.TimeZone != b.TimeZone)
	add("hours", a.Hours != b.Hours)
	sa, sb := a.Mail.Secret, b.Mail.Secret
	a.Mail.Secret, b.Mail.Secret = "", ""
	add("mail_server", a.Mail != b.Mail)
	add("mail_secret", sa != sb)
	sort.Strings(out)
	return out
}

// Normalize trims what was typed and lower-cases the domain.
func Normalize(in Settings) Settings {
	in.Name = strings.TrimSpace(in.Name)
	in.MailDomain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(in.MailDomain)), ".")
	in.SOP = strings.TrimSpace(in.SOP)
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	for i := range in.Hours {
		in.Hours[i] = strings.TrimSpace(in.Hours[i])
		if strings.EqualFold(in.Hours[i], "libur") || strings.EqualFold(in.Hours[i], "tutup") {
			in.Hours[i] = "closed"
		}
	}
	m := &in.Mail
	m.Driver, m.PasswordScheme = strings.TrimSpace(m.Driver), strings.TrimSpace(m.PasswordScheme)
	m.URL, m.User, m.COS = strings.TrimSpace(m.URL), strings.TrimSpace(m.User), strings.TrimSpace(m.COS)
	m.TLSServerName, m.IMAPAddr, m.WebmailURL = strings.TrimSpace(m.TLSServerName), strings.TrimSpace(m.IMAPAddr), strings.TrimSpace(m.WebmailURL)
	m.Secret = strings.TrimSpace(m.Secret)
	return in
}

// Check refuses settings the tenant could not run with, naming each form field and its
// rule (the rules' messages are rule.<name> in internal/i18n).
func Check(base config.Tenant, in Settings) error {
	var fs errs.Fields
	if !base.Manages("name") && len(in.Name) > 200 {
		fs.Add("tenant_name", "max_len", 200)
	}
	if d := in.MailDomain; d != "" && !validDomain(d) {
		fs.Add("mail_domain", "domain_name")
	}
	if in.SOP != "" && !contains(Presets, in.SOP) {
		fs.Add("sop_preset", "choose")
	}
	if in.TimeZone != "" && !contains(Zones, in.TimeZone) {
		fs.Add("time_zone", "choose")
	}
	if in.Hours != ([7]string{}) {
		open := false
		for i, h := range in.Hours {
			field := "hours_" + Days[i]
			spans, err := sop.ParseSpans(h)
			switch {
			case h == "":
				fs.Add(field, "required")
			case err != nil:
				fs.Add(field, "hours")
			case len(spans) > 0:
				open = true
			}
		}
		if !open && !fs.Has("hours_mon") {
			fs.Add("hours_mon", "hours_none")
		}
	}
	checkMail(&fs, in.Mail)
	return fs.Err()
}

func checkMail(fs *errs.Fields, m Mail) {
	if m.Driver == "" {
		return
	}
	if !contains(Drivers, m.Driver) {
		fs.Add("mail_driver", "choose")
		return
	}
	if m.Driver == "sql" && m.PasswordScheme != "" && m.PasswordScheme != "ARGON2ID" && m.PasswordScheme != "BLF-CRYPT" {
		fs.Add("mail_password_scheme", "choose")
	}
	if m.Driver == "zimbra" || m.Driver == "cpanel" {
		u, err := url.Parse(m.URL)
		switch {
		case m.URL == "":
			fs.Add("mail_url", "required")
		case err != nil || u.Scheme != "https" || u.Host == "":
			fs.Add("mail_url", "https_url")
		case m.Driver == "cpanel" && u.Path != "" && u.Path != "/":
			fs.Add("mail_url", "https_url")
		}
		if m.User == "" {
			fs.Add("mail_user", "required")
		}
		if m.Secret == "" {
			fs.Add("mail_secret", "required")
		}
		if n := m.TLSServerName; n != "" && (strings.ContainsAny(n, "/: ") || !strings.Contains(n, ".")) {
			fs.Add("mail_tls_server_name", "domain_name")
		}
	}
	if m.IMAPAddr != "" {
		hp := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(m.IMAPAddr, "imaps://"), "imap://"), "/")
		if _, _, err := net.SplitHostPort(hp); err != nil {
			fs.Add("mail_imap_addr", "host_port")
		}
	}
	if m.WebmailURL != "" {
		if u, err := url.Parse(m.WebmailURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fs.Add("mail_webmail_url", "http_url")
		}
	}
}

// validDomain is a mail domain: two or more DNS labels of a–z, digits and hyphens.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Apply is the tenant base with the settings over it: those the tenant file manages stay
// the file's. The mail server keeps base's limits, call bound, retention and LMTP
// address, which the page does not set, and passes config.CheckMailServer as the file's
// does (its defaults, Zimbra's admin path).
func Apply(base config.Tenant, set Settings) (config.Tenant, error) {
	t := base
	if set.Name != "" && !base.Manages("name") {
		t.Name = set.Name
	}
	if set.MailDomain != "" && !base.Manages("mail_domain") {
		t.MailDomain = set.MailDomain
	}
	if set.SOP != "" && !base.Manages("sop") {
		t.SOP = set.SOP
	}
	if m := set.Mail; m.Driver != "" && !base.Manages("mail_server") {
		ms := config.MailServer{Driver: m.Driver, PasswordScheme: m.PasswordScheme, IMAPAddr: m.IMAPAddr, WebmailURL: m.WebmailURL,
			LMTPAddr: base.Mail.LMTPAddr, MaxCalls: base.Mail.MaxCalls, RetentionDays: base.Mail.RetentionDays, Limits: base.Mail.Limits}
		tls := config.TLS{ServerName: m.TLSServerName}
		switch m.Driver {
		case "zimbra":
			ms.Zimbra = config.ZimbraServer{URL: m.URL, AdminUser: m.User, AdminPassword: m.Secret, COS: m.COS, TLS: tls}
		case "cpanel":
			ms.CPanel = config.CPanelServer{URL: m.URL, User: m.User, Token: m.Secret, TLS: tls}
		}
		if errs := config.CheckMailServer("mail_server", &ms); len(errs) > 0 {
			return base, fmt.Errorf("setup: tenant %s: %v", base.Slug, errs[0])
		}
		t.Mail = ms
	}
	return t, nil
}

// Calendar is the working calendar the settings give over the tenant's preset: the
// time zone ("" keeps the preset's) and the hours (nil keeps the preset's).
func (set Settings) Calendar() (zone string, hours *[7][]sop.Span) {
	if set.Hours == ([7]string{}) {
		return set.TimeZone, nil
	}
	var week [7][]sop.Span
	for i, h := range set.Hours {
		spans, err := sop.ParseSpans(h)
		if err != nil {
			return set.TimeZone, nil
		}
		week[i] = spans
	}
	return set.TimeZone, &week
}

// TestResult is what "Tes koneksi" found: the mail server's capacity as its driver reads
// it, and the IMAP server's answer. The error texts are the servers' own, with the
// secret blanked.
type TestResult struct {
	// Config is the settings' refusal by the driver (a bad URL), before any call.
	Config string
	// Capacity is the driver's capacity read; CapacityErr its failure.
	Capacity    *mailbox.Capacity
	CapacityErr string
	// DomainNew: the sql driver does not serve the domain yet; saving adds it.
	DomainNew bool
	// IMAP is the login's outcome: IMAPOK (logged in), IMAPPending (password right,
	// change pending), IMAPGreeted (the server answers; no test mailbox given),
	// IMAPNone (no imap_addr), IMAPUnreachable (no greeting) or IMAPFailed (the login
	// failed); IMAPErr says why.
	IMAP    string
	IMAPErr string
}

// The outcomes of TestResult.IMAP.
const (
	IMAPOK      = "ok"
	IMAPPending = "pending"
	IMAPGreeted = "greeted"
	IMAPNone    = "none"
	IMAPFailed  = "failed"
	// IMAPUnreachable is a server that did not greet.
	IMAPUnreachable = "unreachable"
)

// OK reports whether every part of the test passed (a greeting without a login counts).
func (r TestResult) OK() bool {
	return r.Config == "" && r.CapacityErr == "" && r.IMAP != IMAPFailed && r.IMAP != IMAPUnreachable
}

// Outcome is the result in a word, for the audit trail.
func (r TestResult) Outcome() string {
	if r.OK() {
		return "ok imap=" + r.IMAP
	}
	return "failed imap=" + r.IMAP
}

// Blank replaces every occurrence of secret in text, so that a server echoing what it
// was sent cannot put the secret on the page.
func Blank(text, secret string) string {
	if secret == "" {
		return text
	}
	return strings.ReplaceAll(text, secret, "••••")
}
