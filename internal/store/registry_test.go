package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
)

func putMailbox(t *testing.T, st *store.Store, m registry.Mailbox) registry.Mailbox {
	t.Helper()
	if m.Kind == "" {
		m.Kind = registry.Personal
	}
	if m.Status == "" {
		m.Status = registry.Active
	}
	if m.Source == "" {
		m.Source = registry.FromRequest
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Date(2026, 2, 2, 3, 0, 0, 0, time.UTC)
		m.UpdatedAt = m.CreatedAt
	}
	if err := st.PutMailbox(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func addresses(ms []registry.Mailbox) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Address)
	}
	return out
}

func TestRegistryPutAndRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, oid := tenant(t, st, "a"), tenant(t, st, "b")
		owner := staffUser(t, st, tid, "budi")
		m := putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: "budi.santoso@mail.go.id", OwnerID: owner.ID, NIP: "198503122010011001",
			Name: "Budi Santoso, S.Kom", Instansi: "Dinas Kominfo", Unit: "Bidang Aptika", QuotaBytes: 1 << 30, UsedBytes: -1})
		if m.ID == 0 || m.Version != 1 {
			t.Fatalf("put: %+v", m)
		}
		got, err := st.Mailbox(ctx, m.ID)
		if err != nil || got.Address != m.Address || got.OwnerID != owner.ID || got.Name != "Budi Santoso, S.Kom" || got.QuotaBytes != 1<<30 ||
			got.UsedBytes != -1 || got.Status != registry.Active || got.Source != registry.FromRequest || !got.CreatedAt.Equal(m.CreatedAt) {
			t.Fatalf("read back %+v %v", got, err)
		}
		if _, err := st.MailboxAt(ctx, oid, m.Address); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant's address found: %v", err)
		}
		if _, err := st.MailboxAt(ctx, tid, "budi\x00@mail.go.id"); err == nil {
			t.Fatal("NUL byte reached the database")
		}
		// The same address again (a sync saw it first): one row, the new owner data,
		// the next version, and the search words replaced.
		m2 := putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: m.Address, OwnerID: owner.ID, NIP: m.NIP, Name: "Budi Santosa", UsedBytes: -1})
		if m2.ID != m.ID || m2.Version != 2 {
			t.Fatalf("second put: %+v", m2)
		}
		res, _, err := st.Mailboxes(ctx, registry.Query{TenantID: tid, Search: "santoso", Limit: 10})
		if err != nil || len(res) != 1 {
			// santoso is still a word of the address.
			t.Fatalf("search by address word: %v %v", addresses(res), err)
		}
		res, _, _ = st.Mailboxes(ctx, registry.Query{TenantID: tid, Search: "kom", Limit: 10})
		if len(res) != 0 {
			t.Fatalf("old name's words still found: %v", addresses(res))
		}
		counts, err := st.MailboxCounts(ctx, tid)
		if err != nil || counts[registry.Active] != 1 || len(counts) != 1 {
			t.Fatalf("counts %v %v", counts, err)
		}
		owned, err := st.MailboxesOwnedBy(ctx, owner.ID)
		if err != nil || len(owned) != 1 || owned[0].ID != m.ID {
			t.Fatalf("owned %v %v", owned, err)
		}
	})
}

func TestRegistryUpdateOneWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		m := putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: "ani@mail.go.id", Name: "Ani", UsedBytes: -1})
		a, b := m, m
		a.Status, a.DeactivatedAt = registry.Inactive, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		a.PurgeAfter, a.UpdatedAt = a.DeactivatedAt.Add(90*24*time.Hour), a.DeactivatedAt
		ok, err := st.UpdateMailbox(ctx, &a)
		if !ok || err != nil || a.Version != 2 {
			t.Fatalf("first update: %v %v %d", ok, err, a.Version)
		}
		b.QuotaBytes, b.UpdatedAt = 5<<30, a.UpdatedAt
		if ok, err := st.UpdateMailbox(ctx, &b); ok || err != nil {
			t.Fatalf("second writer on the old version won: %v %v", ok, err)
		}
		got, _ := st.Mailbox(ctx, m.ID)
		if got.Status != registry.Inactive || got.QuotaBytes != 0 || !got.PurgeAfter.Equal(a.PurgeAfter) || got.Version != 2 {
			t.Fatalf("row %+v", got)
		}
		counts, _ := st.MailboxCounts(ctx, tid)
		if counts[registry.Active] != 0 || counts[registry.Inactive] != 1 {
			t.Fatalf("counts after the change %v", counts)
		}
	})
}

func TestRegistryPagesAndSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, oid := tenant(t, st, "a"), tenant(t, st, "b")
		people := []struct{ local, name, nip string }{
			{"budi.santoso", "Budi Santoso", "198503122010011001"},
			{"budiman.hadi", "Budiman Hadi", "197001011995031002"},
			{"siti.rahma", "Siti Rahma", "199001012015012003"},
			{"ani.budiarti", "Ani Budiarti", "198801012012012004"},
			{"zainal.abidin", "Zaïnal Abidin", "196512121990031005"},
			{"rahmat.hidayat", "Rahmat Hidayat", "197512121999031006"},
		}
		for i, p := range people {
			status := registry.Active
			if i%2 == 1 {
				status = registry.Inactive
			}
			putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: p.local + "@mail.go.id", Name: p.name, NIP: p.nip, Status: status, UsedBytes: -1})
		}
		putMailbox(t, st, registry.Mailbox{TenantID: oid, Address: "budi.lain@mail.go.id", Name: "Budi Lain", UsedBytes: -1})

		// Every page by address, two at a time, the cursor carrying on.
		var all []string
		q := registry.Query{TenantID: tid, Limit: 2}
		for range 10 {
			page, next, err := st.Mailboxes(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, addresses(page)...)
			if next == "" {
				break
			}
			q.After = next
		}
		want := "[ani.budiarti@mail.go.id budi.santoso@mail.go.id budiman.hadi@mail.go.id rahmat.hidayat@mail.go.id siti.rahma@mail.go.id zainal.abidin@mail.go.id]"
		if fmt.Sprint(all) != want {
			t.Fatalf("pages: %v", all)
		}
		inactive, _, _ := st.Mailboxes(ctx, registry.Query{TenantID: tid, Status: registry.Inactive, Limit: 10})
		if fmt.Sprint(addresses(inactive)) != "[ani.budiarti@mail.go.id budiman.hadi@mail.go.id rahmat.hidayat@mail.go.id]" {
			t.Fatalf("inactive: %v", addresses(inactive))
		}
		for _, c := range []struct {
			search string
			status registry.Status
			want   string
		}{
			// A word's start, in name or address, in the order of the matching word.
			{"budi", "", "[budi.santoso@mail.go.id ani.budiarti@mail.go.id budiman.hadi@mail.go.id]"},
			{"BUDI", "", "[budi.santoso@mail.go.id ani.budiarti@mail.go.id budiman.hadi@mail.go.id]"},
			{"santoso", "", "[budi.santoso@mail.go.id]"},
			{"budi san", "", "[budi.santoso@mail.go.id]"},
			{"budi.s", "", "[budi.santoso@mail.go.id]"},
			{"zainal", "", "[zainal.abidin@mail.go.id]"},
			{"zaïnal", "", "[zainal.abidin@mail.go.id]"},
			{"19900101", "", "[siti.rahma@mail.go.id]"},
			{"rahma", registry.Inactive, "[rahmat.hidayat@mail.go.id]"},
			{"lain", "", "[]"},
			{"%", "", fmt.Sprint(all)}, // no word: no search
			{"zz", "", "[]"},
		} {
			res, _, err := st.Mailboxes(ctx, registry.Query{TenantID: tid, Search: c.search, Status: c.status, Limit: 10})
			if err != nil || fmt.Sprint(addresses(res)) != c.want {
				t.Errorf("search %q (%s): %v %v, want %s", c.search, c.status, addresses(res), err, c.want)
			}
		}
		// A search's pages: one row each, no row twice.
		var found []string
		q = registry.Query{TenantID: tid, Search: "budi", Limit: 1}
		for range 10 {
			page, next, err := st.Mailboxes(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			found = append(found, addresses(page)...)
			if next == "" {
				break
			}
			q.After = next
		}
		if fmt.Sprint(found) != "[budi.santoso@mail.go.id ani.budiarti@mail.go.id budiman.hadi@mail.go.id]" {
			t.Fatalf("search pages: %v", found)
		}
		// A cursor before the word's range (edited into the link) starts at the range; one
		// inside it or past it carries on after it.
		for _, c := range []struct{ after, want string }{
			{"a zz@mail.go.id", "[budi.santoso@mail.go.id ani.budiarti@mail.go.id budiman.hadi@mail.go.id]"},
			{"budiarti ani.budiarti@mail.go.id", "[budiman.hadi@mail.go.id]"},
			{"budiarti a@mail.go.id", "[ani.budiarti@mail.go.id budiman.hadi@mail.go.id]"},
			{"budz a@mail.go.id", "[]"},
		} {
			res, _, err := st.Mailboxes(ctx, registry.Query{TenantID: tid, Search: "budi", After: c.after, Limit: 10})
			if err != nil || fmt.Sprint(addresses(res)) != c.want {
				t.Errorf("search after %q: %v %v, want %s", c.after, addresses(res), err, c.want)
			}
		}
	})
}

