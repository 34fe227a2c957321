package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// DefaultRetention is how long a deactivated mailbox is kept when the tenant's mail
// server configuration names no retention_days.
const DefaultRetention = 365 * 24 * time.Hour

// lifecycle does the step of a service on an existing mailbox (issue 14): the mail
// server is called, and only once it has confirmed, the step ends and the registry
// records the new state, in one transaction. Every call is idempotent (the reset's
// password is chosen and sealed once per request, before the server sees it; a second
// deactivation, reactivation or quota is the same state), so a run repeated after a crash
// or a lost reply does no harm. A refusal retrying cannot cure (no such mailbox, the
// server's password policy, a right surel lacks) gives up at once: the step shows the
// server's error with its retry.
func (e *Engine) lifecycle(ctx context.Context, j jobs.Job) error {
	r, st, ms, release, ok, err := e.onServer(ctx, j.Ref, "")
	if err != nil || !ok {
		return err
	}
	defer release()
	addr := r.MailboxAddress()
	var c registry.Change
	var note string
	switch kind := sop.Kind(st.Kind); kind {
	case sop.KindResetPassword:
		note, err = e.resetPassword(ctx, r, ms)
		c = registry.Change{Action: "mailbox.reset_password"}
	case sop.KindDeactivate:
		err = ms.Server.Deactivate(ctx, addr)
		keep := ms.Retention
		if keep <= 0 {
			keep = DefaultRetention
		}
		note = "Akun " + addr + " dinonaktifkan: login dan penerimaan email ditolak; data disimpan sampai " + e.now().Add(keep).Format("02-01-2006")
		c = registry.Change{Status: registry.Inactive, Retention: keep, Action: "mailbox.deactivate"}
	case sop.KindReactivate:
		err = ms.Server.SetLocked(ctx, addr, false)
		note = "Akun " + addr + " aktif kembali"
		c = registry.Change{Status: registry.Active, Action: "mailbox.reactivate"}
	case sop.KindPurge:
		note, err = e.purge(ctx, addr, ms)
		c = registry.Change{Status: registry.Removed, Action: "mailbox.purge"}
	case sop.KindQuotaChange:
		q := r.QuotaBytes()
		if q <= 0 {
			return jobs.Permanent(fmt.Errorf("request %d asks no quota", r.ID))
		}
		err = ms.Server.SetQuota(ctx, addr, q)
		note = fmt.Sprintf("Kuota %s diubah menjadi %d MB", addr, q>>20)
		c = registry.Change{Quota: &q, Action: "mailbox.quota"}
	case sop.KindHandover:
		// The new responsible PNS is the request's applicant: they get a new password
		// (revealed once to them, or printed in one letter), and the registry names them.
		note, err = e.resetPassword(ctx, r, ms)
		note = "Akun " + addr + " diserahkan kepada " + e.ownerName(ctx, r) + " (NIP " + r.Values["nip"] + "). " + note
		c = registry.Change{Action: "mailbox.handover",
			Responsible: &registry.Responsible{OwnerID: r.UserID, NIP: r.Values["nip"], Name: e.ownerName(ctx, r)}}
	default:
		return jobs.Permanent(fmt.Errorf("step kind %s is no lifecycle step", kind))
	}
	if err != nil {
		if errors.Is(err, mailbox.ErrNoSuchMailbox) || errors.Is(err, mailbox.ErrNoSuchDomain) ||
			errors.Is(err, mailbox.ErrNotAllowed) || errors.Is(err, mailbox.ErrPasswordPolicy) {
			return jobs.Permanent(err)
		}
		return err
	}
	c.Detail = r.Number
	return e.completeAuto(ctx, r, st, request.StepDone, note, c.Action, func(ctx context.Context) error {
		if e.Registry == nil {
			return nil
		}
		m, err := e.Registry.Apply(ctx, r.TenantID, addr, c, audit.System)
		if err != nil || c.Status != registry.Inactive || m.Kind != registry.Personal || m.OwnerID == 0 {
			return err
		}
		// A person deactivated can no longer answer for a unit's mailbox: those they are
		// responsible for wait for a handover, still working (never locked silently).
		_, err = e.Registry.ResponsibleGone(ctx, r.TenantID, m.OwnerID, m.NIP, registry.HandoverDeactivated,
			"penonaktifan "+addr+" ("+r.Number+")", audit.System)
		return err
	})
}

// resetPassword gives the request's mailbox the request's new password (sealed once,
// revealed once to the owner or printed in one letter) and asks for a new one at the
// first login: a mailbox surel made is created again for its owner, which sets both the
// password and the mark on every driver; one a sync adopted (no owner mark) gets the
// password, then the mark where the server keeps one (mailbox.MustChanger: Zimbra, sql),
// and on a server without one (cPanel) the note says the mark could not be set. A rerun
// after a crash between the two calls sets both again.
func (e *Engine) resetPassword(ctx context.Context, r request.Request, ms MailServer) (string, error) {
	addr := r.MailboxAddress()
	pw, err := e.password(ctx, r, ms)
	if err != nil {
		return "", err
	}
	info, err := ms.Server.Get(ctx, addr)
	if err != nil {
		return "", err
	}
	note := "Kata sandi " + addr + " direset; wajib diganti saat login pertama"
	if info.Owner != "" {
		err = ms.Server.Create(ctx, mailbox.New{Address: addr, Name: e.ownerName(ctx, r), Password: pw, Owner: info.Owner, MustChange: true})
	} else {
		err = ms.Server.SetPassword(ctx, addr, pw)
		mc, ok := ms.Server.(mailbox.MustChanger)
		var warn *mailbox.PolicyWarning
		switch {
		case err != nil && !errors.As(err, &warn):
		case ok:
			if merr := mc.RequireChange(ctx, addr); merr != nil {
				err = merr
			}
		default:
			note = "Kata sandi " + addr + " direset (server ini tidak mengenal kewajiban ganti kata sandi saat login pertama)"
		}
	}
	var warn *mailbox.PolicyWarning
	if errors.As(err, &warn) {
		return note + ". Peringatan server: " + warn.Message, nil
	}
	return note, err
}

// purge deletes the deactivated mailbox at addr on the server (mailbox.Purger: the sql
// driver's row, Zimbra's DeleteAccountRequest, cPanel's delete_pop). A mailbox the
// server no longer has counts as purged: a rerun after a crash, or one deleted by hand
// meanwhile, ends the same way. A refusal (not deactivated on the server, a right surel
// lacks) gives up at once with the driver's reason. Only a driver without Purger leaves
// the deletion to staff by hand, and says so.
func (e *Engine) purge(ctx context.Context, addr string, ms MailServer) (string, error) {
	p, ok := ms.Server.(mailbox.Purger)
	if !ok {
		return "", jobs.Permanent(fmt.Errorf("%w: this mail server's driver cannot delete a mailbox; delete %s on the server by hand, then refuse this step", mailbox.ErrNotAllowed, addr))
	}
	err := p.Purge(ctx, addr)
	if errors.Is(err, mailbox.ErrNoSuchMailbox) {
		return "Akun " + addr + " sudah tidak ada di mail server; dicatat dihapus", nil
	}
	if err != nil {
		return "", err
	}
	return "Akun " + addr + " dihapus permanen dari mail server setelah masa retensi", nil
}
