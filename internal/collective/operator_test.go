package collective_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/collective"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/store"
)

// An OPD operator: only the tenant admin marks one (a portal account of the tenant,
// audited); the operator uploads and sends their OPD's lists, whatever OPD the form
// names, and sees no other OPD's list; an unmarked account, one of another tenant and
// a revoked operator may do nothing.
func TestOPDOperator(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st)
		now := time.Now().UTC()
		portal := func(tid int64, name string) account.User {
			u := account.User{TenantID: tid, Username: name, Email: name + "@gmail.com", FirstName: name, PasswordHash: "x",
				Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
			if err := st.CreateUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		op, other := portal(e.tenant.ID, "operator"), portal(e.tenant.ID, "warga")
		otid, _ := st.EnsureTenant(ctx, "lain", "Kantor Lain", now)
		stranger := portal(otid, "asing")
		admin := staff.Member{UserID: e.members[sop.RoleFrontDesk].UserID, TenantID: e.tenant.ID, Name: "Admin", Roles: []sop.Role{sop.RoleTenantAdmin}}

		if _, err := e.svc.MarkOperator(ctx, e.tenant, e.members[sop.RoleFrontDesk], op.Email, "Dinas Kesehatan"); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("front desk marked an operator: %v", err)
		}
		if _, err := e.svc.MarkOperator(ctx, e.tenant, admin, stranger.Email, "Dinas Kesehatan"); ruleOf(err, "email") != "operator_unknown" {
			t.Fatalf("another tenant's account marked: %v", err)
		}
		if _, err := e.svc.MarkOperator(ctx, e.tenant, admin, op.Email, " "); ruleOf(err, "instansi") != "required" {
			t.Fatalf("no OPD: %v", err)
		}
		if _, err := e.svc.MarkOperator(ctx, e.tenant, admin, " OPERATOR@gmail.com ", "Dinas  Kesehatan"); err != nil {
			t.Fatal(err)
		}
		ops, err := e.svc.Operators(ctx, e.tenant, admin)
		if err != nil || len(ops) != 1 || ops[0].UserID != op.ID || ops[0].Instansi != "Dinas Kesehatan" || ops[0].Email != op.Email {
			t.Fatalf("operators = %+v, %v", ops, err)
		}
		trail, _ := st.AuditTrail(ctx, "user:"+fmt.Sprint(op.ID))
		if len(trail) != 1 || trail[0].Action != "collective.operator_mark" || trail[0].Actor != "staff:"+fmt.Sprint(admin.UserID) {
			t.Fatalf("audit of the mark: %+v", trail)
		}

		for name, u := range map[string]account.User{"unmarked": other, "another tenant's": stranger} {
			if _, err := e.svc.Operator(ctx, e.tenant, u); errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("%s account as operator: %v", name, err)
			}
		}
		ent, err := e.svc.Operator(ctx, e.tenant, op)
		if err != nil || ent.Instansi != "Dinas Kesehatan" {
			t.Fatalf("operator = %+v, %v", ent, err)
		}
		list := "nip,nama,jabatan,unit,nomor_hp,email_pribadi,alamat_usulan\n" + nipOf(1) + ",Pegawai B Satu,Staf,Umum,081234567890,b@gmail.com,\n"
		mine, err := e.svc.UploadAs(ctx, e.tenant, ent, collective.Input{Instansi: "Dinas Pendidikan", Province: "61", Regency: "61.05",
			Letter: letter(), FileName: "daftar.csv", Data: []byte(list)})
		if err != nil {
			t.Fatal(err)
		}
		if mine.Instansi != "Dinas Kesehatan" || mine.CreatedBy != op.ID {
			t.Fatalf("operator's list: OPD %q by %d", mine.Instansi, mine.CreatedBy)
		}
		theirs, err := e.svc.Upload(ctx, e.tenant, e.members[sop.RoleFrontDesk], collective.Input{Instansi: "Dinas Pendidikan", Province: "61",
			Regency: "61.05", Letter: letter(), FileName: "lain.csv", Data: []byte(list)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.GetAs(ctx, e.tenant, ent, theirs.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("operator opened another OPD's list: %v", err)
		}
		if _, err := e.svc.UploadAs(ctx, e.tenant, ent, collective.Input{ID: theirs.ID, FileName: "x.csv", Data: []byte(list)}); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("operator re-uploaded another OPD's list: %v", err)
		}
		if _, err := e.svc.SubmitAs(ctx, e.tenant, ent, theirs.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("operator sent another OPD's list: %v", err)
		}
		if l, err := e.svc.ListAs(ctx, e.tenant, ent); err != nil || len(l) != 1 || l[0].ID != mine.ID {
			t.Fatalf("operator's lists: %+v, %v", l, err)
		}
		res, err := e.svc.SubmitAs(ctx, e.tenant, ent, mine.ID)
		if err != nil || res.Done != 1 {
			t.Fatalf("operator sent the list: %+v, %v", res, err)
		}
		got, _ := e.svc.GetAs(ctx, e.tenant, ent, mine.ID)
		steps, _ := st.StepsOf(ctx, got.Rows[0].RequestID)
		if len(steps) == 0 || steps[0].ActorID != op.ID {
			t.Fatalf("the row's first step is not the operator's: %+v", steps)
		}

		if err := e.svc.UnmarkOperator(ctx, e.tenant, admin, op.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Operator(ctx, e.tenant, op); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("revoked operator: %v", err)
		}
		if err := e.svc.UnmarkOperator(ctx, e.tenant, admin, op.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("second revoke: %v", err)
		}
	})
}

func ruleOf(err error, field string) string {
	e, ok := errs.As(err)
	if !ok {
		return ""
	}
	for _, f := range e.Fields {
		if f.Name == field {
			return f.Rule
		}
	}
	return ""
}
