package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/dovecottest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

// TestJourneyResetLetter clicks through, at 360 px, an OPD's letter listing three people
// whose mailbox passwords are to be reset (Kalbar's practice) on the Kaltim SOP against
// Dovecot: the front desk types the list from the registry's page, a wrong line is named
// by its number with everything typed kept, the fixed list starts one reset request per
// person, the admin resets each, and the result page offers each person's own account
// letter (a PDF, printed once), never a page listing the passwords. The letter is then
// found again from the form's list of recent letters, and each request names it.
func TestJourneyResetLetter(t *testing.T) {
	chromium(t)
	if err := dovecottest.Installed(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	o, _ := lifecycleOffice(t, "reset-surat", "kaltim", store.SQLite)
	j, b := o.j, o.j.b
	ctx := context.Background()
	a := j.srv.App
	tn := a.Tenants.Default()
	ms, err := a.Workflow.Mailboxes(tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	people := map[string]string{"ani.lestari": "Ani Lestari", "budi.hartono": "Budi Hartono", "citra.dewi": "Citra Dewi"}
	for local, name := range people {
		addr := local + "@mail.go.id"
		if err := ms.Server.Create(ctx, mailbox.New{Address: addr, Name: name, Password: "SandiLama-2026!", Owner: "request:0"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Workflow.Registry.Created(ctx, registry.Mailbox{TenantID: tn.ID, Address: addr, Name: name, Instansi: "Dinas Kesehatan"}, audit.System); err != nil {
			t.Fatal(err)
		}
	}
	var result string
	var ids []int64
	j.step("r01 daftar dari surat", func() {
		o.signIn(sop.RoleFrontDesk)
		b.open("/kantor/akun")
		b.click("#reset-surat-link")
		b.wantText("Reset Password dari Surat OPD", "satu alamat per baris")
		b.fill("#f-nomor_surat", "800/45/DINKES/2026")
		b.fill("#f-daftar_akun", "ani.lestari\nbudi.hartono@mail.go.id\nbudi.hartonno\ncitra.dewi")
		j.shot("formulir")
		b.click("#form-reset-surat button[type=submit]")
		b.wantText("Baris 3: budi.hartonno@mail.go.id tidak ada di Database Akun Email")
		if v := b.value("#f-daftar_akun"); !strings.Contains(v, "citra.dewi") || b.value("#f-nomor_surat") != "800/45/DINKES/2026" {
			b.fatalf("what was typed is lost: %q", v)
		}
		j.shot("baris-salah")
		b.fill("#f-daftar_akun", "ani.lestari\nbudi.hartono@mail.go.id\ncitra.dewi")
		b.click("#form-reset-surat button[type=submit]")
		b.wantText("Permohonan reset dari surat 800/45/DINKES/2026", "ani.lestari@mail.go.id", "budi.hartono@mail.go.id", "citra.dewi@mail.go.id", "Budi Hartono")
		j.shot("hasil-menunggu")
		result = b.path() + "?" + eval[string](b, `location.search.slice(1)`)
		for _, s := range eval[[]string](b, `[...document.querySelectorAll("#reset-surat h2 a")].map(a => a.getAttribute("href"))`) {
			var id int64
			fmt.Sscanf(s, "/kantor/permohonan/%d", &id)
			ids = append(ids, id)
		}
		if len(ids) != 3 {
			b.fatalf("requests listed: %v", ids)
		}
	})
	j.step("r02 reset oleh admin", func() {
		for _, id := range ids {
			o.carryOut(id, "direset")
		}
	})
	j.step("r03 surat per orang", func() {
		o.signIn(sop.RoleFrontDesk)
		b.open(result)
		if n := eval[int](b, `document.querySelectorAll("#reset-surat form[action$='/surat'] button").length`); n != 3 {
			b.fatalf("%d account letters offered, want 3 (one per person)", n)
		}
		b.wantNoText("SandiLama-2026!")
		j.shot("hasil-siap-cetak")
		for _, id := range ids {
			if got := fetchStart(b, "POST", fmt.Sprintf("/kantor/permohonan/%d/surat", id)); got != "200 %PDF" {
				b.fatalf("account letter of request %d: %s", id, got)
			}
		}
		b.open(result)
		if n := strings.Count(b.text(), "Surat sudah dicetak"); n != 3 {
			b.fatalf("letters marked printed: %d\n%s", n, b.text())
		}
		j.shot("hasil-dicetak")
	})
	j.step("r04 surat tercatat", func() {
		// The letter is found again from the form's list, its page read by the number
		// alone; each request and its history say what it was based on.
		b.open("/kantor/akun/reset-surat")
		b.wantIn("#recent-letters", "800/45/DINKES/2026")
		j.shot("surat-terakhir")
		b.click("#recent-letters a")
		if q := eval[string](b, `location.search`); strings.Contains(q, "id=") {
			b.fatalf("the letter's page is named by ids: %s", q)
		}
		b.wantText("Permohonan reset dari surat 800/45/DINKES/2026", "ani.lestari@mail.go.id", "budi.hartono@mail.go.id", "citra.dewi@mail.go.id")
		b.click("#reset-surat h2 a")
		b.wantText("Dasar", "surat OPD nomor 800/45/DINKES/2026", "Berdasarkan surat nomor 800/45/DINKES/2026")
		j.shot("dasar-surat")
	})
	checkConsole(t, b)
}
