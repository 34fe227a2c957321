package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/zone"
)

func TestDomainsRegisterAndVerification(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		u := staffUser(t, st, tid, "opd")
		at := time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
		mk := func(service string, status request.Status) request.Request {
			r := request.Request{TenantID: tid, UserID: u.ID, Service: service, Kind: "opd", Status: status, Domain: "kota.go.id",
				Values: map[string]string{}, CreatedAt: at, UpdatedAt: at}
			if err := st.CreateRequest(ctx, &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		r1, r2 := mk(domains.ServiceSubdomain, request.Draft), mk(domains.ServiceSubdomain, request.Draft)

		if _, err := st.VerifiedOf(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("verified of a new account = %v", err)
		}
		v := domains.Verified{UserID: u.ID, TenantID: tid, Kind: domains.InstansiOPD, Instansi: "Dinas Pendidikan", Region: "62.71",
			Jabatan: "Kepala Subbag Umum", OfficialMailbox: "budi@kota.go.id", RequestID: r1.ID, VerifiedBy: "Kasi", VerifiedAt: at}
		if err := st.PutVerified(ctx, v); err != nil {
			t.Fatal(err)
		}
		v.Instansi, v.RequestID = "Dinas Kesehatan", r2.ID
		if err := st.PutVerified(ctx, v); err != nil {
			t.Fatal(err)
		}
		if got, err := st.VerifiedOf(ctx, u.ID); err != nil || got != v {
			t.Fatalf("verified = %+v, %v; want %+v", got, err, v)
		}

		d := domains.Domain{TenantID: tid, Kind: domains.Subdomain, Name: "sipd.kota.go.id", OwnerID: u.ID, Instansi: "Dinas Pendidikan",
			Records: []zone.Record{{Type: zone.A, Value: "203.0.113.5"}, {Type: zone.AAAA, Value: "2001:db8::5"}}, RequestID: r1.ID,
			Status: domains.Active, CreatedAt: at}
		if err := st.AddDomain(ctx, &d); err != nil {
			t.Fatal(err)
		}
		twice := d
		if err := st.AddDomain(ctx, &twice); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second active row of a name = %v, want ErrConflict", err)
		}
		got, err := st.DomainAt(ctx, tid, "sipd.kota.go.id")
		if err != nil || got.ID != d.ID || !zone.Same(got.Records, d.Records) || got.Label() != "sipd" {
			t.Fatalf("DomainAt = %+v, %v", got, err)
		}
		if ok, err := st.RemoveDomain(ctx, d.ID, r2.ID, at.Add(time.Hour)); !ok || err != nil {
			t.Fatalf("remove = %v, %v", ok, err)
		}
		if ok, _ := st.RemoveDomain(ctx, d.ID, r2.ID, at); ok {
			t.Fatal("removed twice")
		}
		if _, err := st.DomainAt(ctx, tid, "sipd.kota.go.id"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("removed name still active: %v", err)
		}
		// The name is free again.
		again := d
		again.RequestID = r2.ID
		if err := st.AddDomain(ctx, &again); err != nil {
			t.Fatal(err)
		}
		all, err := st.DomainsOwnedBy(ctx, u.ID)
		if err != nil || len(all) != 2 || all[1].Status != domains.Removed || all[1].RemovedBy != r2.ID || !all[1].RemovedAt.Equal(at.Add(time.Hour)) {
			t.Fatalf("owned = %+v, %v", all, err)
		}
	})
}
