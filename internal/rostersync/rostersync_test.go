package rostersync_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/rostersync"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/wilayah"
)

type noFiles struct{}

func (noFiles) Remove(context.Context, string) error { return nil }

const (
	nipStays   = "196109231991031004"
	nipLeaves  = "197001011995031001"
	nipRetires = "198503122010011002"
	nipMoves   = "199001012015031003"
	nipJoins   = "199512312020122004"
)

// A second import against the first: the report counts and lists the changes, proposes
// the mailboxes of those who left or retired, and a person's "Usulkan" makes each a
// deactivation request waiting at its first step; nothing is deactivated by the import.
func TestRosterRunAndProposals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		tid, _ := st.EnsureTenant(ctx, "kaltim", "Diskominfo Kaltim", time.Now())
		tn := account.Tenant{ID: tid, Slug: "kaltim", Name: "Diskominfo Kaltim", MailDomain: "mail.go.id", SOP: "kaltim", BaseURL: "https://kaltim.example"}
		ob, err := notify.NewOutbox(st, nil, "x@y", log)
		if err != nil {
			t.Fatal(err)
		}
		cat, _ := request.LoadCatalog(nil)
		reg := &registry.Service{Store: st}
		req := &request.Service{Store: st, Files: noFiles{}, Catalog: cat, Regions: wilayah.MustLoad(), Mail: ob, Log: log,
			Book: &sop.Book{Store: st}, Registry: reg}
		rec := &audit.Recorder{Store: st}
		svc := &rostersync.Service{Store: st, Requests: req, Audit: rec}
		admin := staff.Member{UserID: 1, TenantID: tid, Name: "Admin", Roles: []sop.Role{sop.RoleTenantAdmin}}
		u := account.User{TenantID: tid, Username: "admin", Email: "admin@kaltim.go.id", FirstName: "Admin", PasswordHash: "x", Status: account.StatusActive,
			Lang: "id", CreatedAt: time.Now(), PasswordChangedAt: time.Now()}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		admin.UserID = u.ID

		first := "nip,nama,instansi,unit,status,aktif\n" +
			nipStays + ",Budi Santoso,Diskominfo,Aptika,PNS,1\n" +
			nipLeaves + ",Ani Lestari,Diskominfo,Aptika,PNS,1\n" +
			nipRetires + ",Rahmat Hidayat,Diskominfo,Sekretariat,PNS,1\n" +
			nipMoves + ",Dewi Salim,Diskominfo,Aptika,PNS,1\n"
		run, err := svc.Import(ctx, tid, admin.Actor(), "unggah: pegawai-januari.csv", strings.NewReader(first))
		if err != nil {
			t.Fatal(err)
		}
		if run.Summary.Entries != 4 || run.Summary.Counts[roster.Joined] != 4 || run.Kept != 0 {
			t.Fatalf("first run %+v", run)
		}
		for _, m := range []struct{ addr, nip string }{{"budi@mail.go.id", nipStays}, {"ani@mail.go.id", nipLeaves},
			{"rahmat@mail.go.id", nipRetires}, {"dewi@mail.go.id", nipMoves}} {
			if _, err := reg.Created(ctx, registry.Mailbox{TenantID: tid, Address: m.addr, NIP: m.nip, Name: m.addr}, audit.System); err != nil {
				t.Fatal(err)
			}
		}
		second := "nip;nama;instansi;unit;status;aktif\n" +
			nipStays + ";Budi Santoso;Diskominfo;Aptika;PNS;1\n" +
			nipRetires + ";Rahmat Hidayat;Diskominfo;Sekretariat;PNS;0\n" +
			nipMoves + ";Dewi Salim;Diskominfo;Statistik;PNS;1\n" +
			nipJoins + ";Sri Wahyuni;Diskominfo;Aptika;PPPK;1\n"
		run, err = svc.Import(ctx, tid, admin.Actor(), "unggah: pegawai-februari.csv", strings.NewReader(second))
		if err != nil {
			t.Fatal(err)
		}
		c := run.Summary.Counts
		if run.Summary.Entries != 4 || run.Summary.Previous != 4 || c[roster.Joined] != 1 || c[roster.Left] != 1 || c[roster.Inactive] != 1 ||
			c[roster.Moved] != 1 || c[roster.Restatus] != 0 || run.Kept != 4 {
			t.Fatalf("second run %+v", run)
		}
		// The roster in place is the new one.
		if e, err := st.RosterEntry(ctx, tid, nipRetires); err != nil || e.Active {
			t.Fatalf("roster after the import: %+v, %v", e, err)
		}
		if _, err := st.RosterEntry(ctx, tid, nipLeaves); err == nil {
			t.Fatal("the one who left is still on the roster")
		}
		// A refused file changes nothing and records no run.
		if _, err := svc.Import(ctx, tid, admin.Actor(), "unggah: rusak.csv", strings.NewReader("nip,nama,status,aktif\n123,X,PNS,1\n")); err == nil {
			t.Fatal("a bad file was imported")
		}
		runs, _ := svc.Runs(ctx, admin)
		if len(runs) != 2 || runs[0].ID != run.ID {
			t.Fatalf("runs %+v", runs)
		}

		rep, err := svc.Report(ctx, admin, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Changes) != 4 || !rep.Changes[0].Kind.Proposes() || !rep.Changes[1].Kind.Proposes() ||
			rep.Changes[2].Kind != roster.Moved || !rep.Changes[2].New.Active || rep.Changes[2].New.Unit != "Statistik" || rep.Changes[2].Old.Unit != "Aptika" {
			t.Fatalf("changes %+v", rep.Changes)
		}
		var proposed []string
		for _, p := range rep.Proposals {
			proposed = append(proposed, p.Mailbox.Address+" "+string(p.Change.Kind))
		}
		if strings.Join(proposed, ",") != "ani@mail.go.id keluar,rahmat@mail.go.id nonaktif" {
			t.Fatalf("proposals %v", proposed)
		}
		// Only the tenant admin of the tenant reads it.
		far := admin
		far.TenantID = 999
		if _, err := svc.Report(ctx, far, run.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("another tenant: %v", err)
		}
		kasi := admin
		kasi.Roles = []sop.Role{sop.RoleKepalaSeksi}
		if _, err := svc.Report(ctx, kasi, run.ID); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("kasi: %v", err)
		}

		n, err := svc.Propose(ctx, tn, admin, "10.0.0.1", run.ID)
		if err != nil || n != 2 {
			t.Fatalf("propose: %d, %v", n, err)
		}
		if _, err := svc.Propose(ctx, tn, admin, "", run.ID); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("second propose: %v", err)
		}
		for _, addr := range []string{"ani@mail.go.id", "rahmat@mail.go.id"} {
			m, _ := st.MailboxAt(ctx, tid, addr)
			if m.Status != registry.Active {
				t.Fatalf("%s deactivated by the import: %s", addr, m.Status)
			}
			refs, _ := st.RequestsOn(ctx, tid, addr)
			if len(refs) != 1 || refs[0].Service != sop.ServiceDeactivate {
				t.Fatalf("%s: requests %+v", addr, refs)
			}
			steps, _ := st.StepsOf(ctx, refs[0].ID)
			if s, ok := request.Running(steps); !ok || s.Role != string(sop.RoleKepalaSeksi) {
				t.Fatalf("%s: the proposal is no task of the Kasi: %+v", addr, steps)
			}
		}
	})
}

