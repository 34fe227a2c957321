package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// headerLines is how many lines the shared header takes: the rows its parts sit on, and
// the extra lines of an office name that wraps.
const headerLines = `(() => {
	const parts = [document.querySelector(".top .brand"), ...document.querySelectorAll(".top nav li")];
	// Parts whose vertical middles are within 12 px of each other share a row.
	const mids = parts.map(e => e.getBoundingClientRect()).filter(r => r.width > 0).map(r => (r.top + r.bottom) / 2).sort((a, b) => a - b);
	let rows = 0, last = -1e9;
	for (const m of mids) { if (m - last > 12) rows++; last = m; }
	const name = document.querySelector(".top .brand span:last-child");
	const lh = parseFloat(getComputedStyle(name).lineHeight);
	return rows + Math.max(0, Math.round(name.getBoundingClientRect().height / lh) - 1);
})()`

// TestSwimlaneAndHeader is issue 17's /kantor/sop: at 1366 px the Kaltim SOP's swimlane
// (five lanes) shows every lane without a sideways scroll, and at 360 px it scrolls and
// says so; the shared header takes at most two lines at 360 px for a visitor, an
// applicant and a tenant admin (the longest menu), with each menu link reachable.
func TestSwimlaneAndHeader(t *testing.T) {
	chromium(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "tenants.yaml")
			os.WriteFile(cfg, []byte("tenants:\n  - slug: kaltim\n    name: Diskominfo Prov. Kalimantan Timur\n    mail_domain: kaltimprov.go.id\n    sop: kaltim\n"), 0o600)
			srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": cfg})
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "swimlane"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			o := &office{j: j, slug: "kaltim", staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
			tn := srv.App.Tenants.Default()
			o.staff[sop.RoleTenantAdmin] = stafftest.New(t, srv.App.Staff, tn, "admin@kaltimprov.go.id", sop.RoleTenantAdmin, sop.RoleFrontDesk)
			lines := func(who string) {
				if n := eval[int](b, headerLines); n > 2 {
					b.fatalf("the header takes %d lines at %d px for %s", n, phoneWidth, who)
				}
				// Every menu entry is on screen once scrolled to, and nothing sticks out.
				if w := eval[int](b, `document.documentElement.scrollWidth`); w > phoneWidth {
					b.fatalf("the page is %d px wide", w)
				}
			}
			j.step("w01 header pengunjung", func() {
				b.open("/")
				lines("a visitor")
				j.shot("beranda")
			})
			j.step("w02 header pemohon", func() {
				scan := writePNG(t, 60, 40)
				o.submitted(scan)
				o.applicant()
				b.open("/permohonan")
				lines("an applicant")
				j.shot("daftar-permohonan")
				// The last entry of the menu, past the fade, still works.
				b.click("form[action='/keluar'] button")
				b.waitJS("signed out", `!document.querySelector("form[action='/keluar']")`, actionTimeout)
			})
			j.step("w03 header admin", func() {
				o.signIn(sop.RoleTenantAdmin)
				b.open("/kantor/sop")
				lines("a tenant admin")
				if !eval[bool](b, `(() => { const d = document.querySelector(".diagram"); return d.scrollWidth > d.clientWidth + 1; })()`) {
					b.fatalf("at %d px the diagram fits: no scroll to hint at", phoneWidth)
				}
				b.wantIn(".scroll-hint", "geser ke samping")
				j.shot("sop-ponsel")
			})
			j.step("w04 sop 1366", func() {
				b.do("desktop", emulateWidth(desktopWidth))
				defer b.do("phone", emulateWidth(phoneWidth))
				b.open("/kantor/sop")
				over := eval[float64](b, `(() => { const d = document.querySelector(".diagram"); return d.scrollWidth - d.clientWidth; })()`)
				if over > 1 {
					b.fatalf("at %d px the swimlane is cut: %.0f px behind a sideways scroll", desktopWidth, over)
				}
				// Every lane's heading is inside the visible box.
				right := eval[float64](b, `document.querySelector(".diagram").getBoundingClientRect().right`)
				svgRight := eval[float64](b, `document.querySelector(".diagram svg").getBoundingClientRect().right`)
				if svgRight > right+1 {
					b.fatalf("the swimlane ends at %.0f px, its box at %.0f px", svgRight, right)
				}
				if eval[bool](b, `getComputedStyle(document.querySelector(".scroll-hint")).display !== "none"`) {
					b.fatalf("a scroll hint at %d px where nothing scrolls", desktopWidth)
				}
				svg := eval[string](b, `document.querySelector(".diagram svg").textContent`)
				for _, lane := range []string{"Pemohon", "Kepala Dinas", "Kepala Bidang", "Admin Mail", "Kepala Seksi"} {
					if !strings.Contains(svg, lane) {
						b.fatalf("lane %q missing from the swimlane", lane)
					}
				}
				b.shotWide("sop")
				b.open("/alur-layanan")
				if over := eval[float64](b, `(() => { const d = document.querySelector(".diagram"); return d.scrollWidth - d.clientWidth; })()`); over > 1 {
					b.fatalf("/alur-layanan at %d px: %.0f px cut", desktopWidth, over)
				}
				b.shotWide("alur-layanan")
			})
			j.step("w05 english", func() {
				b.open("/bahasa/en?next=/kantor/sop")
				lines("a tenant admin in English")
				b.wantIn(".scroll-hint", "scroll sideways")
				j.shot("sop-ponsel-en")
				b.open(fmt.Sprintf("/bahasa/id?next=%s", "/kantor"))
			})
			checkConsole(t, b)
		})
	}
}
