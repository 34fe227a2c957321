package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/zone"
	"github.com/surel-id/surel/internal/zone/powerdns"
	"github.com/surel-id/surel/internal/zone/rfc2136"
	"github.com/surel-id/surel/internal/zone/zonetest"
)

// TestJourneyDomains is issue 20's "Done when", clicked through in Chromium on both
// engines: a perangkat desa verifies the instansi from Akun Saya and files a desa.id
// request that staff take through Verifikasi Dokumen, Persetujuan, Konfirmasi Pembayaran
// (with the uploaded proof) and Aktivasi (the registry's reference); an OPD's sub-domain
// request ends with a name that dig resolves on real BIND (RFC 2136 with TSIG) and real
// PowerDNS (its API), listed in the register of domain names.
func TestJourneyDomains(t *testing.T) {
	chromium(t)
	zonetest.Require(t)
	for _, d := range dbtest.Engines(t) {
		for _, dns := range []string{"bind", "powerdns"} {
			t.Run(string(d)+"/"+dns, func(t *testing.T) {
				const zoneName = "kota.example.go.id"
				var block string
				var direct zone.Server // the operator's own hand on the server
				var err error
				if dns == "bind" {
					s := zonetest.StartBIND(t, zoneName)
					block = fmt.Sprintf("      driver: rfc2136\n      zone: %s\n      server: %s\n      key_name: %s\n      secret: %s\n", zoneName, s.Addr, s.Key.Name, s.Key.Secret)
					digAddr = s.Addr
					direct, err = rfc2136.New(rfc2136.Config{Addr: s.Addr, Zone: zoneName, KeyName: s.Key.Name, Secret: s.Key.Secret})
				} else {
					s := zonetest.StartPowerDNS(t, zoneName)
					block = fmt.Sprintf("      driver: powerdns\n      zone: %s\n      server: %s\n      api_url: %s\n      api_key: %s\n", zoneName, s.Addr, s.APIURL, s.APIKey)
					digAddr = s.Addr
					direct, err = powerdns.New(powerdns.Config{URL: s.APIURL, APIKey: s.APIKey, Zone: zoneName, DNSAddr: s.Addr})
				}
				if err != nil {
					t.Fatal(err)
				}
				cfg := filepath.Join(t.TempDir(), "tenants.yaml")
				os.WriteFile(cfg, []byte("tenants:\n  - slug: kota\n    name: Diskominfo Kota\n    mail_domain: mail.go.id\n    sop: palangkaraya\n    dns:\n"+block), 0o600)
				// The journey signs in some forty times from one address within two
				// minutes (the applicant and four staff members, turn by turn): more than
				// the default 20 POSTs a minute the sign-in pages allow an address.
				srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": cfg, "SUREL_AUTH_RATE": "120"})
				b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "domain-"+dns), "[0-9][0-9]-*.png", "FAILED-*.png"))
				j := &journey{t: t, b: b, srv: srv}
				o := &office{j: j, slug: "kota", staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
				tn := srv.App.Tenants.Default()
				for _, r := range []sop.Role{sop.RoleFrontDesk, sop.RoleKepalaBidang, sop.RoleKepalaSeksi, sop.RoleAdminMail} {
					o.staff[r] = stafftest.New(t, srv.App.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@kota.go.id", r)
				}
				scan := writePNG(t, 60, 40)
				dj := &domainJourney{o: o, scan: scan}
				if dns == "bind" {
					var id int64
					j.step("d01 verifikasi desa", func() { dj.official("siti", "siti.rahma"); id = dj.verify("desa") })
					j.step("d02 kasi verifikasi", func() { dj.act(id, sop.RoleKepalaSeksi, "forward", "SK dan surat sesuai") })
					j.step("d03 terverifikasi", func() { dj.verified("siti", "Pemerintah Desa Pasar Bangko") })
					j.step("d04 desa.id", func() { id = dj.desaID() })
					j.step("d05 verifikasi dokumen", func() { dj.act(id, sop.RoleKepalaSeksi, "forward", "Dokumen lengkap") })
					j.step("d06 persetujuan", func() { dj.act(id, sop.RoleKepalaBidang, "forward", "Disetujui") })
					j.step("d07 pembayaran", func() { dj.payment(id) })
					j.step("d08 aktivasi", func() { dj.activate(id) })
					j.step("d09 selesai", func() { dj.desaDone(id) })
				}
				var sub int64
				j.step("s01 verifikasi opd", func() {
					dj.official("andi", "andi.saputra")
					id := dj.verify("opd")
					dj.act(id, sop.RoleKepalaSeksi, "forward", "")
				})
				j.step("s02 sub-domain", func() { sub = dj.subdomain() })
				j.step("s03 persetujuan", func() { dj.act(sub, sop.RoleKepalaSeksi, "forward", "Disetujui") })
				j.step("s04 buat record", func() { dj.createDNS(sub, "sipd."+zoneName) })
				j.step("s05 database domain", func() { dj.register("sipd."+zoneName, "A 203.0.113.10") })
				var lama int64
				j.step("s06 nama sudah ada", func() {
					if err := direct.Create(context.Background(), "lama."+zoneName, []zone.Record{{Type: zone.A, Value: "198.51.100.9"}}); err != nil {
						t.Fatal(err)
					}
					dj.signIn()
					lama = dj.fileSubdomain("lama", "203.0.113.11")
					dj.act(lama, sop.RoleKepalaSeksi, "forward", "Disetujui")
				})
				j.step("s07 galat untuk staf", func() { dj.conflict(lama, "lama."+zoneName) })
				var hapus int64
				j.step("s08 hapus sub-domain", func() { hapus = dj.removal("sipd." + zoneName) })
				j.step("s09 persetujuan hapus", func() { dj.act(hapus, sop.RoleKepalaSeksi, "forward", "Disetujui") })
				j.step("s10 hapus record", func() { dj.removeDNS(hapus, "sipd."+zoneName) })
				checkConsole(t, b)
			})
		}
	}
}

