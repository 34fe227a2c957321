package report

import (
	"context"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// docLang is the language of official documents.
const docLang = "id"

// Describe is the filter in words: the period in words, the instansi and the service.
func (s *Service) Describe(f Filter, lang string) string {
	from := time.Date(f.From.Year, f.From.Month, f.From.Day, 12, 0, 0, 0, time.UTC)
	to := time.Date(f.To.Year, f.To.Month, f.To.Day, 12, 0, 0, 0, time.UTC)
	parts := []string{i18n.T(lang, "report.describe_period", letter.Date(from), letter.Date(to))}
	if lang == "en" {
		parts[0] = i18n.T(lang, "report.describe_period", from.Format("2 January 2006"), to.Format("2 January 2006"))
	}
	if f.Instansi != "" {
		parts = append(parts, i18n.T(lang, "report.describe_instansi", f.Instansi))
	}
	if f.Service != "" {
		parts = append(parts, i18n.T(lang, "report.describe_service", s.serviceName(f.Service, lang)))
	}
	return strings.Join(parts, "; ")
}

// addressee is to whom a tenant's reports go: the head of division of its SOP (seed 004
// step 6, "menyampaikan laporan kepada Kabid"), else its head of agency.
func addressee(def sop.Definition) string {
	for _, role := range []sop.Role{sop.RoleKepalaBidang, sop.RoleKepalaDinas} {
		for _, st := range def.Steps {
			if st.Role == role && st.Jabatan != "" {
				return st.Jabatan
			}
		}
	}
	return sop.RoleKepalaBidang.Label(docLang)
}

// blocks are a report's figures, charts, tables and notes as a letter's body.
func blocks(r Report) []printout.Block {
	var out []printout.Block
	if len(r.Figures) > 0 {
		rows := printout.Rows{}
		for _, f := range r.Figures {
			rows = append(rows, [2]string{f.Label, Show(f.Value, r.Lang)})
		}
		out = append(out, rows)
	}
	for _, c := range r.Charts {
		if !c.Empty() {
			out = append(out, printout.Chart{Chart: c})
		}
	}
	for _, t := range r.Tables {
		pt := printout.Table{}
		for _, c := range t.Columns {
			w := 1.0
			if c.Kind == Text {
				w = 2.5
			}
			pt.Columns = append(pt.Columns, printout.Column{Title: c.Label, Width: w, Number: c.Kind != Text && c.Kind != Date})
		}
		for _, row := range t.Rows {
			pt.Rows = append(pt.Rows, showRow(row, r.Lang))
		}
		if t.Foot != nil {
			pt.Foot = showRow(t.Foot, r.Lang)
		}
		out = append(out, printout.Heading(t.Title), pt)
	}
	for _, n := range r.Notes {
		out = append(out, printout.Paragraph(n))
	}
	return out
}

func showRow(vals []Value, lang string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = Show(v, lang)
	}
	return out
}

// IssuePDF issues report k of m's tenant for f as a numbered letter in Indonesian
// (computed again in that language), its PDF kept with it, and returns it.
func (s *Service) IssuePDF(ctx context.Context, m staff.Member, k Kind, f Filter) (letter.Document, error) {
	// A report's letter is kept among the office's documents, which the readers open.
	if !Allowed(m) {
		return letter.Document{}, errs.New(errs.Forbidden, "report.forbidden")
	}
	r, err := s.Compute(ctx, m, k, f, docLang)
	if err != nil {
		return letter.Document{}, err
	}
	t, _ := s.Tenant(m.TenantID)
	def, _, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return letter.Document{}, err
	}
	set, err := s.Letters.Settings(ctx, t.ID)
	if err != nil {
		return letter.Document{}, err
	}
	desc := s.Describe(f, docLang)
	title := i18n.T(docLang, "report.pdf_title", r.Title)
	d := letter.Document{TenantID: t.ID, Kind: letter.KindReport, IssuedAt: s.now().Truncate(time.Microsecond), Title: title, Subject: desc}
	for _, fig := range r.Figures {
		d.Facts = append(d.Facts, letter.Fact{Label: fig.Label, Value: Show(fig.Value, docLang)})
	}
	render := func(d letter.Document) ([]byte, error) {
		l := printout.Official(set, d, r.Zone, t.BaseURL)
		l.Title, l.To = strings.ToUpper(title), []string{addressee(def)}
		l.Blocks = append([]printout.Block{printout.Paragraph(i18n.T(docLang, "report.pdf_lead", desc, sop.Stamp(r.At, r.Zone)))}, blocks(r)...)
		l.Closing = i18n.T(docLang, "report.pdf_closing")
		return printout.Render(l)
	}
	err = s.Letters.IssueRendered(ctx, set, r.Zone, m.Actor(), &d, render)
	return d, err
}

