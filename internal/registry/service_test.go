package registry_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/store"
)

func user(t *testing.T, st *store.Store, tid int64, name string) account.User {
	t.Helper()
	now := time.Now().UTC()
	u := account.User{TenantID: tid, Username: name, Email: name + "@example.com", FirstName: name, PasswordHash: "x",
		Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
	if err := st.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// The service's rules: an owner reaches only their own mailboxes (anyone else's is not
// found, whether it exists or not), staff only their tenant's, a change is written with
// its audit entry over the version it read, and the export is every row of a selection.
func TestService(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		clk := time.Date(2026, 4, 6, 2, 0, 0, 0, time.UTC)
		svc := &registry.Service{Store: st, Audit: &audit.Recorder{Store: st}, Now: func() time.Time { return clk }}
		tid, _ := st.EnsureTenant(ctx, "a", "A", clk)
		oid, _ := st.EnsureTenant(ctx, "b", "B", clk)
		siti, budi := user(t, st, tid, "siti"), user(t, st, tid, "budi")
		var mine registry.Mailbox
		err := st.Tx(ctx, func(ctx context.Context) error {
			var err error
			if mine, err = svc.Created(ctx, registry.Mailbox{TenantID: tid, Address: "Siti.Rahma@mail.go.id", OwnerID: siti.ID, Name: "Siti Rahma"}, audit.System); err != nil {
				return err
			}
			_, err = svc.Created(ctx, registry.Mailbox{TenantID: tid, Address: "budi@mail.go.id", OwnerID: budi.ID, Name: "Budi"}, audit.System)
			return err
		})
		if err != nil || mine.Address != "siti.rahma@mail.go.id" || mine.Status != registry.Active || mine.UsedBytes != -1 || mine.Kind != registry.Personal {
			t.Fatalf("created %+v %v", mine, err)
		}
		if m, err := svc.OwnedAt(ctx, siti, " SITI.RAHMA@mail.go.id"); err != nil || m.ID != mine.ID {
			t.Fatalf("own mailbox: %+v %v", m, err)
		}
		for _, addr := range []string{"budi@mail.go.id", "nobody@mail.go.id"} {
			if _, err := svc.OwnedAt(ctx, siti, addr); errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("%s for siti: %v", addr, err)
			}
		}
		if own, err := svc.Owned(ctx, siti); err != nil || len(own) != 1 || own[0].ID != mine.ID {
			t.Fatalf("owned %+v %v", own, err)
		}
		staffA := staff.Member{UserID: budi.ID, TenantID: tid, Roles: []sop.Role{sop.RoleAdminMail}}
		staffB := staff.Member{UserID: budi.ID, TenantID: oid, Roles: []sop.Role{sop.RoleAdminMail}}
		if _, err := svc.Detail(ctx, staffB, mine.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("other tenant's staff: %v", err)
		}
		q := int64(3 << 30)
		err = st.Tx(ctx, func(ctx context.Context) error {
			_, err := svc.Apply(ctx, tid, mine.Address, registry.Change{Status: registry.Inactive, Quota: &q, Retention: 30 * 24 * time.Hour,
				Action: "mailbox.deactivate", Detail: "SRL-1"}, audit.Staff(budi.ID, "Budi", "admin_mail"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		d, err := svc.Detail(ctx, staffA, mine.ID)
		if err != nil || d.Mailbox.Status != registry.Inactive || d.Mailbox.QuotaBytes != q || !d.Mailbox.PurgeAfter.Equal(clk.Add(30*24*time.Hour)) ||
			d.OwnerEmail != "siti@example.com" || len(d.Trail) != 2 || d.Trail[1].Action != "mailbox.deactivate" || d.Trail[1].Actor != "staff:"+itoa(budi.ID) {
			t.Fatalf("detail %+v %v", d, err)
		}
		// Reactivation clears the deactivation's times.
		st.Tx(ctx, func(ctx context.Context) error {
			_, err := svc.Apply(ctx, tid, mine.Address, registry.Change{Status: registry.Active, Action: "mailbox.reactivate"}, audit.System)
			return err
		})
		if m, _ := svc.Get(ctx, staffA, mine.ID); m.Status != registry.Active || !m.DeactivatedAt.IsZero() || !m.PurgeAfter.IsZero() || m.Version != 3 {
			t.Fatalf("after reactivation %+v", m)
		}
		var buf bytes.Buffer
		if err := svc.Export(ctx, staffA, registry.Query{}, &buf); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Split(strings.TrimSpace(buf.String()), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[1], "budi@mail.go.id,perorangan,aktif,surel") {
			t.Fatalf("export:\n%s", buf.String())
		}
		if _, err := svc.Apply(ctx, tid, "nobody@mail.go.id", registry.Change{Action: "x"}, audit.System); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("apply to a mailbox the registry lacks: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Terms and Fold: what a search compares.
func TestTerms(t *testing.T) {
	got := strings.Join(registry.Terms("budi.santoso_2@mail.go.id", "Dr. Zaïnal Abidin, S.Kom.", "19850312 2010011001"), " ")
	if got != "budi santoso dr zainal abidin kom 19850312 2010011001" {
		t.Fatalf("terms %q", got)
	}
}
