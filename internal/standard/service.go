package standard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Service builds, keeps and prints the standard.
type Service struct {
	Store   Store
	Book    *sop.Book
	Catalog request.Catalog
	Reports Reports
	Staff   Staff
	Letters *letter.Service
	Audit   audit.Writer
	// Survey is the current satisfaction index (the Survei Kepuasan Masyarakat), nil
	// before any answer; a nil Survey leaves it out.
	Survey func(ctx context.Context, t account.Tenant, lang string) (*IKM, error)
	// Complaints are the complaints' categories and figures; nil leaves them out.
	Complaints ComplaintSource
	Now        func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Settings are the tenant's own settings as saved (empty components stay empty).
func (s *Service) Settings(ctx context.Context, tenantID int64) (Settings, error) {
	var set Settings
	body, err := s.Store.StandardSettings(ctx, tenantID)
	if errors.Is(err, errs.ErrNotFound) {
		return set, nil
	}
	if err != nil {
		return set, err
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return set, fmt.Errorf("standard settings of tenant %d: %w", tenantID, err)
	}
	return set, nil
}

// Save stores the settings m's tenant admin wrote, after cleaning and checking them,
// with its audit entry in the same transaction.
func (s *Service) Save(ctx context.Context, m staff.Member, set Settings) (Settings, error) {
	if !m.Has(sop.RoleTenantAdmin) {
		return set, errs.New(errs.Forbidden, "error.forbidden")
	}
	set = set.Clean()
	if err := set.Check(); err != nil {
		return set, err
	}
	body, err := json.Marshal(set)
	if err != nil {
		return set, err
	}
	return set, s.Store.Tx(ctx, func(ctx context.Context) error {
		if err := s.Store.SaveStandardSettings(ctx, m.TenantID, body, m.UserID, s.now()); err != nil {
			return err
		}
		if s.Audit == nil {
			return nil
		}
		return s.Audit.Record(ctx, m.Actor().Entry(m.TenantID, "standard.save", audit.Object("tenant", m.TenantID), "standar pelayanan"))
	})
}

// Build is tenant t's standard now, in lang.
func (s *Service) Build(ctx context.Context, t account.Tenant, lang string) (Standard, error) {
	def, _, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return Standard{}, err
	}
	saved, err := s.Settings(ctx, t.ID)
	if err != nil {
		return Standard{}, err
	}
	set := saved.WithDefaults()
	T := func(k string, a ...any) string { return i18n.T(lang, k, a...) }
	st := Standard{Office: t.Name, SOP: def.Name, Source: def.Source, At: s.now(), Zone: def.ZoneAbbrev() + " (" + def.TimeZone + ")",
		Hours: def.HoursText(lang), LaporURL: set.LaporURL}
	var procedure []Step
	for i, x := range def.Steps {
		who := x.Jabatan
		if who == "" {
			who = x.Role.Label(lang)
		}
		procedure = append(procedure, Step{N: i + 1, Name: x.Label(lang), Who: who, Time: x.Standard.Text(lang), Output: x.Output})
	}
	for _, o := range s.Catalog.Services {
		sv := Offering{Code: o.Code, Name: o.Name.In(lang), Description: o.Description.In(lang), Procedure: procedure,
			Time: TotalText(def, lang), Cost: set.Cost, Product: Lines(set.Product)}
		for _, k := range o.Kinds {
			rq := Requirements{Kind: k.Name.In(lang)}
			for _, f := range k.Fields {
				rq.Items = append(rq.Items, requirement(f, lang))
			}
			sv.Kinds = append(sv.Kinds, rq)
		}
		st.Services = append(st.Services, sv)
	}
	comp := func(key, text string) {
		st.Components = append(st.Components, Component{Key: key, Title: T("std.c." + key), Points: Lines(text)})
	}
	comp("legal_basis", set.LegalBasis)
	comp("complaints", set.Complaints)
	comp("facilities", set.Facilities)
	comp("competence", set.Competence)
	comp("supervision", set.Supervision)
	comp("guarantee", set.Guarantee)
	comp("security", set.Security)
	comp("evaluation", set.Evaluation)
	if st.Staff, err = s.staffCounts(ctx, t, lang); err != nil {
		return st, err
	}
	ms, err := s.Reports.Measured(ctx, t, 30, 90)
	if err != nil {
		return st, err
	}
	for _, m := range ms {
		x := Measured{Days: m.Days, Closed: m.Closed, InSLA: report.Show(m.InSLA, lang), Median: report.Show(m.Median, lang)}
		if !m.InSLA.Missing {
			v := m.InSLA.N
			x.Share = &v
		}
		st.Measured = append(st.Measured, x)
	}
	if s.Survey != nil {
		if st.IKM, err = s.Survey(ctx, t, lang); err != nil {
			return st, err
		}
	}
	if s.Complaints != nil {
		if st.Complaints, err = s.complaints(ctx, t, lang); err != nil {
			return st, err
		}
	}
	return st, nil
}

