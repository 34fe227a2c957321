package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/workflow"
)

// inboxData is the staff member's task list.
type inboxData struct {
	Tasks []inboxRow
	Total int
	Query string
	Due   string // "", "over" or "today"
	// Failed shows only the automatic steps that gave up (keadaan=gagal).
	Failed bool
	// More is true when Total is a lower bound: the count stops there (InboxQuery.CountTo).
	More  bool
	Page  int
	Pages int
	Now   time.Time
	Prev  string
	Next  string
	Roles []string
	// MissingHolidays, for a tenant admin, names the years the tenant's holiday table
	// lacks (sop.MissingHolidayYears), which they alone can fill.
	MissingHolidays string
	// Handover, for those who start services on mailboxes, counts the institutional
	// mailboxes waiting for a new responsible PNS.
	Handover int
	// TaskRows is the table's rows, Tasks written in Go (inboxRowsHTML).
	TaskRows template.HTML
}

// inboxRow is one task with its labels made in Go: the page lists up to 25 and a
// template method call per cell costs more than the rest of the page.
type inboxRow struct {
	workflow.Task
	RoleLabel string
	Due       string
	SLA       string // "over", "soon" or "ok"
	SLALabel  string
}

const inboxPageSize = 25

// inboxCountTo is where the inbox's count stops ("1000 tugas atau lebih"): past it, an
// exact figure would cost a walk over the role's whole backlog on every page view.
const inboxCountTo = 1000

// maxInboxPage bounds the page number: 25 million tasks.
const maxInboxPage = 1 << 20

// GET /kantor is "Kotak Tugas": the running steps of the member's roles, soonest due
// first, with search and a due filter.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "kantor.title")
	p.Wide = true // tables of many columns: a desktop's width
	m := staffOf(r)
	q := r.URL.Query()
	d := inboxData{Query: strings.TrimSpace(q.Get("q")), Due: q.Get("batas"), Failed: q.Get("keadaan") == "gagal", Now: time.Now().UTC()}
	d.Page, _ = strconv.Atoi(q.Get("hal"))
	// A page past any inbox's end shows an empty list; one past maxInboxPage would make
	// an offset that overflows (PostgreSQL refused the negative result with a 500).
	d.Page = max(1, min(d.Page, maxInboxPage))
	for _, role := range m.Roles {
		d.Roles = append(d.Roles, string(role))
	}
	if m.Has(sop.RoleTenantAdmin) {
		// The calendar is cached with the SOP: this costs a walk over the table.
		if _, cal, err := s.Book.Workflow(r.Context(), p.Tenant.SOPRef()); err == nil {
			d.MissingHolidays = yearList(p, cal.MissingHolidayYears(s.now()))
		}
	}
	iq := workflow.InboxQuery{TenantID: m.TenantID, Roles: d.Roles, Search: d.Query, Failed: d.Failed, Limit: inboxPageSize, Offset: (d.Page - 1) * inboxPageSize,
		// Those who start services on mailboxes see the institutional mailboxes waiting
		// for a handover, counted with the page.
		Handover: m.HasAny(request.Starters...) && s.Registry != nil}
	// The count stops a little past what the pager needs: at least inboxCountTo, and
	// the next page beyond the one shown.
	iq.CountTo = max(inboxCountTo, iq.Offset+2*inboxPageSize)
	switch d.Due {
	case "over":
		iq.DueFrom, iq.DueTo = time.Unix(0, 0), d.Now
	case "today":
		iq.DueFrom, iq.DueTo = d.Now, d.Now.Add(24*time.Hour)
	default:
		d.Due = ""
	}
	in, err := s.Workflow.Inbox(r.Context(), *m, iq)
	if err != nil {
		return err
	}
	// Only a search or a filter's count stops at CountTo; the whole inbox's is exact
	// (and "1000 or more" is true of exactly 1000).
	d.Total, d.More, d.Handover = in.Total, in.Total == iq.CountTo, in.Handover
	d.setTasks(p, in.Tasks)
	d.setPager()
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor", p)
}

