package staff_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/store"
)

type fixture struct {
	st     *store.Store
	svc    *staff.Service
	acc    *account.Service
	tenant account.Tenant
	other  account.Tenant
	now    time.Time
}

func (f *fixture) clock() time.Time { return f.now }

func setup(t *testing.T) *fixture { return setupOn(t, dbtest.New(t)) }

func setupOn(t *testing.T, st *store.Store) *fixture {
	ctx := context.Background()
	f := &fixture{st: st, now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ob, err := notify.NewOutbox(st, nil, "noreply@example.go.id", log)
	if err != nil {
		t.Fatal(err)
	}
	ob.Now = f.clock
	for _, tt := range []*account.Tenant{&f.tenant, &f.other} {
		slug := "kominfo"
		if tt == &f.other {
			slug = "kaltim"
		}
		id, err := st.EnsureTenant(ctx, slug, slug, f.now)
		if err != nil {
			t.Fatal(err)
		}
		*tt = account.Tenant{ID: id, Slug: slug, Name: "Layanan " + slug, Policy: account.Policy{MinLength: 8},
			BaseURL: "https://" + slug + ".example"}
	}
	f.acc = &account.Service{Store: st, Mail: ob, Hasher: passwd.New(passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}),
		Limits: account.Limits{CaptchaAfter: 3, LockAfter: 5, LockFor: 15 * time.Minute, SessionIdle: time.Hour, SessionMax: 12 * time.Hour},
		Now:    f.clock, Log: log}
	if err := f.acc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	f.svc = &staff.Service{Store: st, Accounts: f.acc, Mail: ob, Key: make([]byte, 32),
		Limits: staff.Limits{MaxAttempts: 3, LockFor: 15 * time.Minute}, Now: f.clock}
	return f
}