// The scheduled import reads a file or a URL once a day, only when it changed, as the
// system; its run waits for the admin like an upload's.
func TestScheduledRoster(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, _ := st.EnsureTenant(ctx, "kaltim", "Diskominfo Kaltim", time.Now())
		now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
		svc := &rostersync.Service{Store: st, Now: func() time.Time { return now }}
		dir := t.TempDir()
		path := dir + "/pegawai.csv"
		body := "nip,nama,instansi,unit,status,aktif\n" + nipStays + ",Budi Santoso,Diskominfo,Aptika,PNS,1\n"
		os.WriteFile(path, []byte(body), 0o600)
		os.Chtimes(path, now.Add(-time.Hour), now.Add(-time.Hour))
		if ok, err := svc.Scheduled(ctx, tid, path, now); !ok || err != nil {
			t.Fatalf("first scheduled import: %v %v", ok, err)
		}
		now = now.Add(time.Hour)
		if ok, err := svc.Scheduled(ctx, tid, path, now); ok || err != nil {
			t.Fatalf("an hour later: %v %v", ok, err)
		}
		now = now.Add(24 * time.Hour)
		if ok, err := svc.Scheduled(ctx, tid, path, now); ok || err != nil {
			t.Fatalf("a day later, the file unchanged: %v %v", ok, err)
		}
		os.WriteFile(path, []byte(body+nipJoins+",Sri Wahyuni,Diskominfo,Aptika,PPPK,1\n"), 0o600)
		os.Chtimes(path, now, now)
		now = now.Add(time.Hour)
		if ok, err := svc.Scheduled(ctx, tid, path, now); !ok || err != nil {
			t.Fatalf("the file changed: %v %v", ok, err)
		}
		runs, _ := st.RosterRuns(ctx, tid, 10)
		if len(runs) != 2 || runs[0].Summary.Counts[roster.Joined] != 1 || runs[0].ByName != audit.System.Name || !strings.HasPrefix(runs[0].Source, "jadwal: ") {
			t.Fatalf("runs %+v", runs)
		}
		// A URL: fetched with If-Modified-Since.
		modified := now
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.ServeContent(w, r, "pegawai.csv", modified, strings.NewReader(body))
		}))
		defer srv.Close()
		if ok, err := svc.Scheduled(ctx, tid, srv.URL+"/pegawai.csv", now); !ok || err != nil {
			t.Fatalf("URL: %v %v", ok, err)
		}
		now = now.Add(25 * time.Hour)
		if ok, err := svc.Scheduled(ctx, tid, srv.URL+"/pegawai.csv", now); ok || err != nil {
			t.Fatalf("URL not modified: %v %v", ok, err)
		}
		if _, err := svc.Scheduled(ctx, tid, dir+"/tidak-ada.csv", now); err == nil {
			t.Fatal("a missing file is no error")
		}
	})
}

