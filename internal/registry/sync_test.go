package registry_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox/zimbra"
	"github.com/surel-id/surel/internal/mailbox/zimbra/zimbrafake"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/store"
)

const (
	nipSiti  = "198503122010012003"
	nipAgus1 = "197901012005011001"
	nipAgus2 = "198002022006041002"
	nipDewi  = "199001012015032001"
	nipRina  = "198807072012122001"
)

const rosterFile = "nip,nama,instansi,unit_kerja,status,aktif\n" +
	nipSiti + ",Siti Rahmawati S.Kom,Dinas Kominfo,Bidang Aptika,PNS,1\n" +
	nipAgus1 + ",Agus Salim,Dinas Pendidikan,Sekretariat,PNS,1\n" +
	nipAgus2 + ",AGUS SALIM,Dinas Kesehatan,Bidang P2P,PNS,1\n" +
	nipDewi + ",Dewi Lestari,Bappeda,Bidang Ekonomi,PNS,1\n" +
	nipRina + ",Rina Marlina,Inspektorat,Irban I,PNS,1\n"

func loadRoster(t *testing.T, st *store.Store, tid int64, csv string) {
	t.Helper()
	src, err := roster.NewReader(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportRoster(context.Background(), tid, src); err != nil {
		t.Fatal(err)
	}
}

// A sync adopts every account of the domain without touching the server: owners by the
// NIP the server holds (with their portal account), proposals by name with their score
// for review, the server's system accounts left out, its own holds read for what they
// are. Run again it updates, marks what left the server gone (never deleted), and keeps
// what staff decided.
func TestSync(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		clk := time.Date(2026, 4, 6, 2, 0, 0, 0, time.UTC)
		svc := &registry.Service{Store: st, Audit: &audit.Recorder{Store: st}, Now: func() time.Time { return clk }}
		tid, _ := st.EnsureTenant(ctx, "a", "A", clk)
		loadRoster(t, st, tid, rosterFile)
		siti := user(t, st, tid, "siti")
		if err := st.UpdateProfile(ctx, siti.ID, account.Profile{FullName: "Siti Rahmawati", NIP: nipSiti}); err != nil {
			t.Fatal(err)
		}
		f := zimbrafake.Start(t, "mail.go.id")
		var calls0 int
		f.Do(func(s *zimbrafake.State) {
			s.AddAccount("siti.r@mail.go.id", "x", map[string]string{"displayName": "Siti R.", "employeeNumber": "19850312 201001 2 003"})
			s.AddAccount("agus@mail.go.id", "x", map[string]string{"displayName": "Agus Salim"})
			s.AddAccount("agus.salim@mail.go.id", "x", map[string]string{"displayName": "Drs. Agus Salim", "ou": "Bidang P2P"})
			s.AddAccount("dewi@mail.go.id", "x", map[string]string{"displayName": "Dewi Lestari", "zimbraAccountStatus": "locked"})
			s.AddAccount("rina@mail.go.id", "x", map[string]string{"displayName": "Rina Marlina", "zimbraAccountStatus": "maintenance"})
			s.AddAccount("tamu@mail.go.id", "x", map[string]string{"displayName": "Tamu", "zimbraAccountStatus": "pending"})
			s.AddAccount("spam.abc@mail.go.id", "x", map[string]string{"zimbraIsSystemAccount": "TRUE"})
			s.AddAccount("lain@other.go.id", "x", nil)
		})
		srv, err := zimbra.New(zimbra.Options{URL: f.URL, HTTPClient: f.Client, AdminUser: "admin@mail.go.id", AdminPassword: "rahasia", PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		// A mailbox surel made for a request, before: it keeps its owner and request.
		made, err := svc.Created(ctx, registry.Mailbox{TenantID: tid, Address: "dewi@mail.go.id", OwnerID: siti.ID, Name: "Dewi"}, audit.System)
		if err != nil {
			t.Fatal(err)
		}
		calls0 = len(f.Calls())
		by := audit.Staff(1, "Admin", "tenant_admin")
		run, err := svc.Sync(ctx, tid, "mail.go.id", srv, by)
		if err != nil {
			t.Fatal(err)
		}
		if run.Seen != 6 || run.Added != 5 || run.Changed != 1 || run.Gone != 0 || run.ByNIP != 1 || run.ToReview != 3 {
			t.Fatalf("run %+v", run)
		}
		for _, c := range f.Calls()[calls0:] {
			if !strings.HasPrefix(c, "SearchDirectory") && !strings.HasPrefix(c, "GetQuotaUsage") && !strings.HasPrefix(c, "Auth") {
				t.Fatalf("the sync asked the server %s", c)
			}
		}
		at := func(addr string) registry.Mailbox {
			t.Helper()
			m, err := svc.At(ctx, tid, addr)
			if err != nil {
				t.Fatalf("%s: %v", addr, err)
			}
			return m
		}
		if m := at("siti.r@mail.go.id"); m.Source != registry.Adopted || m.OwnerMatch != registry.MatchNIP || m.OwnerID != siti.ID ||
			m.NIP != nipSiti || m.Name != "Siti Rahmawati S.Kom" || m.Unit != "Bidang Aptika" || m.Review != "" {
			t.Fatalf("by NIP: %+v", m)
		}
		if m := at("agus@mail.go.id"); m.OwnerID != 0 || m.NIP != "" || m.Review != registry.ReviewPending ||
			m.CandidateScore != registry.ScoreNameMany || m.CandidateNIP != nipAgus1 || m.Name != "Agus Salim" {
			t.Fatalf("namesakes: %+v", m)
		}
		if m := at("agus.salim@mail.go.id"); m.Review != registry.ReviewPending || m.CandidateScore != registry.ScoreNameUnitMany || m.CandidateNIP != nipAgus2 {
			t.Fatalf("namesakes, unit: %+v", m)
		}
		if m := at("dewi@mail.go.id"); m.Source != registry.FromRequest || m.OwnerID != siti.ID || m.Status != registry.Locked || m.Review != "" {
			t.Fatalf("surel's own: %+v", m)
		}
		if m := at("rina@mail.go.id"); m.Status != registry.Active || m.ServerStatus != "maintenance" || m.CandidateScore != registry.ScoreName {
			t.Fatalf("maintenance: %+v", m)
		}
		if m := at("tamu@mail.go.id"); m.Status != registry.Inactive || m.Review != "" {
			t.Fatalf("pending: %+v", m)
		}
		for _, a := range []string{"spam.abc@mail.go.id", "lain@other.go.id"} {
			if _, err := svc.At(ctx, tid, a); err == nil {
				t.Fatalf("%s adopted", a)
			}
		}
		// The page's entries are appended in one batch: the chain stays whole, and each
		// adopted mailbox has its entry before its owner's.
		if rep, err := st.VerifyAudit(ctx); err != nil || rep.Break != nil {
			t.Fatalf("audit chain after the sync: %+v %v", rep, err)
		}
		if trail, err := st.AuditTrail(ctx, registry.Object(at("siti.r@mail.go.id").ID)); err != nil || len(trail) != 2 ||
			trail[0].Action != "mailbox.adopted" || trail[0].Detail != "siti.r@mail.go.id (active)" || trail[1].Action != "mailbox.owner" {
			t.Fatalf("trail of an adopted mailbox %+v %v", trail, err)
		}
		q, err := svc.ReviewQueue(ctx, tid, "")
		if err != nil || q.Total != 3 || len(q.Items) != 3 || q.Items[0].Mailbox.Address != "agus.salim@mail.go.id" ||
			!q.Items[0].InRoster || q.Items[0].Candidate.Instansi != "Dinas Kesehatan" {
			t.Fatalf("queue %+v %v", q, err)
		}

		// Staff decide: confirmed, the owner counts; rejected, it is not proposed again.
		rina := at("rina@mail.go.id")
		if _, err := svc.Decide(ctx, tid, rina.ID, true, by); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Decide(ctx, tid, rina.ID, true, by); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("decided twice: %v", err)
		}
		if _, err := svc.Decide(ctx, tid+1, at("agus@mail.go.id").ID, false, by); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("another tenant decided: %v", err)
		}
		if _, err := svc.Decide(ctx, tid, at("agus@mail.go.id").ID, false, by); err != nil {
			t.Fatal(err)
		}
		if m := at("rina@mail.go.id"); m.OwnerMatch != registry.MatchName || m.NIP != nipRina || m.Instansi != "Inspektorat" || m.Review != "" {
			t.Fatalf("confirmed: %+v", m)
		}

		// The server changes: one account removed, one unlocked, one new.
		f.Do(func(s *zimbrafake.State) {
			delete(s.Accounts, "tamu@mail.go.id")
			s.Accounts["dewi@mail.go.id"].Attrs["zimbraAccountStatus"] = "active"
			s.AddAccount("baru@mail.go.id", "x", map[string]string{"displayName": "Orang Baru"})
		})
		clk = clk.Add(time.Hour)
		run, err = svc.Sync(ctx, tid, "mail.go.id", srv, by)
		if err != nil {
			t.Fatal(err)
		}
		if run.Seen != 6 || run.Added != 1 || run.Changed != 1 || run.Gone != 1 || run.ByNIP != 0 || run.ToReview != 0 {
			t.Fatalf("second run %+v", run)
		}
		if m := at("tamu@mail.go.id"); m.GoneAt.IsZero() {
			t.Fatalf("gone: %+v", m)
		}
		if m := at("agus@mail.go.id"); m.Review != registry.ReviewRejected || m.CandidateNIP != "" {
			t.Fatalf("rejected, proposed again: %+v", m)
		}
		if m := at("dewi@mail.go.id"); m.Status != registry.Active || m.ID != made.ID || m.OwnerID != siti.ID {
			t.Fatalf("unlocked: %+v", m)
		}
		trail, err := st.AuditTrail(ctx, registry.Object(at("tamu@mail.go.id").ID))
		if err != nil || len(trail) == 0 || trail[len(trail)-1].Action != "mailbox.gone" {
			t.Fatalf("trail %+v %v", trail, err)
		}
		runs, err := svc.Syncs(ctx, tid, 5)
		if err != nil || len(runs) != 2 || runs[0].Gone != 1 || runs[0].FinishedAt.IsZero() || runs[1].ToReview != 3 {
			t.Fatalf("runs %+v %v", runs, err)
		}
		counts, _ := st.MailboxCounts(ctx, tid)
		if counts[registry.Active] != 6 || counts[registry.Inactive] != 1 || counts[registry.Locked] != 0 {
			t.Fatalf("counts %v", counts)
		}
	})
}

