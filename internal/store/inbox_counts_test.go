package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// liveRequest stores a sent request of a new applicant, without steps.
func liveRequest(t *testing.T, st *store.Store, tid int64, n int) request.Request {
	t.Helper()
	ctx := context.Background()
	u := staffUser(t, st, tid, fmt.Sprintf("p%d_%d", tid, n))
	at := time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
	r := request.Request{TenantID: tid, UserID: u.ID, Service: "email", Kind: "pns", Status: request.Draft, Domain: "mail.go.id",
		Mailbox: fmt.Sprintf("a%d.%d", tid, n), PersonKey: fmt.Sprintf("nip:%d:%d", tid, n), Values: map[string]string{}, CreatedAt: at, UpdatedAt: at}
	if err := st.CreateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	r.Status, r.SubmittedAt = request.Processing, at
	if err := st.SubmitRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// startStep adds a running step of role to r, due after n minutes.
func startStep(t *testing.T, st *store.Store, ctx context.Context, r request.Request, role string, n int) request.Step {
	t.Helper()
	at := time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)
	s := request.Step{RequestID: r.ID, TenantID: r.TenantID, Key: role, Name: role, Role: role, Kind: "manual", StartedAt: at,
		Status: request.StepOpen}
	s.Due = at.Add(time.Duration(n) * time.Minute)
	if err := st.AddStep(ctx, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// wantCounts checks that the inbox's counters say what counting the running steps says,
// for every tenant and role, and that the unfiltered inbox shows that total.
func wantCounts(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	read := func(q string) map[string]int {
		rows, err := st.DB().QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var tid int64
			var role string
			var n int
			if err := rows.Scan(&tid, &role, &n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				out[fmt.Sprintf("%d/%s", tid, role)] = n
			}
		}
		return out
	}
	real := read(`SELECT tenant_id, role, COUNT(*) FROM request_steps WHERE finished_at IS NULL AND paused_at IS NULL GROUP BY tenant_id, role`)
	kept := read(`SELECT tenant_id, role, n FROM inbox_counts`)
	if fmt.Sprint(real) != fmt.Sprint(kept) {
		t.Fatalf("inbox counters %v, running steps %v", kept, real)
	}
	for k, n := range real {
		var tid int64
		var role string
		fmt.Sscanf(k, "%d/%s", &tid, &role)
		if in, err := st.Inbox(ctx, workflow.InboxQuery{TenantID: tid, Roles: []string{role}, Limit: 1}); err != nil || in.Total != n {
			t.Fatalf("inbox of %s: %d tasks, %v; want %d", k, in.Total, err, n)
		}
	}
}

// Every write that starts, ends, pauses or resumes a step keeps the inbox's counters
// equal to a count of the running steps, on both engines: one at a time, rolled back,
// and many at once moving requests between two roles in both directions (on PostgreSQL
// that would deadlock if the counters were locked in the order of the writes).
func TestInboxCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ta, tb := tenant(t, st, "a"), tenant(t, st, "b")
		var reqs []request.Request
		var steps []request.Step
		for i := range 12 {
			tid := ta
			if i%4 == 3 {
				tid = tb
			}
			r := liveRequest(t, st, tid, i)
			reqs = append(reqs, r)
			steps = append(steps, startStep(t, st, ctx, r, "kepala_seksi", i))
		}
		wantCounts(t, st)
		at := time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC)

		// Finished, then the next role's step: one count moves.
		fin := steps[0]
		fin.FinishedAt, fin.Status = at, request.StepDone
		if ok, err := st.FinishStep(ctx, fin); !ok || err != nil {
			t.Fatalf("finish: %v %v", ok, err)
		}
		if ok, err := st.FinishStep(ctx, fin); ok || err != nil {
			t.Fatalf("finished twice: %v %v", ok, err)
		}
		steps[0] = startStep(t, st, ctx, reqs[0], "admin_mail", 5)
		wantCounts(t, st)

		// Paused (waiting for the applicant), finished while paused (refused), resumed,
		// resumed again (refused).
		p := steps[1]
		p.PausedAt, p.Status = at, request.StepPaused
		if ok, err := st.PauseStep(ctx, p); !ok || err != nil {
			t.Fatalf("pause: %v %v", ok, err)
		}
		if ok, err := st.PauseStep(ctx, p); ok || err != nil {
			t.Fatalf("paused twice: %v %v", ok, err)
		}
		if ok, err := st.FinishStep(ctx, request.Step{ID: p.ID, FinishedAt: at, Status: request.StepDone}); ok || err != nil {
			t.Fatalf("a paused step finished: %v %v", ok, err)
		}
		wantCounts(t, st)
		p.Status = request.StepOpen
		if ok, err := st.ResumeStep(ctx, p); !ok || err != nil {
			t.Fatalf("resume: %v %v", ok, err)
		}
		if ok, err := st.ResumeStep(ctx, p); ok || err != nil {
			t.Fatalf("resumed twice: %v %v", ok, err)
		}
		wantCounts(t, st)

		// Steps added already ended or paused do not run.
		done := request.Step{RequestID: reqs[2].ID, TenantID: ta, Key: "x", Name: "x", Role: "kepala_seksi", Kind: "manual", StartedAt: at,
			FinishedAt: at, Status: request.StepDone}
		if err := st.AddStep(ctx, &done); err != nil {
			t.Fatal(err)
		}
		paused := request.Step{RequestID: reqs[2].ID, TenantID: ta, Key: "y", Name: "y", Role: "kepala_seksi", Kind: "correction", StartedAt: at,
			Clock: sop.Clock{PausedAt: at}, Status: request.StepPaused}
		if err := st.AddStep(ctx, &paused); err != nil {
			t.Fatal(err)
		}
		wantCounts(t, st)

		// A transaction rolled back leaves the counters as they were.
		boom := errors.New("boom")
		err := st.Tx(ctx, func(ctx context.Context) error {
			f := steps[2]
			f.FinishedAt, f.Status = at, request.StepDone
			if ok, err := st.FinishStep(ctx, f); !ok || err != nil {
				t.Fatalf("finish in tx: %v %v", ok, err)
			}
			startStep(t, st, ctx, reqs[2], "admin_mail", 1)
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		wantCounts(t, st)

		// A request deleted with its running steps (ON DELETE CASCADE) takes them out.
		if err := st.DeleteRequest(ctx, reqs[11].ID); err != nil {
			t.Fatal(err)
		}
		reqs, steps = reqs[:11], steps[:11]
		wantCounts(t, st)

		// Many at once: each worker moves its requests between the two roles, half of
		// them starting the other way round.
		var wg sync.WaitGroup
		errc := make(chan error, len(reqs))
		for i := range reqs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				cur := steps[i]
				for j := range 6 {
					next := "admin_mail"
					if cur.Role == "admin_mail" {
						next = "kepala_seksi"
					}
					err := st.Tx(ctx, func(ctx context.Context) error {
						f := cur
						f.FinishedAt, f.Status = at, request.StepDone
						if ok, err := st.FinishStep(ctx, f); !ok || err != nil {
							return fmt.Errorf("finish %d: %v %w", f.ID, ok, err)
						}
						s := request.Step{RequestID: reqs[i].ID, TenantID: reqs[i].TenantID, Key: next, Name: next, Role: next, Kind: "manual",
							StartedAt: at, Status: request.StepOpen, Clock: cur.Clock}
						if err := st.AddStep(ctx, &s); err != nil {
							return err
						}
						cur = s
						return nil
					})
					if err != nil {
						errc <- fmt.Errorf("request %d, move %d: %w", reqs[i].ID, j, err)
						return
					}
				}
			}(i)
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		wantCounts(t, st)

		// The migration fills the counters from the steps already there.
		if err := st.MigrateDownTo(ctx, 41); err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		wantCounts(t, st)
	})
}