// setTasks makes the rows of tasks, their labels in the page's language.
func (d *inboxData) setTasks(p *Page, tasks []workflow.Task) {
	labels := map[string]string{"over": p.T("kantor.sla_over"), "soon": p.T("kantor.sla_soon"), "ok": p.T("kantor.sla_ok")}
	roles := map[string]string{}
	d.Tasks = make([]inboxRow, 0, len(tasks))
	for _, t := range tasks {
		row := inboxRow{Task: t, Due: p.Time(t.DueAt), SLA: "ok"}
		switch {
		case !t.DueAt.IsZero() && !d.Now.Before(t.DueAt):
			row.SLA = "over"
		case !t.DueAt.IsZero() && t.DueAt.Sub(d.Now) < 2*time.Hour:
			row.SLA = "soon"
		}
		row.SLALabel = labels[row.SLA]
		if roles[t.Role] == "" {
			roles[t.Role] = sop.Role(t.Role).Label(p.Lang)
		}
		row.RoleLabel = roles[t.Role]
		d.Tasks = append(d.Tasks, row)
	}
	d.TaskRows = inboxRowsHTML(p, d.Tasks)
}

// inboxRowsHTML writes the task table's rows. As a template range they cost more than the
// rest of the page (fourteen actions a row); TestInboxRowsMatchTemplate keeps them equal
// to the template they replaced.
func inboxRowsHTML(p *Page, rows []inboxRow) template.HTML {
	var m markup
	m.Grow(len(rows) * 900)
	number, applicant, address, step, due := p.label("kantor.col_number"), p.label("kantor.col_applicant"), p.label("kantor.col_address"), p.label("kantor.col_step"), p.label("history.due")
	flagsTitle, failed := p.label("kantor.flags_title"), p.label("kantor.failed_badge")
	for _, r := range rows {
		m.raw("<tr>\n    <td data-label=\"", number, `"><a href="/kantor/permohonan/`)
		m.number(r.RequestID)
		m.raw(`">`)
		m.text(r.Number)
		m.raw("</a></td>\n    <td data-label=\"", applicant, `"><span>`)
		m.text(r.Applicant)
		m.raw(`<br><span class="muted">`)
		m.text(r.Instansi)
		m.raw(`</span>`)
		if r.Flags != 0 {
			m.raw(` <span class="badge warn" title="`, flagsTitle, `">`)
			m.text(p.T("kantor.flags", r.Flags))
			m.raw(`</span>`)
		}
		m.raw("</span></td>\n    <td data-label=\"", address, `">`)
		m.text(r.MailboxAddress())
		m.raw("</td>\n    <td data-label=\"", step, `"><span>`)
		m.text(r.StepName)
		if r.Failed() {
			m.raw(` <span class="badge err">`, failed, `</span>`)
		}
		m.raw(`<br><span class="muted">`)
		m.text(r.RoleLabel)
		m.raw("</span></span></td>\n    <td data-label=\"", due, `">`)
		m.text(r.Due)
		m.raw("</td>\n    <td data-label=\"SLA\"><span class=\"sla-", slaClass(r.SLA), `">`)
		m.text(r.SLALabel)
		m.raw("</span></td>\n  </tr>")
	}
	return m.html()
}

// slaClass is the class of an SLA state's label: sla-over, sla-soon or sla-in.
func slaClass(sla string) string {
	if sla == "over" || sla == "soon" {
		return sla
	}
	return "in"
}

// setPager sets the page count and the links to the pages before and after, which keep
// the search and the filters.
func (d *inboxData) setPager() {
	d.Pages = (d.Total + inboxPageSize - 1) / inboxPageSize
	link := func(page int) string {
		v := url.Values{}
		if d.Query != "" {
			v.Set("q", d.Query)
		}
		if d.Due != "" {
			v.Set("batas", d.Due)
		}
		if d.Failed {
			v.Set("keadaan", "gagal")
		}
		v.Set("hal", strconv.Itoa(page))
		return "/kantor?" + v.Encode()
	}
	if d.Page > 1 {
		d.Prev = link(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.Next = link(d.Page + 1)
	}
}
