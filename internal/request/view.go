package request

import (
	"context"
	"fmt"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
)

// View is a request as its pages show it, read in one call: its form (with the front
// desk's scan for a walk-in request), its documents, its history and the SOP its tenant
// follows, for the progress bar.
type View struct {
	Request Request
	Service Offering
	Kind    Kind
	Files   []File
	Steps   []Step
	SOP     sop.Definition
}

// Delayed tells whether the request waits on an automatic step that gave up (the mail
// server failed it repeatedly) until staff retry it: the applicant is told plainly, not
// shown "diproses" as if all were well.
func (v View) Delayed() bool {
	st, ok := Running(v.Steps)
	return ok && st.Status == StepFailed
}

// View reads what the pages of r show. r was loaded by whoever may see it (Get for its
// owner, the back office's Load for staff of its tenant); t is its tenant.
func (s *Service) View(ctx context.Context, t account.Tenant, r Request) (View, error) {
	files, err := s.Store.FilesOf(ctx, r.ID)
	if err != nil {
		return View{Request: r}, fmt.Errorf("view request %d: %w", r.ID, err)
	}
	steps, err := s.Store.StepsOf(ctx, r.ID)
	if err != nil {
		return View{Request: r}, fmt.Errorf("view request %d: %w", r.ID, err)
	}
	return s.ViewOf(ctx, t, r, files, steps)
}

// ViewOf is View of r with its files and history read already (the back office reads
// them with the rest of its page, workflow.Engine.Case).
func (s *Service) ViewOf(ctx context.Context, t account.Tenant, r Request, files []File, steps []Step) (View, error) {
	v := View{Request: r, Files: files, Steps: steps}
	var err error
	if v.Service, v.Kind, err = s.FormOf(r); err != nil {
		return v, err
	}
	if v.SOP, _, err = s.Book.ServiceWorkflow(ctx, t.SOPRef(), r.Service); err != nil {
		return v, err
	}
	v.SOP = v.SOP.Flow(r.Service)
	return v, nil
}

// Documents lists the documents of r, loaded by whoever may see it (see View).
func (s *Service) Documents(ctx context.Context, r Request) ([]File, error) {
	files, err := s.Store.FilesOf(ctx, r.ID)
	if err != nil {
		return nil, fmt.Errorf("documents of request %d: %w", r.ID, err)
	}
	return files, nil
}

// Document finds one document of r (loaded by whoever may see it); another request's is
// not found.
func (s *Service) Document(ctx context.Context, r Request, fileID int64) (File, error) {
	files, err := s.Documents(ctx, r)
	if err != nil {
		return File{}, err
	}
	for _, f := range files {
		if f.ID == fileID {
			if !f.PurgedAt.IsZero() {
				return File{}, errs.New(errs.NotFound, "request.file_purged")
			}
			return f, nil
		}
	}
	return File{}, errs.New(errs.NotFound, "error.not_found")
}

// ReadNotifications gives u's newest notifications, at most limit, and marks them all
// read: the list is what the notifications page shows.
func (s *Service) ReadNotifications(ctx context.Context, u account.User, limit int) ([]Notification, error) {
	ns, err := s.Store.NotificationsOf(ctx, u.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("notifications of %d: %w", u.ID, err)
	}
	if err := s.Store.MarkRead(ctx, u.ID); err != nil {
		return nil, fmt.Errorf("notifications of %d: %w", u.ID, err)
	}
	return ns, nil
}
