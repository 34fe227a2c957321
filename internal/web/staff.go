package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/staff"
)

// staffOf is the signed-in staff member, nil for applicants and visitors.
func staffOf(r *http.Request) *staff.Member {
	m, _ := r.Context().Value(keyStaff).(*staff.Member)
	return m
}

// staffOnly lets through staff who signed in with their second factor.
// TODO(staff auth): load the member and check the second factor.
func (s *Server) staffOnly(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if staffOf(r) == nil {
			return errs.New(errs.Forbidden, "error.forbidden")
		}
		return next(w, r)
	}
}
