package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
)

// resetLetterRow is one person's reset from an OPD's letter, as the result page lists it.
type resetLetterRow struct {
	ID                      int64
	Number, Address, Person string
	Status                  request.Status
	// Waiting is the running step's name; CanLetter that the new password may be printed
	// in this person's account letter now; Taken that it already was.
	Waiting   string
	CanLetter bool
	Taken     bool
}

// resetLetterForm is the form page's data: each wrong line's message (the page's field
// errors keep one message per field).
type resetLetterFormData struct{ Lines []string }

// lineErrors are the messages of every error of the list's field, in order.
func lineErrors(p *Page, err error) resetLetterFormData {
	var d resetLetterFormData
	if e, ok := errs.As(err); ok {
		for _, f := range e.Fields {
			if f.Name == request.FieldLetterList {
				d.Lines = append(d.Lines, p.fieldMessage(f))
			}
		}
	}
	return d
}

// resetLetterData is the result page: the letter's number and each person's request.
type resetLetterData struct {
	Ref  string
	Rows []resetLetterRow
}

// GET /kantor/akun/reset-surat is the front desk's form for an OPD's letter listing
// several people whose mailbox passwords are to be reset (Kalbar).
func (s *Server) resetLetterForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "resetletter.title")
	p.Data = resetLetterFormData{}
	return s.render(w, r, http.StatusOK, "kantor_akun_reset_surat", p)
}

// POST /kantor/akun/reset-surat starts one reset request per listed mailbox
// (request.Service.ResetsByLetter); a wrong line shows the form again with everything
// typed and the line named; then the result page of the requests.
func (s *Server) resetLetter(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "resetletter.title")
	if err := parseForm(w, r); err != nil {
		return err
	}
	p.Form = r.PostForm
	ref := r.PostForm.Get(request.FieldLetterRef)
	started, err := s.Requests.ResetsByLetter(r.Context(), p.Tenant, *staffOf(r), s.clientIP(r), r.PostForm.Get(request.FieldLetterList), ref)
	if err != nil && len(started) == 0 {
		status, ok := formError(p, err)
		if !ok {
			return err
		}
		p.Data = lineErrors(p, err)
		return s.render(w, r, status, "kantor_akun_reset_surat", p)
	}
	q := url.Values{"surat": {ref}}
	for _, rq := range started {
		q.Add("id", itoa(rq.ID))
	}
	if err != nil {
		// Some started, some already had a reset open: the result page, and the lines
		// that were not started above it.
		formError(p, err)
		p.Error = strings.Join(lineErrors(p, err).Lines, " ")
		d, derr := s.resetLetterRows(r, ref, q["id"])
		if derr != nil {
			return derr
		}
		p.Data = d
		return s.render(w, r, http.StatusConflict, "kantor_akun_reset_surat_hasil", p)
	}
	s.setFlash(w, "flash.resets_started", strconv.Itoa(len(started)))
	return redirect(w, r, "/kantor/akun/reset-surat/hasil?"+q.Encode())
}

// GET /kantor/akun/reset-surat/hasil lists the requests of one letter (ids in the
// query) with each person's state and, once the reset is done, the button that prints
// that person's account letter alone.
func (s *Server) resetLetterResult(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "resetletter.title")
	q := r.URL.Query()
	d, err := s.resetLetterRows(r, q.Get("surat"), q["id"])
	if err != nil {
		return err
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor_akun_reset_surat_hasil", p)
}

// resetLetterRows reads each request as the staff member sees it (another tenant's is
// not found); at most request.MaxLetterLines.
func (s *Server) resetLetterRows(r *http.Request, ref string, ids []string) (resetLetterData, error) {
	d := resetLetterData{Ref: ref}
	if len(ids) > request.MaxLetterLines {
		ids = ids[:request.MaxLetterLines]
	}
	for _, v := range ids {
		c, err := s.Workflow.Case(r.Context(), *staffOf(r), parseID(v))
		if err != nil {
			return d, err
		}
		row := resetLetterRow{ID: c.Request.ID, Number: c.Request.Number, Address: c.Request.MailboxAddress(), Person: c.Applicant.DisplayName(),
			Status: c.Request.Status, CanLetter: c.CanLetter, Taken: c.Credential.Exists && !c.Credential.RevealedAt.IsZero()}
		if c.Running != nil {
			row.Waiting = c.Running.Name
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}
