package web

import (
	"net/http"
	"strconv"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
)

// GET /permohonan/alamat is the live check of the proposed mailbox (?alamat=…&id=…, the
// request asking): the local part as it would be stored, whether it can be given, and
// why not with suggestions. For a claim (&nip=…, the NIP typed) it says whether the
// address is on the mail server and claimable: recorded for that NIP, owner unknown, or
// why not (not found, someone else's).
func (s *Server) mailboxCheck(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "form.title")
	q := r.URL.Query()
	id, _ := strconv.ParseInt(q.Get("id"), 10, 64)
	local, claim, err := s.Requests.CheckClaimable(r.Context(), p.Tenant, q.Get("alamat"), id, q.Get("nip"), request.FieldMailbox)
	res := map[string]any{"mailbox": local, "ok": err == nil, "domain": p.Tenant.MailDomain}
	if claim != "" {
		// A claim's address: whether it is on the server and whose it is recorded as.
		res["claim"], res["message"] = claim, p.T("claim.live_"+claim, local+"@"+p.Tenant.MailDomain)
	}
	if err != nil {
		e, ok := errs.As(err)
		if !ok || len(e.Fields) == 0 {
			return err
		}
		res["message"] = p.fieldMessage(e.Fields[0])
		res["suggestions"] = s.Requests.Suggest(r.Context(), p.Tenant, *p.User, id, 3)
	}
	return writeJSON(w, res, "no-store")
}