func (f *fixture) add(t *testing.T, email string, roles ...sop.Role) staff.Member {
	t.Helper()
	u, created, err := f.svc.Add(context.Background(), f.tenant, staff.AddInput{FirstName: "Admin", Email: email, Roles: roles, Password: "Rahasia2026"}, nil)
	if err != nil || !created {
		t.Fatalf("add: %v %v", created, err)
	}
	m, err := f.svc.Member(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// enroll sets up the second factor at f.now and returns the secret and recovery codes.
func (f *fixture) enroll(t *testing.T, userID int64) (string, []string) {
	t.Helper()
	ctx := context.Background()
	e, err := f.svc.BeginEnroll(ctx, userID, "Layanan", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.QR, "data:image/png;base64,") || !strings.HasPrefix(e.URL, "otpauth://totp/") {
		t.Fatalf("enrolment %+v", e)
	}
	// A reload before confirming shows the same secret.
	if again, _ := f.svc.BeginEnroll(ctx, userID, "Layanan", "admin"); again.Secret != e.Secret {
		t.Fatal("new secret on reload")
	}
	code, _ := totp.GenerateCode(e.Secret, f.now)
	codes, err := f.svc.ConfirmEnroll(ctx, userID, code)
	if err != nil || len(codes) != staff.RecoveryCodes {
		t.Fatalf("confirm: %v %v", codes, err)
	}
	return e.Secret, codes
}

func rule(err error) string {
	if e, ok := errs.As(err); ok {
		if len(e.Fields) > 0 {
			return e.Fields[0].Rule
		}
		return e.Key
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestEnrollVerify(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	m := f.add(t, "admin@kominfo.go.id", sop.RoleTenantAdmin)
	if ok, _ := f.svc.Enrolled(ctx, m.UserID); ok {
		t.Fatal("enrolled before enrolment")
	}
	if err := f.svc.Verify(ctx, m.UserID, "123456"); codeOf(err) != errs.Conflict {
		t.Fatalf("verify before enrolment: %v", err)
	}
	secret, codes := f.enroll(t, m.UserID)
	if ok, _ := f.svc.Enrolled(ctx, m.UserID); !ok {
		t.Fatal("not enrolled")
	}
	if _, err := f.svc.BeginEnroll(ctx, m.UserID, "x", "y"); rule(err) != "mfa.enrolled" {
		t.Fatalf("second enrolment: %v", err)
	}
	// The step used to confirm is spent.
	same, _ := totp.GenerateCode(secret, f.now)
	if err := f.svc.Verify(ctx, m.UserID, same); rule(err) != "mfa_wrong" {
		t.Fatalf("replay of the enrolment code: %v", err)
	}
	// Thirty seconds later the next code works, once.
	f.now = f.now.Add(30 * time.Second)
	next, _ := totp.GenerateCode(secret, f.now)
	if err := f.svc.Verify(ctx, m.UserID, next); err != nil {
		t.Fatalf("next code: %v", err)
	}
	if err := f.svc.Verify(ctx, m.UserID, next); rule(err) != "mfa_wrong" {
		t.Fatalf("replay: %v", err)
	}
	// A code one step ahead (phone clock fast) is accepted; two steps is not.
	f.now = f.now.Add(60 * time.Second)
	ahead, _ := totp.GenerateCode(secret, f.now.Add(30*time.Second))
	far, _ := totp.GenerateCode(secret, f.now.Add(90*time.Second))
	if err := f.svc.Verify(ctx, m.UserID, far); rule(err) != "mfa_wrong" {
		t.Fatalf("code two steps ahead: %v", err)
	}
	if err := f.svc.Verify(ctx, m.UserID, ahead); err != nil {
		t.Fatalf("code one step ahead: %v", err)
	}
	// Recovery codes: typed in any case, with or without the hyphen, once each.
	c := strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))
	if err := f.svc.Verify(ctx, m.UserID, c); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	if err := f.svc.Verify(ctx, m.UserID, codes[0]); rule(err) != "mfa_wrong" {
		t.Fatalf("recovery code reused: %v", err)
	}
	if n, _ := f.svc.RecoveryCodesLeft(ctx, m.UserID); n != staff.RecoveryCodes-1 {
		t.Fatalf("%d codes left", n)
	}
	// The secret is stored sealed.
	var enc string
	f.st.DB().QueryRow(`SELECT totp_secret_enc FROM staff_mfa`).Scan(&enc)
	if enc == "" || strings.Contains(enc, secret) {
		t.Fatalf("stored secret %q", enc)
	}
	// Under another key it does not open.
	other := *f.svc
	other.Key = []byte(strings.Repeat("k", 32))
	if err := other.Verify(ctx, m.UserID, next); err == nil || codeOf(err) != "" {
		t.Fatalf("verify under another key: %v", err)
	}
}

func codeOf(err error) errs.Code { return errs.CodeOf(err) }

func TestVerifyLockout(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	m := f.add(t, "admin@kominfo.go.id", sop.RoleTenantAdmin)
	secret, codes := f.enroll(t, m.UserID)
	for i := 1; i <= 3; i++ {
		err := f.svc.Verify(ctx, m.UserID, "000000")
		if i < 3 && rule(err) != "mfa_wrong" || i == 3 && rule(err) != "mfa.locked" {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// Locked: even a right code or a recovery code waits.
	f.now = f.now.Add(time.Minute)
	good, _ := totp.GenerateCode(secret, f.now)
	if err := f.svc.Verify(ctx, m.UserID, good); rule(err) != "mfa.locked" {
		t.Fatalf("while locked: %v", err)
	}
	if err := f.svc.Verify(ctx, m.UserID, codes[1]); rule(err) != "mfa.locked" {
		t.Fatalf("recovery while locked: %v", err)
	}
	f.now = f.now.Add(15 * time.Minute)
	good, _ = totp.GenerateCode(secret, f.now)
	if err := f.svc.Verify(ctx, m.UserID, good); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// A tenant admin's reset lifts everything: the member enrols again.
	if err := f.svc.ResetMFA(ctx, f.tenant, m.UserID, nil); err != nil {
		t.Fatal(err)
	}
	if ok, _ := f.svc.Enrolled(ctx, m.UserID); ok {
		t.Fatal("still enrolled after reset")
	}
	if n, _ := f.svc.RecoveryCodesLeft(ctx, m.UserID); n != 0 {
		t.Fatalf("%d codes left after reset", n)
	}
}

func TestAddAndRoles(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	admin := f.add(t, "admin@kominfo.go.id", sop.RoleTenantAdmin)
	// The web form: no password, a link mailed.
	u, created, err := f.svc.Add(ctx, f.tenant, staff.AddInput{FirstName: "Siti", LastName: "Kasi", Email: "Siti@Kominfo.go.id",
		Roles: []sop.Role{sop.RoleKepalaSeksi, sop.RoleFrontDesk}}, &admin)
	if err != nil || !created || u.Status != account.StatusActive || u.Email != "siti@kominfo.go.id" {
		t.Fatalf("add: %+v %v %v", u, created, err)
	}
	ms, _ := f.st.Messages(ctx, "siti@kominfo.go.id", 1)
	if len(ms) != 1 || !strings.Contains(ms[0].Text, "https://kominfo.example/lupa-password/") {
		t.Fatalf("invitation: %+v", ms)
	}
	secret := ms[0].Text[strings.Index(ms[0].Text, "/lupa-password/")+len("/lupa-password/"):]
	secret = strings.Fields(secret)[0]
	if _, err := f.acc.ResetPassword(ctx, f.tenant, secret, "Baru12345x", "Baru12345x"); err != nil {
		t.Fatalf("set password by the link: %v", err)
	}
	if _, err := f.acc.Login(ctx, f.tenant, "siti@kominfo.go.id", "Baru12345x", false); err != nil {
		t.Fatalf("login: %v", err)
	}
	m, _ := f.svc.Member(ctx, u.ID)
	if got := m.Roles; len(got) != 2 || got[0] != sop.RoleFrontDesk || got[1] != sop.RoleKepalaSeksi {
		t.Fatalf("roles %v", got)
	}
	// Twice: conflict. Invalid input: field errors. Not an admin, or of another tenant: refused.
	if _, _, err := f.svc.Add(ctx, f.tenant, staff.AddInput{FirstName: "Siti", Email: "siti@kominfo.go.id", Roles: []sop.Role{sop.RoleAdminMail}}, &admin); rule(err) != "staff.exists" {
		t.Fatalf("twice: %v", err)
	}
	if _, _, err := f.svc.Add(ctx, f.tenant, staff.AddInput{FirstName: "", Email: "x", Roles: []sop.Role{"pemohon"}}, &admin); codeOf(err) != errs.Invalid {
		t.Fatalf("invalid: %v", err)
	} else if e, _ := errs.As(err); len(e.Fields) != 3 {
		t.Fatalf("fields %+v", e.Fields)
	}
	if _, _, err := f.svc.Add(ctx, f.tenant, staff.AddInput{FirstName: "Ani", Email: "ani@x.id"}, &admin); rule(err) != "staff_roles_none" {
		t.Fatalf("no role: %v", err)
	}
	kasi := m
	if _, _, err := f.svc.Add(ctx, f.tenant, staff.AddInput{FirstName: "Ani", Email: "ani@x.id", Roles: []sop.Role{sop.RoleKepalaDinas}}, &kasi); codeOf(err) != errs.Forbidden {
		t.Fatalf("by a kasi: %v", err)
	}
	if _, _, err := f.svc.Add(ctx, f.other, staff.AddInput{FirstName: "Ani", Email: "ani@x.id", Roles: []sop.Role{sop.RoleKepalaDinas}}, &admin); codeOf(err) != errs.Forbidden {
		t.Fatalf("into another tenant: %v", err)
	}
	if err := f.svc.SetRoles(ctx, f.other, u.ID, []sop.Role{sop.RoleAdminMail}, &admin); codeOf(err) != errs.Forbidden {
		t.Fatalf("set roles from another tenant: %v", err)
	}
	if err := f.svc.ResetMFA(ctx, f.other, u.ID, &admin); codeOf(err) != errs.Forbidden {
		t.Fatalf("reset from another tenant: %v", err)
	}
	// Roles change; the admin cannot drop their own admin role.
	if err := f.svc.SetRoles(ctx, f.tenant, u.ID, []sop.Role{sop.RoleAdminMail}, &admin); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.svc.Member(ctx, u.ID); len(m.Roles) != 1 || m.Roles[0] != sop.RoleAdminMail {
		t.Fatalf("roles %v", m.Roles)
	}
	if err := f.svc.SetRoles(ctx, f.tenant, admin.UserID, []sop.Role{sop.RoleKepalaDinas}, &admin); rule(err) != "staff.keep_admin" {
		t.Fatalf("self-demotion: %v", err)
	}
	// No role: no longer staff.
	if err := f.svc.SetRoles(ctx, f.tenant, u.ID, nil, &admin); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Member(ctx, u.ID); !errors.Is(err, staff.ErrNotFound) {
		t.Fatalf("removed member: %v", err)
	}
	list, _ := f.svc.List(ctx, f.tenant.ID)
	if len(list) != 1 || list[0].UserID != admin.UserID {
		t.Fatalf("list %+v", list)
	}
}

// An applicant's existing account can be made staff; a pending one loses the password
// its unverified registrant chose.
func TestAddExistingAccounts(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	reg := account.RegisterInput{FirstName: "Budi", LastName: "Santoso", Email: "budi@gmail.com", Phone: "081234567890", Password: "rahasia123", Password2: "rahasia123"}
	if err := f.acc.Register(ctx, f.tenant, reg); err != nil {
		t.Fatal(err)
	}
	u, created, err := f.svc.Add(ctx, f.tenant, staff.AddInput{FirstName: "Budi", Email: "budi@gmail.com", Roles: []sop.Role{sop.RoleKepalaBidang}}, nil)
	if err != nil || created || u.Status != account.StatusActive {
		t.Fatalf("pending account: %+v %v %v", u, created, err)
	}
	if _, err := f.acc.Login(ctx, f.tenant, "budi@gmail.com", "rahasia123", false); err == nil {
		t.Fatal("the registrant's password still opens the account")
	}
	ms, _ := f.st.Messages(ctx, "budi@gmail.com", 1)
	if !strings.Contains(ms[0].Text, "/lupa-password/") {
		t.Fatalf("no set-password link: %s", ms[0].Text)
	}
}