// The inbox's one statement gives the page and the total: the counter's for the whole
// inbox, a count of the matches (bounded by CountTo) for a search or filter, and a page
// past the end still knows the total.
func TestInboxPagesAndTotals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		var ids []int64
		for i := range 30 {
			r := liveRequest(t, st, tid, i)
			role := "kepala_seksi"
			if i%3 == 2 {
				role = "admin_mail"
			}
			ids = append(ids, startStep(t, st, ctx, r, role, i).ID)
		}
		kasi := []string{"kepala_seksi"}
		for _, c := range []struct {
			name          string
			q             workflow.InboxQuery
			total, rows   int
			first, second int64 // first two step ids of the page, 0 for none
		}{
			{"whole", workflow.InboxQuery{Roles: kasi, Limit: 5}, 20, 5, ids[0], ids[1]},
			{"two roles", workflow.InboxQuery{Roles: []string{"kepala_seksi", "admin_mail"}, Limit: 5, Offset: 2}, 30, 5, ids[2], ids[3]},
			{"page 3", workflow.InboxQuery{Roles: kasi, Limit: 5, Offset: 10}, 20, 5, ids[15], ids[16]},
			{"past the end", workflow.InboxQuery{Roles: kasi, Limit: 5, Offset: 40}, 20, 0, 0, 0},
			{"due before", workflow.InboxQuery{Roles: kasi, Limit: 5, DueFrom: time.Unix(0, 0),
				DueTo: time.Date(2026, 3, 2, 4, 10, 0, 0, time.UTC)}, 7, 5, ids[0], ids[1]},
			{"due, second page", workflow.InboxQuery{Roles: kasi, Limit: 5, Offset: 5, DueFrom: time.Unix(0, 0),
				DueTo: time.Date(2026, 3, 2, 4, 10, 0, 0, time.UTC)}, 7, 2, ids[7], ids[9]},
			{"due, past the end", workflow.InboxQuery{Roles: kasi, Limit: 5, Offset: 10, DueFrom: time.Unix(0, 0),
				DueTo: time.Date(2026, 3, 2, 4, 10, 0, 0, time.UTC)}, 7, 0, 0, 0},
			{"due, counted to 6", workflow.InboxQuery{Roles: kasi, Limit: 5, CountTo: 6, DueFrom: time.Unix(0, 0),
				DueTo: time.Date(2026, 3, 2, 4, 10, 0, 0, time.UTC)}, 6, 5, ids[0], ids[1]},
			{"due, page past CountTo", workflow.InboxQuery{Roles: kasi, Limit: 5, Offset: 5, CountTo: 6, DueFrom: time.Unix(0, 0),
				DueTo: time.Date(2026, 3, 2, 4, 10, 0, 0, time.UTC)}, 6, 2, ids[7], ids[9]},
			// a<tenant>.1 and .1x of the kepala_seksi: 1, 10, 12, 13, 15, 16, 18, 19.
			{"search", workflow.InboxQuery{Roles: kasi, Limit: 5, Search: fmt.Sprintf(" A%d.1", tid)}, 8, 5, ids[1], ids[10]},
			{"search, second page", workflow.InboxQuery{Roles: kasi, Limit: 5, Offset: 5, Search: fmt.Sprintf("a%d.1", tid)}, 8, 3, ids[16], ids[18]},
			{"search, nothing", workflow.InboxQuery{Roles: kasi, Limit: 5, Search: "zzz"}, 0, 0, 0, 0},
			{"whole, CountTo below", workflow.InboxQuery{Roles: kasi, Limit: 5, CountTo: 10}, 20, 5, ids[0], ids[1]},
		} {
			c.q.TenantID = tid
			in, err := st.Inbox(ctx, c.q)
			tasks, total := in.Tasks, in.Total
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if total != c.total || len(tasks) != c.rows {
				t.Errorf("%s: %d tasks of %d, want %d of %d", c.name, len(tasks), total, c.rows, c.total)
				continue
			}
			if c.rows > 0 && (tasks[0].StepID != c.first || tasks[1].StepID != c.second) {
				t.Errorf("%s: page starts with steps %d, %d; want %d, %d", c.name, tasks[0].StepID, tasks[1].StepID, c.first, c.second)
			}
			if c.rows > 0 && (tasks[0].Number == "" || tasks[0].Applicant == "" || tasks[0].Mailbox == "") {
				t.Errorf("%s: a row without its request: %+v", c.name, tasks[0])
			}
			if in.Handover != 0 {
				t.Errorf("%s: %d handovers not asked for", c.name, in.Handover)
			}
		}

		// The mailboxes waiting for a handover come with any page, when asked.
		m := putMailbox(t, st, registry.Mailbox{TenantID: tid, Address: "humas@mail.go.id", Kind: registry.Institutional, NIP: "198503122010011001"})
		m.Handover, m.HandoverAt = registry.HandoverLeft, time.Now()
		if ok, err := st.UpdateMailbox(ctx, &m); !ok || err != nil {
			t.Fatalf("flag: %v %v", ok, err)
		}
		for _, q := range []workflow.InboxQuery{
			{Roles: kasi, Limit: 5},
			{Roles: kasi, Limit: 5, Offset: 40},
			{Roles: kasi, Limit: 5, Search: "a"},
			{Roles: kasi, Limit: 5, Search: "zzz"},
			{Roles: []string{"kepala_dinas"}, Limit: 5},
			{Limit: 5},
		} {
			q.TenantID, q.Handover = tid, true
			if in, err := st.Inbox(ctx, q); err != nil || in.Handover != 1 {
				t.Errorf("%+v: %d handovers, %v; want 1", q, in.Handover, err)
			}
		}
	})
}

