package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/dovecottest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// TestJourneyLifecycle clicks the services after an account's creation through in
// Chromium on the Kalimantan Timur and Palangka Raya SOPs against Debian's Dovecot: the
// owner asks for a password reset in the portal, the step's role resets it, the owner
// takes the new password once and Dovecot accepts it and refuses the old one; the front
// desk starts a deactivation from the registry's page (an OPD's letter), each step is done
// by its role, and Dovecot refuses the login and the delivery; the owner asks for the
// reactivation and logs in again; the quota changes after the capacity check and the
// registry shows it.
func TestJourneyLifecycle(t *testing.T) {
	chromium(t)
	if err := dovecottest.Installed(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	for _, preset := range []string{"kaltim", "palangkaraya"} {
		engines := []store.Dialect{store.SQLite}
		if preset == "kaltim" {
			engines = dbtest.Engines(t)
		}
		for _, d := range engines {
			t.Run(preset+"/"+string(d), func(t *testing.T) { lifecycleJourney(t, preset, d) })
		}
	}
}

// lifecycleOffice (screenshots under shots) starts Dovecot on the test database, a server of preset's tenant whose
// mail server it is, the browser, and staff in each role but the Kadis.
func lifecycleOffice(t *testing.T, shots, preset string, d store.Dialect) (*office, *dovecottest.Server) {
	return lifecycleOfficeWith(t, shots, preset, d, "")
}

// lifecycleOfficeWith is lifecycleOffice with more settings of the tenant (YAML lines at
// the tenant's indentation).
func lifecycleOfficeWith(t *testing.T, shots, preset string, d store.Dialect, settings string) (*office, *dovecottest.Server) {
	dir, err := dovecottest.ScratchDir()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	db := dovecottest.DB{Dialect: d}
	var dbURL string
	if d == store.SQLite {
		db.SQLitePath = filepath.Join(dir, "surel.db")
		dbURL = "sqlite:" + db.SQLitePath
	} else {
		dbURL = dbtest.URL(t, d)
		if db.Postgres, err = url.Parse(dbURL); err != nil {
			t.Fatal(err)
		}
	}
	dc := dovecottest.StartT(t, dir, db)
	cfg := filepath.Join(t.TempDir(), "tenants.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`tenants:
  - slug: %s
    name: Diskominfo %s
    mail_domain: mail.go.id
    sop: %s
%s    mail_server:
      driver: sql
      imap_addr: %s
      lmtp_addr: %s
      retention_days: 180
`, preset, preset, preset, settings, dc.IMAP, dc.LMTP)), 0o600)
	// The journey (with the purge after the retention period) signs in more than the
	// default 20 POSTs a minute the sign-in pages allow one address, turn by turn as the
	// applicant and each staff member: on a quiet machine the limit answered 429.
	srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": cfg, "SUREL_DATABASE_URL": dbURL, "SUREL_AUTH_RATE": "120"})
	b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), shots), "[0-9][0-9]-*.png", "FAILED-*.png"))
	j := &journey{t: t, b: b, srv: srv}
	o := &office{j: j, slug: preset, staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
	a := srv.App
	tn := a.Tenants.Default()
	for _, r := range []sop.Role{sop.RoleFrontDesk, sop.RoleKepalaBidang, sop.RoleKepalaSeksi, sop.RoleAdminMail, sop.RoleTenantAdmin} {
		o.staff[r] = stafftest.New(t, a.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@"+preset+".go.id", r)
	}
	return o, dc
}

func lifecycleJourney(t *testing.T, preset string, d store.Dialect) {
	o, dc := lifecycleOffice(t, "layanan-"+preset, preset, d)
	j, b := o.j, o.j.b
	ctx := context.Background()
	const addr = "siti.rahma@mail.go.id"
	const old = "SandiLama-2026!"
	mb := o.ownerWithMailbox(addr, old)
	if err := mailbox.TestLogin(ctx, dc.IMAP, addr, old); err != nil {
		t.Fatalf("Dovecot refuses the mailbox before the journey: %v", err)
	}
	var id int64
	var pw string
	j.step("l01 minta reset", func() {
		o.applicant()
		id = o.ask("reset_password", "pemilik", nil)
	})
	j.step("l02 reset oleh petugas", func() { o.carryOut(id, "direset") })
	j.step("l03 password baru", func() {
		o.applicant()
		b.open(fmt.Sprintf("/permohonan/%d", id))
		b.wantText("Selesai", addr)
		b.clickText("main", "Tampilkan password")
		pw = eval[string](b, `document.querySelector("code.password").textContent`)
		j.shot("password-baru")
		if err := mailbox.TestLogin(ctx, dc.IMAP, addr, pw); err != nil && !errors.Is(err, mailbox.ErrPasswordChangePending) {
			b.fatalf("Dovecot refuses the new password: %v", err)
		}
		if err := mailbox.TestLogin(ctx, dc.IMAP, addr, old); err == nil {
			b.fatalf("Dovecot still accepts the old password")
		}
	})
	j.step("l04 nonaktif dari database akun", func() {
		o.signIn(sop.RoleFrontDesk)
		b.open("/kantor/akun")
		b.clickText("main", addr)
		b.wantText("Layanan akun", "Penonaktifan Akun Email", "Reset Password Email")
		j.shot("layanan-akun")
		j.choose("#jenis-nonaktif", "pensiun", "")
		b.fill("#layanan-nonaktif textarea[name=keterangan]", "Surat BKPSDM: pensiun per 1 April")
		b.click("#layanan-nonaktif button[type=submit]")
		b.wantText("Langkah saat ini", addr)
		id = parseIDFromPath(b, "/kantor/permohonan/")
		j.shot("nonaktif-dibuat")
		o.carryOut(id, "dinonaktifkan")
		if err := mailbox.TestLogin(ctx, dc.IMAP, addr, pw); err == nil {
			b.fatalf("Dovecot accepts a login to the deactivated mailbox")
		}
		if err := mailbox.TestDelivery(ctx, dc.LMTP, dc.IMAP, addr, pw); !errors.Is(err, mailbox.ErrNotDelivered) {
			b.fatalf("delivery to the deactivated mailbox: %v, want refused", err)
		}
		b.open(fmt.Sprintf("/kantor/akun/%d", mb.ID))
		b.wantText("Nonaktif", "mailbox.deactivate", "Dapat dihapus permanen setelah")
		j.shot("akun-nonaktif")
		b.shotWide("akun-nonaktif")
	})
	j.step("l05 aktif kembali", func() {
		o.applicant()
		id = o.ask("aktif_kembali", "pemilik", map[string]string{"keterangan": "Mutasi kembali ke Diskominfo"})
		// The latest roster import lists the owner's NIP inactive: the request's page says
		// so, and the approval is refused with the reason; an import listing it active
		// again lets it through.
		o.loadRoster("196109231991031004,Siti Rahma,Diskominfo,Aptika,PNS,0\n")
		steps, _ := j.srv.App.Store.StepsOf(ctx, id)
		st, _ := request.Running(steps)
		action := "forward"
		if sop.Kind(st.Kind).Lifecycle() {
			action = "execute"
		}
		o.signIn(sop.Role(st.Role))
		b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
		b.wantText("Pemeriksaan data kepegawaian", "NIP 196109231991031004 tidak aktif di data kepegawaian terakhir")
		b.click(fmt.Sprintf("button[name=aksi][value=%s]", action))
		b.wantText("akun tidak dapat diaktifkan kembali", "Kembalikan atau tolak permohonan")
		b.wantPath(fmt.Sprintf("/kantor/permohonan/%d/tindak", id))
		j.shot("aktif-kembali-ditolak-data-pegawai")
		o.loadRoster("196109231991031004,Siti Rahma,Diskominfo,Aptika,PNS,1\n")
		b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
		b.wantText("NIP 196109231991031004 aktif di data kepegawaian terakhir: Siti Rahma")
		o.carryOut(id, "aktif kembali")
		if err := mailbox.TestLogin(ctx, dc.IMAP, addr, pw); err != nil && !errors.Is(err, mailbox.ErrPasswordChangePending) {
			b.fatalf("Dovecot refuses the reactivated mailbox: %v", err)
		}
	})
	j.step("l06 kuota", func() {
		o.applicant()
		b.open("/tambah-permohonan/kuota")
		j.tap("input[value=pemilik]")
		b.click("#isi form button[type=submit]")
		j.choose("#f-mailbox", "siti.rahma", "")
		b.fill("#f-kuota_mb", "dua giga")
		b.fill("#f-alasan", "Kotak surat penuh lampiran")
		b.click("button[value=next]")
		b.wantFieldError("kuota_mb", "bilangan bulat")
		if v := b.value("#f-alasan"); v != "Kotak surat penuh lampiran" {
			b.fatalf("the reason typed was lost: %q", v)
		}
		j.shot("kuota-salah")
		b.fill("#f-kuota_mb", "2048")
		b.click("button[value=next]")
		b.clickText("main", "Kirim")
		b.wantText("Menunggu Diproses")
		id = parseIDFromPath(b, "/permohonan/")
		o.carryOut(id, "2048 MB")
		o.signIn(sop.RoleAdminMail)
		b.open(fmt.Sprintf("/kantor/akun/%d", mb.ID))
		b.wantText("2 GB", "mailbox.quota")
		j.shot("akun-kuota")
	})
	j.step("l07 hapus setelah masa retensi", func() {
		o.signIn(sop.RoleFrontDesk)
		b.open(fmt.Sprintf("/kantor/akun/%d", mb.ID))
		j.choose("#jenis-nonaktif", "meninggal", "")
		b.fill("#layanan-nonaktif textarea[name=keterangan]", "Surat OPD: meninggal dunia")
		b.click("#layanan-nonaktif button[type=submit]")
		b.wantText("Langkah saat ini", addr)
		o.carryOut(parseIDFromPath(b, "/kantor/permohonan/"), "dinonaktifkan")
		a := j.srv.App
		tn := a.Tenants.Default()
		// The retention period (180 days) has passed: the leader's hourly run proposes
		// the purge, a task for the admin; nothing is deleted before the confirmation.
		if _, err := a.Store.DB().ExecContext(ctx, rebindFor(a.Store, `UPDATE registry SET purge_after = ? WHERE id = ?`), time.Now().UTC().Add(-time.Hour), mb.ID); err != nil {
			b.fatalf("retention: %v", err)
		}
		if n, err := a.Workflow.ProposePurges(ctx, tn, time.Now(), 10); err != nil || n != 1 {
			b.fatalf("purges proposed: %d %v", n, err)
		}
		refs, _ := a.Store.RequestsOn(ctx, tn.ID, addr)
		var purge int64
		for _, ref := range refs {
			if r, _ := a.Store.Request(ctx, ref.ID); r.Service == sop.ServicePurge {
				purge = r.ID
			}
		}
		if purge == 0 {
			b.fatalf("no purge request for %s", addr)
		}
		o.carryOut(purge, "dihapus permanen")
		if err := mailbox.TestLogin(ctx, dc.IMAP, addr, pw); err == nil || errors.Is(err, mailbox.ErrPasswordChangePending) {
			b.fatalf("Dovecot still knows the purged mailbox: %v", err)
		}
		if err := mailbox.TestDelivery(ctx, dc.LMTP, dc.IMAP, addr, pw); !errors.Is(err, mailbox.ErrNotDelivered) {
			b.fatalf("delivery to the purged mailbox: %v, want refused", err)
		}
		b.open(fmt.Sprintf("/kantor/akun/%d", mb.ID))
		b.wantText("Dihapus", "mailbox.purge")
		j.shot("akun-dihapus")
	})
	checkConsole(t, b)
}

// rebindFor writes a query's placeholders for st's engine.
func rebindFor(st *store.Store, q string) string {
	if st.Dialect() != store.Postgres {
		return q
	}
	n := 0
	var out strings.Builder
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&out, "$%d", n)
			continue
		}
		out.WriteRune(c)
	}
	return out.String()
}

// ownerWithMailbox makes the applicant (as journey 4's) and their mailbox on the server
// and in the registry, as a create before would have.
func (o *office) ownerWithMailbox(addr, pw string) registry.Mailbox {
	j, a := o.j, o.j.srv.App
	ctx := context.Background()
	tn := a.Tenants.Default()
	email := "siti." + o.slug + "@example.com"
	if err := a.Accounts.Register(ctx, tn, account.RegisterInput{FirstName: "Siti", LastName: "Rahma", Email: email, Phone: "081234567890",
		Password: password, Password2: password}); err != nil {
		j.b.fatalf("register: %v", err)
	}
	link := j.srv.Mail.Wait(j.t, email, 1, mailTimeout).Link("/aktivasi/")
	u, err := a.Accounts.Activate(ctx, tn, link[strings.LastIndex(link, "/")+1:])
	if err != nil {
		j.b.fatalf("activate: %v", err)
	}
	u.Profile = account.Profile{FullName: "Siti Rahma, S.Kom.", Jabatan: "Pranata Komputer", Instansi: "Dinas Komunikasi dan Informatika",
		SatuanKerja: "Bidang Aplikasi Informatika", Phone: "081234567890", Address: "Jl. Jenderal Sudirman No. 1", NIP: "196109231991031004"}
	if err := a.Accounts.UpdateProfile(ctx, u, u.Profile); err != nil {
		j.b.fatalf("profile: %v", err)
	}
	ms, err := a.Workflow.Mailboxes(tn.ID)
	if err != nil {
		j.b.fatalf("mail server: %v", err)
	}
	if err := ms.Server.Create(ctx, mailbox.New{Address: addr, Name: "Siti Rahma", Password: pw, Owner: "request:0"}); err != nil {
		j.b.fatalf("create: %v", err)
	}
	m, err := a.Workflow.Registry.Created(ctx, registry.Mailbox{TenantID: tn.ID, Address: addr, OwnerID: u.ID, Name: u.Profile.FullName,
		NIP: u.Profile.NIP, Instansi: u.Profile.Instansi, Unit: u.Profile.SatuanKerja}, audit.System)
	if err != nil {
		j.b.fatalf("registry: %v", err)
	}
	return m
}

// loadRoster imports rows (nip,nama,instansi,unit,status,aktif) as the tenant's roster,
// as an import from the data kepegawaian page would.
func (o *office) loadRoster(rows string) {
	a := o.j.srv.App
	csv := "nip,nama,instansi,unit,status,aktif\n" + rows
	if _, err := roster.Import(context.Background(), a.Store, a.Tenants.Default().ID, strings.NewReader(csv), roster.Options{}); err != nil {
		o.j.b.fatalf("roster: %v", err)
	}
}

// ask sends a service's request from the portal as the signed-in owner, choosing their
// mailbox, and returns its id.
func (o *office) ask(service, kind string, values map[string]string) int64 {
	j, b := o.j, o.j.b
	b.open("/tambah-permohonan")
	b.wantText("Reset Password Email", "Penonaktifan Akun Email", "Perubahan Kuota Email")
	b.open("/tambah-permohonan/" + service)
	j.tap("input[value=" + kind + "]")
	b.click("#isi form button[type=submit]")
	j.choose("#f-mailbox", "siti.rahma", "")
	for k, v := range values {
		b.fill("#f-"+k, v)
	}
	j.shot("formulir-" + service)
	b.click("button[value=next]")
	if !strings.HasSuffix(b.path(), "/ringkasan") {
		b.fatalf("not on the summary: %s\n%s", b.path(), b.text())
	}
	b.wantText("siti.rahma@mail.go.id")
	b.clickText("main", "Kirim")
	b.wantText("Riwayat permohonan")
	j.shot("terkirim-" + service)
	return parseIDFromPath(b, "/permohonan/")
}

// carryOut has each running step of request id done by the holder of its role in the
// browser (forward at a check, execute at the action on the server) until the server has
// done it and the step's note says done.
func (o *office) carryOut(id int64, done string) {
	j, b := o.j, o.j.b
	ctx := context.Background()
	for range 5 {
		steps, err := j.srv.App.Store.StepsOf(ctx, id)
		if err != nil {
			b.fatalf("steps: %v", err)
		}
		st, ok := request.Running(steps)
		if !ok {
			break
		}
		action := "forward"
		if sop.Kind(st.Kind).Lifecycle() {
			action = "execute"
		}
		o.signIn(sop.Role(st.Role))
		b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
		b.wantText("Langkah saat ini", st.Name)
		j.shot("tugas-" + st.Key)
		b.click(fmt.Sprintf("button[name=aksi][value=%s]", action))
		if action == "execute" {
			b.wantPath(fmt.Sprintf("/kantor/permohonan/%d", id))
			break
		}
		b.wantPath("/kantor")
	}
	deadline := time.Now().Add(mailTimeout)
	for !strings.Contains(b.text(), done) {
		if time.Now().After(deadline) {
			b.fatalf("%q not shown in time:\n%s", done, b.text())
		}
		time.Sleep(pollEvery)
		b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	}
	j.shot("selesai-" + strings.ReplaceAll(done, " ", "-"))
}

// parseIDFromPath is the id after prefix in the page's path.
func parseIDFromPath(b *browser, prefix string) int64 {
	p := strings.TrimPrefix(b.path(), prefix)
	p, _, _ = strings.Cut(p, "/")
	var id int64
	if _, err := fmt.Sscan(p, &id); err != nil || id == 0 {
		b.fatalf("no id in %s", b.path())
	}
	return id
}
