package web

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// accountsData is the registry page ("Database Akun Email").
type accountsData struct {
	Rows []accountRow
	// AccountRows is the table's rows, Rows written in Go (accountRowsHTML).
	AccountRows template.HTML
	Query       string
	Status      string
	Kind        string
	Source      string
	// Handover is the "perlu serah terima" filter: on, its count and its link.
	Handover     bool
	HandoverN    int
	HandoverLink string
	Counts       []statusCount
	Total        int
	Next         string // link to the following page
	First        string // link to the first page, when this is not it
	CSV          string // link to the export of the same selection
	Statuses     []registry.Status
}

// statusCount is one status filter with its count.
type statusCount struct {
	Status registry.Status
	Label  string
	N      int
	Link   string
	On     bool
}

// accountRow is one mailbox with its labels and flags made in Go, as the inbox does.
// Its fields are its own, not an embedded registry.Mailbox: text/template finds a
// promoted field by a search through the embedded struct on every access, which made
// the fields of a 50-row page cost more CPU than its queries (bench/RESULTS-registry.md).
type accountRow struct {
	ID            int64
	Address       string
	Name          string
	NIP           string
	Instansi      string
	Unit          string
	Status        registry.Status
	StatusLabel   string
	Institutional bool
	// Adopted marks a mailbox a sync adopted; NoOwner one of them whose owner is not
	// known (no NIP).
	Adopted       bool
	NoOwner       bool
	Gone          bool
	Handover      bool
	Quota         string
	Created       string
	Changed       string
	RequestID     int64
	RequestNumber string
}

// accountsQuery reads the registry page's selection from the URL.
func accountsQuery(v url.Values) registry.Query {
	return registry.Query{Search: v.Get("q"), Status: registry.Status(v.Get("status")), Kind: registry.Kind(v.Get("jenis")),
		Source: registry.Source(v.Get("sumber")), Handover: v.Get("serah_terima") == "1", After: v.Get("dari")}
}

// accountsLink is the registry page (or its export) for a selection.
func accountsLink(path string, q registry.Query, after string) string {
	v := url.Values{}
	handover := ""
	if q.Handover {
		handover = "1"
	}
	for k, x := range map[string]string{"q": q.Search, "status": string(q.Status), "jenis": string(q.Kind), "sumber": string(q.Source),
		"serah_terima": handover, "dari": after} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// GET /kantor/akun is the tenant's mailbox registry, a page at a time, with search by
// address, name or NIP and filters by status, kind, source and "perlu serah terima".
func (s *Server) accounts(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "akun.title")
	p.Wide = true
	q := accountsQuery(r.URL.Query())
	page, err := s.Registry.List(r.Context(), *staffOf(r), q)
	if err != nil {
		return err
	}
	d := accountsData{Query: q.Search, Status: string(q.Status), Kind: string(q.Kind), Source: string(q.Source), Total: page.Total(),
		Statuses: registry.Statuses, Handover: q.Handover, HandoverN: page.Handover}
	sel := q
	sel.After = ""
	d.HandoverLink = accountsLink("/kantor/akun", registry.Query{Handover: true}, "")
	if page.Next != "" {
		d.Next = accountsLink("/kantor/akun", sel, page.Next)
	}
	if q.After != "" {
		d.First = accountsLink("/kantor/akun", sel, "")
	}
	d.CSV = accountsLink("/kantor/akun.csv", sel, "")
	for _, st := range registry.Statuses {
		f := sel
		f.Status = st
		d.Counts = append(d.Counts, statusCount{Status: st, Label: p.T("registry.status." + string(st)), N: page.Counts[st],
			Link: accountsLink("/kantor/akun", f, ""), On: q.Status == st})
	}
	d.setRows(p, page.Mailboxes)
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor_akun", p)
}

// setRows makes the table's rows of the mailboxes, their labels in p's language.
func (d *accountsData) setRows(p *Page, ms []registry.Mailbox) {
	d.Rows = make([]accountRow, 0, len(ms))
	for _, m := range ms {
		adopted := m.Source == registry.Adopted
		d.Rows = append(d.Rows, accountRow{ID: m.ID, Address: m.Address, Name: m.Name, NIP: m.NIP, Instansi: m.Instansi, Unit: m.Unit,
			Status: m.Status, StatusLabel: p.T("registry.status." + string(m.Status)), Institutional: m.Kind == registry.Institutional,
			Adopted: adopted, NoOwner: adopted && m.NIP == "", Gone: !m.GoneAt.IsZero(), Handover: m.Handover != "",
			Quota: quotaText(p, m), Created: p.Date(m.CreatedAt), Changed: p.Time(m.UpdatedAt), RequestID: m.RequestID, RequestNumber: m.RequestNumber})
	}
	d.AccountRows = accountRowsHTML(p, d.Rows)
}