// digAddr is the DNS server of the running subtest.
var digAddr string

type domainJourney struct {
	o     *office
	scan  string
	login string // the applicant signed in
}

// official makes an applicant whose official mailbox surel made (journey 4 clicks the
// e-mail request through; here its mailbox is entered in the registry as the create
// step does) and signs them in.
func (dj *domainJourney) official(first, mailbox string) {
	j, a := dj.o.j, dj.o.j.srv.App
	ctx := context.Background()
	tn := a.Tenants.Default()
	addr := first + ".kota@example.com"
	if err := a.Accounts.Register(ctx, tn, account.RegisterInput{FirstName: strings.ToUpper(first[:1]) + first[1:], LastName: "Saputra", Email: addr,
		Phone: "081234567890", Password: password, Password2: password}); err != nil {
		j.b.fatalf("register: %v", err)
	}
	link := j.srv.Mail.Wait(j.t, addr, 1, mailTimeout).Link("/aktivasi/")
	u, err := a.Accounts.Activate(ctx, tn, link[strings.LastIndex(link, "/")+1:])
	if err != nil {
		j.b.fatalf("activate: %v", err)
	}
	u.Profile = account.Profile{FullName: u.FirstName + " Saputra", Jabatan: "Sekretaris Desa", Instansi: "Pemerintah Desa",
		SatuanKerja: "Kota", Phone: "081234567890", Address: "Jl. Merdeka 1", NIP: "196109231991031004"}
	if err := a.Accounts.UpdateProfile(ctx, u, u.Profile); err != nil {
		j.b.fatalf("profile: %v", err)
	}
	r, err := a.Requests.NewDraft(ctx, tn, u, "email", "pns", nil)
	if err != nil {
		j.b.fatalf("draft: %v", err)
	}
	r.Mailbox = mailbox
	if _, err := a.Workflow.Registry.Created(ctx, registry.Mailbox{TenantID: tn.ID, Address: mailbox + "@mail.go.id", OwnerID: u.ID,
		Name: u.DisplayName(), RequestID: r.ID}, audit.System); err != nil {
		j.b.fatalf("registry: %v", err)
	}
	dj.o.signOut()
	b := j.b
	b.open("/masuk")
	b.fill("#f-login", addr)
	b.fill("#f-password", password)
	b.click("form[action='/masuk'] button[type=submit]")
	b.waitJS("signed in", `!!document.querySelector("form[action='/keluar']")`, actionTimeout)
	dj.login = addr
}

// signIn signs the applicant in again after staff worked.
func (dj *domainJourney) signIn() {
	b := dj.o.j.b
	dj.o.signOut()
	b.open("/masuk")
	b.fill("#f-login", dj.login)
	b.fill("#f-password", password)
	b.click("form[action='/masuk'] button[type=submit]")
	b.waitJS("signed in", `!!document.querySelector("form[action='/keluar']")`, actionTimeout)
}

