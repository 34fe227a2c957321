package web

import (
	"net/http"
	"net/url"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// staffOf is the signed-in staff member, nil for applicants and visitors. withUser sets it
// only for a session that passed the second factor, of an account that holds a role.
func staffOf(r *http.Request) *staff.Member {
	m, _ := r.Context().Value(keyStaff).(*staff.Member)
	return m
}

// staffOnly lets through staff of this tenant who signed in with their second factor.
// Visitors are sent to the login page and back; applicants, and staff whose session
// skipped the second factor, get 403.
func (s *Server) staffOnly(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if userOf(r) == nil {
			if r.Method == http.MethodGet {
				return redirect(w, r, "/masuk?next="+url.QueryEscape(r.URL.RequestURI()))
			}
			return errs.New(errs.Unauthorized, "error.signed_out")
		}
		m := staffOf(r)
		if m == nil || m.TenantID != s.Tenants.ForHost(r.Host).ID {
			return errs.New(errs.Forbidden, "staff.forbidden")
		}
		return next(w, r)
	}
}

// staffWith is staffOnly for screens of some roles only: the member must hold one of
// roles.
func (s *Server) staffWith(roles ...sop.Role) func(handlerFunc) handlerFunc {
	return func(next handlerFunc) handlerFunc {
		return s.staffOnly(func(w http.ResponseWriter, r *http.Request) error {
			if !staffOf(r).HasAny(roles...) {
				return errs.New(errs.Forbidden, "staff.forbidden_role")
			}
			return next(w, r)
		})
	}
}

// staffNext is where a staff member goes after signing in: next if it is on this site,
// else the back office.
func staffNext(next string) string { return localPath(next, "/kantor") }