// A sync writes a page in batches (rows, counts, search words and audit entries over
// several INSERTs): every account is adopted once with its counts and a whole audit
// chain, and an unchanged mailbox whose NIP the roster gains later gets its owner on
// the next sync.
func TestSyncBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		clk := time.Date(2026, 4, 6, 2, 0, 0, 0, time.UTC)
		svc := &registry.Service{Store: st, Audit: &audit.Recorder{Store: st}, Now: func() time.Time { return clk }}
		tid, _ := st.EnsureTenant(ctx, "a", "A", clk)
		const n = 1203
		f := zimbrafake.Start(t, "mail.go.id")
		f.Do(func(s *zimbrafake.State) {
			for i := range n {
				attrs := map[string]string{"displayName": fmt.Sprintf("Pegawai %d", i)}
				if i == 1100 {
					attrs["employeeNumber"] = nipDewi
				}
				s.AddAccount(fmt.Sprintf("p%04d@mail.go.id", i), "x", attrs)
			}
		})
		srv, err := zimbra.New(zimbra.Options{URL: f.URL, HTTPClient: f.Client, AdminUser: "admin@mail.go.id", AdminPassword: "rahasia", PageSize: 700})
		if err != nil {
			t.Fatal(err)
		}
		by := audit.Staff(1, "Admin", "tenant_admin")
		run, err := svc.Sync(ctx, tid, "mail.go.id", srv, by)
		if err != nil || run.Seen != n || run.Added != n || run.ByNIP != 0 || run.ToReview != 0 {
			t.Fatalf("run %+v %v", run, err)
		}
		if counts, _ := st.MailboxCounts(ctx, tid); counts[registry.Active] != n {
			t.Fatalf("counts %v", counts)
		}
		for _, a := range []string{"p0000@mail.go.id", "p0499@mail.go.id", "p0500@mail.go.id", "p1202@mail.go.id"} {
			m, err := svc.At(ctx, tid, a)
			if err != nil || m.Source != registry.Adopted || m.Version != 1 || m.SyncedAt.IsZero() {
				t.Fatalf("%s: %+v %v", a, m, err)
			}
			trail, err := st.AuditTrail(ctx, registry.Object(m.ID))
			if err != nil || len(trail) != 1 || trail[0].Action != "mailbox.adopted" {
				t.Fatalf("%s trail %+v %v", a, trail, err)
			}
		}
		if rep, err := st.VerifyAudit(ctx); err != nil || rep.Break != nil || rep.Entries < n+1 {
			t.Fatalf("audit %+v %v", rep, err)
		}

		loadRoster(t, st, tid, rosterFile)
		clk = clk.Add(time.Hour)
		run, err = svc.Sync(ctx, tid, "mail.go.id", srv, by)
		if err != nil || run.Seen != n || run.Added != 0 || run.Changed != 0 || run.ByNIP != 1 {
			t.Fatalf("second run %+v %v", run, err)
		}
		m, err := svc.At(ctx, tid, "p1100@mail.go.id")
		if err != nil || m.OwnerMatch != registry.MatchNIP || m.NIP != nipDewi || m.Name != "Dewi Lestari" || !m.SyncedAt.Equal(clk) {
			t.Fatalf("owner by NIP on the second sync: %+v %v", m, err)
		}
		if rep, err := st.VerifyAudit(ctx); err != nil || rep.Break != nil {
			t.Fatalf("audit %+v %v", rep, err)
		}
	})
}
