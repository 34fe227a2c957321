package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/store"
)

func staffUser(t *testing.T, st *store.Store, tenantID int64, name string) account.User {
	t.Helper()
	now := time.Now().UTC()
	u := account.User{TenantID: tenantID, Username: name, Email: name + "@x.go.id", FirstName: name, Phone: "", PasswordHash: "h",
		Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
	if err := st.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestStaffRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, oid := tenant(t, st, "a"), tenant(t, st, "b")
		ani, budi, other := staffUser(t, st, tid, "ani"), staffUser(t, st, tid, "budi"), staffUser(t, st, oid, "citra")
		t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		if _, err := st.StaffMember(ctx, ani.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no roles yet: %v", err)
		}
		mustStaff(t, st.SetStaffRoles(ctx, ani.ID, tid, []sop.Role{sop.RoleTenantAdmin}, 0, t0))
		mustStaff(t, st.SetStaffRoles(ctx, budi.ID, tid, []sop.Role{sop.RoleKepalaSeksi, sop.RoleFrontDesk}, ani.ID, t0))
		mustStaff(t, st.SetStaffRoles(ctx, other.ID, oid, []sop.Role{sop.RoleAdminMail}, 0, t0))
		m, err := st.StaffMember(ctx, budi.ID)
		if err != nil || m.TenantID != tid || m.Name != "budi" || m.Email != "budi@x.go.id" || len(m.Roles) != 2 ||
			m.Roles[0] != sop.RoleFrontDesk || m.Roles[1] != sop.RoleKepalaSeksi || !m.MFASince.IsZero() {
			t.Fatalf("member %+v %v", m, err)
		}
		// Replacing keeps the grant of a role kept.
		mustStaff(t, st.SetStaffRoles(ctx, budi.ID, tid, []sop.Role{sop.RoleKepalaSeksi, sop.RoleKepalaBidang}, ani.ID, t0.Add(time.Hour)))
		var granted time.Time
		var by int64
		st.DB().QueryRow(staffRebind(st, `SELECT granted_at, granted_by FROM staff_roles WHERE user_id = ? AND role = ?`), budi.ID, "kepala_seksi").Scan(&granted, &by)
		if !granted.Equal(t0) || by != ani.ID {
			t.Fatalf("kept role re-granted: %v by %d", granted, by)
		}
		ms, err := st.StaffMembers(ctx, tid)
		if err != nil || len(ms) != 2 || ms[0].UserID != ani.ID || ms[1].UserID != budi.ID || len(ms[1].Roles) != 2 || ms[1].Roles[0] != sop.RoleKepalaBidang {
			t.Fatalf("members %+v %v", ms, err)
		}
		mustStaff(t, st.SetStaffRoles(ctx, budi.ID, tid, nil, ani.ID, t0))
		if _, err := st.StaffMember(ctx, budi.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("all roles removed: %v", err)
		}
	})
}

func TestStaffMFA(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		u := staffUser(t, st, tid, "ani")
		now := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		mustStaff(t, st.SetStaffRoles(ctx, u.ID, tid, []sop.Role{sop.RoleTenantAdmin}, 0, now))
		if _, err := st.MFA(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no mfa yet: %v", err)
		}
		mustStaff(t, st.SaveMFA(ctx, staff.MFA{UserID: u.ID, SecretEnc: "sealed", CreatedAt: now}))
		if ok, err := st.UseTOTPStep(ctx, u.ID, 10); ok || err != nil {
			t.Fatalf("step used before enabling: %v %v", ok, err)
		}
		mustStaff(t, st.SaveMFA(ctx, staff.MFA{UserID: u.ID, SecretEnc: "sealed", CreatedAt: now, EnabledAt: now, LastStep: 5}))
		m, err := st.MFA(ctx, u.ID)
		if err != nil || m.SecretEnc != "sealed" || !m.EnabledAt.Equal(now) || m.LastStep != 5 {
			t.Fatalf("mfa %+v %v", m, err)
		}
		if sm, _ := st.StaffMember(ctx, u.ID); !sm.MFASince.Equal(now) {
			t.Fatalf("member MFASince %v", sm.MFASince)
		}
		for _, c := range []struct {
			step int64
			ok   bool
		}{{6, true}, {6, false}, {5, false}, {8, true}, {7, false}} {
			if ok, err := st.UseTOTPStep(ctx, u.ID, c.step); ok != c.ok || err != nil {
				t.Fatalf("step %d: %v %v", c.step, ok, err)
			}
		}
		mustStaff(t, st.SetRecoveryCodes(ctx, u.ID, []string{"h1", "h2"}))
		if ok, _ := st.UseRecoveryCode(ctx, u.ID, "h1", now); !ok {
			t.Fatal("code h1")
		}
		if ok, _ := st.UseRecoveryCode(ctx, u.ID, "h1", now); ok {
			t.Fatal("code h1 twice")
		}
		if n, _ := st.UnusedRecoveryCodes(ctx, u.ID); n != 1 {
			t.Fatalf("%d unused", n)
		}
		mustStaff(t, st.DeleteMFA(ctx, u.ID))
		if _, err := st.MFA(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if n, _ := st.UnusedRecoveryCodes(ctx, u.ID); n != 0 {
			t.Fatalf("%d codes after delete", n)
		}
		// A session remembers its second factor.
		mustStaff(t, st.CreateSession(ctx, account.Session{Hash: "s1", UserID: u.ID, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(time.Hour), MFAAt: now}))
		mustStaff(t, st.CreateSession(ctx, account.Session{Hash: "s2", UserID: u.ID, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(time.Hour)}))
		if s, _ := st.SessionByHash(ctx, "s1"); !s.MFAAt.Equal(now) {
			t.Fatalf("session mfa_at %v", s.MFAAt)
		}
		if s, _ := st.SessionByHash(ctx, "s2"); !s.MFAAt.IsZero() {
			t.Fatalf("applicant session mfa_at %v", s.MFAAt)
		}
	})
}

