package account_test

import (
	"context"
	"errors"
	"testing"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/store"
)

// A session opens its own tenant only; presented to another it is unknown there and
// stays valid at home.
func TestSessionBoundToTenant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		f.svc.Register(ctx, f.tenant, budi)
		u, _ := f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com")))
		sess, err := f.svc.StartSession(ctx, u, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		id, _ := st.EnsureTenant(ctx, "kaltim", "Diskominfo Kaltim", f.now)
		other := account.Tenant{ID: id, Slug: "kaltim", Name: "Diskominfo Kaltim"}
		if _, err := f.svc.Authenticate(ctx, other, sess); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("session of %s opened %s: %v", f.tenant.Slug, other.Slug, err)
		}
		if got, err := f.svc.Authenticate(ctx, f.tenant, sess); err != nil || got.ID != u.ID {
			t.Fatalf("at home after the attempt: %v", err)
		}
	})
}
