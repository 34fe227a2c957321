package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
)

// GET /permohonan/{id}/berkas/{file} sends a document to its owner; to anyone else it
// does not exist.
func (s *Server) download(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "request.title")
	f, err := s.Requests.File(r.Context(), *p.User, parseID(r.PathValue("id")), parseID(r.PathValue("file")))
	if err != nil {
		return err
	}
	return s.sendFile(w, r, f)
}

// sendFile serves a checked document inline, sandboxed.
func (s *Server) sendFile(w http.ResponseWriter, r *http.Request, f request.File) error {
	fh, err := s.Uploads.Open(r.Context(), f.Name)
	if errors.Is(err, errs.ErrNotFound) {
		// Recorded but gone from the store (deleted there by hand, a store restored
		// without it): the viewer is told it is not there, not that the server failed.
		return errs.New(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	defer fh.Close()
	ct := map[string]string{"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "pdf": "application/pdf"}[f.Kind]
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
	w.Header().Set("Content-Disposition", `inline; filename="dokumen-`+itoa(f.ID)+`.`+f.Kind+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; object-src 'self'; plugin-types application/pdf; sandbox")
	http.ServeContent(w, r, "", f.CreatedAt, fh)
	return nil
}
