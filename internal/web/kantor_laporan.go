package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/surel-id/surel/internal/chart"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/staff"
)

// reportPage is a report as its page shows it: every value already in words.
type reportPage struct {
	Kind  report.Kind
	Kinds []report.Kind
	// PDF offers the numbered letter: to the readers of every report.
	PDF   bool
	Title string
	// Query is the filter as a URL query, for the tabs and downloads; a template.URL, so
	// that the template writes it as a query and does not escape it as one value.
	Query    template.URL
	Filter   report.Filter
	Describe string
	At       string
	Services [][2]string
	Instansi []string
	Figures  []shownFigure
	Charts   []shownChart
	Tables   []shownTable
	Notes    []string
}

type shownFigure struct{ Label, Value string }

// shownChart is a chart drawn as inline SVG, and the table it was drawn from.
type shownChart struct {
	SVG   template.HTML
	Title string
	Empty bool
}

type shownTable struct {
	Name, Title string
	Headers     []string
	Numeric     []bool
	Rows        [][]string
	Foot        []string
}

// reportFilter reads a report's filter from the query; a wrong value comes back as a
// form error with what was typed kept.
func (s *Server) reportFilter(r *http.Request, p *Page) (report.Filter, error) {
	q := r.URL.Query()
	for _, k := range []string{"dari", "sampai", "instansi", "layanan", "per"} {
		p.Form.Set(k, q.Get(k))
	}
	return report.ParseFilter(q, s.Reports.Today(r.Context(), *staffOf(r)))
}

// GET /kantor/laporan is the first report the member reads: the accounts, or for the
// complaints role alone the complaints.
func (s *Server) kantorReports(w http.ResponseWriter, r *http.Request) error {
	kinds := report.KindsFor(*staffOf(r))
	if len(kinds) == 0 {
		return errs.New(errs.Forbidden, "report.forbidden")
	}
	to := "/kantor/laporan/" + string(kinds[0])
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// GET /kantor/laporan/{kind} is one report for the filter: its figures,
// charts (SVG drawn here, readable without JavaScript) with the tables they come
// from, and the links to its CSV and numbered PDF.
func (s *Server) kantorReport(w http.ResponseWriter, r *http.Request) error {
	k := report.Kind(r.PathValue("kind"))
	if !k.Valid() {
		return errNotFound
	}
	p := s.page(r, "report.title")
	p.Wide = true // tables of many columns: a desktop's width
	f, ferr := s.reportFilter(r, p)
	status := http.StatusOK
	if ferr != nil {
		code, ok := formError(p, ferr)
		if !ok {
			return ferr
		}
		status = code
		f, _ = report.ParseFilter(nil, s.Reports.Today(r.Context(), *staffOf(r)))
	}
	m := *staffOf(r)
	rep, err := s.Reports.Compute(r.Context(), m, k, f, p.Lang)
	if err != nil {
		return err
	}
	names, err := s.Reports.InstansiNames(r.Context(), m)
	if err != nil {
		return err
	}
	d := reportPage{Kind: k, Kinds: report.KindsFor(m), PDF: report.Allowed(m), Title: rep.Title, Query: template.URL(f.Query().Encode()), Filter: f, Describe: s.Reports.Describe(f, p.Lang),
		At: p.Time(rep.At), Services: s.Reports.Services(p.Lang), Instansi: names, Notes: rep.Notes}
	for _, fig := range rep.Figures {
		d.Figures = append(d.Figures, shownFigure{fig.Label, report.Show(fig.Value, p.Lang)})
	}
	for i, c := range rep.Charts {
		d.Charts = append(d.Charts, shownChart{SVG: template.HTML(chart.SVG(c, "g"+strconv.Itoa(i))), Title: c.Title, Empty: c.Empty()})
	}
	for _, t := range rep.Tables {
		d.Tables = append(d.Tables, showTable(t, p.Lang))
	}
	p.Title = rep.Title + " · " + p.T("report.title")
	p.Data = d
	return s.render(w, r, status, "kantor_laporan", p)
}

func showTable(t report.Table, lang string) shownTable {
	st := shownTable{Name: t.Name, Title: t.Title}
	for _, c := range t.Columns {
		st.Headers = append(st.Headers, c.Heading(false))
		st.Numeric = append(st.Numeric, c.Kind != report.Text && c.Kind != report.Date)
	}
	for _, row := range t.Rows {
		st.Rows = append(st.Rows, showRow(row, lang))
	}
	if t.Foot != nil {
		st.Foot = showRow(t.Foot, lang)
	}
	return st
}

func showRow(vals []report.Value, lang string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = report.Show(v, lang)
	}
	return out
}

// GET /kantor/laporan/{kind}/{table} is one table of a report as CSV
// ({table} is its name and ".csv") for Excel with an Indonesian locale
// (report.NewCSV).
func (s *Server) kantorReportCSV(w http.ResponseWriter, r *http.Request) error {
	k := report.Kind(r.PathValue("kind"))
	name, ok := strings.CutSuffix(r.PathValue("table"), ".csv")
	if !k.Valid() || !ok {
		return errNotFound
	}
	p := s.page(r, "report.title")
	p.Wide = true // tables of many columns: a desktop's width
	f, err := s.reportFilter(r, p)
	if err != nil {
		return err
	}
	m := *staffOf(r)
	if k == report.KindAccounts && name == "daftar" {
		return s.accountListCSV(w, r, m, f)
	}
	rep, err := s.Reports.Compute(r.Context(), m, k, f, p.Lang)
	if err != nil {
		return err
	}
	for _, t := range rep.Tables {
		if t.Name == name {
			csvHeaders(w, "laporan-"+string(k)+"-"+t.Name+"-"+f.From.String()+"-"+f.To.String()+".csv")
			return report.WriteCSV(w, t)
		}
	}
	return errNotFound
}

// csvHeaders starts a CSV download.
func csvHeaders(w http.ResponseWriter, filename string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// accountListCSV is the "database akun email" of the period (seed 003): every account
// made, streamed from the database to the client as it is read.
func (s *Server) accountListCSV(w http.ResponseWriter, r *http.Request, m staff.Member, f report.Filter) error {
	csvHeaders(w, "daftar-akun-"+f.From.String()+"-"+f.To.String()+".csv")
	p := s.page(r, "report.title")
	p.Wide = true // tables of many columns: a desktop's width
	return s.Reports.AccountList(r.Context(), m, f, p.Lang, w)
}

// POST /kantor/laporan/{kind}/pdf issues the report for the filter
// as a numbered letter with its QR code, kept; the browser is sent to it.
func (s *Server) kantorReportPDF(w http.ResponseWriter, r *http.Request) error {
	k := report.Kind(r.PathValue("kind"))
	if !k.Valid() {
		return errNotFound
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "report.title")
	p.Wide = true // tables of many columns: a desktop's width
	f, err := report.ParseFilter(r.PostForm, s.Reports.Today(r.Context(), *staffOf(r)))
	if err != nil {
		if _, ok := formError(p, err); ok {
			return errs.New(errs.Invalid, "report.bad_filter")
		}
		return err
	}
	d, err := s.Reports.IssuePDF(r.Context(), *staffOf(r), k, f)
	if err != nil {
		return err
	}
	return redirect(w, r, "/kantor/dokumen/"+itoa(d.ID))
}
