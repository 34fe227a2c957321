package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/setup"
	"github.com/surel-id/surel/internal/sop"
)

// FirstRun is what the first-run page needs from the wiring (internal/app implements
// it): the tenant as the tenant file gives it, the switch to newly saved settings, and
// the connection test against the mail server that typed settings describe.
type FirstRun interface {
	// Base is the tenant as the tenant file (or the built-in default) gives it.
	Base(tenantID int64) (config.Tenant, bool)
	// Apply makes the tenant's saved settings the running ones.
	Apply(ctx context.Context, tenantID int64) error
	// TestConnection reads the capacity of the mail server set describes and logs in
	// to address over IMAP (or reads the greeting when address is empty).
	TestConnection(ctx context.Context, tenantID int64, set setup.Settings, address, password string) setup.TestResult
}

// firstRunData is the first-run page.
type firstRunData struct {
	// Managed marks the settings the tenant file gives (shown read-only).
	Managed map[string]bool
	// OwnSOP: the tenant edited its own SOP on /kantor/sop, whose hours apply.
	OwnSOP    bool
	Presets   []option
	Zones     []option
	Drivers   []option
	Schemes   []option
	HasSecret bool
	// Shown is the tenant as it runs, for the read-only settings.
	Shown config.Tenant
	Test  *testView
}

// option is one <option> of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// testView is "Tes koneksi"'s result in words.
type testView struct {
	OK               bool
	Config           string
	Capacity         string
	CapacityErr      string
	IMAP, IMAPErr    string
	Driver, IMAPAddr string
	TestedAt         string
}

// firstRunFields are the form's fields in page order, for the error summary.
var firstRunFields = []string{"tenant_name", "mail_domain", "sop_preset", "time_zone", "hours_mon", "hours_tue", "hours_wed", "hours_thu",
	"hours_fri", "hours_sat", "hours_sun", "mail_driver", "mail_password_scheme", "mail_url", "mail_user", "mail_secret", "mail_cos",
	"mail_tls_server_name", "mail_imap_addr", "mail_webmail_url", "test_address", "test_password"}

// GET /kantor/pengaturan/awal is the tenant admin's first-run page: name, mail domain,
// SOP preset, working hours and mail server, the tenant file's settings read-only.
func (s *Server) firstRunForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "setup.title")
	base, set, err := s.firstRunState(r)
	if err != nil {
		return err
	}
	p.Form = s.firstRunValues(r.Context(), p, base, set)
	d, err := s.firstRunPage(r.Context(), p, base, set)
	if err != nil {
		return err
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor_pengaturan_awal", p)
}

// POST /kantor/pengaturan/awal saves the settings (action=save) and makes them the
// running ones, or tests the connection to the mail server they describe (action=test)
// without saving; either way what was typed stays in the form, the secret excepted.
func (s *Server) firstRun(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "setup.title")
	base, old, err := s.firstRunState(r)
	if err != nil {
		return err
	}
	p.Form = r.PostForm
	in := firstRunInput(r.PostForm)
	m := staffOf(r)
	by := m.Actor().From(s.clientIP(r))
	if r.PostForm.Get("action") == "test" {
		in = setup.Normalize(in)
		if in.Mail.Secret == "" && in.Mail.Driver == old.Mail.Driver {
			in.Mail.Secret = old.Mail.Secret
		}
		d, err := s.firstRunPage(r.Context(), p, base, old)
		if err != nil {
			return err
		}
		if ok, wait := s.SetupTestLimit.Allow(m.Actor().Ref); !ok {
			formError(p, &errs.Error{Code: errs.TooMany, Key: "error.rate_limited", RetryAfter: wait})
			p.Data = d
			return s.render(w, r, http.StatusTooManyRequests, "kantor_pengaturan_awal", p)
		}
		if err := setup.Check(base, in); err != nil {
			formError(p, err)
			p.orderErrors(firstRunFields)
			p.Data = d
			return s.render(w, r, http.StatusUnprocessableEntity, "kantor_pengaturan_awal", p)
		}
		res := s.FirstRun.TestConnection(r.Context(), m.TenantID, in, r.PostForm.Get("test_address"), r.PostForm.Get("test_password"))
		if err := s.Workflow.Audit.Record(r.Context(), by.Entry(m.TenantID, "setup.test", "tenant:"+base.Slug, in.Mail.Driver+" "+res.Outcome())); err != nil {
			return err
		}
		d.Test = s.testView(p, res, in)
		p.Data = d
		return s.render(w, r, http.StatusOK, "kantor_pengaturan_awal", p)
	}
	if _, err := s.Setup.Save(r.Context(), m.TenantID, base, in, by); err != nil {
		status, ok := formError(p, err)
		if !ok {
			return err
		}
		p.orderErrors(firstRunFields)
		d, derr := s.firstRunPage(r.Context(), p, base, old)
		if derr != nil {
			return derr
		}
		p.Data = d
		return s.render(w, r, status, "kantor_pengaturan_awal", p)
	}
	if err := s.FirstRun.Apply(r.Context(), m.TenantID); err != nil {
		return err
	}
	s.setFlash(w, "flash.setup_saved", "")
	return redirect(w, r, "/kantor/pengaturan/awal")
}

// firstRunState is the tenant as the file gives it and its saved settings.
func (s *Server) firstRunState(r *http.Request) (config.Tenant, setup.Settings, error) {
	m := staffOf(r)
	base, ok := s.FirstRun.Base(m.TenantID)
	if !ok {
		return base, setup.Settings{}, errs.New(errs.NotFound, "error.not_found")
	}
	set, _, err := s.Setup.Get(r.Context(), m.TenantID)
	return base, set, err
}

