package request_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/wilayah"
)

type noFiles struct{}

func (noFiles) Remove(context.Context, string) error { return nil }

func setup(t *testing.T, st *store.Store) (*request.Service, account.Tenant) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ob, err := notify.NewOutbox(st, nil, "x@y", log)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := request.LoadCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	tid, _ := st.EnsureTenant(ctx, "kominfo", "Kominfo", time.Now())
	// No holidays: the deadlines these tests compute count weekends and hours only.
	book := &sop.Book{Store: st, National: map[sop.Date]string{}}
	return &request.Service{Store: st, Files: noFiles{}, Catalog: cat, Regions: wilayah.MustLoad(), Mail: ob, Log: log, Book: book},
		account.Tenant{ID: tid, Slug: "kominfo", Name: "Kominfo", MailDomain: "mail.go.id", AddressPattern: "firstname.lastname", BaseURL: "https://s"}
}

func user(t *testing.T, st *store.Store, tid int64, name string) account.User {
	t.Helper()
	now := time.Now().UTC()
	u := account.User{TenantID: tid, Username: name, Email: name + "@gmail.com", FirstName: name, Phone: "081234567890",
		PasswordHash: "x", Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
	if err := st.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	u.Profile = account.Profile{FullName: "Budi Santoso", Jabatan: "Pranata Komputer", Instansi: "Diskominfo", SatuanKerja: "Pemkab Merangin",
		Phone: "081234567890", Address: "Bangko"}
	st.UpdateProfile(context.Background(), u.ID, u.Profile)
	return u
}

// The PNS form with a file row standing in for the uploaded scan.
func pnsValues() map[string]string {
	return map[string]string{"nip": "196109231991031004", "instansi": "Diskominfo", "province": "15", "regency": "15.02",
		"satuan_kerja": "Pemkab Merangin", "phone": "0812 3456 7890", "mailbox": "Budi.Santoso"}
}

func draft(t *testing.T, svc *request.Service, st *store.Store, tn account.Tenant, u account.User, vals map[string]string) request.Request {
	t.Helper()
	ctx := context.Background()
	r, err := svc.NewDraft(ctx, tn, u, "email", "pns", nil)
	if err != nil {
		t.Fatal(err)
	}
	st.AddFile(ctx, &request.File{RequestID: r.ID, Field: "doc_kepegawaian", Name: "f" + u.Username, OriginalName: "kartu.pdf", Kind: "pdf", Size: 10, SHA256: "x", CreatedAt: time.Now()})
	r, err = svc.SaveDraft(ctx, u, r, vals)
	if err != nil {
		t.Fatalf("save draft: %v", err)
	}
	return r
}

func TestDraftAndSubmit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		u := user(t, st, tn.ID, "budi")
		r, err := svc.NewDraft(ctx, tn, u, "email", "pns", nil)
		if err != nil {
			t.Fatal(err)
		}
		// Errors are reported per field, and what was typed is kept.
		bad := map[string]string{"nip": "196102301991031004", "province": "15", "regency": "11.01", "mailbox": "postmaster"}
		r, err = svc.SaveDraft(ctx, u, r, bad)
		e, _ := errs.As(err)
		got := map[string]string{}
		for _, f := range e.Fields {
			got[f.Name] = f.Rule
		}
		want := map[string]string{"nip": "nip", "doc_kepegawaian": "file_required", "instansi": "required", "regency": "region_parent",
			"satuan_kerja": "required", "phone": "required", "mailbox": "address_reserved"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q (all %v)", k, got[k], v, got)
			}
		}
		saved, _ := st.Request(ctx, r.ID)
		if saved.Values["nip"] != "196102301991031004" || saved.Status != request.Draft {
			t.Fatalf("typed values lost: %+v", saved)
		}
		// Someone else's request is not found.
		other := user(t, st, tn.ID, "other")
		if _, err := svc.Get(ctx, other, r.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("other user read a request: %v", err)
		}
		r = draft(t, svc, st, tn, u, pnsValues())
		if r.Mailbox != "budi.santoso" || r.Values["phone"] != "081234567890" {
			t.Fatalf("not normalised: %+v", r)
		}
		r, err = svc.Submit(ctx, tn, u, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != request.Waiting || r.Number == "" {
			t.Fatalf("submitted %+v", r)
		}
		steps, _ := st.StepsOf(ctx, r.ID)
		if len(steps) != 2 || steps[0].Status != request.StepDone || steps[0].SLA != "in" || steps[1].Status != request.StepOpen ||
			steps[1].Due.IsZero() || !steps[1].Due.After(steps[1].StartedAt) || steps[1].Role != "kepala_seksi" {
			t.Fatalf("steps %+v", steps)
		}
		if n, _ := st.UnreadCount(ctx, u.ID); n != 1 {
			t.Fatalf("unread %d", n)
		}
		if ms, _ := st.Messages(ctx, u.Email, 5); len(ms) == 0 || ms[0].Subject != "Permohonan "+r.Number+" diterima" ||
			!strings.Contains(ms[0].Text, fmt.Sprintf("https://s/permohonan/%d", r.ID)) {
			t.Fatalf("mail %+v", ms)
		}
		// The address is now taken for everybody else, and a second request for the same
		// NIP is refused while this one is live.
		sugg := svc.Suggest(ctx, tn, u, 0, 2)
		if len(sugg) != 2 || sugg[0] != "budi.santoso2" {
			t.Fatalf("suggestions %v", sugg)
		}
		r2, _ := svc.NewDraft(ctx, tn, u, "email", "pns", nil)
		st.AddFile(ctx, &request.File{RequestID: r2.ID, Field: "doc_kepegawaian", Name: "g", OriginalName: "k.pdf", Kind: "pdf", Size: 1, SHA256: "x", CreatedAt: time.Now()})
		_, err = svc.SaveDraft(ctx, u, r2, pnsValues())
		e, _ = errs.As(err)
		if e == nil || len(e.Fields) != 2 {
			t.Fatalf("second request: %v", err)
		}
	})
}

