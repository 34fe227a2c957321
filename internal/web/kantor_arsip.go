package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/archive"
)

// archivePage is the archive as its page shows it.
type archivePage struct {
	Filter   archive.Filter
	Statuses []statusOption
	Rows     []archiveRow
	Total    int
	Capped   bool
	Next     string // link to the following page
	First    string // link to the first page, when this is not it
}

type statusOption struct{ Value, Label string }

// archiveRow is one archived request with its labels made in Go.
type archiveRow struct {
	archive.Row
	ServiceName, StatusCode, StatusLabel string
	Filed                                string
}

// GET /kantor/arsip is the archive: finished, refused and archived requests, newest filed
// first, searched by number, name, NIP, address, instansi and the period filed; each
// opens the request's page, read-only, with its documents, history and audit trail.
func (s *Server) kantorArchive(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "arsip.title")
	p.Wide = true
	q := r.URL.Query()
	for _, k := range []string{"q", "instansi", "status", "dari", "sampai"} {
		p.Form.Set(k, q.Get(k))
	}
	f, ferr := archive.ParseFilter(q)
	status := http.StatusOK
	if ferr != nil {
		code, ok := formError(p, ferr)
		if !ok {
			return ferr
		}
		status = code
	}
	page, err := s.Archive.Search(r.Context(), *staffOf(r), f)
	if err != nil {
		return err
	}
	d := archivePage{Filter: f, Total: page.Total, Capped: page.Capped}
	for _, st := range archive.Statuses {
		d.Statuses = append(d.Statuses, statusOption{st, p.T("arsip.status." + st)})
	}
	sel := f.Values()
	if page.Next != "" {
		v := f.Values()
		v.Set("setelah", page.Next)
		d.Next = "/kantor/arsip?" + v.Encode()
	}
	if f.After != "" {
		d.First = "/kantor/arsip"
		if len(sel) > 0 {
			d.First += "?" + sel.Encode()
		}
	}
	for _, row := range page.Rows {
		name := row.Service
		if sv, ok := s.Requests.Catalog.Offering(row.Service); ok {
			name = sv.Name.In(p.Lang)
		}
		st := archive.StatusOf(row)
		d.Rows = append(d.Rows, archiveRow{Row: row, ServiceName: name, StatusCode: st, StatusLabel: p.T("arsip.status." + st),
			Filed: p.Time(row.FiledAt)})
	}
	p.Data = d
	return s.render(w, r, status, "kantor_arsip", p)
}