// firstRunInput reads the form.
func firstRunInput(f url.Values) setup.Settings {
	in := setup.Settings{Name: f.Get("tenant_name"), MailDomain: f.Get("mail_domain"), SOP: f.Get("sop_preset"), TimeZone: f.Get("time_zone"),
		Mail: setup.Mail{Driver: f.Get("mail_driver"), PasswordScheme: f.Get("mail_password_scheme"), URL: f.Get("mail_url"), User: f.Get("mail_user"),
			COS: f.Get("mail_cos"), TLSServerName: f.Get("mail_tls_server_name"), IMAPAddr: f.Get("mail_imap_addr"), WebmailURL: f.Get("mail_webmail_url"),
			Secret: f.Get("mail_secret")}}
	for i, d := range setup.Days {
		in.Hours[i] = f.Get("hours_" + d)
	}
	return in
}

// firstRunValues are the form's values as the tenant runs: the saved settings, else the
// file's or the defaults. The secret is never among them.
func (s *Server) firstRunValues(ctx context.Context, p *Page, base config.Tenant, set setup.Settings) url.Values {
	t := p.Tenant
	v := url.Values{}
	v.Set("tenant_name", t.Name)
	v.Set("mail_domain", t.MailDomain)
	v.Set("sop_preset", t.SOP)
	ms := base.Mail
	if set.Mail.Driver != "" && !base.Manages("mail_server") {
		v.Set("mail_driver", set.Mail.Driver)
		v.Set("mail_password_scheme", set.Mail.PasswordScheme)
		v.Set("mail_url", set.Mail.URL)
		v.Set("mail_user", set.Mail.User)
		v.Set("mail_cos", set.Mail.COS)
		v.Set("mail_tls_server_name", set.Mail.TLSServerName)
		v.Set("mail_imap_addr", set.Mail.IMAPAddr)
		v.Set("mail_webmail_url", set.Mail.WebmailURL)
	} else {
		v.Set("mail_driver", ms.Driver)
		v.Set("mail_password_scheme", ms.PasswordScheme)
		v.Set("mail_imap_addr", ms.IMAPAddr)
		v.Set("mail_webmail_url", ms.WebmailURL)
		switch ms.Driver {
		case "zimbra":
			v.Set("mail_url", ms.Zimbra.URL)
			v.Set("mail_user", ms.Zimbra.AdminUser)
			v.Set("mail_cos", ms.Zimbra.COS)
			v.Set("mail_tls_server_name", ms.Zimbra.ServerName)
		case "cpanel":
			v.Set("mail_url", ms.CPanel.URL)
			v.Set("mail_user", ms.CPanel.User)
			v.Set("mail_tls_server_name", ms.CPanel.ServerName)
		}
	}
	// The hours and zone the calendar runs on.
	if def, _, err := s.Book.Workflow(ctx, t.SOPRef()); err == nil {
		v.Set("time_zone", def.TimeZone)
		for i, h := range setup.PresetHours(def) {
			if h == "closed" {
				h = p.T("setup.closed")
			}
			v.Set("hours_"+setup.Days[i], h)
		}
	}
	return v
}

// firstRunPage is the page's choices and read-only parts.
func (s *Server) firstRunPage(ctx context.Context, p *Page, base config.Tenant, set setup.Settings) (firstRunData, error) {
	d := firstRunData{Managed: map[string]bool{}, HasSecret: set.Mail.Secret != ""}
	for _, k := range base.Managed {
		d.Managed[k] = true
	}
	if base.Manages("mail_server") {
		d.HasSecret = true
	}
	_, custom, err := s.Book.Source(ctx, p.Tenant.SOPRef())
	if err != nil {
		return d, err
	}
	d.OwnSOP = custom
	d.Shown = base
	d.Shown.Name, d.Shown.MailDomain, d.Shown.SOP = p.Tenant.Name, p.Tenant.MailDomain, p.Tenant.SOP
	sel := func(field string, values []string, label func(string) string) []option {
		out := make([]option, len(values))
		for i, v := range values {
			out[i] = option{Value: v, Label: label(v), Selected: p.Form.Get(field) == v}
		}
		return out
	}
	d.Presets = sel("sop_preset", setup.Presets, func(v string) string {
		if def, ok := sop.Preset(v); ok {
			return def.Name
		}
		return v
	})
	d.Zones = sel("time_zone", setup.Zones, func(v string) string { return p.T("setup.zone." + v) })
	d.Drivers = sel("mail_driver", setup.Drivers, func(v string) string { return p.T("setup.driver." + v) })
	d.Schemes = sel("mail_password_scheme", []string{"ARGON2ID", "BLF-CRYPT"}, func(v string) string { return v })
	return d, nil
}

// testView puts a connection test's result in words.
func (s *Server) testView(p *Page, r setup.TestResult, in setup.Settings) *testView {
	v := &testView{OK: r.OK(), Config: r.Config, CapacityErr: r.CapacityErr, IMAPErr: r.IMAPErr, Driver: in.Mail.Driver, IMAPAddr: in.Mail.IMAPAddr,
		TestedAt: p.Time(time.Now())}
	if c := r.Capacity; c != nil {
		used := p.T("setup.test.used_unknown")
		if c.UsedBytes >= 0 {
			used = gbText(c.UsedBytes)
		}
		v.Capacity = p.T("setup.test.capacity_ok", c.Accounts, used)
		if r.DomainNew {
			v.Capacity += " " + p.T("setup.test.domain_new", in.MailDomain)
		}
	}
	switch r.IMAP {
	case "":
	case "none": // its text names no address
		v.IMAP = p.T("setup.test.imap_none")
	default:
		v.IMAP = p.T("setup.test.imap_"+r.IMAP, in.Mail.IMAPAddr)
	}
	return v
}