func TestProfileRequired(t *testing.T) {
	st := dbtest.New(t)
	svc, tn := setup(t, st)
	u := user(t, st, tn.ID, "budi")
	r := draft(t, svc, st, tn, u, pnsValues())
	u.Profile.Address = ""
	if _, err := svc.Submit(context.Background(), tn, u, r.ID); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("incomplete profile submitted: %v", err)
	}
}

// Two people racing for one address (or one NIP) with simultaneous "Kirim": exactly one wins.
func TestSimultaneousSubmit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		var drafts []request.Request
		var users []account.User
		for i, name := range []string{"a1", "a2", "a3", "a4"} {
			u := user(t, st, tn.ID, name)
			v := pnsValues()
			v["nip"] = []string{"196109231991031004", "196109231991031005", "196109231991031006", "196109231991031004"}[i]
			drafts = append(drafts, draft(t, svc, st, tn, u, v))
			users = append(users, u)
		}
		var wg sync.WaitGroup
		results := make([]error, len(drafts))
		for i := range drafts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = svc.Submit(ctx, tn, users[i], drafts[i].ID)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range results {
			if err == nil {
				ok++
			} else if c := errs.CodeOf(err); c != errs.Conflict && c != errs.Invalid {
				t.Fatalf("unexpected error %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d submissions for one address passed: %v", ok, results)
		}
	})
}

// "Ajukan Ulang" after a refusal starts a draft prefilled from the refused request, and
// the refused request no longer blocks the person or the address.
func TestResubmitAfterRefusal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		u := user(t, st, tn.ID, "budi")
		r, err := svc.Submit(ctx, tn, u, draft(t, svc, st, tn, u, pnsValues()).ID)
		if err != nil {
			t.Fatal(err)
		}
		// The refusal itself is a staff action (back office); here it is written directly.
		if _, err := st.DB().Exec(rebind(st, `UPDATE requests SET status = 'ditolak', note = 'Scan SK tidak terbaca' WHERE id = ?`), r.ID); err != nil {
			t.Fatal(err)
		}
		refused, _ := svc.Get(ctx, u, r.ID)
		again, err := svc.NewDraft(ctx, tn, u, "email", "pns", &refused)
		if err != nil {
			t.Fatal(err)
		}
		if again.ResubmitOf != r.ID || again.Values["nip"] != "196109231991031004" || again.Mailbox != "budi.santoso" {
			t.Fatalf("not prefilled: %+v", again)
		}
		st.AddFile(ctx, &request.File{RequestID: again.ID, Field: "doc_kepegawaian", Name: "again", OriginalName: "k.pdf", Kind: "pdf", Size: 1, SHA256: "x", CreatedAt: time.Now()})
		again, err = svc.SaveDraft(ctx, u, again, again.Form())
		if err != nil {
			t.Fatalf("the refused request still blocks: %v", err)
		}
		if _, err := svc.Submit(ctx, tn, u, again.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func rebind(st *store.Store, q string) string {
	if st.Dialect() == store.Postgres {
		return strings.Replace(q, "?", "$1", 1)
	}
	return q
}

// With a roster loaded, a request whose NIP is missing or whose name differs is flagged
// for the verifier, not refused; a matching one carries no flag.
func TestRosterFlags(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		svc.Roster = st
		csv := "nip,nama,instansi,unit,status,aktif\n196109231991031004,Drs. Budi Santoso,Diskominfo,PSDLP,PNS,1\n196109231991031005,Ani,Diskominfo,PSDLP,honorer,0\n"
		if _, err := roster.Import(ctx, st, tn.ID, strings.NewReader(csv), roster.Options{}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			nip  string
			want []string
		}{
			{"196109231991031004", nil},
			{"196109231991031005", []string{"inactive", "not_pns", "name_mismatch"}},
			{"196109231991031006", []string{"not_in_roster"}},
		}
		for i, c := range cases {
			u := user(t, st, tn.ID, fmt.Sprintf("u%d", i))
			v := pnsValues()
			v["nip"], v["mailbox"] = c.nip, fmt.Sprintf("budi.r%d", i)
			r, err := svc.Submit(ctx, tn, u, draft(t, svc, st, tn, u, v).ID)
			if err != nil {
				t.Fatalf("%s: flagged requests must still be accepted: %v", c.nip, err)
			}
			saved, _ := st.Request(ctx, r.ID)
			var got []string
			for _, f := range saved.Flags {
				got = append(got, f.Reason)
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("%s: flags %v, want %v", c.nip, got, c.want)
			}
		}
	})
}
