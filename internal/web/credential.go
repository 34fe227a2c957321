package web

import (
	"net/http"
	"time"

	"github.com/surel-id/surel/internal/printout"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/workflow"
)

// revealData is the one-time view of a new mailbox's password.
type revealData struct {
	Request  request.Request
	Handover workflow.Handover
}

// reveal shows the applicant their new mailbox's password, once: it is erased as it is
// shown. The page is not cached anywhere.
func (s *Server) reveal(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "credential.title")
	id := parseID(r.PathValue("id"))
	h, err := s.Workflow.Reveal(r.Context(), *p.User, id, s.clientIP(r))
	if err != nil {
		return err
	}
	rq, err := s.Requests.Get(r.Context(), *p.User, id)
	if err != nil {
		return err
	}
	p.Data = revealData{Request: rq, Handover: h}
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.render(w, r, http.StatusOK, "credential", p)
}

// letter prints the "surat pemberitahuan akun" with the address and password, for the
// front desk to hand over; the password then counts as revealed and is erased.
func (s *Server) letter(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "letter.title")
	m := staffOf(r)
	id := parseID(r.PathValue("id"))
	h, err := s.Workflow.RevealForLetter(r.Context(), *m, id, s.clientIP(r))
	if err != nil {
		return err
	}
	rq, applicant := h.Request, h.Applicant
	now := time.Now()
	rows := [][2]string{
		{p.T("receipt.number"), rq.Number},
		{p.T("summary.applicant"), applicant.DisplayName()},
		{p.T("field.nip"), rq.Values["nip"]},
		{p.T("field.instansi"), rq.Values["instansi"]},
		{p.T("letter.address"), h.Address},
		{p.T("letter.password"), h.Password},
	}
	if h.Webmail != "" {
		rows = append(rows, [2]string{"Webmail", h.Webmail})
	}
	doc := printout.Document{Office: p.Tenant.Name, Title: p.T("letter.heading"), Subtitle: p.T("receipt.number") + " " + rq.Number,
		Rows: rows, Paragraphs: []string{p.T("letter.p1", applicant.DisplayName()), p.T("letter.p2"), p.T("letter.p3")},
		Footer: p.T("letter.footer", m.Name, p.Time(now)), Created: now}
	b, err := printout.Render(doc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="surat-akun-`+rq.Number+`.pdf"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(b)
	return err
}