// verify asks for Verifikasi Instansi from Akun Saya and sends it.
func (dj *domainJourney) verify(kind string) int64 {
	j, b := dj.o.j, dj.o.j.b
	b.open("/akun")
	b.wantText("Instansi terverifikasi", "Ajukan Verifikasi Instansi")
	j.shot("akun-belum-terverifikasi")
	b.clickText("main", "Ajukan Verifikasi Instansi")
	b.wantText("Verifikasi Instansi", "surat pendukung")
	j.tap("input[value=" + kind + "]")
	b.click("#isi form button[type=submit]")
	b.wantText(dj.login[:strings.Index(dj.login, ".")]) // the official address, from the registry
	b.fill("#f-jabatan", map[string]string{"desa": "Sekretaris Desa", "opd": "Pranata Komputer"}[kind])
	if kind == "opd" {
		b.fill("#f-instansi", "Dinas Pendidikan")
		j.choose("#f-province", "15", "#f-regency")
		j.choose("#f-regency", "15.02", "")
	} else {
		j.choose("#f-province", "15", "#f-regency")
		j.choose("#f-regency", "15.02", "#f-district")
		j.choose("#f-district", "15.02.02", "#f-village")
		j.choose("#f-village", "15.02.02.1010", "")
	}
	j.upload("#f-doc_sk", dj.scan)
	j.upload("#f-doc_surat_pendukung", dj.scan)
	j.shot("verifikasi-" + kind)
	b.click("button[value=next]")
	if !strings.HasSuffix(b.path(), "/ringkasan") {
		b.fatalf("not on the summary: %s\n%s", b.path(), b.text())
	}
	b.wantText("Alamat email resmi", "@mail.go.id")
	j.shot("verifikasi-ringkasan")
	b.clickText("main", "Kirim")
	b.wantText("Menunggu Diproses", "Memverifikasi data pejabat")
	return idOf(b)
}

// idOf is the request id of the request page the browser shows.
func idOf(b *browser) int64 {
	var id int64
	fmt.Sscanf(strings.TrimPrefix(b.path(), "/permohonan/"), "%d", &id)
	if id == 0 {
		b.fatalf("not on a request page: %s", b.path())
	}
	return id
}

// act takes the running step's action as the holder of role, from the inbox.
func (dj *domainJourney) act(id int64, role sop.Role, action, note string) {
	j, b := dj.o.j, dj.o.j.b
	dj.o.signIn(role)
	sel := fmt.Sprintf("a[href='/kantor/permohonan/%d']", id)
	b.waitJS("task in the inbox", fmt.Sprintf(`!!document.querySelector(%q)`, sel), actionTimeout)
	b.click(sel)
	b.wantText("Langkah saat ini", "Riwayat permohonan", "Jejak audit")
	if note != "" {
		b.fill("#f-note", note)
	}
	j.shot("tugas-" + string(role) + "-" + action)
	b.click(fmt.Sprintf("button[name=aksi][value=%s]", action))
	b.wantPath("/kantor")
}

// verified is Akun Saya with the verified instansi.
func (dj *domainJourney) verified(first, instansi string) {
	j, b := dj.o.j, dj.o.j.b
	dj.signIn()
	b.open("/akun")
	b.wantText("Instansi terverifikasi", instansi, "Sekretaris Desa")
	b.wantNoText("Ajukan Verifikasi Instansi")
	j.shot("akun-terverifikasi")
	b.shotWide("akun-terverifikasi")
}

