package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

func TestTenantSOP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a, b := tenant(t, st, "a"), tenant(t, st, "b")
		t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		if _, err := st.TenantSOP(ctx, a); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no SOP yet: %v", err)
		}
		mustSOP(t, st.SaveTenantSOP(ctx, a, []byte("slug: a\n"), 3, t0))
		mustSOP(t, st.SaveTenantSOP(ctx, a, []byte("slug: a2\n"), 4, t0.Add(time.Hour)))
		if y, err := st.TenantSOP(ctx, a); err != nil || string(y) != "slug: a2\n" {
			t.Fatalf("stored: %q %v", y, err)
		}
		if _, err := st.TenantSOP(ctx, b); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("other tenant: %v", err)
		}
		// Editing the holidays keeps the SOP; resetting the SOP keeps the holidays.
		if _, edited, err := st.TenantHolidays(ctx, a); edited || err != nil {
			t.Fatalf("holidays before any edit: %v %v", edited, err)
		}
		hs := []sop.Holiday{{Date: sop.Date{Year: 2026, Month: 8, Day: 17}, Name: "Kemerdekaan"}, {Date: sop.Date{Year: 2026, Month: 1, Day: 1}, Name: "Tahun Baru"}}
		mustSOP(t, st.SaveTenantHolidays(ctx, a, hs, 3, t0))
		if y, err := st.TenantSOP(ctx, a); err != nil || string(y) != "slug: a2\n" {
			t.Fatalf("SOP after a holiday edit: %q %v", y, err)
		}
		mustSOP(t, st.SaveTenantSOP(ctx, a, nil, 3, t0))
		if _, err := st.TenantSOP(ctx, a); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("reset: %v", err)
		}
		got, edited, err := st.TenantHolidays(ctx, a)
		if err != nil || !edited || len(got) != 2 || got[0].Name != "Tahun Baru" || got[1].Date != hs[0].Date {
			t.Fatalf("holidays: %v %v %v", got, edited, err)
		}
		// A table emptied by the tenant stays empty: it is not the national one again.
		mustSOP(t, st.SaveTenantHolidays(ctx, a, nil, 3, t0))
		if got, edited, err := st.TenantHolidays(ctx, a); err != nil || !edited || len(got) != 0 {
			t.Fatalf("emptied: %v %v %v", got, edited, err)
		}
		// The holiday table of a tenant without a stored SOP.
		mustSOP(t, st.SaveTenantHolidays(ctx, b, hs[:1], 3, t0))
		if got, edited, _ := st.TenantHolidays(ctx, b); !edited || len(got) != 1 {
			t.Fatalf("other tenant: %v", got)
		}
		if _, err := st.TenantSOP(ctx, b); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("holidays gave tenant b an SOP: %v", err)
		}
	})
}

func mustSOP(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
