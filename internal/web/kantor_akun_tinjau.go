package web

import (
	"net/http"
	"net/url"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/registry"
)

// reviewPage is the data of kantor_akun_tinjau.
type reviewPage struct {
	registry.Review
	Rows  []reviewRow
	First string
}

// reviewRow is one mailbox waiting for review, with its score in words.
type reviewRow struct {
	registry.ReviewItem
	Score string
}

// GET /kantor/akun/tinjau is the review queue: adopted mailboxes whose owner a sync
// proposed by name only, each with the roster's entry and how sure the match is, for
// staff to confirm or reject. Nothing in it is an owner until someone confirms.
func (s *Server) accountsReview(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "review.title")
	p.Wide = true
	after := r.URL.Query().Get("dari")
	q, err := s.Registry.ReviewQueue(r.Context(), staffOf(r).TenantID, after)
	if err != nil {
		return err
	}
	d := reviewPage{Review: q}
	if after != "" {
		d.First = "/kantor/akun/tinjau"
	}
	if q.Next != "" {
		d.Next = "/kantor/akun/tinjau?" + url.Values{"dari": {q.Next}}.Encode()
	}
	for _, it := range q.Items {
		d.Rows = append(d.Rows, reviewRow{ReviewItem: it, Score: p.T("review.score", it.Mailbox.CandidateScore)})
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor_akun_tinjau", p)
}

// POST /kantor/akun/{id}/tinjau settles one proposal: keputusan=konfirmasi makes the
// roster's entry the owner, tolak drops it for good. Someone deciding first is said so.
func (s *Server) accountReview(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	m := staffOf(r)
	var confirm bool
	switch r.PostForm.Get("keputusan") {
	case "konfirmasi":
		confirm = true
	case "tolak":
	default:
		return errs.New(errs.Invalid, "error.bad_form")
	}
	mb, err := s.Registry.Decide(r.Context(), m.TenantID, parseID(r.PathValue("id")), confirm, m.Actor().From(s.clientIP(r)))
	switch {
	case errs.CodeOf(err) == errs.Conflict:
		s.setFlash(w, "flash.review_done", "")
	case err != nil:
		return err
	case confirm:
		s.setFlash(w, "flash.review_confirmed", mb.Address)
	default:
		s.setFlash(w, "flash.review_rejected", mb.Address)
	}
	return redirect(w, r, "/kantor/akun/tinjau")
}
