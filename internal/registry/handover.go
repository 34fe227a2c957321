package registry

import (
	"context"
	"fmt"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/roster"
)

// Handover of an institutional mailbox (issue 19). Its responsible PNS is its owner; the
// password and its resets go to that person alone. When they can no longer answer for it
// (their own account deactivated; the roster says they left, are no longer active or
// moved to another unit), the mailbox is flagged "perlu serah terima": it keeps working
// on the server, since the unit still receives mail there, and is never locked silently.
// Staff see the flag and a filter on the registry page; the Serah Terima service
// (sop.ServiceHandover) names the new responsible PNS, whose step gives them a new
// password and clears the flag.

// The reasons a mailbox waits for a handover (Mailbox.Handover), the words translated
// as "registry.handover.<reason>".
const (
	HandoverDeactivated = "nonaktif"    // the responsible person's own mailbox was deactivated
	HandoverLeft        = "keluar"      // the roster no longer lists them
	HandoverInactive    = "tidak_aktif" // the roster lists them as no longer active
	HandoverMoved       = "pindah"      // the roster lists them in another unit or instansi
)

// HandoverStore is what flagging needs beyond Store.
type HandoverStore interface {
	// InstitutionalOf lists a tenant's institutional mailboxes, still on the server and
	// not deactivated, whose responsible person is ownerID (when not 0) or has nip (when
	// not ""), by address.
	InstitutionalOf(ctx context.Context, tenantID, ownerID int64, nip string) ([]Mailbox, error)
	// InstitutionalNIPs gives the NIPs of the responsible persons of a tenant's
	// institutional mailboxes: the few a roster import looks for among its changes.
	InstitutionalNIPs(ctx context.Context, tenantID int64) (map[string]bool, error)
	// HandoverCount counts a tenant's mailboxes waiting for a handover.
	HandoverCount(ctx context.Context, tenantID int64) (int, error)
}

// Responsible is who answers for an institutional mailbox: a portal account, its NIP
// and name.
type Responsible struct {
	OwnerID int64
	NIP     string
	Name    string
}

// ResponsibleGone flags, in the caller's transaction, the institutional mailboxes whose
// responsible person is ownerID or nip for handover with reason, each with its audit
// entry (detail says what happened: the deactivation's request, the roster import). A
// mailbox flagged already keeps its first reason. It returns the mailboxes flagged now.
func (s *Service) ResponsibleGone(ctx context.Context, tenantID, ownerID int64, nip, reason, detail string, by audit.Actor) ([]Mailbox, error) {
	hs, ok := s.Store.(HandoverStore)
	if !ok || (ownerID == 0 && nip == "") {
		return nil, nil
	}
	list, err := hs.InstitutionalOf(ctx, tenantID, ownerID, nip)
	if err != nil {
		return nil, fmt.Errorf("registry: institutional mailboxes of %d/%s: %w", ownerID, nip, err)
	}
	var out []Mailbox
	for _, m := range list {
		if m.Handover != "" {
			continue
		}
		now := s.now()
		m.Handover, m.HandoverAt, m.UpdatedAt = reason, now, now
		ok, err := s.Store.UpdateMailbox(ctx, &m)
		if err != nil {
			return out, fmt.Errorf("registry: flag %s: %w", m.Address, err)
		}
		if !ok {
			return out, ErrChanged
		}
		if err := s.record(ctx, by, m, "mailbox.handover_needed", reason+": "+detail); err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

// InstitutionalNIPs gives the NIPs responsible for a tenant's institutional mailboxes.
func (s *Service) InstitutionalNIPs(ctx context.Context, tenantID int64) (map[string]bool, error) {
	hs, ok := s.Store.(HandoverStore)
	if !ok {
		return nil, nil
	}
	return hs.InstitutionalNIPs(ctx, tenantID)
}

// HandoverReason is the flag a roster change sets on the mailboxes of the person it is
// about, "" for a change that needs no handover (a new entry, a status change).
func HandoverReason(change roster.ChangeKind) string {
	switch change {
	case roster.Left:
		return HandoverLeft
	case roster.Inactive:
		return HandoverInactive
	case roster.Moved:
		return HandoverMoved
	}
	return ""
}
