package standard_test

import (
	"bytes"
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/survey"
	"github.com/surel-id/surel/internal/workflow"
)

// answers are ten respondents' values for U1…U9. By hand: the sums per element are 33,
// 31, 31, 40, 33, 35, 36, 31, 31 (301 in all), so the NRRs are 3,30 3,10 3,10 4,00 3,30
// 3,50 3,60 3,10 3,10; the IKM is 301 ÷ 10 ÷ 9 = 3,3444…, converted ×25 = 83,61:
// grade B, "Baik" (76,61–88,30).
var answers = [10]string{
	"444444444", "333433333", "333434433", "433444433", "322433323",
	"443444444", "333433433", "334433333", "433434433", "233433332",
}

// Ten requests of the Kaltim office end (one completed, nine refused); each applicant
// answers the survey once, anonymously; the IKM of the report, its CSV and the standard
// page match the hand computation on both engines.
func TestSurveyIKM(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			o := start(t, d)
			ctx := context.Background()
			a := o.a
			var ids []int64
			for i := range 10 {
				r := o.submit(t)
				ids = append(ids, r.ID)
				if i == 0 {
					o.finish(t, r.ID, 2, false)
					continue
				}
				o.clk.at(2026, 3, 3, 9, i)
				o.actNote(t, r.ID, workflow.Refuse, "Bukan PNS")
			}
			open := o.submit(t) // still waiting: no survey yet
			o.clk.at(2026, 3, 10, 9, 0)
			user := func(id int64) account.User {
				r, _ := a.Store.Request(ctx, id)
				u, _ := a.Store.UserByID(ctx, r.UserID)
				return u
			}
			// Not ended, another's request, a missing element: refused, nothing kept.
			if err := a.Web.Surveys.Answer(ctx, o.tenant, user(open.ID), open.ID, survey.Answer{Values: [9]int{4, 4, 4, 4, 4, 4, 4, 4, 4}}); errs.CodeOf(err) != errs.Conflict {
				t.Fatalf("answer before the end: %v", err)
			}
			if err := a.Web.Surveys.Answer(ctx, o.tenant, user(ids[1]), ids[0], survey.Answer{Values: [9]int{4, 4, 4, 4, 4, 4, 4, 4, 4}}); errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("answer for another's request: %v", err)
			}
			if _, err := survey.Check(url.Values{"u1": {"4"}, "u2": {"5"}, "pendidikan": {"sma"}, "pekerjaan": {"astronaut"}}.Get); err == nil {
				t.Fatal("an incomplete answer passed")
			} else if e, _ := errs.As(err); !errs.Fields(e.Fields).Has("u2") || !errs.Fields(e.Fields).Has("u9") || !errs.Fields(e.Fields).Has("pekerjaan") || errs.Fields(e.Fields).Has("u1") {
				t.Fatalf("fields: %+v", e.Fields)
			}
			for i, id := range ids {
				u := user(id)
				if ok, err := a.Web.Surveys.Open(ctx, u, mustRequest(t, o, id)); err != nil || !ok {
					t.Fatalf("request %d not invited: %v", id, err)
				}
				form := url.Values{"saran": {""}}
				for j, c := range answers[i] {
					form.Set("u"+strconv.Itoa(j+1), string(c))
				}
				if i%2 == 0 {
					form.Set("jenis_kelamin", "p")
					form.Set("pendidikan", "d4_s1")
					form.Set("saran", "Mohon  proses lebih cepat "+strconv.Itoa(i))
				}
				ans, err := survey.Check(form.Get)
				if err != nil {
					t.Fatal(err)
				}
				if err := a.Web.Surveys.Answer(ctx, o.tenant, u, id, ans); err != nil {
					t.Fatalf("answer %d: %v", i, err)
				}
				if ok, _ := a.Web.Surveys.Open(ctx, u, mustRequest(t, o, id)); ok {
					t.Fatal("still invited after answering")
				}
			}
			if err := a.Web.Surveys.Answer(ctx, o.tenant, user(ids[3]), ids[3], survey.Answer{Values: [9]int{1, 1, 1, 1, 1, 1, 1, 1, 1}}); errs.CodeOf(err) != errs.Conflict {
				t.Fatalf("a second answer: %v", err)
			}

			march := report.Filter{From: sop.Date{Year: 2026, Month: 3, Day: 1}, To: sop.Date{Year: 2026, Month: 3, Day: 31}, Group: report.Week}
			rep, err := a.Web.Reports.Compute(ctx, o.members[sop.RoleKepalaSeksi], report.KindSurvey, march, "id")
			if err != nil {
				t.Fatal(err)
			}
			fig := map[string]string{}
			for _, f := range rep.Figures {
				fig[f.Label] = report.Show(f.Value, "id")
			}
			want := map[string]string{"IKM": "83,61", "Mutu pelayanan": "B", "Kinerja unit pelayanan": "Baik", "Responden": "10", "Sampel minimal": "10", "Sampel memenuhi": "Ya"}
			for k, v := range want {
				if fig[k] != v {
					t.Errorf("%s = %q, want %q (%v)", k, fig[k], v, fig)
				}
			}
			var el report.Table
			for _, x := range rep.Tables {
				if x.Name == "unsur" {
					el = x
				}
			}
			var nrr []string
			for _, row := range el.Rows {
				nrr = append(nrr, report.Show(row[2], "id"))
			}
			if got := strings.Join(nrr, " "); got != "3,30 3,10 3,10 4,00 3,30 3,50 3,60 3,10 3,10" {
				t.Errorf("NRR: %s", got)
			}
			if got := report.Show(el.Foot[2], "id"); got != "3,34" {
				t.Errorf("IKM on 1–4: %s", got)
			}
			var csv bytes.Buffer
			if err := report.WriteCSV(&csv, el); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(csv.String(), "U4 Biaya/tarif;40;4,00;0,44") || !strings.Contains(csv.String(), ";3,34;83,61") {
				t.Errorf("CSV:\n%s", csv.String())
			}
			for _, x := range rep.Tables {
				if x.Name != "saran" {
					continue
				}
				if len(x.Rows) != 5 || report.Show(x.Rows[0][0], "id") != "Maret 2026" || report.Show(x.Rows[0][2], "id") != "Mohon proses lebih cepat 0" {
					t.Errorf("suggestions: %+v", x.Rows)
				}
			}
			// A reader outside the heads may not read it.
			if _, err := a.Web.Reports.Compute(ctx, o.members[sop.RoleAdminMail], report.KindSurvey, march, "id"); errs.CodeOf(err) != errs.Forbidden {
				t.Errorf("admin mail read the survey: %v", err)
			}
			st, err := a.Web.Standards.Build(ctx, o.tenant, "id")
			if err != nil {
				t.Fatal(err)
			}
			if st.IKM == nil || st.IKM.Shown != "83,61" || st.IKM.Grade != "B" || st.IKM.Respondents != 10 || st.IKM.Period != "April 2025 – Maret 2026" {
				t.Errorf("standard's IKM: %+v", st.IKM)
			}
		})
	}
}

func mustRequest(t *testing.T, o *office, id int64) request.Request {
	t.Helper()
	r, err := o.a.Store.Request(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
