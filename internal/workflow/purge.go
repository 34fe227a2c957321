package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
)

// ProposePurges starts, for each deactivated mailbox of tenant t whose retention period
// has ended by now (registry.Mailbox.PurgeAfter), a purge request in its owner's name
// (sop.ServicePurge, started by the system): a task of its purge step's role, whose
// "execute" is the staff's confirmation and whose refusal keeps the mailbox. Nothing is
// deleted here. The leader runs it; a mailbox already proposed since its deactivation
// is skipped, so a hand-over or a second run proposes nothing twice (the one open purge
// per mailbox is also a unique index). It returns how many requests were started.
func (e *Engine) ProposePurges(ctx context.Context, t account.Tenant, now time.Time, limit int) (int, error) {
	due, err := e.Store.DuePurges(ctx, t.ID, now, limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range due {
		_, err := e.Requests.SystemStart(ctx, t, m, sop.ServicePurge, "retensi", nil)
		switch {
		case err == nil:
			n++
		case errs.CodeOf(err) == errs.Conflict, errs.CodeOf(err) == errs.Invalid:
			// Proposed meanwhile by another run, or the mailbox changed.
		default:
			return n, fmt.Errorf("propose purge of %s: %w", m.Address, err)
		}
	}
	return n, nil
}
