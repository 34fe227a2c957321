package zimbra

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"

	"github.com/surel-id/surel/internal/mailbox"
)

var _ mailbox.Purger = (*Server)(nil)

type deleteAccountRequest struct {
	XMLName xml.Name `xml:"urn:zimbraAdmin DeleteAccountRequest"`
	ID      string   `xml:"id,attr"`
}

type deleteAccountResponse struct{}

// Purge deletes a deactivated account for good (mailbox.Purger): DeleteAccountRequest by
// its zimbraId, which deletes the mailbox (messages, contacts, calendar, briefcase) and
// then the account's directory entry with its aliases and list memberships
// (service/admin/DeleteAccount.java; account/ldap/LdapProvisioning.java, deleteAccount).
//
// Only an account whose zimbraAccountStatus is closed (Deactivate) is deleted; any other
// status is mailbox.ErrNotAllowed. Zimbra puts the account in maintenance before deleting
// its mailbox, so one whose deletion stopped half-way reads maintenance, as one being
// moved does: it is refused with that said, never deleted on a guess. A name that is an
// alias of another account is refused too: the account it leads to is someone else's.
//
// A delegated admin without the deleteAccount right is refused with the same fault as
// for an account that no longer exists (service.PERM_DENIED "can not access account",
// the defence against harvesting names): the account is looked up again to tell them
// apart, so an account deleted meanwhile is mailbox.ErrNoSuchMailbox and a missing right
// is mailbox.ErrNotAllowed naming the right to grant.
func (s *Server) Purge(ctx context.Context, address string) error {
	_, domain, err := mailbox.Split(address)
	if err != nil {
		return fmt.Errorf("zimbra: purge: %w", err)
	}
	a, err := s.account(ctx, address)
	if err != nil {
		return fmt.Errorf("zimbra: purge %s: %w", address, err)
	}
	if a.Name != address {
		return fmt.Errorf("zimbra: purge %s: %w: the address is an alias of the account %s, which is not deleted", address, mailbox.ErrNotAllowed, a.Name)
	}
	switch st := a.attr("zimbraAccountStatus"); st {
	case "closed":
	case "maintenance":
		return fmt.Errorf("zimbra: purge %s: %w: the account is in maintenance (Zimbra moving or restoring it, or a deletion that stopped half-way: DeleteAccount sets maintenance first); once no move is under way, delete it on the server (zmprov da %s) and refuse this step", address, mailbox.ErrNotAllowed, address)
	default:
		return fmt.Errorf("zimbra: purge %s: %w: the account is not deactivated (zimbraAccountStatus %s, not closed)", address, mailbox.ErrNotAllowed, st)
	}
	var resp deleteAccountResponse
	err = s.c.call(ctx, deleteAccountRequest{ID: a.ID}, &resp)
	var f *Fault
	switch {
	case err == nil:
		return nil
	case errors.As(err, &f) && f.Code == codeNoSuchAccount:
		return fmt.Errorf("zimbra: purge %s: %w: deleted meanwhile (%s)", address, mailbox.ErrNoSuchMailbox, f.Reason)
	case errors.As(err, &f) && f.Code == codePermDenied:
		if _, gerr := s.account(ctx, address); errors.Is(gerr, mailbox.ErrNoSuchMailbox) {
			return fmt.Errorf("zimbra: purge %s: %w: deleted meanwhile", address, mailbox.ErrNoSuchMailbox)
		}
		return fmt.Errorf("zimbra: purge %s: %w: grant %s", address, mailbox.ErrNotAllowed, grant(s.c.user, "deleteAccount", domain))
	}
	return fmt.Errorf("zimbra: purge %s: %w", address, s.mapFault(err, domain))
}
