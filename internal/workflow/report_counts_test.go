package workflow_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// submitIn makes an applicant and a request sent at the clock's time from instansi.
func (e *env) submitIn(t *testing.T, name, address, nip, instansi string) (request.Request, func(instansi string)) {
	t.Helper()
	ctx := context.Background()
	u := newUser(t, e.st, e.tenant.ID, name)
	r, err := e.req.NewDraft(ctx, e.tenant, u, "email", "pns", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.st.AddFile(ctx, &request.File{RequestID: r.ID, Field: "doc_kepegawaian", Name: "f" + name, OriginalName: "kartu.pdf", Kind: "pdf", Size: 10, SHA256: "x", CreatedAt: time.Now()})
	vals := map[string]string{"nip": nip, "instansi": instansi, "province": "64", "regency": "64.72",
		"satuan_kerja": "Bidang TI", "phone": "0812 3456 7890", "mailbox": address}
	form := func(instansi string) map[string]string {
		v := map[string]string{}
		for k, x := range vals {
			v[k] = x
		}
		v["instansi"] = instansi
		return v
	}
	if r, err = e.req.SaveDraft(ctx, u, r, form(instansi)); err != nil {
		t.Fatal(err)
	}
	if r, err = e.req.Submit(ctx, e.tenant, u, r.ID); err != nil {
		t.Fatalf("submit: %v", err)
	}
	// correct saves the returned request with another instansi and sends it again.
	correct := func(instansi string) {
		t.Helper()
		r, err := e.st.Request(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.req.SaveDraft(ctx, u, r, form(instansi)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.req.Submit(ctx, e.tenant, u, r.ID); err != nil {
			t.Fatalf("resubmit: %v", err)
		}
	}
	return r, correct
}

// finish takes a request through the rest of its SOP, one step an hour from at.
func (e *env) finish(t *testing.T, id int64, at time.Time) {
	t.Helper()
	for i := 0; i < 20; i++ {
		r, err := e.st.Request(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !r.ClosedAt.IsZero() {
			return
		}
		e.clock.Set(at.Add(time.Duration(i) * time.Hour))
		switch st := e.running(t, id); sop.Kind(st.Kind) {
		case sop.KindProvision:
			if _, err := e.eng.Act(context.Background(), e.members[sop.Role(st.Role)], id, workflow.Input{StepID: st.ID, Action: workflow.Provision, Mailbox: r.Mailbox}); err != nil {
				t.Fatalf("provision: %v", err)
			}
			e.runJobs(t)
		case sop.KindReport, sop.KindArchive:
			e.act(t, id, workflow.Complete, "")
		case sop.KindDeliver:
			e.act(t, id, workflow.Deliver, "")
		default:
			e.act(t, id, workflow.Forward, "")
		}
	}
	t.Fatalf("request %d did not close", id)
}

// actAt does the running step's action at a time.
func (e *env) actAt(t *testing.T, at time.Time, id int64, a workflow.Action, note string) {
	t.Helper()
	e.clock.Set(at)
	e.act(t, id, a, note)
}

// direct is what the reports count, computed from the rows themselves (the history, the
// requests and the registry as they are), the way the store did before its counts per
// instansi: what the counts must equal.
type direct struct {
	st *store.Store
	q  report.Query
}

func (d direct) rows(t *testing.T, query string, args ...any) *sql.Rows {
	t.Helper()
	rows, err := d.st.DB().Query(rebind(d.st, query), args...)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// filter is the SQL of the query's instansi and service on requests r.
func (d direct) filter(alias string) (string, []any) {
	where, args := "", []any{}
	if d.q.Instansi != "" {
		where, args = where+" AND "+alias+".instansi = ?", append(args, d.q.Instansi)
	}
	if d.q.Service != "" {
		where, args = where+" AND "+alias+".service = ?", append(args, d.q.Service)
	}
	return where, args
}

// steps is the steps ended and the requests closed in the period, by key, role and
// working-time bucket: [n, in SLA].
func (d direct) steps(t *testing.T) map[string][2]int64 {
	out := map[string][2]int64{}
	where, args := d.filter("r")
	rows := d.rows(t, `SELECT st.step_key, st.role, COALESCE(st.work_minutes, -1), st.sla FROM request_steps st JOIN requests r ON r.id = st.request_id
		WHERE r.tenant_id = ? AND st.finished_at >= ? AND st.finished_at < ? AND st.due_at IS NOT NULL`+where, append([]any{d.q.TenantID, d.q.From, d.q.To}, args...)...)
	for rows.Next() {
		var key, role, sla string
		var m int
		if err := rows.Scan(&key, &role, &m, &sla); err != nil {
			t.Fatal(err)
		}
		if m >= 0 {
			m = sop.WorkBucket(m)
		}
		k := fmt.Sprintf("%s|%s|%d", key, role, m)
		c := out[k]
		c[0]++
		if sla == sop.VerdictIn {
			c[1]++
		}
		out[k] = c
	}
	rows.Close()
	rows = d.rows(t, `SELECT r.id, COALESCE(SUM(st.work_minutes), 0), COUNT(st.work_minutes), SUM(CASE WHEN st.sla = 'over' THEN 1 ELSE 0 END)
		FROM requests r JOIN request_steps st ON st.request_id = r.id WHERE r.tenant_id = ? AND r.closed_at >= ? AND r.closed_at < ?`+where+` GROUP BY r.id`,
		append([]any{d.q.TenantID, d.q.From, d.q.To}, args...)...)
	defer rows.Close()
	for rows.Next() {
		var id, total, measured, over int64
		if err := rows.Scan(&id, &total, &measured, &over); err != nil {
			t.Fatal(err)
		}
		if measured == 0 {
			continue
		}
		k := fmt.Sprintf("*||%d", sop.WorkBucket(int(total)))
		c := out[k]
		c[0]++
		if over == 0 {
			c[1]++
		}
		out[k] = c
	}
	return out
}

// outcomes is the returns (correction rows opened) and refusals in the period by step
// and reason.
func (d direct) outcomes(t *testing.T) map[string]int64 {
	out := map[string]int64{}
	where, args := d.filter("r")
	for _, cond := range []string{"st.kind = 'correction' AND st.started_at >= ? AND st.started_at < ?", "st.status = 'refused' AND st.finished_at >= ? AND st.finished_at < ?"} {
		rows := d.rows(t, `SELECT st.step_key, st.kind, st.note FROM request_steps st JOIN requests r ON r.id = st.request_id
			WHERE r.tenant_id = ? AND `+cond+where, append([]any{d.q.TenantID, d.q.From, d.q.To}, args...)...)
		for rows.Next() {
			var key, kind, note string
			if err := rows.Scan(&key, &kind, &note); err != nil {
				t.Fatal(err)
			}
			out[fmt.Sprintf("%s|%v|%s", key, kind == request.KindCorrection, strings.Join(strings.Fields(note), " "))]++
		}
		rows.Close()
	}
	return out
}

// sent is the requests sent in the period by service and status now.
func (d direct) sent(t *testing.T) map[string]int64 {
	out := map[string]int64{}
	where, args := d.filter("r")
	rows := d.rows(t, `SELECT r.service, r.status FROM requests r WHERE r.tenant_id = ? AND r.submitted_at >= ? AND r.submitted_at < ?`+where,
		append([]any{d.q.TenantID, d.q.From, d.q.To}, args...)...)
	defer rows.Close()
	for rows.Next() {
		var service, status string
		if err := rows.Scan(&service, &status); err != nil {
			t.Fatal(err)
		}
		out[service+"|"+status]++
	}
	return out
}

// accounts is the registry's mailboxes made in the period per instansi, unit and kind,
// per day of the tenant's zone those made and those gone, and those made and gone
// before the period.
func (d direct) accounts(t *testing.T) (byUnit map[string]int64, days map[int][2]int64, in, out int64) {
	byUnit, days = map[string]int64{}, map[int][2]int64{}
	where, args := "", []any{d.q.TenantID}
	if d.q.Instansi != "" {
		where, args = where+" AND m.instansi = ?", append(args, d.q.Instansi)
	}
	if d.q.Service != "" {
		where, args = where+" AND r.service = ?", append(args, d.q.Service)
	}
	rows := d.rows(t, `SELECT m.instansi, m.unit, m.kind, m.status, m.created_at, m.deactivated_at, m.updated_at FROM registry m
		LEFT JOIN requests r ON r.id = m.request_id WHERE m.tenant_id = ?`+where, args...)
	defer rows.Close()
	inPeriod := func(at time.Time) bool { return !at.Before(d.q.From) && at.Before(d.q.To) }
	for rows.Next() {
		var inst, unit, kind, status string
		var created, updated time.Time
		var deact sql.NullTime
		if err := rows.Scan(&inst, &unit, &kind, &status, &created, &deact, &updated); err != nil {
			t.Fatal(err)
		}
		gone := updated
		if deact.Valid {
			gone = deact.Time
		}
		live := registry.Status(status) == registry.Active || registry.Status(status) == registry.Locked
		day := func(at time.Time) int { return sop.DateOf(at.In(d.q.Loc)).Num() }
		if inPeriod(created) {
			byUnit[inst+"|"+unit+"|"+kind]++
			c := days[day(created)]
			c[0]++
			days[day(created)] = c
		}
		if created.Before(d.q.From) {
			in++
		}
		if !live && inPeriod(gone) {
			c := days[day(gone)]
			c[1]++
			days[day(gone)] = c
		}
		if !live && gone.Before(d.q.From) {
			out++
		}
	}
	return byUnit, days, in, out
}

// counted is the same figures as the store's counts give them.
type counted struct {
	steps    map[string][2]int64
	outcomes map[string]int64
	sent     map[string]int64
	byUnit   map[string]int64
	days     map[int][2]int64
	in, out  int64
}

func fromCounts(t *testing.T, st *store.Store, q report.Query) counted {
	t.Helper()
	ctx := context.Background()
	c := counted{steps: map[string][2]int64{}, outcomes: map[string]int64{}, sent: map[string]int64{}, byUnit: map[string]int64{}, days: map[int][2]int64{}}
	sc, err := st.StepCounts(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sc {
		k := fmt.Sprintf("%s|%s|%d", s.Key, s.Role, s.Minutes)
		x := c.steps[k]
		c.steps[k] = [2]int64{x[0] + s.N, x[1] + s.InSLA}
	}
	os, err := st.Outcomes(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range os {
		c.outcomes[fmt.Sprintf("%s|%v|%s", o.Key, o.Return, o.Reason)] += o.N
	}
	ss, err := st.StatusCounts(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ss {
		c.sent[x.Service+"|"+x.Status] += x.N
	}
	bi, err := st.AccountsByInstansi(ctx, q, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bi {
		c.byUnit[b.Instansi+"|"+b.Unit+"|"+b.Kind] += b.N
	}
	ds, err := st.AccountDays(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Created+d.Adopted+d.Deactivated > 0 {
			c.days[d.Day] = [2]int64{d.Created + d.Adopted, d.Deactivated}
		}
	}
	if c.in, c.out, err = st.AccountsBefore(ctx, q); err != nil {
		t.Fatal(err)
	}
	return c
}

// The reports' counts (per day, per instansi, of steps, returns, refusals and accounts)
// equal a count over the rows, for every period, instansi and service, on both engines:
// on a tenant in WITA whose requests cross the end of March there (some events of 1
// April WITA are still 31 March in UTC), with returns, a correction that moves the
// request to another instansi, refusals, closed requests, a mailbox that changes
// instansi and one deactivated; and again after migration 38 has filled the counts from
// the rows of an upgraded database.
func TestReportCountsEqualTheRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		wita := time.FixedZone("WITA", 8*3600)
		at := func(month time.Month, day, hour, min int) time.Time {
			return time.Date(2026, month, day, hour, min, 0, 0, wita)
		}
		const pendidikan, kesehatan = "Dinas Pendidikan", "Dinas Kesehatan"

		// 1: sent from Pendidikan, returned, corrected to Kesehatan, refused on 1 April
		// at 07:30 WITA (23:30 UTC on 31 March).
		e.clock.Set(at(3, 31, 14, 0))
		r1, correct1 := e.submitIn(t, "satu", "satu.satu", "196109231991031001", pendidikan)
		e.actAt(t, at(3, 31, 15, 0), r1.ID, workflow.Return, "Scan SK  tidak terbaca")
		e.clock.Set(at(4, 1, 7, 0))
		correct1("Dinas  Kesehatan")
		e.actAt(t, at(4, 1, 7, 30), r1.ID, workflow.Refuse, "Bukan PNS")

		// 2: Pendidikan, sent late on 31 March, forwarded at 07:00 WITA on 1 April,
		// created and closed; its mailbox moves to Kesehatan, then is deactivated.
		e.clock.Set(at(3, 31, 23, 30))
		r2, _ := e.submitIn(t, "dua", "dua.dua", "196109231991031002", pendidikan)
		e.actAt(t, at(4, 1, 7, 0), r2.ID, workflow.Forward, "")
		e.finish(t, r2.ID, at(4, 1, 8, 0))

		// 3: Kesehatan, returned twice (the same reason in other spacing and case), then
		// corrected to Pendidikan, closed in April.
		e.clock.Set(at(3, 30, 9, 0))
		r3, correct3 := e.submitIn(t, "tiga", "tiga.tiga", "196109231991031003", kesehatan)
		e.actAt(t, at(3, 30, 10, 0), r3.ID, workflow.Return, "scan sk tidak terbaca")
		e.clock.Set(at(3, 30, 11, 0))
		correct3(kesehatan)
		e.actAt(t, at(3, 31, 9, 0), r3.ID, workflow.Forward, "")
		e.actAt(t, at(3, 31, 10, 0), r3.ID, workflow.Return, "Kapasitas penuh")
		e.clock.Set(at(4, 2, 9, 0))
		correct3(pendidikan)
		e.finish(t, r3.ID, at(4, 2, 10, 0))

		// 4: Pendidikan, still waiting for the Kadis.
		e.clock.Set(at(4, 3, 9, 0))
		e.submitIn(t, "empat", "empat.empat", "196109231991031004", pendidikan)

		m, err := st.MailboxAt(ctx, e.tenant.ID, "dua.dua@mail.go.id")
		if err != nil {
			t.Fatalf("the created mailbox: %v", err)
		}
		m.Instansi, m.Unit, m.UpdatedAt = kesehatan, "Sekretariat", at(4, 6, 9, 0)
		if err := st.PutMailbox(ctx, &m); err != nil {
			t.Fatal(err)
		}
		m.Status, m.UpdatedAt, m.DeactivatedAt = registry.Inactive, at(4, 30, 23, 30), at(4, 30, 23, 30)
		if ok, err := st.UpdateMailbox(ctx, &m); !ok || err != nil {
			t.Fatalf("deactivate: %v %v", ok, err)
		}

		compare := func(t *testing.T, when string) {
			t.Helper()
			periods := [][2]sop.Date{{{Year: 2026, Month: 3, Day: 1}, {Year: 2026, Month: 3, Day: 31}}, {{Year: 2026, Month: 4, Day: 1}, {Year: 2026, Month: 4, Day: 30}},
				{{Year: 2026, Month: 3, Day: 1}, {Year: 2026, Month: 4, Day: 30}}, {{Year: 2026, Month: 4, Day: 1}, {Year: 2026, Month: 4, Day: 1}},
				{{Year: 2025, Month: 1, Day: 1}, {Year: 2026, Month: 12, Day: 31}}, {{Year: 2026, Month: 3, Day: 31}, {Year: 2026, Month: 4, Day: 1}},
				{{Year: 2026, Month: 2, Day: 15}, {Year: 2026, Month: 4, Day: 2}}, {{Year: 2026, Month: 3, Day: 1}, {Year: 2026, Month: 4, Day: 29}}}
			for _, p := range periods {
				for _, inst := range []string{"", pendidikan, kesehatan} {
					for _, service := range []string{"", "email", "reset_password"} {
						f := report.Filter{From: p[0], To: p[1]}
						from, to := f.Span(wita)
						q := report.Query{TenantID: e.tenant.ID, From: from, To: to, FromDay: p[0].Num(), ToDay: p[1].Num(), Instansi: inst, Service: service, Loc: wita}
						d := direct{st, q}
						want := counted{steps: d.steps(t), outcomes: d.outcomes(t), sent: d.sent(t)}
						want.byUnit, want.days, want.in, want.out = d.accounts(t)
						got := fromCounts(t, st, q)
						// Outcomes' reasons are compared as the report folds them.
						fold := func(m map[string]int64) map[string]int64 {
							out := map[string]int64{}
							for k, n := range m {
								out[strings.ToLower(k)] += n
							}
							return out
						}
						want.outcomes, got.outcomes = fold(want.outcomes), fold(got.outcomes)
						if inst == "" && service == "" && p[0] == (sop.Date{Year: 2026, Month: 3, Day: 1}) && p[1] == (sop.Date{Year: 2026, Month: 4, Day: 30}) && (len(want.steps) < 5 || len(want.outcomes) != 3 || len(want.byUnit) != 2 || len(want.sent) != 3) {
							t.Fatalf("the scenario counts too little: %+v", want)
						}
						if !reflect.DeepEqual(got, want) {
							t.Errorf("%s, %s–%s, instansi %q, service %q:\ncounts %+v\nrows   %+v", when, p[0], p[1], inst, service, got, want)
						}
					}
				}
			}
		}
		compare(t, "as written")

		// An upgrade: the schema before migration 37 (its down section, and goose's
		// record of 37 and 38 removed), then 37 and 38 again (the later migrations stay:
		// they change other tables).
		for _, q := range []string{`DROP INDEX stat_instansi_accounts_instansi`, `DROP TABLE stat_instansi_accounts`, `DROP INDEX stat_outcomes_instansi`,
			`DROP TABLE stat_outcomes`, `DROP TABLE stat_instansi_steps`, `DROP TABLE stat_step_months`, `DROP TABLE stat_requests`,
			`DELETE FROM goose_db_version WHERE version_id IN (37, 38)`} {
			if _, err := st.DB().ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		for _, v := range []int64{37, 38} {
			if err := st.ApplyMigration(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		// Migration 38 keys days in WIB; no event of this tenant falls between 00:00 and
		// 01:00 WITA, the only hour whose WIB day differs.
		compare(t, "backfilled")
	})
}
