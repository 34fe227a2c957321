package web

import (
	"fmt"
	"net/http"

	"github.com/surel-id/surel/internal/collective"
)

// collectiveData is one collective's page: the report of its rows and the actions.
type collectiveData struct {
	collective.Collective
	Counts collective.Counts
	Rows   []collectiveRow
	// MayEnter: the front desk (or the OPD's operator) re-uploads and submits; Staff:
	// the back office's actions (approve, invite, letters); Notice says what the last
	// action did. Base is where the pages are (collectivesData.Base).
	MayEnter bool
	Staff    bool
	Base     string
	Notice   string
	Province string
	Regency  string
}

// collectiveRow is a row with its problems said in the reader's language.
type collectiveRow struct {
	collective.Line
	Messages []collectiveMessage
	Status   string
}

type collectiveMessage struct {
	Column, Text, Suggestion string
}

func (s *Server) fillCollective(p *Page, sc collectiveScope, c collective.Collective) {
	p.Wide = true // the rows' table: a desktop's width
	d := collectiveData{Collective: c, Counts: c.Count(), MayEnter: sc.mayEnter, Staff: sc.staff, Base: sc.base}
	if a, ok := s.Regions.Get(c.Province); ok {
		d.Province = a.Title()
	}
	if a, ok := s.Regions.Get(c.Regency); ok {
		d.Regency = a.Title()
	}
	for _, l := range c.Rows {
		row := collectiveRow{Line: l}
		for _, pr := range l.Problems {
			row.Messages = append(row.Messages, collectiveMessage{Column: p.T("col." + pr.Column), Text: problemText(p, pr), Suggestion: pr.Suggestion})
		}
		if l.Submitted() {
			row.Status = p.T("status." + string(l.Status))
		}
		d.Rows = append(d.Rows, row)
	}
	p.Data = d
}

// problemText is a row's problem as the report says it: the rule's message with the
// column's label.
func problemText(p *Page, pr collective.Problem) string {
	args := append([]any{p.T("col." + pr.Column)}, pr.Args...)
	key := "rule." + pr.Rule
	if pr.Rule == "nip" && len(pr.Args) == 1 {
		key, args = "rule.nip_"+fmt.Sprint(pr.Args[0]), args[:1]
	}
	return p.T(key, args...)
}

// GET /kantor/kolektif/{id} is a collective request as one task: its report (row,
// column, rule, suggestion), the rows sent and their requests' steps, and the actions:
// upload the fixed list, send the valid rows, approve all or act on chosen rows, invite
// to claim, print the letters. GET /kolektif/{id} is its report for the OPD's operator,
// who uploads the fixed list and sends the valid rows.
func (s *Server) collectiveView(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "collective.title")
	sc, err := s.collectiveScopeOf(r, p)
	if err != nil {
		return err
	}
	c, err := s.Collectives.GetAs(r.Context(), p.Tenant, sc.entrant, parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	s.fillCollective(p, sc, c)
	if n := r.URL.Query().Get("ok"); n != "" {
		d := p.Data.(collectiveData)
		d.Notice = p.T("collective.done_"+r.URL.Query().Get("what"), n, r.URL.Query().Get("gagal"))
		p.Data = d
	}
	return s.render(w, r, http.StatusOK, "kantor_kolektif_daftar", p)
}

// POST /kantor/kolektif/{id} and POST /kolektif/{id} upload the fixed list: the rows not yet sent are replaced
// by the new file's, checked again; the rows sent stay.
func (s *Server) collectiveReupload(w http.ResponseWriter, r *http.Request) error {
	return s.collectiveUpload(w, r, parseID(r.PathValue("id")))
}
