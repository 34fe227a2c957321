package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/request"
)

// A request entered at the front desk and returned for correction waits for the front
// desk (workflow giveBack): the desk reaches the applicant, then enters the corrected
// data and documents here, on the loket form filled with what the request holds.

// loketFixCase loads the request of /kantor/permohonan/{id}/perbaikan with its applicant
// and the staff's note, refusing one that is not a returned front-desk request.
func (s *Server) loketFixCase(r *http.Request) (request.Request, account.User, string, error) {
	rq, u, err := s.Workflow.LoadApplicant(r.Context(), *staffOf(r), parseID(r.PathValue("id")))
	if err != nil {
		return rq, u, "", err
	}
	note, err := s.Requests.WalkInCorrection(r.Context(), rq)
	return rq, u, note, err
}

// fillLoketFix is fillLoket for the correction of rq: its kind, its stored documents
// (kept unless replaced) and the note it was returned with.
func (s *Server) fillLoketFix(r *http.Request, p *Page, rq request.Request, u account.User, note string) error {
	sv, k, err := s.Requests.FormOf(rq)
	if err != nil {
		return err
	}
	files, err := s.Requests.Documents(r.Context(), rq)
	if err != nil {
		return err
	}
	s.fillLoket(r, p, sv, k)
	d := p.Data.(loketData)
	d.Fix, d.Reason, d.Applicant, d.Contact = &rq, note, u, loketContact(u)
	// The address is this request's own: no other to suggest.
	d.Suggestions = nil
	for i := range files {
		d.Files[files[i].Field] = &files[i]
	}
	p.Data = d
	return nil
}

// GET /kantor/permohonan/{id}/perbaikan is the correction form, filled with the
// applicant's record and the request's values.
func (s *Server) loketFixForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "loket.fix_title")
	rq, u, note, err := s.loketFixCase(r)
	if err != nil {
		return err
	}
	first, last := u.FirstName, u.LastName
	if full := strings.TrimSpace(first + " " + last); u.Profile.FullName != "" && u.Profile.FullName != full {
		first, last = u.Profile.FullName, ""
	}
	for name, v := range map[string]string{"first_name": first, "last_name": last, "phone": u.Profile.Phone, "nip": u.Profile.NIP,
		"jabatan": u.Profile.Jabatan, "instansi": u.Profile.Instansi, "satuan_kerja": u.Profile.SatuanKerja, "address": u.Profile.Address} {
		p.Form.Set(name, v)
	}
	for name, v := range rq.Form() {
		if !slices.Contains(request.ApplicantFields, name) {
			p.Form.Set(name, v)
		}
	}
	if err := s.fillLoketFix(r, p, rq, u, note); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "kantor_loket", p)
}

// POST /kantor/permohonan/{id}/perbaikan enters the correction and sends the request back
// to the step that returned it. As on the loket form, documents are checked by content as
// they stream in and nothing is written unless the whole form is valid; a document not
// chosen again keeps the stored one.
func (s *Server) loketFix(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "loket.fix_title")
	rq, u, note, err := s.loketFixCase(r)
	if err != nil {
		return err
	}
	_, k, err := s.Requests.FormOf(rq)
	if err != nil {
		return err
	}
	form, err := s.readDeskForm(w, r, p, k)
	defer s.drop(r.Context(), form)
	if err != nil {
		return err
	}
	if form.action != "refresh" {
		m := staffOf(r)
		if len(form.fileErrs) == 0 {
			_, err = s.Requests.CorrectWalkIn(r.Context(), p.Tenant, m.Actor(), u, rq,
				form.applicant(), form.kindValues(k), form.files)
		} else {
			err = form.fileErrs.Err()
		}
		if err == nil {
			form.kept = true
			s.setFlash(w, "flash.loket_corrected", rq.Number)
			return redirect(w, r, "/kantor/permohonan/"+itoa(rq.ID))
		}
	}
	status := http.StatusOK
	if err != nil {
		var ok bool
		if status, ok = formError(p, err); !ok {
			return err
		}
	}
	if err := s.fillLoketFix(r, p, rq, u, note); err != nil {
		return err
	}
	d := p.Data.(loketData)
	d.Dropped = len(form.files) > 0 || len(form.fileErrs) > 0
	p.Data = d
	orderDeskErrors(p, k)
	return s.render(w, r, status, "kantor_loket", p)
}