// An import flags the institutional mailboxes whose responsible PNS left the roster, is
// no longer active or moved ("perlu serah terima", audited, in the run's transaction);
// the mailbox stays active, the others are untouched, and a later import does not flag
// it twice.
func TestRosterFlagsHandover(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, _ := st.EnsureTenant(ctx, "kaltim", "Diskominfo Kaltim", time.Now())
		rec := &audit.Recorder{Store: st}
		reg := &registry.Service{Store: st, Audit: rec}
		svc := &rostersync.Service{Store: st, Registry: reg, Audit: rec}
		put := func(addr, nip string) registry.Mailbox {
			m, err := reg.Created(ctx, registry.Mailbox{TenantID: tid, Address: addr, Kind: registry.Institutional, NIP: nip, Name: "PJ " + nip}, audit.System)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		stays, leaves, retires, moves := put("humas@mail.go.id", nipStays), put("diskominfo@mail.go.id", nipLeaves),
			put("layanan.dukcapil@mail.go.id", nipRetires), put("sekretariat@mail.go.id", nipMoves)
		// A person's own mailbox is no unit's: never flagged.
		own, _ := reg.Created(ctx, registry.Mailbox{TenantID: tid, Address: "pindah.orang@mail.go.id", NIP: nipMoves, Name: "PJ"}, audit.System)
		first := "nip,nama,instansi,unit,status,aktif\n" + nipStays + ",A,Diskominfo,Aptika,PNS,1\n" + nipLeaves + ",B,Diskominfo,Aptika,PNS,1\n" +
			nipRetires + ",C,Diskominfo,Aptika,PNS,1\n" + nipMoves + ",D,Diskominfo,Aptika,PNS,1\n"
		if _, err := svc.Import(ctx, tid, audit.System, "unggah: a.csv", strings.NewReader(first)); err != nil {
			t.Fatal(err)
		}
		second := "nip,nama,instansi,unit,status,aktif\n" + nipStays + ",A,Diskominfo,Aptika,PNS,1\n" +
			nipRetires + ",C,Diskominfo,Aptika,PNS,0\n" + nipMoves + ",D,Bappeda,Perencanaan,PNS,1\n"
		run, err := svc.Import(ctx, tid, audit.System, "unggah: b.csv", strings.NewReader(second))
		if err != nil {
			t.Fatal(err)
		}
		for m, want := range map[registry.Mailbox]string{stays: "", leaves: registry.HandoverLeft, retires: registry.HandoverInactive,
			moves: registry.HandoverMoved, own: ""} {
			got, _ := st.Mailbox(ctx, m.ID)
			if got.Handover != want || got.Status != registry.Active {
				t.Errorf("%s after the import: handover %q, status %s; want %q, active", m.Address, got.Handover, got.Status, want)
			}
		}
		trail, _ := st.AuditTrail(ctx, registry.Object(leaves.ID))
		if last := trail[len(trail)-1]; last.Action != "mailbox.handover_needed" || !strings.Contains(last.Detail, "#"+strconv.FormatInt(run.ID, 10)) {
			t.Fatalf("audit of the flag: %+v", last)
		}
		// The same change again (the person still absent): flagged once.
		if _, err := svc.Import(ctx, tid, audit.System, "unggah: c.csv", strings.NewReader(first)); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Import(ctx, tid, audit.System, "unggah: d.csv", strings.NewReader(second)); err != nil {
			t.Fatal(err)
		}
		trail, _ = st.AuditTrail(ctx, registry.Object(leaves.ID))
		n := 0
		for _, e := range trail {
			if e.Action == "mailbox.handover_needed" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("flagged %d times", n)
		}
	})
}
