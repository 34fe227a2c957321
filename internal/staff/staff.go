// Package staff is the back office's people: the portal accounts that also hold one or
// more roles of the SOP (Kepala Dinas, Kepala Bidang, Kepala Seksi, Admin Mail Server,
// Front Desk, Tenant Admin) in one tenant, and sign in with a second factor (TOTP, with
// recovery codes).
package staff

import (
	"strings"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/sop"
)

// Member is a signed-in staff member: the account and the roles it holds in its tenant.
type Member struct {
	UserID   int64
	TenantID int64
	Name     string
	Email    string
	Roles    []sop.Role
	// Username is the account's login name.
	Username string
	// MFASince is when the member's second factor was enrolled; zero until then.
	MFASince time.Time
}

// Has reports whether m holds role r.
func (m Member) Has(r sop.Role) bool {
	for _, x := range m.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// HasAny reports whether m holds at least one of rs.
func (m Member) HasAny(rs ...sop.Role) bool {
	for _, r := range rs {
		if m.Has(r) {
			return true
		}
	}
	return false
}

// Actor is m as the audit trail and a request's history name who acted.
func (m Member) Actor() audit.Actor { return audit.Staff(m.UserID, m.Name, RoleList(m.Roles)) }

// RoleList joins roles with commas, as the audit trail records them.
func RoleList(roles []sop.Role) string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return strings.Join(out, ",")
}