// The migration that fills the registry takes every registration whose create step is
// done, with the applicant as owner and the form's NIP and unit, once.
func TestRegistryBackfill(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		u := staffUser(t, st, tid, "siti")
		at := time.Date(2025, 6, 2, 3, 4, 5, 0, time.UTC)
		mk := func(address, provision string) request.Request {
			r := request.Request{TenantID: tid, UserID: u.ID, Service: "email", Kind: "pns", Status: request.Done, Domain: "mail.go.id",
				Mailbox: address, PersonKey: "nip:" + address, Values: map[string]string{"nip": "199001012015012003", "satuan_kerja": "Bidang TIK"}, CreatedAt: at, UpdatedAt: at}
			if err := st.CreateRequest(ctx, &r); err != nil {
				t.Fatal(err)
			}
			st.Tx(ctx, func(ctx context.Context) error {
				return st.AddStep(ctx, &request.Step{RequestID: r.ID, TenantID: tid, Key: "buat", Name: "Buat", Role: "admin_mail",
					Kind: "provision", StartedAt: at, FinishedAt: at, Status: request.StepStatus(provision)})
			})
			return r
		}
		made := mk("siti.rahma", "done")
		mk("gagal.dibuat", "failed")
		if err := st.BackfillRegistry(ctx); err != nil {
			t.Fatal(err)
		}
		if err := st.BackfillRegistry(ctx); err != nil {
			t.Fatal(err)
		}
		res, _, err := st.Mailboxes(ctx, registry.Query{TenantID: tid, Limit: 10})
		if err != nil || len(res) != 1 {
			t.Fatalf("backfilled %v %v", addresses(res), err)
		}
		m := res[0]
		if m.Address != "siti.rahma@mail.go.id" || m.OwnerID != u.ID || m.RequestID != made.ID || m.NIP != "199001012015012003" ||
			m.Unit != "Bidang TIK" || m.Status != registry.Active || !m.CreatedAt.Equal(at) || m.UsedBytes != -1 {
			t.Fatalf("row %+v", m)
		}
		if found, _, _ := st.Mailboxes(ctx, registry.Query{TenantID: tid, Search: "rahma", Limit: 10}); len(found) != 1 {
			t.Fatal("a backfilled row cannot be searched")
		}
		if c, _ := st.MailboxCounts(ctx, tid); c[registry.Active] != 1 {
			t.Fatalf("counts %v", c)
		}
	})
}

// TestRegistryTermsCarrySearch checks that every writer of the search words gives each
// the search text of its mailbox (migration 43), so that a search of several words reads
// the words' index alone: after a put, a change of responsible person, an adoption and
// an owner found later, every word's text is its row's, and the searches of two words
// find the rows as they are now, with a status filter too.
func TestRegistryTermsCarrySearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		budi := putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: "budi.santoso@mail.go.id", Name: "Budi Santoso", NIP: "198503122010011001", UsedBytes: -1})
		unit := putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: "sekretariat.dinkes@mail.go.id", Kind: registry.Institutional, Name: "Ani Lestari", UsedBytes: -1})
		unit.Name, unit.NIP, unit.UpdatedAt = "Rudi Hartono", "197001011995031002", unit.UpdatedAt.Add(time.Hour)
		if ok, err := st.UpdateMailbox(ctx, &unit); !ok || err != nil {
			t.Fatalf("handover: %v %v", ok, err)
		}
		seen := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		adopted := &registry.Mailbox{TenantID: tid, Address: "budi_wijaya@mail.go.id", Kind: registry.Personal, Status: registry.Inactive, Name: "Budi Wijaya",
			UsedBytes: -1, CreatedAt: seen, UpdatedAt: seen}
		if err := st.AdoptMailboxes(ctx, []*registry.Mailbox{adopted}, seen); err != nil {
			t.Fatal(err)
		}
		owned, err := st.Mailbox(ctx, adopted.ID)
		if err != nil {
			t.Fatal(err)
		}
		owned.NIP, owned.OwnerMatch, owned.Name = "199001012015012003", registry.MatchNIP, "Budi Wijayakusuma"
		if ok, err := st.SetOwner(ctx, &owned); !ok || err != nil {
			t.Fatalf("owner: %v %v", ok, err)
		}
		var words, wrong int
		if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.search = r.search THEN 0 ELSE 1 END), 0)
			FROM registry_terms t JOIN registry r ON r.id = t.mailbox_id`).Scan(&words, &wrong); err != nil {
			t.Fatal(err)
		}
		if words < 12 || wrong != 0 {
			t.Fatalf("%d words, %d without their row's search text", words, wrong)
		}
		for _, c := range []struct {
			search string
			status registry.Status
			want   string
		}{
			{"budi.s", "", "[" + budi.Address + "]"},
			{"budi wijayak", "", "[budi_wijaya@mail.go.id]"},
			{"budi wijayak", registry.Active, "[]"},
			{"budi wijaya", registry.Inactive, "[budi_wijaya@mail.go.id]"},
			{"rudi dinkes", "", "[sekretariat.dinkes@mail.go.id]"},
			{"ani dinkes", "", "[]"},
			{"dinkes 1970", "", "[sekretariat.dinkes@mail.go.id]"},
		} {
			res, _, err := st.Mailboxes(ctx, registry.Query{TenantID: tid, Search: c.search, Status: c.status, Limit: 10})
			if err != nil || fmt.Sprint(addresses(res)) != c.want {
				t.Errorf("search %q (%s): %v %v, want %s", c.search, c.status, addresses(res), err, c.want)
			}
		}
	})
}