// A request's staff page reads the same rows in one call (on PostgreSQL one round trip)
// as one query each: the request, its applicant, files, history, credential, documents,
// the tenant's capacity and the audit trail.
func TestCaseRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		r := liveRequest(t, st, tid, 1)
		if _, err := st.CaseRecords(ctx, r.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no such request: %v", err)
		}
		bare, err := st.CaseRecords(ctx, r.ID)
		if err != nil || bare.Request.ID != r.ID || bare.Credential != nil || len(bare.Files)+len(bare.Steps)+len(bare.Documents)+len(bare.Trail) != 0 {
			t.Fatalf("a request with nothing yet: %+v, %v", bare, err)
		}
		at := time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)
		for _, f := range []string{"ktp", "sk"} {
			if err := st.AddFile(ctx, &request.File{RequestID: r.ID, Field: f, Name: f + ".pdf", OriginalName: f + ".pdf", Kind: "pdf", Size: 10,
				SHA256: "ab", CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		s1 := startStep(t, st, ctx, r, "kepala_seksi", 5)
		s1.FinishedAt, s1.Status = at, request.StepDone
		if _, err := st.FinishStep(ctx, s1); err != nil {
			t.Fatal(err)
		}
		startStep(t, st, ctx, r, "admin_mail", 10)
		if err := st.PutCredential(ctx, workflow.Credential{RequestID: r.ID, Address: "a@mail.go.id", Sealed: "x", CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
		if err := st.AddDocument(ctx, &letter.Document{TenantID: tid, Kind: letter.KindReceipt, Number: "1/2026", Code: "ABCDEFGHJKMN",
			RequestID: r.ID, IssuedAt: at, Title: "Tanda Terima", Facts: []letter.Fact{{Label: "Status", Value: "Diproses"}}}); err != nil {
			t.Fatal(err)
		}
		rec := audit.Recorder{Store: st}
		for _, a := range []string{"request.submit", "step.forward"} {
			if err := rec.Record(ctx, audit.Entry{TenantID: tid, Actor: "staff:7", ActorName: "Budi", Action: a, Object: audit.Object("request", r.ID)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := rec.Record(ctx, audit.Entry{TenantID: tid, Actor: "staff:7", Action: "step.forward", Object: audit.Object("request", r.ID+1)}); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveCapacity(ctx, workflow.CapacitySnapshot{TenantID: tid, Figures: mailbox.Capacity{Accounts: 7, QuotaAllocated: 1 << 30}, At: at}); err != nil {
			t.Fatal(err)
		}

		got, err := st.CaseRecords(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var want workflow.CaseRecords
		want.Request, _ = st.Request(ctx, r.ID)
		want.Applicant, _ = st.UserByID(ctx, r.UserID)
		want.Files, _ = st.FilesOf(ctx, r.ID)
		want.Steps, _ = st.StepsOf(ctx, r.ID)
		c, _ := st.Credential(ctx, r.ID)
		want.Credential = &c
		want.Documents, _ = st.DocumentsOf(ctx, r.ID)
		want.Trail, _ = st.AuditTrail(ctx, audit.Object("request", r.ID))
		cs, _ := st.CapacitySnapshot(ctx, tid)
		want.Capacity = &cs
		if len(want.Files) != 2 || len(want.Steps) != 2 || len(want.Documents) != 1 || len(want.Trail) != 2 || cs.Figures.Accounts != 7 {
			t.Fatalf("the rows are not there: %+v", want)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case records\n got %+v\nwant %+v", got, want)
		}
	})
}
