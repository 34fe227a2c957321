package workflow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

// An SOP edit that drops a step requests are at is refused, naming the step; keeping
// it (and changing anything else) is accepted.
func TestSOPEditKeepsStepsInUse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		e.submit(t, "budi", "budi.santoso") // now at "verifikasi"
		b := &sop.Book{Store: st}
		ref := sop.TenantRef{ID: e.tenant.ID, Slug: "kominfo", Preset: "kominfo"}
		preset, _, err := b.Source(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		renamed := strings.ReplaceAll(string(preset), "key: verifikasi", "key: verifikasi_dokumen")
		_, err = b.SaveSOP(ctx, ref, []byte(renamed), 0)
		ps := sop.Problems(err)
		if len(ps) != 1 || ps[0].Rule != "steps.in_use" || !strings.Contains(ps[0].Msg, `"verifikasi"`) {
			t.Fatalf("dropping a step in use: %v", err)
		}
		if _, err := b.SaveSOP(ctx, ref, []byte(strings.Replace(string(preset), "standard: 15m", "standard: 10m", 1)), 0); err != nil {
			t.Fatalf("an edit keeping the step: %v", err)
		}
	})
}
