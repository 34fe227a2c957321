package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/registry"
)

// syncPage is the data of kantor_akun_sinkron.
type syncPage struct {
	Runs     []syncRow
	ToReview int
	Running  bool
	MailHost string
	// Schedule is the daily sync's time and zone ("02:00 WIB"), "" when none.
	Schedule string
	// Last is the newest sync, nil before the first.
	Last *syncRow
}

// syncRow is one sync with its times in words.
type syncRow struct {
	registry.SyncRun
	Started  string
	Finished string
}

// GET /kantor/akun/sinkron is the tenant admin's sync of the mail server into the
// registry: the last syncs with what each found, the button that starts one (a job:
// a large domain takes minutes), the daily sync's time if the tenant has one and the
// last sync's result, and the review queue's size.
func (s *Server) accountsSyncPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "sync.title")
	m := staffOf(r)
	runs, err := s.Registry.Syncs(r.Context(), m.TenantID, 10)
	if err != nil {
		return err
	}
	n, err := s.Registry.ReviewCount(r.Context(), m.TenantID)
	if err != nil {
		return err
	}
	d := syncPage{ToReview: n, MailHost: p.Tenant.MailDomain}
	for _, run := range runs {
		row := syncRow{SyncRun: run, Started: p.Time(run.StartedAt)}
		if !run.FinishedAt.IsZero() {
			row.Finished = p.Time(run.FinishedAt)
		}
		d.Runs = append(d.Runs, row)
	}
	if len(d.Runs) > 0 {
		d.Last = &d.Runs[0]
	}
	if d.Running, err = s.Workflow.SyncPending(r.Context(), m.TenantID); err != nil {
		return err
	}
	now := s.now()
	sch, ok, err := s.Workflow.SyncScheduleOf(r.Context(), m.TenantID, now)
	if err != nil {
		return err
	}
	if ok {
		d.Schedule = sch.At + " " + now.In(sch.Zone).Format("MST")
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor_akun_sinkron", p)
}

// POST /kantor/akun/sinkron queues a sync of the tenant's mail server; one already
// queued or running is said so, not doubled.
func (s *Server) accountsSync(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	err := s.Workflow.RequestSync(r.Context(), *staffOf(r), s.clientIP(r))
	switch {
	case errs.CodeOf(err) == errs.Conflict:
		s.setFlash(w, "flash.sync_running", "")
	case err != nil:
		return err
	default:
		s.setFlash(w, "flash.sync_queued", "")
	}
	return redirect(w, r, "/kantor/akun/sinkron")
}
