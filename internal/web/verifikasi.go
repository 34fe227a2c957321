package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/letter"
)

// verifyData is the verification page: the document a code opens, and its issuer.
type verifyData struct {
	Doc    *letter.Document
	Issuer string
	Code   string // as shown, ABCD-EFGH-JKMN
	Issued string // the issue time in the issuer's zone
}

// GET /verifikasi is a field to type the code printed under a document's QR code; a code
// typed there (?kode=) goes to its page.
func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) error {
	if k := r.URL.Query().Get("kode"); k != "" {
		if c, ok := letter.NormalizeCode(k); ok {
			http.Redirect(w, r, "/verifikasi/"+c, http.StatusSeeOther)
			return nil
		}
		p := s.page(r, "verify.title")
		p.Form.Set("kode", k)
		p.Errors["kode"] = p.T("verify.unknown")
		p.Error = p.T("verify.unknown")
		return s.renderVerify(w, r, http.StatusNotFound, p)
	}
	return s.renderVerify(w, r, http.StatusOK, s.page(r, "verify.title"))
}

// GET /verifikasi/{code} is public: what the document carrying the code attests (its
// kind, number, date, the person and address it names), so whoever holds a printed letter
// can check it. A document never attests a password. Limited per client address: with 60
// random bits a code is not guessed, and the limit keeps anyone from trying.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	if ok, wait := s.VerifyLimit.Allow(s.clientIP(r)); !ok {
		s.Metrics.rateLimited.Inc()
		return &errs.Error{Code: errs.TooMany, Key: "error.rate_limited", RetryAfter: wait}
	}
	p := s.page(r, "verify.title")
	d, err := s.Letters.Verify(r.Context(), r.PathValue("code"))
	if err != nil {
		if errs.CodeOf(err) != errs.NotFound {
			return err
		}
		p.Form.Set("kode", r.PathValue("code"))
		p.Error = p.T("verify.unknown")
		return s.renderVerify(w, r, http.StatusNotFound, p)
	}
	set, err := s.Letters.Settings(r.Context(), d.TenantID)
	if err != nil {
		return err
	}
	issuer := set.Letterhead.Office
	if set.Letterhead.Government != "" {
		issuer = set.Letterhead.Government + " · " + issuer
	}
	p.Title = d.Heading() + " " + d.Number + " · " + p.Title
	p.Data = verifyData{Doc: &d, Issuer: issuer, Code: letter.ShowCode(d.Code), Issued: s.zoneTime(r, d.TenantID, d.IssuedAt)}
	return s.renderVerify(w, r, http.StatusOK, p)
}

func (s *Server) renderVerify(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex")
	if p.Data == nil {
		p.Data = verifyData{}
	}
	return s.render(w, r, status, "verifikasi", p)
}
