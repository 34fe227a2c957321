package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Approve is the collective task's "approve all" (ActMany): at each request's running
// step, what moves it on: Forward at a decision, Provision (with the request's own
// address) at the create step, Deliver, Complete at a report or archive step.
const Approve Action = "setujui"

// Outcome is what ActMany did to one request: Err nil when the action was taken, else
// why not (another role's step, a step that moved on, a full server).
type Outcome struct {
	RequestID int64
	Err       error
}

// ActMany takes one action on the running steps of several requests (the rows of a
// collective request): Approve, or Return or Refuse with the note. Each request is acted
// on alone, as from its own page (a create step that gave up is retried) (its history, SLA, audit entry and mail), so one that
// cannot be moved leaves the others moved. Before any create step is started, the mail
// server's capacity is checked for all of them at once: a list the server cannot hold
// creates none.
func (e *Engine) ActMany(ctx context.Context, m staff.Member, ids []int64, action Action, note, ip string) ([]Outcome, error) {
	type todo struct {
		id int64
		in Input
	}
	var plan []todo
	out := make([]Outcome, 0, len(ids))
	creates := 0
	for _, id := range ids {
		r, err := e.Load(ctx, m, id)
		if err != nil {
			out = append(out, Outcome{id, err})
			continue
		}
		steps, err := e.Store.StepsOf(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("act many: %w", err)
		}
		st, ok := request.Running(steps)
		if !ok || st.Status != request.StepOpen && st.Status != request.StepFailed {
			out = append(out, Outcome{id, ErrAlreadyDone})
			continue
		}
		in := Input{StepID: st.ID, Action: action, Note: note, IP: ip}
		if action == Approve && st.Status == request.StepFailed {
			// A create that gave up is tried again, alone.
			in.Action = Retry
		} else if action == Approve {
			switch sop.Kind(st.Kind) {
			case sop.KindProvision:
				in.Action, in.Mailbox = Provision, r.Mailbox
				creates++
			case sop.KindManual, sop.KindCapacityCheck, sop.KindSubmit:
				in.Action = Forward
			case sop.KindDeliver:
				in.Action = Deliver
			case sop.KindReport, sop.KindArchive:
				in.Action = Complete
			default:
				out = append(out, Outcome{id, errs.New(errs.Invalid, "workflow.bad_action")})
				continue
			}
		}
		plan = append(plan, todo{id, in})
	}
	if creates > 0 {
		if err := e.roomFor(ctx, m.TenantID, creates); err != nil {
			return nil, err
		}
	}
	for _, p := range plan {
		_, err := e.Act(ctx, m, p.id, p.in)
		out = append(out, Outcome{p.id, err})
	}
	return out, nil
}

// roomFor checks the tenant's last capacity snapshot for n new mailboxes; with no
// snapshot yet nothing is refused here (each create job checks the server itself).
func (e *Engine) roomFor(ctx context.Context, tenantID int64, n int) error {
	v := e.Capacity(ctx, tenantID)
	if !v.Known() {
		return nil
	}
	c := v.Now
	c.Accounts += n - 1
	q := v.DefaultQuota
	if q == 0 {
		q = c.NewQuotaBytes
	}
	if q > 0 {
		c.QuotaAllocated += int64(n-1) * q
	}
	if err := v.Limits.Check(c, v.DefaultQuota); err != nil {
		if errors.Is(err, mailbox.ErrFull) || errors.Is(err, mailbox.ErrUnbounded) {
			return errs.New(errs.Conflict, "collective.capacity", n, err.Error())
		}
		return err
	}
	return nil
}
