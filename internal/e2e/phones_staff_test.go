package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/workflow"
)

// TestStaffScreens walks issue 17's staff points: the inbox and the request page use a
// desktop's width (every column on screen at 1366 px) and are cards on a phone; the
// member who loses a race for a step is warned and given back their note; the note's
// hint speaks of return and refusal only where the step offers them (journey 4's
// Kaltim steps without either check it); the password's
// hand-over names the person; the revealed password is on one line with a copy button.
func TestStaffScreens(t *testing.T) {
	chromium(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			srv := startServer(t, d)
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "ponsel-kantor"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			o := &office{j: j, slug: "kominfo", staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
			tn := srv.App.Tenants.Default()
			for _, r := range []sop.Role{sop.RoleKepalaSeksi, sop.RoleKepalaBidang, sop.RoleAdminMail} {
				o.staff[r] = stafftest.New(t, srv.App.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@kominfo.go.id", r)
			}
			rival := stafftest.New(t, srv.App.Staff, tn, "kasi2@kominfo.go.id", sop.RoleKepalaSeksi)
			scan := writePNG(t, 60, 40)
			var id int64
			j.step("s01 permohonan", func() { id = o.submitted(scan) })
			j.step("s02 kotak tugas lebar", func() { o.wideInbox(id) })
			j.step("s03 kalah cepat", func() { o.lostRace(id, rival) })
			j.step("s04 persetujuan", func() { o.act(id, sop.RoleKepalaBidang, "forward", "") })
			j.step("s05 buat akun", func() { o.provision(id) })
			j.step("s06 password satu baris", func() { o.oneLinePassword(id) })
			j.step("s07 diserahkan kepada", func() { o.handedOver(id) })
			checkConsole(t, b)
		})
	}
}

// wideInbox: at 1366 px the inbox and the request page show every column without a
// sideways scroll; at 360 px they are cards.
func (o *office) wideInbox(id int64) {
	j, b := o.j, o.j.b
	o.signIn(sop.RoleKepalaSeksi)
	j.shot("kotak-tugas-ponsel")
	b.shotWide("kotak-tugas")
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	j.shot("permohonan-kantor-ponsel")
	b.shotWide("permohonan-kantor")
	b.do("desktop", emulateWidth(desktopWidth))
	defer b.do("phone", emulateWidth(phoneWidth))
	b.open("/kantor")
	for _, sel := range []string{".tasks", ".history", ".trail"} {
		if sel != ".tasks" {
			b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
		}
		over := eval[float64](b, fmt.Sprintf(`(() => { const t = document.querySelector(%q); if (!t) return -1;
			return t.scrollWidth - t.parentElement.clientWidth; })()`, sel))
		if over < 0 && over != -1 || over > 1 {
			b.fatalf("%s at %d px: %.0f px hidden behind a sideways scroll", sel, desktopWidth, over)
		}
		if over == -1 {
			b.fatalf("no %s", sel)
		}
	}
	if w := eval[float64](b, `document.querySelector("main").getBoundingClientRect().width`); w < 1000 {
		b.fatalf("the back office's column is %.0f px wide on a %d px screen", w, desktopWidth)
	}
}

// lostRace: another member forwards the step while this one writes a note; their
// submit is answered with a warning and the note to copy, not a success.
func (o *office) lostRace(id int64, rival stafftest.Member) {
	j, b := o.j, o.j.b
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	note := "Kartu pegawai jelas, NIP cocok dengan data kepegawaian."
	b.fill("#f-note", note)
	if hint := eval[string](b, `document.getElementById("h-note").innerText`); !strings.Contains(hint, "mengembalikan atau menolak") {
		b.fatalf("the note's hint at a step with return and refusal: %q", hint)
	}
	ctx := context.Background()
	steps, err := j.srv.App.Store.StepsOf(ctx, id)
	if err != nil {
		b.fatalf("steps: %v", err)
	}
	st, _ := request.Running(steps)
	if _, err := j.srv.App.Workflow.Act(ctx, rival.Member, id, workflow.Input{StepID: st.ID, Action: workflow.Forward}); err != nil {
		b.fatalf("the rival's forward: %v", err)
	}
	b.click("button[name=aksi][value=forward]")
	b.wantIn("#kalah", "sudah diselesaikan oleh petugas lain")
	if got := b.value("#catatan-anda"); got != note {
		b.fatalf("the note given back is %q, want %q", got, note)
	}
	if eval[bool](b, `!!document.querySelector(".flash")`) {
		b.fatalf("the lost race shows a success box")
	}
	if f := eval[string](b, `document.activeElement ? document.activeElement.id : ""`); f != "kalah" {
		b.fatalf("focus on #%s, want the warning", f)
	}
	j.shot("kalah-cepat")
	b.shotWide("kalah-cepat")
}

// oneLinePassword: the applicant's password on one line, monospace, with "Salin".
func (o *office) oneLinePassword(id int64) {
	j, b := o.j, o.j.b
	o.applicant()
	b.open(fmt.Sprintf("/permohonan/%d", id))
	b.clickText("main", "Tampilkan password")
	box := eval[[]float64](b, `(() => { const e = document.getElementById("sandi"); const r = e.getBoundingClientRect();
		return [r.height, parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.5, r.right]; })()`)
	if box[0] > box[1]*1.6 || box[2] > phoneWidth {
		b.fatalf("the password box is %.0f px high (line %.0f px), ends at %.0f px: not one line on a phone", box[0], box[1], box[2])
	}
	if font := eval[string](b, `getComputedStyle(document.getElementById("sandi")).fontFamily`); !strings.Contains(strings.ToLower(font), "mono") {
		b.fatalf("the password's font is %q, want monospace", font)
	}
	b.wantIn(".pw-line", "Salin")
	j.tap("button[data-copy=sandi]")
	b.waitJS("copied or selected", `document.querySelector("button[data-copy=sandi]").textContent === "Tersalin" || String(window.getSelection()).length >= 12`, actionTimeout)
	j.shot("password-satu-baris")
}

// handedOver: the staff page names who took the password, not an internal reference.
func (o *office) handedOver(id int64) {
	j, b := o.j, o.j.b
	o.signIn(sop.RoleAdminMail)
	b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
	b.wantText("Password awal sudah diserahkan", "(Siti Rahma, S.Kom.)")
	b.wantNoText("user:", "staff:")
	j.shot("password-diserahkan")
}

// emulateWidth sizes the tab's viewport to a width (a desktop's, or back to a phone's).
func emulateWidth(w int64) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(w, phoneHeight)
}
