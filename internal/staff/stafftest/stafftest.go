// Package stafftest makes staff members for tests: an account with roles, a known
// password and, unless asked otherwise, a second factor already enrolled whose secret
// and recovery codes the test holds.
//
// In a handler test (package web_test, see staff_test.go there):
//
//	m := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "admin@kominfo.go.id", sop.RoleTenantAdmin)
//	c := h.client()
//	h.signInStaff(c, m) // password, then a recovery code at /masuk/verifikasi
//
// In a Chromium journey: fill #f-login with m.Username and #f-password with m.Password on
// /masuk, submit, then fill #f-otp on /masuk/verifikasi with m.RecoveryCodes[i] (or
// m.Code(time.Now()) once) and submit: the browser lands on /kantor.
package stafftest

import (
	"context"
	"testing"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Password is the password of every member made here; it passes the default policy.
const Password = "Petugas2026"

// Member is a staff member made for a test.
type Member struct {
	staff.Member
	Password string
	// Secret is the base32 TOTP secret; empty when the member was made unenrolled.
	Secret string
	// RecoveryCodes are the ten single-use codes; each signs in once, whatever the time.
	RecoveryCodes []string
}

// Code is the TOTP code at time at. New spent the step before now's, so Code(time.Now())
// works once, and Code(time.Now().Add(30*time.Second)) once more.
func (m Member) Code(at time.Time) string {
	c, err := totp.GenerateCodeCustom(m.Secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		panic(err)
	}
	return c
}

// New makes a staff member of tenant t with roles and an enrolled second factor. Its
// first name is the letters of the e-mail's local part, so is its username (m.Username,
// with a number added if taken); it signs in with the e-mail too.
func New(tb testing.TB, svc *staff.Service, t account.Tenant, email string, roles ...sop.Role) Member {
	tb.Helper()
	m := Unenrolled(tb, svc, t, email, roles...)
	ctx := context.Background()
	e, err := svc.BeginEnroll(ctx, m.UserID, t.Name, m.Username)
	if err != nil {
		tb.Fatalf("stafftest: begin enrol: %v", err)
	}
	m.Secret = e.Secret
	// Confirm with the previous step's code, leaving now's and the next one for logins.
	code := m.Code(time.Now().Add(-30 * time.Second))
	if m.RecoveryCodes, err = svc.ConfirmEnroll(ctx, m.UserID, code); err != nil {
		tb.Fatalf("stafftest: confirm enrol: %v", err)
	}
	if m.Member, err = svc.Member(ctx, m.UserID); err != nil {
		tb.Fatal(err)
	}
	return m
}

// Unenrolled makes a staff member who has not set up the second factor yet: the first
// login leads to /masuk/aktifkan-2fa.
func Unenrolled(tb testing.TB, svc *staff.Service, t account.Tenant, email string, roles ...sop.Role) Member {
	tb.Helper()
	ctx := context.Background()
	// The first name is the letters of the e-mail's local part ("kasi2@…" → "kasi").
	var b []rune
	for _, r := range email {
		if r == '@' {
			break
		}
		if unicode.IsLetter(r) {
			b = append(b, r)
		}
	}
	first := string(b)
	if first == "" {
		first = "Petugas"
	}
	u, _, err := svc.Add(ctx, t, staff.AddInput{FirstName: first, Email: email, Roles: roles, Password: Password}, nil)
	if err != nil {
		tb.Fatalf("stafftest: add %s: %v", email, err)
	}
	sm, err := svc.Member(ctx, u.ID)
	if err != nil {
		tb.Fatalf("stafftest: member %s: %v", email, err)
	}
	return Member{Member: sm, Password: Password}
}
