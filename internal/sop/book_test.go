package sop

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
)

// memStore is the Store in memory, counting reads to show the cache.
type memStore struct {
	mu       sync.Mutex
	sops     map[int64][]byte
	holidays map[int64][]Holiday
	reads    int
}

func (m *memStore) TenantSOP(_ context.Context, id int64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	if y, ok := m.sops[id]; ok {
		return y, nil
	}
	return nil, errs.ErrNotFound
}

func (m *memStore) TenantHolidays(_ context.Context, id int64) ([]Holiday, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	hs, ok := m.holidays[id]
	return hs, ok, nil
}

func (m *memStore) SaveTenantSOP(_ context.Context, id int64, y []byte, _ int64, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if y == nil {
		delete(m.sops, id)
	} else {
		m.sops[id] = y
	}
	return nil
}

func (m *memStore) SaveTenantHolidays(_ context.Context, id int64, hs []Holiday, _ int64, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.holidays[id] = hs
	return nil
}

// Tx runs fn: the memory store has no transactions (each method locks on its own).
func (m *memStore) Tx(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

// memAudit keeps the entries recorded, in order.
type memAudit struct{ entries []audit.Entry }

func (m *memAudit) Record(_ context.Context, e audit.Entry) error {
	m.entries = append(m.entries, e)
	return nil
}

func newMem() *memStore {
	return &memStore{sops: map[int64][]byte{}, holidays: map[int64][]Holiday{}}
}

func TestBook(t *testing.T) {
	ctx := context.Background()
	st := newMem()
	trail := &memAudit{}
	b := &Book{Store: st, Audit: trail}
	admin := audit.Staff(7, "Admin Kaltim", "tenant_admin")
	kaltim := TenantRef{ID: 1, Slug: "kaltim", Preset: "kaltim"}
	national := TenantRef{ID: 2, Slug: "pusat"}

	// No stored SOP: the preset the configuration names, kominfo when none.
	def, cal, err := b.Workflow(ctx, kaltim)
	if err != nil || def.Slug != "kaltim" || cal.Loc.String() != "Asia/Makassar" {
		t.Fatalf("preset: %v %v", def.Slug, err)
	}
	if def, _, _ := b.Workflow(ctx, national); def.Slug != "kominfo" {
		t.Fatalf("default preset: %s", def.Slug)
	}
	if _, ok := cal.Holidays[Date{2026, 8, 17}]; !ok {
		t.Error("the national holidays apply until the tenant edits its table")
	}
	reads := st.reads
	b.Workflow(ctx, kaltim)
	if st.reads != reads {
		t.Error("second resolution read the store: no cache")
	}
	if y, custom, err := b.Source(ctx, kaltim); err != nil || custom || !strings.Contains(string(y), "slug: kaltim") {
		t.Fatalf("preset source: %v %v", custom, err)
	}

	// A bad SOP is refused with the tenant's file name, the line and the rule.
	bad := strings.Replace(string(mustPreset(t, "palangkaraya")), "role: kepala_seksi", "role: lurah", 1)
	_, err = b.SaveSOP(ctx, kaltim, []byte(bad), admin)
	ps := Problems(err)
	if len(ps) == 0 || ps[0].File != "tenant-kaltim.yaml" || ps[0].Line == 0 || ps[0].Rule != "role.unknown" {
		t.Fatalf("bad SOP: %v", err)
	}
	if _, custom, _ := b.Source(ctx, kaltim); custom {
		t.Fatal("a refused SOP was stored")
	}

	// A good one replaces the preset at once (the cache is forgotten).
	good := mustPreset(t, "palangkaraya")
	if _, err := b.SaveSOP(ctx, kaltim, good, admin); err != nil {
		t.Fatal(err)
	}
	def, cal, err = b.Workflow(ctx, kaltim)
	if err != nil || def.Slug != "palangkaraya" || cal.Loc.String() != "Asia/Jakarta" {
		t.Fatalf("stored SOP: %s %v", def.Slug, err)
	}
	if _, custom, _ := b.Source(ctx, kaltim); !custom {
		t.Error("Source does not say custom")
	}
	if def, _, _ := b.Workflow(ctx, national); def.Slug != "kominfo" {
		t.Error("another tenant changed")
	}

	// A stored SOP that no longer loads is an error, not the preset.
	st.sops[1] = []byte("slug: x\n")
	b.Forget(1)
	if _, _, err := b.Workflow(ctx, kaltim); err == nil || !strings.Contains(err.Error(), "tenant-kaltim.yaml:") {
		t.Fatalf("broken stored SOP: %v", err)
	}

	// Back to the preset.
	if err := b.ResetSOP(ctx, kaltim, admin); err != nil {
		t.Fatal(err)
	}
	if def, _, _ := b.Workflow(ctx, kaltim); def.Slug != "kaltim" {
		t.Fatalf("reset: %s", def.Slug)
	}

	// The first holiday edit starts from the national table; from then on the tenant's
	// table is the truth.
	if err := b.DeleteHoliday(ctx, kaltim, admin, Date{2026, 8, 17}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddHoliday(ctx, kaltim, admin, Holiday{Date{2026, 1, 9}, "HUT Provinsi"}); err != nil {
		t.Fatal(err)
	}
	hs, edited, err := b.Holidays(ctx, kaltim)
	if err != nil || !edited || len(hs) != len(DefaultHolidays()) {
		t.Fatalf("edited table: %d %v %v", len(hs), edited, err)
	}
	_, cal, _ = b.Workflow(ctx, kaltim)
	if _, ok := cal.Holidays[Date{2026, 8, 17}]; ok || cal.Holidays[Date{2026, 1, 9}] != "HUT Provinsi" {
		t.Error("the calendar does not follow the edited table")
	}
	if _, cal, _ := b.Workflow(ctx, national); cal.Holidays[Date{2026, 1, 9}] != "" {
		t.Error("another tenant's calendar changed")
	}
	// Each edit is in the trail, by its author, on the tenant; the refused one is not.
	var got []string
	for _, e := range trail.entries {
		if e.Actor != "staff:7" || e.TenantID != 1 || e.Object != "tenant:kaltim" {
			t.Errorf("entry %+v", e)
		}
		got = append(got, e.Action+" "+e.Detail)
	}
	if want := []string{"sop.save " + def.Name, "sop.reset kaltim", "holiday.delete 2026-08-17", "holiday.add 2026-01-09 HUT Provinsi"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("trail %q, want %q", got, want)
	}
}

func TestBookNoStore(t *testing.T) {
	b := &Book{National: map[Date]string{{2026, 1, 2}: "x"}}
	_, cal, err := b.Workflow(context.Background(), TenantRef{ID: 1, Preset: "nope"})
	if err == nil || cal != nil {
		t.Fatal("unknown preset accepted")
	}
	_, cal, err = b.Workflow(context.Background(), TenantRef{ID: 1, Preset: "kaltim"})
	if err != nil || len(cal.Holidays) != 1 {
		t.Fatalf("national table: %v %v", cal, err)
	}
}

func mustPreset(t *testing.T, slug string) []byte {
	t.Helper()
	y, ok := PresetYAML(slug)
	if !ok {
		t.Fatalf("no preset %s", slug)
	}
	return y
}

// hookStore runs a hook while a tenant's SOP is read.
type hookStore struct {
	*memStore
	during func()
}

func (h hookStore) TenantSOP(ctx context.Context, id int64) ([]byte, error) {
	y, err := h.memStore.TenantSOP(ctx, id)
	if h.during != nil {
		h.during()
	}
	return y, err
}

// A change announced (Forget) while a resolution was reading is not overwritten by that
// resolution's old copy: the next Workflow reads again and sees the change.
func TestBookForgetDuringRead(t *testing.T) {
	ctx := context.Background()
	mem := newMem()
	hs := hookStore{memStore: mem}
	b := &Book{Store: &hs}
	ref := TenantRef{ID: 1, Slug: "t", Preset: "palangkaraya"}
	edited := strings.Replace(string(mustPreset(t, "palangkaraya")), "\nname: ", "\nname: Disunting — ", 1)
	hs.during = func() {
		// Another process saves and announces it while this read is under way.
		mem.SaveTenantSOP(ctx, 1, []byte(edited), 0, time.Time{})
		b.Forget(1)
		hs.during = nil
	}
	first, _, err := b.Workflow(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(first.Name, "Disunting") {
		t.Fatal("the first read already saw the edit; the test does not test the race")
	}
	got, _, err := b.Workflow(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Name, "Disunting") {
		t.Fatalf("stale SOP cached after a Forget during its read: %q", got.Name)
	}
	b.Workflow(ctx, ref)
	if mem.reads != 2 {
		t.Fatalf("reads = %d, want 2 (the second resolution cached)", mem.reads)
	}
	b.ForgetAll()
	b.Workflow(ctx, ref)
	if mem.reads != 3 {
		t.Fatalf("reads = %d after ForgetAll, want 3", mem.reads)
	}
}