// desaID files the village's desa.id request: a name breaking the registry's rules
// first, then a suggestion.
func (dj *domainJourney) desaID() int64 {
	j, b := dj.o.j, dj.o.j.b
	b.open("/tambah-permohonan/domain-desa-id")
	b.wantText("instansi terverifikasi", "3 sampai 63")
	j.tap("input[value=desa]")
	b.click("#isi form button[type=submit]")
	b.wantText("Pemerintah Desa Pasar Bangko", ".desa.id", "Nama yang tersedia:", "pasarbangko-bangko")
	dj.desaIDWithoutJS(b.path())
	// With JavaScript the name is checked as it is typed, and a refused one offers the
	// free names made from the village's, one tap away.
	b.fill("#f-desaid", "desaku")
	b.waitJS("live check", `(document.querySelector("#desaid-live.error")?.textContent || "").includes("harus nama desa Pasar Bangko")`, actionTimeout)
	b.waitJS("live suggestions", `!!document.querySelector("#desaid-live button.suggestion")`, actionTimeout)
	j.shot("desaid-cek-langsung")
	j.tap("#desaid-live button.suggestion")
	b.waitJS("live check of the suggestion", `(document.querySelector("#desaid-live.ok-text")?.textContent || "").includes("pasarbangko.desa.id")`, actionTimeout)
	if v := b.value("#f-desaid"); v != "pasarbangko" {
		b.fatalf("the live suggestion gave %q", v)
	}
	j.shot("desaid-cek-langsung-ok")
	b.fill("#f-desaid", "ab")
	j.upload("#f-doc_surat_permohonan", dj.scan)
	j.upload("#f-doc_ktp", dj.scan)
	j.upload("#f-doc_sk_kades", dj.scan)
	j.upload("#f-doc_sk_perangkat", dj.scan)
	j.upload("#f-doc_surat_kuasa", dj.scan)
	b.click("button[value=next]")
	b.wantFieldError("desaid", "3 sampai 63 karakter")
	j.shot("desaid-salah")
	j.tap("button.suggestion[data-for=f-desaid]")
	if v := b.value("#f-desaid"); v != "pasarbangko" {
		b.fatalf("suggestion gave %q", v)
	}
	j.shot("desaid-usulan")
	b.click("button[value=next]")
	if !strings.HasSuffix(b.path(), "/ringkasan") {
		b.fatalf("not on the summary: %s\n%s", b.path(), b.text())
	}
	b.wantText("pasarbangko.desa.id", "Pemerintah Desa Pasar Bangko")
	j.shot("desaid-ringkasan")
	b.clickText("main", "Kirim")
	b.wantText("Menunggu Diproses", "Memverifikasi dokumen", "Mengonfirmasi pembayaran")
	j.shot("desaid-terkirim")
	b.shotWide("desaid-terkirim")
	return idOf(b)
}

// desaIDWithoutJS: with the page's script off, a name not made from the village's name
// is refused on "Lanjut", and a suggestion is a button that sends the form with that
// name, which the page shows filled in.
func (dj *domainJourney) desaIDWithoutJS(form string) {
	b := dj.o.j.b
	script := func(off bool) {
		b.do("JavaScript off "+fmt.Sprint(off), func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
			return chromedp.Void{}, err
		})
	}
	script(true)
	defer func() { script(false); b.open(form) }()
	b.open(form)
	b.fill("#f-desaid", "desaku")
	b.do("next", chromedp.Click(chromedp.CSS("button[value=next]")))
	b.waitJSOff("#f-desaid[aria-invalid=true]")
	b.wantFieldError("desaid", "harus nama desa Pasar Bangko")
	plainShot(b, "nojs-desaid-salah", phoneWidth)
	if v := b.value("button.suggestion[data-for=f-desaid]"); v != "desaid:pasarbangko" {
		b.fatalf("the suggestion's value is %q", v)
	}
	b.do("suggestion", chromedp.Click(chromedp.CSS("button.suggestion[data-for=f-desaid]")))
	b.waitJSOff(`#f-desaid[value="pasarbangko"]`)
	if strings.Contains(b.text(), "harus nama desa") {
		b.fatalf("the chosen suggestion is refused:\n%s", b.text())
	}
	plainShot(b, "nojs-desaid-usulan", phoneWidth)
}

// payment is the front desk confirming the fee: refused without the proof, then with it.
func (dj *domainJourney) payment(id int64) {
	j, b := dj.o.j, dj.o.j.b
	dj.o.signIn(sop.RoleFrontDesk)
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	b.wantText("Mengonfirmasi pembayaran", "Bukti pembayaran")
	b.click("button[name=aksi][value=forward]")
	b.wantFieldError("proof", "Bukti pembayaran")
	j.shot("pembayaran-tanpa-bukti")
	j.upload("#f-proof", dj.scan)
	b.fill("#f-note", "Transfer diterima")
	b.click("button[name=aksi][value=forward]")
	b.wantPath("/kantor")
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	b.wantText("Bukti pembayaran", "Mengaktifkan nama domain")
	j.shot("pembayaran-dikonfirmasi")
}

// activate records the registry's reference at activation (no registrar configured).
func (dj *domainJourney) activate(id int64) {
	j, b := dj.o.j, dj.o.j.b
	dj.o.signIn(sop.RoleAdminMail)
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	b.wantText("Nomor referensi registri")
	b.wantNoText("Ajukan ke registri")
	b.click("button[name=aksi][value=activate]")
	b.wantFieldError("reference", "wajib diisi")
	b.fill("#f-reference", "PANDI-ORD-20261206-0042")
	j.shot("aktivasi")
	b.click("button[name=aksi][value=activate]")
	b.wantPath("/kantor")
	dj.register("pasarbangko.desa.id", "PANDI-ORD-20261206-0042")
}

