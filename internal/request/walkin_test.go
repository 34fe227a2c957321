package request_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

var desk = audit.Staff(0, "Rina Loket", string(sop.RoleFrontDesk))

func walkInApplicant(email string) request.Applicant {
	return request.Applicant{FirstName: "Budi", LastName: "Santoso", Email: email, Phone: "0812 3456 7890", NIP: "196109231991031004",
		Jabatan: "Pranata Komputer", Instansi: "Diskominfo", SatuanKerja: "Pemkab Merangin", Address: "Jl. Merdeka 1, Bangko"}
}

// The PNS form's own values (the applicant section gives nip, instansi, satuan kerja
// and phone).
func walkInValues() map[string]string {
	return map[string]string{"province": "15", "regency": "15.02", "mailbox": "budi.santoso"}
}

func walkInFiles(tag string) []request.File {
	return []request.File{
		{Field: "scan_permohonan", Name: "scan" + tag, OriginalName: "formulir.pdf", Kind: "pdf", Size: 2048, SHA256: "x"},
		{Field: "doc_kepegawaian", Name: "doc" + tag, OriginalName: "kartu.pdf", Kind: "pdf", Size: 1024, SHA256: "y"},
	}
}

func count(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// An applicant with no e-mail: a walk-in record that cannot log in, a sent request from
// the front desk whose first history row names the officer, and no mail to the
// placeholder address.
func TestWalkInWithoutEmail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		r, err := svc.WalkIn(ctx, tn, desk, walkInApplicant(""), "pns", walkInValues(), walkInFiles("1"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != request.Waiting || r.Channel != request.ChannelLoket || !strings.HasPrefix(r.Number, "SRL-") ||
			r.Values["nip"] != "196109231991031004" || r.Values["phone"] != "081234567890" || r.PersonKey != "nip:196109231991031004" {
			t.Fatalf("request: %+v", r)
		}
		u, err := st.UserByID(ctx, r.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Status != account.StatusWalkIn || !strings.HasSuffix(u.Email, "@kominfo.invalid") || u.Profile.FullName != "Budi Santoso" ||
			!u.Profile.Complete() || u.Profile.NIP != "196109231991031004" {
			t.Fatalf("walk-in record: %+v", u)
		}
		steps, _ := st.StepsOf(ctx, r.ID)
		if len(steps) != 2 || steps[0].Actor != "Rina Loket" || steps[0].Jabatan != "Petugas Pelayanan" || steps[1].Role != "kepala_seksi" || !steps[1].Open() {
			t.Fatalf("history: %+v", steps)
		}
		files, _ := st.FilesOf(ctx, r.ID)
		if len(files) != 2 {
			t.Fatalf("files: %+v", files)
		}
		if ms, _ := st.Messages(ctx, u.Email, 5); len(ms) != 0 {
			t.Fatalf("mail to a placeholder: %+v", ms)
		}
		// The record cannot log in, by its username or its address.
		acc := &account.Service{Store: st, Hasher: passwd.New(passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}),
			Limits: account.Limits{CaptchaAfter: 3, LockAfter: 5, LockFor: 15 * time.Minute, SessionIdle: time.Hour, SessionMax: 12 * time.Hour}, Log: svc.Log}
		if err := acc.Init(ctx); err != nil {
			t.Fatal(err)
		}
		for _, login := range []string{u.Username, u.Email} {
			if _, err := acc.Login(ctx, tn, login, "!", true); errs.CodeOf(err) != errs.Unauthorized {
				t.Fatalf("walk-in login %s: %v", login, err)
			}
		}
	})
}

// An e-mail of an existing portal account: the request is that account's, its profile
// keeps what the applicant typed and gets what it lacked; the applicant is mailed.
func TestWalkInReusesAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		u := user(t, st, tn.ID, "budi")
		st.UpdateProfile(ctx, u.ID, account.Profile{FullName: "Budi S.", Phone: "081234567890"})
		r, err := svc.WalkIn(ctx, tn, desk, walkInApplicant(" Budi@Gmail.com "), "pns", walkInValues(), walkInFiles("2"))
		if err != nil {
			t.Fatal(err)
		}
		if r.UserID != u.ID {
			t.Fatalf("request of user %d, want %d", r.UserID, u.ID)
		}
		got, _ := st.UserByID(ctx, u.ID)
		if got.Status != account.StatusActive || got.Profile.FullName != "Budi S." || got.Profile.Jabatan != "Pranata Komputer" {
			t.Fatalf("account: %+v", got)
		}
		if list, _ := svc.List(ctx, got); len(list) != 1 || list[0].ID != r.ID {
			t.Fatalf("the applicant's list: %+v", list)
		}
		if ms, _ := st.Messages(ctx, u.Email, 5); len(ms) == 0 || ms[0].Subject != "Permohonan "+r.Number+" diterima" {
			t.Fatalf("mail: %+v", ms)
		}
		if n := count(t, st, "users"); n != 1 {
			t.Fatalf("%d users", n)
		}
	})
}

