package domains_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/zone"
)

func TestRegisterLife(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
		tid, err := st.EnsureTenant(ctx, "kota", "Kota", at)
		if err != nil {
			t.Fatal(err)
		}
		u := account.User{TenantID: tid, Username: "opd", Email: "opd@x.go.id", FirstName: "Opd", PasswordHash: "h",
			Status: account.StatusActive, Lang: "id", CreatedAt: at, PasswordChangedAt: at}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		req := func() int64 {
			r := request.Request{TenantID: tid, UserID: u.ID, Service: domains.ServiceSubdomain, Kind: "opd", Status: request.Draft,
				Domain: "kota.go.id", Values: map[string]string{}, CreatedAt: at, UpdatedAt: at}
			if err := st.CreateRequest(ctx, &r); err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		made, removal, other := req(), req(), req()
		svc := &domains.Service{Store: st, Audit: &audit.Recorder{Store: st}}
		by := audit.System
		if _, ok, err := svc.VerifiedOf(ctx, u); ok || err != nil {
			t.Fatalf("verified before any verification: %v %v", ok, err)
		}
		v := domains.Verified{UserID: u.ID, TenantID: tid, Kind: domains.InstansiOPD, Instansi: "Dinas Pendidikan", Region: "62.71",
			Jabatan: "Kasubbag Umum", OfficialMailbox: "opd@kota.go.id", RequestID: made, VerifiedBy: "Kasi", VerifiedAt: at}
		if err := st.Tx(ctx, func(ctx context.Context) error { return svc.Verify(ctx, v, by) }); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := svc.VerifiedOf(ctx, u); !ok || err != nil || got.Instansi != "Dinas Pendidikan" {
			t.Fatalf("verified = %+v %v %v", got, ok, err)
		}
		d := domains.Domain{TenantID: tid, Kind: domains.Subdomain, Name: "sipd.kota.go.id", OwnerID: u.ID, RequestID: made,
			Records: []zone.Record{{Type: zone.A, Value: "203.0.113.5"}}, CreatedAt: at}
		first, err := svc.Created(ctx, d, by)
		if err != nil {
			t.Fatal(err)
		}
		// A job run twice records the name once.
		if again, err := svc.Created(ctx, d, by); err != nil || again.ID != first.ID {
			t.Fatalf("repeated Created = %+v, %v", again, err)
		}
		d.RequestID = other
		if _, err := svc.Created(ctx, d, by); !errors.Is(err, errs.ErrConflict) && errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("another request's name = %v, want a conflict", err)
		}
		if taken, err := svc.Taken(ctx, tid, "sipd.kota.go.id"); !taken || err != nil {
			t.Fatalf("taken = %v, %v", taken, err)
		}
		if err := svc.Removed(ctx, tid, "sipd.kota.go.id", removal, at, by); err != nil {
			t.Fatal(err)
		}
		if err := svc.Removed(ctx, tid, "sipd.kota.go.id", removal, at, by); err != nil {
			t.Fatalf("removed twice: %v", err)
		}
		if taken, _ := svc.Taken(ctx, tid, "sipd.kota.go.id"); taken {
			t.Fatal("a removed name is still taken")
		}
		trail, err := st.AuditTrail(ctx, audit.Object("domain", first.ID))
		if err != nil || len(trail) != 2 || trail[0].Action != "domain.created" || trail[1].Action != "domain.removed" {
			t.Fatalf("trail = %+v, %v", trail, err)
		}
	})
}
