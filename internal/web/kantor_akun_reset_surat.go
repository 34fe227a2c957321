package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
)

// recentLetterCount is how many of the latest letters the form page lists.
const recentLetterCount = 20

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

// resetLetterFormData is the form page's data: each wrong line's message (the page's
// field errors keep one message per field), and the latest letters entered.
type resetLetterFormData struct {
	Lines  []string
	Recent []request.OPDLetter
}

// lineErrors are the messages of every error of the list's field, in order.
func lineErrors(p *Page, err error) []string {
	var lines []string
	if e, ok := errs.As(err); ok {
		for _, f := range e.Fields {
			if f.Name == request.FieldLetterList {
				lines = append(lines, p.fieldMessage(f))
			}
		}
	}
	return lines
}

// resetLetterData is the result page: the letter's number and each person's request.
type resetLetterData struct {
	Ref  string
	Rows []resetLetterRow
}

// letterResultURL is the result page of the letter numbered ref.
func letterResultURL(ref string) string {
	return "/kantor/akun/reset-surat/hasil?" + url.Values{"surat": {ref}}.Encode()
}

// GET /kantor/akun/reset-surat is the front desk's form for an OPD's letter listing
// several people whose mailbox passwords are to be reset (Kalbar), with the latest
// letters entered, each linked to its result page.
func (s *Server) resetLetterForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "resetletter.title")
	d, err := s.resetLetterFormData(r, nil)
	if err != nil {
		return err
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor_akun_reset_surat", p)
}

// resetLetterFormData is the form page's data with the wrong lines' messages.
func (s *Server) resetLetterFormData(r *http.Request, lines []string) (resetLetterFormData, error) {
	recent, err := s.Requests.RecentLetters(r.Context(), *staffOf(r), recentLetterCount)
	return resetLetterFormData{Lines: lines, Recent: recent}, err
}

// POST /kantor/akun/reset-surat starts one reset request per listed mailbox, each
// recording the letter's number (request.Service.ResetsByLetter); a wrong line shows the
// form again with everything typed and the line named; then the letter's result page.
func (s *Server) resetLetter(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "resetletter.title")
	if err := parseForm(w, r); err != nil {
		return err
	}
	p.Form = r.PostForm
	ref := strings.TrimSpace(r.PostForm.Get(request.FieldLetterRef))
	started, err := s.Requests.ResetsByLetter(r.Context(), p.Tenant, *staffOf(r), s.clientIP(r), r.PostForm.Get(request.FieldLetterList), ref)
	if err != nil && len(started) == 0 {
		status, ok := formError(p, err)
		if !ok {
			return err
		}
		d, derr := s.resetLetterFormData(r, lineErrors(p, err))
		if derr != nil {
			return derr
		}
		p.Data = d
		return s.render(w, r, status, "kantor_akun_reset_surat", p)
	}
	if err != nil {
		// Some started, some already had a reset open: the result page, and the lines
		// that were not started above it.
		formError(p, err)
		p.Error = strings.Join(lineErrors(p, err), " ")
		d, derr := s.resetLetterRows(r, ref)
		if derr != nil {
			return derr
		}
		p.Data = d
		return s.render(w, r, http.StatusConflict, "kantor_akun_reset_surat_hasil", p)
	}
	s.setFlash(w, "flash.resets_started", strconv.Itoa(len(started)))
	return redirect(w, r, letterResultURL(ref))
}

// GET /kantor/akun/reset-surat/hasil lists the requests the letter numbered surat (in
// the query) started in the staff member's tenant, read from the database, with each
// person's state and, once the reset is done, the button that prints that person's
// account letter alone. A number no request of the tenant records is not found. An older
// link that also names the requests (id=…) is sent to the letter's own address.
func (s *Server) resetLetterResult(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ref := strings.TrimSpace(q.Get("surat"))
	if q.Has("id") || ref != q.Get("surat") {
		return redirect(w, r, letterResultURL(ref))
	}
	p := s.page(r, "resetletter.title")
	d, err := s.resetLetterRows(r, ref)
	if err != nil {
		return err
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor_akun_reset_surat_hasil", p)
}

// resetLetterRows reads the requests of the letter numbered ref, each as the staff
// member sees it (another tenant's letter is not found).
func (s *Server) resetLetterRows(r *http.Request, ref string) (resetLetterData, error) {
	d := resetLetterData{Ref: ref}
	rs, err := s.Requests.LetterRequests(r.Context(), *staffOf(r), ref)
	if err != nil {
		return d, err
	}
	for _, rq := range rs {
		c, err := s.Workflow.Case(r.Context(), *staffOf(r), rq.ID)
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
