package web

import (
	"net/http"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout"
)

// Official documents are written in Indonesian, the language of the office's letters,
// whatever language the person printing them reads the site in.
const docLang = "id"

// docT translates a key for a document.
func docT(key string, args ...any) string { return i18n.T(docLang, key, args...) }

// issueOnce is the request's document of d's kind (d.TenantID, d.RequestID, d.Kind and
// what it attests set): the one issued before, or d issued now by by with its number
// and code (letter.Service.Once), with the tenant's letter settings and the letter
// started from them.
func (s *Server) issueOnce(r *http.Request, p *Page, by audit.Actor, d letter.Document) (letter.Document, printout.Letter, error) {
	set, err := s.Letters.Settings(r.Context(), d.TenantID)
	if err != nil {
		return d, printout.Letter{}, err
	}
	d.IssuedAt = time.Now().UTC().Truncate(time.Microsecond)
	d, err = s.Letters.Once(r.Context(), set, p.zone, by, d)
	if err != nil {
		return d, printout.Letter{}, err
	}
	return d, printout.Official(set, d, p.zone, s.tenantBase(d.TenantID)), nil
}

// tenantBase is the public URL of the tenant with the given id, on its own host, where
// its documents' verification pages are.
func (s *Server) tenantBase(id int64) string {
	t, _ := s.Tenants.ByID(id)
	return t.BaseURL
}

// sendPDF answers with a rendered document, never cached: it names a person.
func sendPDF(w http.ResponseWriter, filename string, b []byte) error {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err := w.Write(b)
	return err
}

// fileName makes a letter number usable in a file name: 1/TT/X/XII/2026 → 1-TT-X-XII-2026.
func fileName(number string) string {
	b := []byte(number)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '-'
		}
	}
	return string(b)
}

// addressee is the "Yth." block of a letter to an applicant: their name, then their
// post and office where known.
func addressee(name, jabatan, instansi string) []string {
	to := []string{"Sdr. " + name}
	switch {
	case jabatan != "" && instansi != "":
		to = append(to, jabatan+", "+instansi)
	case jabatan != "" || instansi != "":
		to = append(to, jabatan+instansi)
	}
	return to
}
