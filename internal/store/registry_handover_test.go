package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/store"
)

// The handover flag of an institutional mailbox: found by its responsible person (by
// portal account or NIP, only while on the server and not deactivated), written with the
// state over its version, filtered and counted for the registry page; a new responsible
// person is found by their name and NIP.
func TestRegistryHandover(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, oid := tenant(t, st, "a"), tenant(t, st, "b")
		pj := staffUser(t, st, tid, "budi")
		const nip = "198503122010011001"
		unit := putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: "diskominfo@mail.go.id", Kind: registry.Institutional, OwnerID: pj.ID,
			NIP: nip, Name: "Budi Santoso"})
		putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: "budi.santoso@mail.go.id", OwnerID: pj.ID, NIP: nip, Name: "Budi Santoso"})
		putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: "humas@mail.go.id", Kind: registry.Institutional, NIP: nip, Name: "Budi Santoso",
			Status: registry.Inactive})
		putMailbox(t, st, registry.Mailbox{TenantID: oid, Address: "diskominfo@other.go.id", Kind: registry.Institutional, NIP: nip})

		byOwner, err := st.InstitutionalOf(ctx, tid, pj.ID, "")
		if err != nil || len(byOwner) != 1 || byOwner[0].ID != unit.ID {
			t.Fatalf("institutional of the owner: %v, %v", addresses(byOwner), err)
		}
		byNIP, err := st.InstitutionalOf(ctx, tid, 0, nip)
		if err != nil || len(byNIP) != 1 || byNIP[0].ID != unit.ID {
			t.Fatalf("institutional of the NIP (not the person's own, not the deactivated one, not another tenant's): %v, %v", addresses(byNIP), err)
		}
		nips, err := st.InstitutionalNIPs(ctx, tid)
		if err != nil || len(nips) != 1 || !nips[nip] {
			t.Fatalf("institutional NIPs: %v, %v", nips, err)
		}

		m := byNIP[0]
		at := time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
		m.Handover, m.HandoverAt, m.UpdatedAt = registry.HandoverLeft, at, at
		stale := m
		if ok, err := st.UpdateMailbox(ctx, &m); !ok || err != nil {
			t.Fatalf("flag: %v %v", ok, err)
		}
		if ok, _ := st.UpdateMailbox(ctx, &stale); ok {
			t.Fatal("a second write over the same version won")
		}
		got, _ := st.Mailbox(ctx, unit.ID)
		if got.Handover != registry.HandoverLeft || !got.HandoverAt.Equal(at) || got.Status != registry.Active {
			t.Fatalf("flagged: %+v", got)
		}
		if n, err := st.HandoverCount(ctx, tid); n != 1 || err != nil {
			t.Fatalf("handover count %d, %v", n, err)
		}
		if n, _ := st.HandoverCount(ctx, oid); n != 0 {
			t.Fatalf("another tenant's handover count %d", n)
		}
		page, _, err := st.Mailboxes(ctx, registry.Query{TenantID: tid, Handover: true, Limit: 10})
		if err != nil || len(page) != 1 || page[0].ID != unit.ID {
			t.Fatalf("handover filter: %v, %v", addresses(page), err)
		}
		page, _, err = st.Mailboxes(ctx, registry.Query{TenantID: tid, Search: "budi", Handover: true, Limit: 10})
		if err != nil || len(page) != 1 || page[0].ID != unit.ID {
			t.Fatalf("handover filter in a search: %v, %v", addresses(page), err)
		}

		// The handover: a new responsible person, found by their name and NIP.
		sari := staffUser(t, st, tid, "sari")
		got.OwnerID, got.NIP, got.Name, got.Handover, got.HandoverAt = sari.ID, "199001012015032002", "Sari Dewi", "", time.Time{}
		if ok, err := st.UpdateMailbox(ctx, &got); !ok || err != nil {
			t.Fatalf("handover: %v %v", ok, err)
		}
		got, _ = st.Mailbox(ctx, unit.ID)
		if got.OwnerID != sari.ID || got.NIP != "199001012015032002" || got.Handover != "" || !got.HandoverAt.IsZero() {
			t.Fatalf("after the handover: %+v", got)
		}
		for q, want := range map[string]int{"sari": 1, "199001012015": 1, "diskominfo": 1} {
			page, _, err := st.Mailboxes(ctx, registry.Query{TenantID: tid, Search: q, Limit: 10})
			if err != nil || len(page) != want {
				t.Errorf("search %q after the handover: %v, %v", q, addresses(page), err)
			}
		}
		page, _, _ = st.Mailboxes(ctx, registry.Query{TenantID: tid, Search: "budi", Kind: registry.Institutional, Limit: 10})
		if len(page) != 1 || page[0].Address != "humas@mail.go.id" {
			t.Fatalf("the previous person still finds the unit's mailbox: %v", addresses(page))
		}
	})
}
