package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/request"
)

// statusTabs are the tabs of "Daftar Permohonan", in the order an applicant looks for them.
var statusTabs = []request.Status{request.Waiting, request.Processing, request.Returned, request.Done, request.Refused, request.Draft}

type listData struct {
	Tabs     []tab
	Current  string
	Requests []request.Request
	// Operator is the OPD the applicant is the operator of ("" for none): a link to
	// their collective lists.
	Operator string
}

type tab struct {
	Status request.Status
	Count  int
}

// GET /permohonan is "Daftar Permohonan": the applicant's requests by status.
func (s *Server) requestList(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "requests.title")
	all, err := s.Requests.List(r.Context(), *p.User)
	if err != nil {
		return err
	}
	d := listData{Current: r.URL.Query().Get("status")}
	if s.Collectives != nil {
		if e, err := s.Collectives.Operator(r.Context(), p.Tenant, *p.User); err == nil {
			d.Operator = e.Instansi
		}
	}
	count := map[request.Status]int{}
	for _, rq := range all {
		count[rq.Status]++
		if d.Current == "" || string(rq.Status) == d.Current {
			d.Requests = append(d.Requests, rq)
		}
	}
	for _, st := range statusTabs {
		d.Tabs = append(d.Tabs, tab{st, count[st]})
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "permohonan_daftar", p)
}