// desaDone is the applicant's view of the finished desa.id request.
func (dj *domainJourney) desaDone(id int64) {
	j, b := dj.o.j, dj.o.j.b
	dj.signIn()
	b.open(fmt.Sprintf("/permohonan/%d", id))
	b.wantText("Selesai", "pasarbangko.desa.id")
	j.shot("desaid-selesai")
	b.open("/akun")
	b.wantText("Domain Anda", "pasarbangko.desa.id", "PANDI-ORD-20261206-0042")
	j.shot("akun-domain")
}

// subdomain files the OPD's sub-domain request: a reserved name first.
func (dj *domainJourney) subdomain() int64 {
	j, b := dj.o.j, dj.o.j.b
	dj.signIn()
	b.open("/tambah-permohonan/subdomain")
	j.tap("input[value=opd]")
	b.click("#isi form button[type=submit]")
	b.wantText("Dinas Pendidikan", ".kota.example.go.id")
	b.fill("#f-subdomain", "www")
	b.fill("#f-target", "203.0.113.10, 2001:db8::10")
	b.fill("#f-purpose", "Aplikasi SIPD Dinas Pendidikan")
	j.upload("#f-doc_surat_kepala", dj.scan)
	b.click("button[value=next]")
	b.wantFieldError("subdomain", "dicadangkan")
	j.shot("subdomain-salah")
	b.fill("#f-subdomain", "sipd")
	b.click("button[value=next]")
	if !strings.HasSuffix(b.path(), "/ringkasan") {
		b.fatalf("not on the summary: %s\n%s", b.path(), b.text())
	}
	b.wantText("sipd.kota.example.go.id", "A 203.0.113.10, AAAA 2001:db8::10")
	j.shot("subdomain-ringkasan")
	b.clickText("main", "Kirim")
	b.wantText("Menunggu Diproses", "Membuat record sub-domain")
	return idOf(b)
}

// createDNS has the system admin write the records, waits for the create and test
// jobs, and asks the DNS server with dig.
func (dj *domainJourney) createDNS(id int64, name string) {
	j, b := dj.o.j, dj.o.j.b
	dj.o.signIn(sop.RoleAdminMail)
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	j.shot("buat-record")
	b.click("button[name=aksi][value=create_dns]")
	deadline := time.Now().Add(2 * mailTimeout)
	for {
		b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
		if strings.Contains(b.text(), "Server DNS menjawab "+name) {
			break
		}
		if time.Now().After(deadline) {
			b.fatalf("sub-domain not created and tested in time")
		}
		time.Sleep(pollEvery)
	}
	b.wantText("Selesai", "Record "+name+" dibuat")
	j.shot("record-dibuat")
	b.shotWide("record-dibuat")
	// The result letter says what was made: an office letter with its QR code.
	if codes := j.keepPages("surat-hasil-subdomain", b.fetchPDF(fmt.Sprintf("/kantor/permohonan/%d/surat-hasil", id))); len(codes) != 1 {
		b.fatalf("result letter's QR codes: %v", codes)
	}
	if got := zonetest.Dig(j.t, digAddr, name, "A"); got != "203.0.113.10" {
		b.fatalf("dig A %s = %q", name, got)
	}
	if got := zonetest.Dig(j.t, digAddr, name, "AAAA"); got != "2001:db8::10" {
		b.fatalf("dig AAAA %s = %q", name, got)
	}
}

// register checks the name in the register of domain names.
func (dj *domainJourney) register(name, target string) {
	j, b := dj.o.j, dj.o.j.b
	b.open("/kantor")
	b.clickText("main", "Database Domain")
	b.wantPath("/kantor/domain")
	b.wantText(name, target, "Aktif")
	j.shot("database-domain")
	b.shotWide("database-domain")
}