func mustStaff(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func staffRebind(st *store.Store, q string) string {
	if st.Dialect() != store.Postgres {
		return q
	}
	n := 0
	out := []byte{}
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, '$', byte('0'+n))
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

// The session read carries the staff roles and the second factor's date, so a staff
// page needs no other query: the same as StaffMember gives, and nothing for an applicant.
func TestSessionUserStaff(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		budi, siti := staffUser(t, st, tid, "budi"), staffUser(t, st, tid, "siti")
		now := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		mustStaff(t, st.SetStaffRoles(ctx, budi.ID, tid, []sop.Role{sop.RoleKepalaSeksi, sop.RoleFrontDesk}, 0, now))
		mustStaff(t, st.SaveMFA(ctx, staff.MFA{UserID: budi.ID, SecretEnc: "sealed", CreatedAt: now, EnabledAt: now}))
		for _, u := range []account.User{budi, siti} {
			mustStaff(t, st.CreateSession(ctx, account.Session{Hash: "h-" + u.Username, UserID: u.ID, CreatedAt: now, SeenAt: now,
				ExpiresAt: now.Add(time.Hour), MFAAt: now}))
		}
		ss, u, err := st.SessionUser(ctx, "h-budi")
		if err != nil || u.ID != budi.ID || len(ss.StaffRoles) != 2 || !ss.StaffMFASince.Equal(now) {
			t.Fatalf("staff session: %+v %v", ss, err)
		}
		roles := []sop.Role{sop.Role(ss.StaffRoles[0]), sop.Role(ss.StaffRoles[1])}
		staff.OrderRoles(roles)
		if m, _ := st.StaffMember(ctx, budi.ID); roles[0] != m.Roles[0] || roles[1] != m.Roles[1] {
			t.Fatalf("roles %v, StaffMember %v", roles, m.Roles)
		}
		if ss, _, err := st.SessionUser(ctx, "h-siti"); err != nil || ss.StaffRoles != nil || !ss.StaffMFASince.IsZero() {
			t.Fatalf("applicant session: %+v %v", ss, err)
		}
	})
}

// The header's unread count comes with the session, and counts only what is unread; on
// SQLite the count reads the partial index of unread notifications, not every
// notification the user ever had.
func TestSessionUserUnread(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		budi := staffUser(t, st, tid, "budi")
		now := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		mustStaff(t, st.CreateSession(ctx, account.Session{Hash: "h", UserID: budi.ID, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(time.Hour)}))
		notify := func(n int) {
			for i := range n {
				mustStaff(t, st.Notify(ctx, request.Notification{UserID: budi.ID, RequestID: int64(i + 1), Key: "notif.reminder", CreatedAt: now}))
			}
		}
		unread := func() int {
			ss, _, err := st.SessionUser(ctx, "h")
			if err != nil {
				t.Fatal(err)
			}
			if n, err := st.UnreadCount(ctx, budi.ID); err != nil || n != ss.Unread {
				t.Fatalf("UnreadCount %d (%v), SessionUser %d", n, err, ss.Unread)
			}
			return ss.Unread
		}
		notify(5)
		mustStaff(t, st.MarkRead(ctx, budi.ID))
		notify(3)
		if n := unread(); n != 3 {
			t.Fatalf("unread = %d, want 3 (5 read, 3 new)", n)
		}
		mustStaff(t, st.MarkRead(ctx, budi.ID))
		if n := unread(); n != 0 {
			t.Fatalf("unread after reading = %d", n)
		}
		if st.Dialect() == store.SQLite {
			var plan strings.Builder
			rows, err := st.DB().QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, budi.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id, parent, unused int
				var detail string
				rows.Scan(&id, &parent, &unused, &detail)
				plan.WriteString(detail + "\n")
			}
			if !strings.Contains(plan.String(), "notifications_unread") {
				t.Errorf("the unread count does not use the partial index:\n%s", plan.String())
			}
		}
	})
}
