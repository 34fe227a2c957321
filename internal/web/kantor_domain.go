package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/zone"
)

// domainRow is one name of the register with its words made in Go.
type domainRow struct {
	domains.Domain
	Target, Created, Removed string
}

// GET /kantor/domain is the tenant's register of domain names ("database domain"): each
// sub-domain on the office's DNS server and each desa.id name, its owner, records or
// registry reference, and the requests that made and removed it.
func (s *Server) kantorDomains(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "domain.register")
	p.Wide = true
	if s.Domains == nil {
		return errNotFound
	}
	list, err := s.Domains.Domains.List(r.Context(), *staffOf(r))
	if err != nil {
		return err
	}
	rows := make([]domainRow, len(list))
	for i, d := range list {
		rows[i] = domainRow{Domain: d, Target: d.Reference, Created: p.Time(d.CreatedAt)}
		if len(d.Records) > 0 {
			rows[i].Target = zone.Format(d.Records)
		}
		if !d.RemovedAt.IsZero() {
			rows[i].Removed = p.Time(d.RemovedAt)
		}
	}
	p.Data = rows
	return s.render(w, r, http.StatusOK, "kantor_domain", p)
}
