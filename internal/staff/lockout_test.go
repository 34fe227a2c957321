package staff_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

// Parallel wrong codes each use up one attempt: 40 sent together are checked at most
// MaxAttempts times (it used to be 28–33), and the second factor ends locked, so even
// the right code then waits. The attempts beyond those in flight are turned away busy.
func TestVerifyParallelGuesses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		f := setupOn(t, st)
		ctx := context.Background()
		m := f.add(t, "admin@kominfo.go.id", sop.RoleTenantAdmin)
		secret, _ := f.enroll(t, m.UserID)
		f.now = f.now.Add(time.Minute)
		const n = 40
		var wg sync.WaitGroup
		start := make(chan struct{})
		rules := make(chan string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				code := "000000"
				if i%4 == 3 {
					code = "abcde-fghjk" // a recovery code that is none
				}
				rules <- rule(f.svc.Verify(ctx, m.UserID, code))
			}()
		}
		close(start)
		wg.Wait()
		close(rules)
		got := map[string]int{}
		for r := range rules {
			got[r]++
		}
		max := f.svc.Limits.MaxAttempts
		// The rest are refused unchecked: busy (503) while the checked ones are in
		// flight, locked after.
		if got["mfa_wrong"] != max-1 || got["mfa.locked"] < 1 || got["mfa.locked"]+got["error.busy"] != n-max+1 {
			t.Fatalf("answers %v: want %d wrong (attempt %d locks) and the rest locked or busy unchecked", got, max-1, max)
		}
		good, _ := totp.GenerateCode(secret, f.now)
		if err := f.svc.Verify(ctx, m.UserID, good); rule(err) != "mfa.locked" {
			t.Fatalf("right code after the burst: %v", err)
		}
	})
}