// accountRowsHTML writes the registry table's rows, for the reason of inboxRowsHTML: as a
// template range, 50 rows of some twenty actions each were a third of the page's CPU
// (bench/RESULTS-registry.md). TestAccountRowsMatchTemplate keeps them equal to the
// template they replaced.
func accountRowsHTML(p *Page, rows []accountRow) template.HTML {
	var m markup
	m.Grow(len(rows) * 1100)
	address, owner, unit, status := p.label("akun.col_address"), p.label("akun.col_owner"), p.label("akun.col_unit"), p.label("akun.col_status")
	quota, created, changed := p.label("akun.col_quota"), p.label("akun.col_created"), p.label("akun.col_changed")
	institutional, unknown, gone, handover, adopted := p.label("registry.kind.instansi"), p.label("akun.owner_unknown"), p.label("akun.gone"),
		p.label("akun.handover"), p.label("registry.source.adopsi")
	for _, r := range rows {
		m.raw("<tr>\n    <td data-label=\"", address, `"><span><a href="/kantor/akun/`)
		m.number(r.ID)
		m.raw(`">`)
		m.text(r.Address)
		m.raw(`</a>`)
		if r.Institutional {
			m.raw(` <span class="badge">`, institutional, `</span>`)
		}
		m.raw("</span></td>\n    <td data-label=\"", owner, `"><span>`)
		if r.Name != "" {
			m.text(r.Name)
		} else {
			m.raw(`<em>`, unknown, `</em>`)
		}
		if r.NoOwner {
			m.raw(`<br><em class="muted">`, unknown, `</em>`)
		}
		if r.NIP != "" {
			m.raw(`<br><span class="muted">`)
			m.text(r.NIP)
			m.raw(`</span>`)
		}
		m.raw("</span></td>\n    <td data-label=\"", unit, `"><span>`)
		m.text(r.Instansi)
		if r.Unit != "" {
			m.raw(`<br><span class="muted">`)
			m.text(r.Unit)
			m.raw(`</span>`)
		}
		m.raw("</span></td>\n    <td data-label=\"", status, `"><span><span class="status m-`)
		m.text(string(r.Status))
		m.raw(`">`)
		m.text(r.StatusLabel)
		m.raw(`</span>`)
		if r.Gone {
			m.raw(` <span class="badge warn">`, gone, `</span>`)
		}
		if r.Handover {
			m.raw(` <span class="badge warn handover">`, handover, `</span>`)
		}
		m.raw("</span></td>\n    <td data-label=\"", quota, `">`)
		m.text(r.Quota)
		m.raw("</td>\n    <td data-label=\"", created, `"><span>`)
		m.text(r.Created)
		if r.RequestNumber != "" {
			m.raw(`<br><a class="muted" href="/kantor/permohonan/`)
			m.number(r.RequestID)
			m.raw(`">`)
			m.text(r.RequestNumber)
			m.raw(`</a>`)
		} else if r.Adopted {
			m.raw(`<br><span class="muted">`, adopted, `</span>`)
		}
		m.raw("</span></td>\n    <td data-label=\"", changed, `">`)
		m.text(r.Changed)
		m.raw("</td>\n  </tr>")
	}
	return m.html()
}

// quotaText is a mailbox's use against its quota ("0,2 / 1 GB").
func quotaText(p *Page, m registry.Mailbox) string {
	quota := p.T("akun.quota_default")
	if m.QuotaBytes > 0 {
		quota = gbText(m.QuotaBytes)
	}
	if m.UsedBytes < 0 {
		return quota
	}
	return gbText(m.UsedBytes) + " / " + quota
}

// GET /kantor/akun.csv is the selection of the registry page, every row of it, as CSV.
func (s *Server) accountsCSV(w http.ResponseWriter, r *http.Request) error {
	q := accountsQuery(r.URL.Query())
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="database-akun-email.csv"`)
	w.Header().Set("Cache-Control", "private, no-store")
	return s.Registry.Export(r.Context(), *staffOf(r), q, w)
}

// accountDetail is the page of one mailbox.
type accountDetail struct {
	registry.Detail
	StatusLabel string
	Quota       string
	Requests    []accountRequest
	Trail       []trailRow
	Services    []serviceForm
}

// accountRequest is a request on the mailbox, with its service's name.
type accountRequest struct {
	registry.RequestRef
	ServiceName string
	Submitted   string
}

// serviceForm is a service staff may start on the mailbox, with its kinds and the
// fields besides the mailbox.
type serviceForm struct {
	Code   string
	Name   string
	Kinds  []request.Kind
	Fields []request.Field
	// Open marks the form that was sent and came back with errors.
	Open bool
}

// GET /kantor/akun/{id} is one mailbox of the registry, its owner, its requests, its
// audit trail and the services staff may start on it.
func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "akun.detail")
	if err := s.accountPage(r, p, parseID(r.PathValue("id"))); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "kantor_akun_detail", p)
}

// accountPage fills p with the page of mailbox id.
func (s *Server) accountPage(r *http.Request, p *Page, id int64) error {
	p.Wide = true
	m := staffOf(r)
	d, err := s.Registry.Detail(r.Context(), *m, id)
	if err != nil {
		return err
	}
	v := accountDetail{Detail: d, StatusLabel: p.T("registry.status." + string(d.Mailbox.Status)), Quota: quotaText(p, d.Mailbox),
		Trail: make([]trailRow, len(d.Trail))}
	for _, rq := range d.Requests {
		name := rq.Service
		if sv, ok := s.Requests.Catalog.Offering(rq.Service); ok {
			name = sv.Name.In(p.Lang)
		}
		v.Requests = append(v.Requests, accountRequest{RequestRef: rq, ServiceName: name, Submitted: p.Time(rq.SubmittedAt)})
	}
	for i, e := range d.Trail {
		v.Trail[i] = trailRow{Entry: e, When: p.Time(e.At)}
	}
	if m.HasAny(request.Starters...) {
		for _, code := range sop.LifecycleServices {
			sv, ok := s.Requests.Catalog.Offering(code)
			if !ok || len(sv.Kinds) == 0 || !request.Applies(code, d.Mailbox) {
				continue
			}
			f := serviceForm{Code: code, Name: sv.Name.In(p.Lang), Kinds: sv.Kinds, Open: p.Form.Get("layanan") == code}
			for _, fl := range sv.Kinds[0].Fields {
				if fl.Name != request.FieldMailbox {
					f.Fields = append(f.Fields, fl)
				}
			}
			v.Services = append(v.Services, f)
		}
	}
	p.Title = d.Mailbox.Address + " · " + p.Title
	p.Data = v
	return nil
}
