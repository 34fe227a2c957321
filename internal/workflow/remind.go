package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// Head is who hears of a breach at a role's step: the role's superior in the office,
// then up the chain, then the tenant admin when nobody holds the role above.
func Head(r sop.Role) []sop.Role {
	switch r {
	case sop.RoleFrontDesk, sop.RoleAdminMail:
		return []sop.Role{sop.RoleKepalaSeksi, sop.RoleKepalaBidang, sop.RoleKepalaDinas, sop.RoleTenantAdmin}
	case sop.RoleKepalaSeksi:
		return []sop.Role{sop.RoleKepalaBidang, sop.RoleKepalaDinas, sop.RoleTenantAdmin}
	case sop.RoleKepalaBidang:
		return []sop.Role{sop.RoleKepalaDinas, sop.RoleTenantAdmin}
	}
	return []sop.Role{sop.RoleTenantAdmin}
}

// remindBefore is how long before its due time a step's role is reminded: a fifth of the
// step's span, at least 15 minutes.
func remindBefore(st request.Step) time.Duration {
	d := st.Due.Sub(st.StartedAt) / 5
	if d < 15*time.Minute {
		d = 15 * time.Minute
	}
	return d
}

// Remind sends the reminders and breach notices that are due at now, and tells how many
// it sent. A step is reminded once and its breach reported once; the mails are written
// in the transaction that marks the step, so a crash sends neither or all, and runs on
// two processes at once send each once.
func (e *Engine) Remind(ctx context.Context, now time.Time) (int, error) {
	// The largest reminder window is a fifth of the longest step; a day ahead catches
	// every step of the presets, the span check below picks the ones really due.
	steps, err := e.Store.StepsDue(ctx, now, now.Add(24*time.Hour), 500)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, st := range steps {
		if st.Role == string(sop.RolePemohon) || st.Due.IsZero() {
			continue
		}
		var roles []sop.Role
		var template string
		var mark func(ctx context.Context, id int64, at time.Time) (bool, error)
		switch {
		case !now.Before(st.Due):
			roles, template, mark = Head(sop.Role(st.Role)), "task_overdue", e.Store.MarkBreached
		case st.Due.Sub(now) <= remindBefore(st):
			roles, template, mark = []sop.Role{sop.Role(st.Role)}, "task_reminder", e.Store.MarkReminded
		default:
			continue
		}
		r, err := e.Store.Request(ctx, st.RequestID)
		if err != nil {
			return sent, err
		}
		t, _ := e.Tenant(st.TenantID)
		due := sop.Stamp(st.Due, time.UTC)
		if def, _, err := e.Book.Workflow(ctx, t.SOPRef()); err == nil {
			due = def.Stamp(st.Due)
		}
		err = e.Store.Tx(ctx, func(ctx context.Context) error {
			// The mark is conditional and comes first: of two runs (an old leader still
			// finishing as a new one starts), the second waits on the row and finds it
			// marked, and sends nothing.
			if ok, err := mark(ctx, st.ID, now); err != nil || !ok {
				return err
			}
			for _, role := range roles {
				to, err := e.Store.StaffWithRole(ctx, st.TenantID, string(role))
				if err != nil {
					return err
				}
				for _, p := range to {
					err := e.Mail.Send(ctx, notify.Mail{TenantID: st.TenantID, To: p.Email, Lang: p.Lang, Template: template,
						Data: map[string]any{"Name": p.Name, "Number": r.Number, "Step": st.Name, "Role": sop.Role(st.Role).Label(p.Lang),
							"Due": due, "URL": t.Link(fmt.Sprintf("/kantor/permohonan/%d", r.ID)), "Tenant": t.Name}})
					if err != nil {
						return err
					}
					sent++
				}
				if len(to) > 0 {
					break // the nearest role held by someone hears it
				}
			}
			return nil
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