// complaintDays is the period the standard measures complaints over.
const complaintDays = 90

// complaints is the complaint handling's promise and figures, in lang.
func (s *Service) complaints(ctx context.Context, t account.Tenant, lang string) (*Complaints, error) {
	o, err := s.Complaints.Options(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	sum, err := s.Complaints.Recent(ctx, t, complaintDays)
	if err != nil {
		return nil, err
	}
	out := &Complaints{Days: complaintDays, Filed: sum.Filed, Closed: sum.Closed}
	for _, c := range o.Categories {
		out.Categories = append(out.Categories, ComplaintCategory{Key: c.Key, Name: i18n.T(lang, "complaint.cat."+c.Key), Days: c.Days,
			Text: sop.Standard{Min: c.Days, Max: c.Days, Unit: sop.Day}.Text(lang)})
	}
	share := report.PercentV(int64(sum.InTime), int64(sum.Closed))
	out.InTime = report.Show(share, lang)
	if !share.Missing {
		v := share.N
		out.Share = &v
	}
	days := func(xs []float64) string {
		v, ok := complaint.Quantile(xs, 0.5)
		return report.Show(report.DecimalV(v, ok), lang)
	}
	out.Median, out.FirstAnswer = days(sum.CloseDays), days(sum.AnswerDays)
	return out, nil
}

// requirement is a form field as a requirement in words: the document's label for an
// upload, with its file types and size; the field's label otherwise.
func requirement(f request.Field, lang string) string {
	label := f.Label.In(lang)
	if label == "" {
		label = i18n.T(lang, "field."+f.Name)
	}
	if f.Type == "file" {
		size := fmt.Sprintf("%d KB", f.MaxKB)
		if f.MaxKB >= 1024 && f.MaxKB%1024 == 0 {
			size = fmt.Sprintf("%d MB", f.MaxKB/1024)
		}
		return i18n.T(lang, "std.file", label, strings.ToUpper(strings.Join(f.Kinds, "/")), size)
	}
	if !f.Required {
		return i18n.T(lang, "std.optional", label)
	}
	return label
}

// TotalText is the SOP's completion time in words: its stated total, else the sum of its
// steps' longest standards ("paling lama 1 hari kerja 2 jam 15 menit").
func TotalText(def sop.Definition, lang string) string {
	if !def.Total.IsZero() {
		return def.Total.Text(lang)
	}
	var sum [4]int // by unit
	for _, x := range def.Steps {
		if !x.Standard.IsZero() && int(x.Standard.Unit) < len(sum) {
			sum[x.Standard.Unit] += x.Standard.Max
		}
	}
	var parts []string
	for _, u := range []sop.Unit{sop.Day, sop.Hour, sop.Minute} {
		if n := sum[u]; n > 0 {
			parts = append(parts, sop.Standard{Min: n, Max: n, Unit: u}.Text(lang))
		}
	}
	if len(parts) == 0 {
		return "–"
	}
	return i18n.T(lang, "std.at_most", strings.Join(parts, " "))
}

// staffCounts counts t's staff by role, in the roles' order, the roles no one holds left
// out.
func (s *Service) staffCounts(ctx context.Context, t account.Tenant, lang string) ([]StaffCount, error) {
	ms, err := s.Staff.List(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	n := map[sop.Role]int{}
	for _, m := range ms {
		for _, r := range m.Roles {
			n[r]++
		}
	}
	var out []StaffCount
	for _, r := range sop.AllRoles() {
		if n[r] > 0 && r != sop.RoleTenantAdmin {
			out = append(out, StaffCount{Role: r, Label: r.Label(lang), N: n[r]})
		}
	}
	return out, nil
}

// docLang is the language of printed documents.
const docLang = "id"

// Issue prints m's tenant's standard as it is now: a numbered "Standar Pelayanan" signed
// by the office's signer, its PDF kept, which the public page offers from then on.
func (s *Service) Issue(ctx context.Context, m staff.Member, t account.Tenant) (letter.Document, error) {
	if !m.Has(sop.RoleTenantAdmin) || m.TenantID != t.ID {
		return letter.Document{}, errs.New(errs.Forbidden, "error.forbidden")
	}
	st, err := s.Build(ctx, t, docLang)
	if err != nil {
		return letter.Document{}, err
	}
	def, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return letter.Document{}, err
	}
	set, err := s.Letters.Settings(ctx, t.ID)
	if err != nil {
		return letter.Document{}, err
	}
	T := func(k string, a ...any) string { return i18n.T(docLang, k, a...) }
	d := letter.Document{TenantID: t.ID, Kind: letter.KindStandard, IssuedAt: s.now().Truncate(time.Microsecond), Title: T("std.pdf_title"),
		Subject: def.Name}
	for _, x := range st.Measured {
		d.Facts = append(d.Facts, letter.Fact{Label: T("std.measured_days", x.Days), Value: x.InSLA + " · " + T("std.median") + " " + x.Median})
	}
	render := func(d letter.Document) ([]byte, error) {
		l := printout.Official(set, d, cal.Loc, t.BaseURL)
		l.Title = strings.ToUpper(d.Title)
		l.Blocks = Blocks(st, sop.Stamp(st.At, cal.Loc))
		return printout.Render(l)
	}
	err = s.Letters.IssueRendered(ctx, set, cal.Loc, m.Actor(), &d, render)
	return d, err
}

// Printed is the newest printed standard of tenant t, with its PDF.
func (s *Service) Printed(ctx context.Context, tenantID int64) (letter.Document, error) {
	return s.Store.LatestDocument(ctx, tenantID, letter.KindStandard)
}

// Blocks are the standard as a printed document's body, in Indonesian; stamp says when
// its figures were measured.
func Blocks(st Standard, stamp string) []printout.Block {
	T := func(k string, a ...any) string { return i18n.T(docLang, k, a...) }
	var out []printout.Block
	var names []string
	for _, sv := range st.Services {
		names = append(names, sv.Name)
	}
	out = append(out, printout.Paragraph(T("std.pdf_lead", st.Office, strings.Join(names, ", "))))
	for _, sv := range st.Services {
		out = append(out, printout.Heading(sv.Name))
		var req []string
		for _, k := range sv.Kinds {
			req = append(req, k.Kind+": "+strings.Join(k.Items, "; "))
		}
		rows := printout.Rows{{T("std.c.requirements"), strings.Join(req, ". ")}, {T("std.c.time"), sv.Time},
			{T("std.c.cost"), sv.Cost}, {T("std.c.product"), strings.Join(sv.Product, "; ")}}
		out = append(out, rows)
		tbl := printout.Table{Columns: []printout.Column{{Title: T("alur.col_n"), Width: 0.4, Number: true}, {Title: T("alur.col_step"), Width: 3},
			{Title: T("alur.col_role"), Width: 1.5}, {Title: T("alur.col_time"), Width: 1}}}
		for _, x := range sv.Procedure {
			tm := x.Time
			if tm == "" {
				tm = "–"
			}
			tbl.Rows = append(tbl.Rows, []string{fmt.Sprint(x.N), x.Name, x.Who, tm})
		}
		out = append(out, printout.Heading(T("std.c.procedure")), tbl)
	}
	for _, c := range st.Components {
		out = append(out, printout.Heading(c.Title))
		for i, p := range c.Points {
			out = append(out, printout.Paragraph(fmt.Sprintf("%d. %s", i+1, p)))
		}
	}
	var staffParts []string
	for _, x := range st.Staff {
		staffParts = append(staffParts, fmt.Sprintf("%s: %d", x.Label, x.N))
	}
	out = append(out, printout.Heading(T("std.c.staff")), printout.Paragraph(strings.Join(staffParts, "; ")))
	meas := printout.Rows{}
	for _, x := range st.Measured {
		meas = append(meas, [2]string{T("std.last_days", x.Days), T("std.measured_line", x.InSLA, x.Closed, x.Median)})
	}
	if st.IKM != nil {
		meas = append(meas, [2]string{T("std.ikm"), T("std.ikm_line", st.IKM.Shown, st.IKM.Grade, st.IKM.Label, st.IKM.Respondents, st.IKM.Period)})
	}
	if c := st.Complaints; c != nil {
		rows := printout.Rows{}
		for _, x := range c.Categories {
			rows = append(rows, [2]string{x.Name, x.Text})
		}
		out = append(out, printout.Heading(T("std.complaint_standards")), rows)
		meas = append(meas, [2]string{T("std.complaints_measured", c.Days), T("std.complaints_line", c.Filed, c.Closed, c.InTime, c.Median)})
	}
	out = append(out, printout.Heading(T("std.measured", stamp)), meas)
	if st.LaporURL != "" {
		out = append(out, printout.Paragraph(T("std.lapor", st.LaporURL)))
	}
	return out
}