// Document is a kept document of m's tenant with its PDF, for download: one attached to
// a request for any staff member (who sees the request), a report of the office as a
// whole for those who read the reports.
func (s *Service) Document(ctx context.Context, m staff.Member, id int64) (letter.Document, error) {
	d, err := s.Letters.Get(ctx, m.TenantID, id)
	if err != nil {
		return d, err
	}
	if d.PDF == nil {
		return d, errs.New(errs.NotFound, "error.not_found")
	}
	if d.RequestID == 0 && !Allowed(m) {
		return letter.Document{}, errs.New(errs.Forbidden, "report.forbidden")
	}
	return d, nil
}

// StepReport is seed 004 step 5, "membuat laporan jumlah akun sesuai dengan penambahan
// data terakhir": the account count as of at (active accounts, those made today, this
// month and this year), the new account, and the mail server's capacity, issued as a
// numbered report addressed to the head of division, attached to request r, in the
// caller's transaction (workflow.Reporter).
func (s *Service) StepReport(ctx context.Context, t account.Tenant, r request.Request, applicant string, by audit.Actor, at time.Time) error {
	def, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return err
	}
	set, err := s.Letters.Settings(ctx, t.ID)
	if err != nil {
		return err
	}
	loc := cal.Loc
	local := at.In(loc)
	yearStart := time.Date(local.Year(), 1, 1, 0, 0, 0, 0, loc)
	// The hour of at is whole in the counts: up to its end holds every account so far.
	q := Query{TenantID: t.ID, From: yearStart.UTC(), To: at.Add(time.Hour), Loc: loc}
	days, err := s.Store.AccountDays(ctx, q)
	if err != nil {
		return err
	}
	today, month := sop.DateOf(local).Num(), local.Year()*10000+int(local.Month())*100
	var nDay, nMonth, nYear int64
	for _, d := range days {
		n := d.Created + d.Adopted
		nYear += n
		if d.Day/100*100 == month {
			nMonth += n
		}
		if d.Day == today {
			nDay += n
		}
	}
	in, out, err := s.Store.AccountsBefore(ctx, Query{TenantID: t.ID, From: at.Add(time.Hour), Loc: loc})
	if err != nil {
		return err
	}
	T := func(k string, a ...any) string { return i18n.T(docLang, k, a...) }
	stamp := sop.Stamp(at, loc)
	figures := printout.Rows{{T("report.active_end"), Show(CountV(in-out), docLang)}, {T("report.made_today"), Show(CountV(nDay), docLang)},
		{T("report.made_month"), Show(CountV(nMonth), docLang)}, {T("report.made_year"), Show(CountV(nYear), docLang)}}
	account := printout.Rows{{T("receipt.number"), r.Number}, {T("letter.address"), r.MailboxAddress()}, {T("summary.applicant"), applicant},
		{T("field.instansi"), r.Instansi()}, {T("field.satuan_kerja"), r.Unit()}}
	blocks := []printout.Block{printout.Paragraph(T("report.step_lead", stamp)), figures, printout.Heading(T("report.step_new")), account}
	if s.Capacity != nil {
		if v := s.Capacity(ctx, t.ID); v.Err == nil {
			blocks = append(blocks, printout.Heading(T("report.step_capacity", sop.Stamp(v.At, loc))), printout.Rows{
				{T("report.accounts"), Show(CountV(int64(v.Now.Accounts)), docLang) + " / " + Show(limitV(int64(v.Limits.MaxAccounts)), docLang)},
				{T("report.quota_allocated"), Show(BytesV(v.Now.QuotaAllocated), docLang) + " / " + Show(limitBytes(v.Limits.TotalQuota), docLang)}})
		}
	}
	d := letter.Document{TenantID: t.ID, Kind: letter.KindReport, RequestID: r.ID, IssuedAt: at, Title: T("report.step_title"),
		Subject: T("report.step_subject", r.MailboxAddress()), Mailbox: r.MailboxAddress(),
		Facts: []letter.Fact{{Label: T("receipt.number"), Value: r.Number}, {Label: T("report.active_end"), Value: Show(CountV(in-out), docLang)},
			{Label: T("report.made_month"), Value: Show(CountV(nMonth), docLang)}}}
	render := func(d letter.Document) ([]byte, error) {
		l := printout.Official(set, d, loc, t.BaseURL)
		l.Title, l.To, l.Blocks, l.Closing = strings.ToUpper(d.Title), []string{addressee(def)}, blocks, T("report.pdf_closing")
		return printout.Render(l)
	}
	return s.Letters.IssueRendered(ctx, set, loc, by, &d, render)
}
