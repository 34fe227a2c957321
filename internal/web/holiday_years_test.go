package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// When the tenant's holiday table lacks the current year, or from 1 October the coming
// one, the calendar page and the tenant admins' inbox say so plainly (the table ships
// 2026 only; from 1 January 2027 every deadline would count holidays as working days
// without a word). Importing the year's table clears it. Both engines: the table is the
// tenant's own once edited.
func TestHolidayYearsWarning(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			admin := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "admin@kominfo.go.id", sop.RoleTenantAdmin)
			kasi := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "kasi@kominfo.go.id", sop.RoleKepalaSeksi)
			ac, kc := h.client(), h.client()
			h.signInStaff(ac, admin)
			h.signInStaff(kc, kasi)
			wib := time.FixedZone("WIB", 7*3600)
			at := func(y int, m time.Month, day int) {
				h.a.Web.Now = func() time.Time { return time.Date(y, m, day, 9, 0, 0, 0, wib) }
			}
			warned := func(c *http.Client, path string) string {
				t.Helper()
				r := h.do(c, "GET", path, nil)
				if r.status != 200 {
					t.Fatalf("%s: %d", path, r.status)
				}
				return between(r.body, `id="holidays-missing">`, "</div>")
			}

			at(2026, time.June, 1)
			if w := warned(ac, "/kantor/kalender") + warned(ac, "/kantor"); w != "" {
				t.Fatalf("June 2026, 2026 in the table: warned %q", w)
			}
			at(2026, time.October, 1)
			contains(t, warned(ac, "/kantor/kalender"), "belum memuat tahun 2027", "sebagai hari kerja", "SKB")
			contains(t, warned(ac, "/kantor"), "tahun 2027", `href="/kantor/kalender"`)
			if w := warned(kc, "/kantor"); w != "" {
				t.Fatalf("a kepala seksi, who cannot fix it, is warned: %q", w)
			}
			h.do(ac, "GET", "/bahasa/en", nil)
			contains(t, warned(ac, "/kantor/kalender"), "does not cover 2027 yet")
			h.do(ac, "GET", "/bahasa/id", nil)

			r := h.postMultipart(ac, "/kantor/kalender", url.Values{"action": {"import"}},
				upload{"holiday_file", "libur-2027.csv", []byte("date,name\n2027-01-01,Tahun Baru 2027 Masehi\n")})
			if r.status != 303 {
				t.Fatalf("import: %d %s", r.status, r.body)
			}
			if w := warned(ac, "/kantor/kalender") + warned(ac, "/kantor"); w != "" {
				t.Fatalf("after importing 2027: warned %q", w)
			}
			at(2028, time.October, 2)
			if w := warned(ac, "/kantor/kalender"); !strings.Contains(w, "2028 dan 2029") {
				t.Fatalf("October 2028: %q", w)
			}
		})
	}
}