// fileSubdomain files a sub-domain request for label pointing to target, as the
// signed-in OPD official.
func (dj *domainJourney) fileSubdomain(label, target string) int64 {
	j, b := dj.o.j, dj.o.j.b
	b.open("/tambah-permohonan/subdomain")
	j.tap("input[value=opd]")
	b.click("#isi form button[type=submit]")
	b.fill("#f-subdomain", label)
	b.fill("#f-target", target)
	b.fill("#f-purpose", "Situs lama Dinas Pendidikan")
	j.upload("#f-doc_surat_kepala", dj.scan)
	b.click("button[value=next]")
	if !strings.HasSuffix(b.path(), "/ringkasan") {
		b.fatalf("not on the summary: %s\n%s", b.path(), b.text())
	}
	b.clickText("main", "Kirim")
	b.wantText("Menunggu Diproses")
	return idOf(b)
}

// waitCase reloads the staff's page of request id until it shows text.
func (dj *domainJourney) waitCase(id int64, text string) {
	b := dj.o.j.b
	deadline := time.Now().Add(2 * mailTimeout)
	for {
		b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
		if strings.Contains(b.text(), text) {
			return
		}
		if time.Now().After(deadline) {
			b.fatalf("request %d never showed %q:\n%s", id, text, b.text())
		}
		time.Sleep(pollEvery)
	}
}

// conflict: the create meets a name the DNS server holds; the system admin reads why in
// words (in Indonesian, and in English), with no "Coba lagi" (retrying cannot help), and
// returns the request to the applicant for another name. The server's record is intact.
func (dj *domainJourney) conflict(id int64, name string) {
	j, b := dj.o.j, dj.o.j.b
	dj.o.signIn(sop.RoleAdminMail)
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	b.click("button[name=aksi][value=create_dns]")
	dj.waitCase(id, "sudah dipakai di server DNS")
	b.wantIn("#gagal", "Nama "+name+" sudah dipakai di server DNS")
	b.wantIn("#gagal", "mencoba lagi tidak akan berhasil")
	b.wantIn("#gagal", "198.51.100.9")
	if eval[bool](b, `!!document.querySelector("button[name=aksi][value=retry]")`) {
		b.fatalf("Coba lagi offered for a name the server holds")
	}
	// The history says the same: failed, and no retry helps.
	b.wantText("Gagal, tidak dapat dicoba lagi")
	b.wantNoText("Gagal, perlu dicoba lagi")
	j.shot("galat-nama-sudah-ada")
	b.shotWide("galat-nama-sudah-ada")
	b.open("/bahasa/en")
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	b.wantIn("#gagal", "The name "+name+" is in use on the DNS server")
	b.wantText("Failed, a retry cannot help")
	j.shot("galat-nama-sudah-ada-en")
	b.open("/bahasa/id")
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	b.fill("#f-note", "Nama sudah dipakai situs lama; pilih nama lain")
	b.click("button[name=aksi][value=return]")
	b.wantPath("/kantor")
	if got := zonetest.Dig(j.t, digAddr, name, "A"); got != "198.51.100.9" {
		b.fatalf("the existing name was touched: %q", got)
	}
}

// removal files Penghapusan Sub-Domain for name, as its owner.
func (dj *domainJourney) removal(name string) int64 {
	j, b := dj.o.j, dj.o.j.b
	dj.signIn()
	b.open("/tambah-permohonan/hapus-subdomain")
	j.tap("input[value=opd]")
	b.click("#isi form button[type=submit]")
	b.do("choose "+name, chromedp.SetValue(chromedp.CSS("#f-owned_subdomain"), name))
	b.fill("#f-purpose", "Aplikasi dipindahkan ke sipd.kemendagri.go.id")
	j.upload("#f-doc_surat_kepala", dj.scan)
	j.shot("hapus-subdomain")
	b.click("button[value=next]")
	if !strings.HasSuffix(b.path(), "/ringkasan") {
		b.fatalf("not on the summary: %s\n%s", b.path(), b.text())
	}
	b.wantText(name)
	b.clickText("main", "Kirim")
	b.wantText("Menunggu Diproses")
	return idOf(b)
}

// removeDNS has the system admin remove the records: dig finds nothing, and the
// register keeps the name as removed.
func (dj *domainJourney) removeDNS(id int64, name string) {
	j, b := dj.o.j, dj.o.j.b
	dj.o.signIn(sop.RoleAdminMail)
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	b.click("button[name=aksi][value=remove_dns]")
	dj.waitCase(id, "Record "+name+" dihapus")
	b.wantText("Selesai")
	j.shot("record-dihapus")
	if got := zonetest.Dig(j.t, digAddr, name, "A"); got != "" {
		b.fatalf("dig A %s after removal = %q", name, got)
	}
	b.open("/kantor/domain")
	b.wantText(name, "Dihapus")
	j.shot("database-domain-dihapus")
}
