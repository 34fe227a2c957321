package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/setup"
	"github.com/surel-id/surel/internal/store"
)

// A tenant's first-run settings: none before the first save, replaced whole by the next,
// apart from the other tenant's.
func TestTenantSetup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a, b := tenant(t, st, "a"), tenant(t, st, "b")
		if _, err := st.TenantSetup(ctx, a); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("before a save: %v", err)
		}
		t0 := time.Date(2026, 12, 6, 8, 0, 0, 0, time.FixedZone("WITA", 8*3600))
		r := setup.Record{Name: "Diskominfo Kota Palangka Raya", MailDomain: "palangkaraya.go.id", SOP: "palangkaraya", TimeZone: "Asia/Makassar",
			Hours: "sun=closed;mon=08:00-16:00", Mail: `{"driver":"zimbra"}`, Secret: "c2VhbGVk", UpdatedAt: t0, UpdatedBy: 7}
		if err := st.Tx(ctx, func(ctx context.Context) error { return st.SaveTenantSetup(ctx, a, r) }); err != nil {
			t.Fatal(err)
		}
		got, err := st.TenantSetup(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if !got.UpdatedAt.Equal(t0) || got.UpdatedAt.Location() != time.UTC {
			t.Errorf("updated at %v, want %v in UTC", got.UpdatedAt, t0)
		}
		got.UpdatedAt = r.UpdatedAt
		if got != r {
			t.Errorf("stored %+v\nwant %+v", got, r)
		}
		// The next save replaces every column, emptied ones too.
		r2 := setup.Record{MailDomain: "mail.palangkaraya.go.id", UpdatedAt: t0.Add(time.Hour), UpdatedBy: 8}
		if err := st.SaveTenantSetup(ctx, a, r2); err != nil {
			t.Fatal(err)
		}
		if got, err := st.TenantSetup(ctx, a); err != nil || got.Name != "" || got.Mail != "" || got.Secret != "" || got.MailDomain != r2.MailDomain || got.UpdatedBy != 8 {
			t.Errorf("replaced: %+v %v", got, err)
		}
		if _, err := st.TenantSetup(ctx, b); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other tenant: %v", err)
		}
		// Text PostgreSQL refuses is refused on both engines, never half-written.
		if err := st.SaveTenantSetup(ctx, b, setup.Record{Name: "a\x00b", UpdatedAt: t0}); err == nil {
			t.Error("a NUL byte stored")
		}
		if _, err := st.TenantSetup(ctx, b); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("refused save left a row: %v", err)
		}
	})
}
