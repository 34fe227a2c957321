package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/workflow"
)

// caseData is the staff's request page.
type caseData struct {
	viewData
	Applicant account.User
	// ApplicantEmail is the applicant's e-mail, empty for a walk-in applicant who gave
	// none (their record holds a placeholder).
	ApplicantEmail string
	Running        *request.Step
	Actions        []workflow.Action
	CanAct         bool
	Capacity       *capacityFigures
	Credential     workflow.CredentialState
	CanLetter      bool
	// Fix: a front-desk request waits for the desk to enter its correction, and the
	// viewer is at the front desk.
	Fix   bool
	Trail []trailRow
}

// trailRow is one audit entry with its time in words.
type trailRow struct {
	audit.Entry
	When string
}

// capacityFigures is the mail server's use against the tenant's limits (seed 004 step 3).
type capacityFigures struct {
	workflow.CapacityView
}

// AccountsPct and QuotaPct fill the capacity bars; 0 when there is no limit.
func (c capacityFigures) AccountsPct() int {
	if c.Limits.MaxAccounts == 0 {
		return 0
	}
	return min(100, c.Now.Accounts*100/c.Limits.MaxAccounts)
}

// QuotaPct is the share of the total quota allocated.
func (c capacityFigures) QuotaPct() int64 {
	if c.Limits.TotalQuota == 0 {
		return 0
	}
	return min(100, c.Now.QuotaAllocated*100/c.Limits.TotalQuota)
}

func (s *Server) caseData(r *http.Request, p *Page, rq request.Request) (caseData, error) {
	m := staffOf(r)
	v, err := s.viewData(r, rq)
	if err != nil {
		return caseData{}, err
	}
	d := caseData{viewData: v}
	if d.Applicant, err = s.Accounts.Store.UserByID(r.Context(), rq.UserID); err != nil {
		return d, err
	}
	if request.Reachable(d.Applicant.Email) {
		d.ApplicantEmail = d.Applicant.Email
	}
	if st, ok := request.Running(v.Steps); ok && st.Kind == request.KindCorrection {
		d.Fix = rq.Channel == request.ChannelLoket && rq.Status == request.Returned && m.Has(sop.RoleFrontDesk)
	} else if ok {
		d.Running = &st
		d.CanAct = m.Has(sop.Role(st.Role))
		d.Actions = workflow.Actions(st.Kind)
		if st.Status == request.StepWorking {
			d.Actions = nil
		}
		if st.Kind == string(sop.KindCapacityCheck) || st.Kind == string(sop.KindProvision) || st.Kind == string(sop.KindReport) {
			d.Capacity = s.capacity(r, rq)
		}
	}
	// A credential exists only once a create step has run: before that, no query.
	if slices.ContainsFunc(v.Steps, func(st request.Step) bool { return st.Kind == string(sop.KindProvision) }) {
		if d.Credential, err = s.Workflow.CredentialOf(r.Context(), rq.ID); err != nil {
			return d, err
		}
	}
	d.CanLetter = rq.Status == request.Done && d.Credential.Exists && d.Credential.RevealedAt.IsZero() &&
		m.HasAny(sop.RoleFrontDesk, sop.RoleAdminMail)
	trail, err := s.Audit.AuditTrail(r.Context(), "request:"+itoa(rq.ID))
	if err != nil {
		return d, err
	}
	d.Trail = make([]trailRow, len(trail))
	for i, e := range trail {
		d.Trail[i] = trailRow{Entry: e, When: p.Time(e.At)}
	}
	return d, nil
}

func (s *Server) capacity(r *http.Request, rq request.Request) *capacityFigures {
	return &capacityFigures{s.Workflow.Capacity(r.Context(), rq.TenantID)}
}

// caseView is the staff's request page: applicant, documents, roster flags, history, the
// current step's actions and the audit trail.
func (s *Server) caseView(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "kantor.request")
	rq, err := s.Workflow.Load(r.Context(), *staffOf(r), parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	d, err := s.caseData(r, p, rq)
	if err != nil {
		return err
	}
	if d.Running != nil && d.Running.Kind == string(sop.KindProvision) {
		p.Form.Set("mail_address", rq.Address)
	}
	p.Title = rq.Number + " · " + p.Title
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor_request", p)
}

// caseAct performs a staff action on the running step. A form error shows the page again
// with the note kept; a step someone else finished first says so.
func (s *Server) caseAct(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "kantor.request")
	if err := parseForm(w, r); err != nil {
		return err
	}
	p.Form = r.PostForm
	id := parseID(r.PathValue("id"))
	in := workflow.Input{StepID: parseID(r.PostForm.Get("langkah")), Action: workflow.Action(r.PostForm.Get("aksi")),
		Note: r.PostForm.Get("note"), Address: r.PostForm.Get("mail_address"), IP: s.clientIP(r)}
	rq, err := s.Workflow.Act(r.Context(), *staffOf(r), id, in)
	if errors.Is(err, workflow.ErrAlreadyDone) {
		s.setFlash(w, "flash.already_done", "")
		return redirect(w, r, "/kantor/permohonan/"+itoa(id))
	}
	if err != nil {
		if _, ok := formError(p, err); !ok {
			return err
		}
		rq, lerr := s.Workflow.Load(r.Context(), *staffOf(r), id)
		if lerr != nil {
			return lerr
		}
		d, derr := s.caseData(r, p, rq)
		if derr != nil {
			return derr
		}
		p.Data = d
		return s.render(w, r, statusOf(codeOf(err)), "kantor_request", p)
	}
	s.setFlash(w, "flash.action_"+string(in.Action), rq.Number)
	if in.Action == workflow.Provision || in.Action == workflow.Retry {
		return redirect(w, r, "/kantor/permohonan/"+itoa(id))
	}
	return redirect(w, r, "/kantor")
}

// caseFile shows a request's document to staff of its tenant, inline.
func (s *Server) caseFile(w http.ResponseWriter, r *http.Request) error {
	rq, err := s.Workflow.Load(r.Context(), *staffOf(r), parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	files, err := s.Requests.Store.FilesOf(r.Context(), rq.ID)
	if err != nil {
		return err
	}
	fid := parseID(r.PathValue("file"))
	for _, f := range files {
		if f.ID == fid {
			return s.sendFile(w, r, f)
		}
	}
	return errs.New(errs.NotFound, "error.not_found")
}

// sendFile serves a checked document inline, sandboxed.
func (s *Server) sendFile(w http.ResponseWriter, r *http.Request, f request.File) error {
	fh, err := s.Uploads.Open(f.Name)
	if err != nil {
		return err
	}
	defer fh.Close()
	ct := map[string]string{"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "pdf": "application/pdf"}[f.Kind]
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
	w.Header().Set("Content-Disposition", `inline; filename="dokumen-`+itoa(f.ID)+`.`+f.Kind+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; object-src 'self'; plugin-types application/pdf; sandbox")
	http.ServeContent(w, r, "", f.CreatedAt, fh)
	return nil
}
