package workflow_test

import (
	"context"
	"sync"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// The password is shown once even when the applicant's two tabs (or the applicant and
// the front desk's letter) ask at the same instant.
func TestRevealOnceUnderRace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		u, r := e.submit(t, "sari", "sari.dewi")
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Provision, "")
		e.runJobs(t)
		var wg sync.WaitGroup
		got := make([]error, 6)
		for i := range got {
			wg.Go(func() {
				if i%2 == 0 {
					_, got[i] = e.eng.Reveal(ctx, u, r.ID, "")
				} else {
					_, got[i] = e.eng.RevealForLetter(ctx, e.members["front_desk"], r.ID, "")
				}
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range got {
			switch {
			case err == nil:
				ok++
			case errs.CodeOf(err) == errs.Conflict:
			default:
				t.Fatalf("unexpected: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d reveals succeeded, want exactly 1", ok)
		}
	})
}
