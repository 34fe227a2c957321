package web

import (
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
	if m.HasAny(request.Starters...) && s.Registry != nil {
		n, err := s.Registry.Waiting(r.Context(), *m)
		if err != nil {
			return err
		}
		d.Handover = n
	}
	iq := workflow.InboxQuery{TenantID: m.TenantID, Roles: d.Roles, Search: d.Query, Failed: d.Failed, Limit: inboxPageSize, Offset: (d.Page - 1) * inboxPageSize}
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
	tasks, total, err := s.Workflow.Inbox(r.Context(), *m, iq)
	if err != nil {
		return err
	}
	d.Total, d.More = total, total >= iq.CountTo
	labels := map[string]string{"over": p.T("kantor.sla_over"), "soon": p.T("kantor.sla_soon"), "ok": p.T("kantor.sla_ok")}
	roles := map[string]string{}
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
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor", p)
}