// A form with errors writes nothing: no record, no request, no file row; every field
// says why.
func TestWalkInInvalidKeepsNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		a := walkInApplicant("budi@example.com")
		a.NIP = "196102301991031004"
		a.Jabatan = ""
		a.Email = "bukan email"
		_, err := svc.WalkIn(ctx, tn, desk, a, "pns", walkInValues(), walkInFiles("3")[1:])
		e, ok := errs.As(err)
		if !ok || e.Code != errs.Invalid {
			t.Fatalf("want invalid, got %v", err)
		}
		got := map[string]string{}
		for _, f := range e.Fields {
			got[f.Name] = f.Rule
		}
		want := map[string]string{"nip": "nip", "jabatan": "required", "email": "email", "scan_permohonan": "file_required"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q (all %v)", k, got[k], v, got)
			}
		}
		for _, table := range []string{"users", "requests", "request_files", "request_steps"} {
			if n := count(t, st, table); n != 0 {
				t.Errorf("%d rows in %s", n, table)
			}
		}
	})
}

// A person with a live request cannot have a second, from the desk or the portal; the
// refused attempt leaves no record behind.
func TestWalkInDuplicate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		first, err := svc.WalkIn(ctx, tn, desk, walkInApplicant(""), "pns", walkInValues(), walkInFiles("4"))
		if err != nil {
			t.Fatal(err)
		}
		vals := walkInValues()
		vals["mailbox"] = "budi.santoso2"
		_, err = svc.WalkIn(ctx, tn, desk, walkInApplicant(""), "pns", vals, walkInFiles("5"))
		e, ok := errs.As(err)
		if !ok || e.Code != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != "nip" || e.Fields[0].Rule != "person_busy" ||
			e.Fields[0].Args[0] != first.Number {
			t.Fatalf("second request of the person: %v %+v", err, e)
		}
		// The same address for another person is taken too.
		other := walkInApplicant("")
		other.NIP = "197001012000121001"
		_, err = svc.WalkIn(ctx, tn, desk, other, "pns", walkInValues(), walkInFiles("6"))
		if e, _ := errs.As(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Rule != "address_taken" {
			t.Fatalf("taken address: %v", err)
		}
		if n := count(t, st, "users"); n != 1 {
			t.Fatalf("%d users after refusals", n)
		}
	})
}

// A walk-in applicant who gave an e-mail claims the account from the portal: Daftar with
// that address mails a set-password link (the password typed at Daftar is not used),
// and setting a password through it makes a portal account that sees the request.
func TestWalkInClaim(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, tn := setup(t, st)
		r, err := svc.WalkIn(ctx, tn, desk, walkInApplicant("budi@example.com"), "pns", walkInValues(), walkInFiles("c"))
		if err != nil {
			t.Fatal(err)
		}
		acc := &account.Service{Store: st, Mail: svc.Mail, Hasher: passwd.New(passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}),
			Limits: account.Limits{CaptchaAfter: 3, LockAfter: 5, LockFor: 15 * time.Minute, SessionIdle: time.Hour, SessionMax: 12 * time.Hour}, Log: svc.Log}
		if err := acc.Init(ctx); err != nil {
			t.Fatal(err)
		}
		in := account.RegisterInput{FirstName: "Orang", LastName: "Lain", Email: "budi@example.com", Phone: "081234567890",
			Password: "penyusup123", Password2: "penyusup123"}
		if err := acc.Register(ctx, tn, in); err != nil {
			t.Fatal(err)
		}
		if _, err := acc.Login(ctx, tn, "budi@example.com", "penyusup123", true); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("the password typed at Daftar works: %v", err)
		}
		ms, _ := st.Messages(ctx, "budi@example.com", 5)
		var link string
		for _, m := range ms {
			if i := strings.Index(m.Text, "https://s/lupa-password/"); i >= 0 && strings.Contains(m.Subject, "Ikuti permohonan") {
				link = strings.Fields(m.Text[i:])[0]
			}
		}
		if link == "" {
			t.Fatalf("no claim link in %+v", ms)
		}
		u, err := acc.ResetPassword(ctx, tn, strings.TrimPrefix(link, "https://s/lupa-password/"), "PunyaBudi2026", "PunyaBudi2026")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := acc.Login(ctx, tn, "budi@example.com", "PunyaBudi2026", true); err != nil {
			t.Fatalf("login after claiming: %v", err)
		}
		if mine, err := svc.List(ctx, u); err != nil || len(mine) != 1 || mine[0].ID != r.ID {
			t.Fatalf("the claimed account's requests: %+v, %v", mine, err)
		}
	})
}
