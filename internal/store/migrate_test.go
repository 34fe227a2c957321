package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/store"
)

// Migrations 14 and 15 give the proposed mailbox one name and one copy: requests made
// before keep their mailbox (the column's, which a staff amendment changed, not the
// stale copy in the form values), lose the copy, and the one-live-mailbox rule still
// holds; going back down restores the old shape.
func TestMailboxMigration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if err := st.MigrateDownTo(ctx, 13); err != nil {
			t.Fatal(err)
		}
		db := st.DB()
		tid, err := st.EnsureTenant(ctx, "kominfo", "Kominfo", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var uid int64
		if err := db.QueryRowContext(ctx, st.Rebind(`INSERT INTO users (tenant_id, username, email, first_name, phone, password_hash, status, lang, created_at, password_changed_at)
			VALUES (?, 'budi', 'budi@example.com', 'Budi', '081234567890', 'x', 'active', 'id', ?, ?) RETURNING id`), tid, time.Now().UTC(), time.Now().UTC()).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		insert := func(number, status, address, vals string) {
			t.Helper()
			if _, err := db.ExecContext(ctx, st.Rebind(`INSERT INTO requests (tenant_id, user_id, number, service, kind, status, person_key, domain, address, vals, created_at, updated_at)
				VALUES (?, ?, ?, 'email', 'pns', ?, ?, 'mail.go.id', ?, ?, ?, ?)`), tid, uid, number, status, "nip:"+number, address, vals, time.Now().UTC(), time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
		}
		// The staff amended the first at the create step: the column changed, the copy did not.
		insert("SRL-1", "selesai", "budi.santoso", `{"nip":"1","proposed_address":"budi.s"}`)
		insert("SRL-2", "draf", "", `{"nip":"2"}`)
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		r1, err := st.Request(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if r1.Mailbox != "budi.santoso" || r1.Values["nip"] != "1" || len(r1.Values) != 1 {
			t.Fatalf("request after migration: mailbox %q, values %v", r1.Mailbox, r1.Values)
		}
		if r2, _ := st.Request(ctx, 2); r2.Mailbox != "" || len(r2.Values) != 1 {
			t.Fatalf("draft after migration: %+v", r2)
		}
		// One live request per mailbox, still.
		if _, err := db.ExecContext(ctx, st.Rebind(`INSERT INTO requests (tenant_id, user_id, number, service, kind, status, person_key, domain, mailbox, created_at, updated_at)
			VALUES (?, ?, 'SRL-3', 'email', 'pns', 'menunggu', 'nip:3', 'mail.go.id', 'budi.santoso', ?, ?)`), tid, uid, time.Now().UTC(), time.Now().UTC()); err == nil {
			t.Fatal("a second live request for one mailbox was stored")
		}
		if err := st.MigrateDownTo(ctx, 13); err != nil {
			t.Fatal(err)
		}
		var address, vals string
		if err := db.QueryRowContext(ctx, `SELECT address, vals FROM requests WHERE number = 'SRL-1'`).Scan(&address, &vals); err != nil {
			t.Fatal(err)
		}
		var v map[string]string
		if err := json.Unmarshal([]byte(vals), &v); err != nil || address != "budi.santoso" || v["proposed_address"] != "budi.santoso" {
			t.Fatalf("after going down: address %q, values %s (%v)", address, vals, err)
		}
	})
}
