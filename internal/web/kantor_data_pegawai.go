package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/rostersync"
)

// maxRosterFile bounds an uploaded roster: a national export of 4.3 million rows is
// about 265 MB.
const maxRosterFile = 1 << 30

// rosterPage is the roster's imports and, on a run's page, its report.
type rosterPage struct {
	Runs     []rosterRunRow
	Report   *rostersync.Report
	Run      rosterRunRow
	Problems []string
	Kinds    []roster.ChangeKind
}

// rosterRunRow is a run with its time as the office reads it.
type rosterRunRow struct {
	roster.Run
	When     string
	Proposed string
	Changes  string // the counts by kind, in words
}

// GET /kantor/data-pegawai is the roster's imports, newest first, and the form to
// upload a new one.
func (s *Server) kantorRoster(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "roster.title")
	if err := s.rosterRuns(r, p, nil); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "kantor_data_pegawai", p)
}

func (s *Server) rosterRuns(r *http.Request, p *Page, problems []string) error {
	runs, err := s.Rosters.Runs(r.Context(), *staffOf(r))
	if err != nil {
		return err
	}
	d := rosterPage{Problems: problems}
	for _, run := range runs {
		c := run.Summary.Counts
		d.Runs = append(d.Runs, rosterRunRow{Run: run, When: p.Time(run.At),
			Changes: p.T("roster.counts", c[roster.Joined], c[roster.Left], c[roster.Inactive], c[roster.Moved], c[roster.Restatus])})
	}
	p.Data = d
	return nil
}

// POST /kantor/data-pegawai imports an uploaded roster CSV (streamed: the file is read
// row by row, checked, sorted on disk and compared with the roster it replaces) and
// opens its report. A refused file changes nothing and lists its first problems by line.
func (s *Server) kantorRosterImport(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "roster.title")
	r.Body = http.MaxBytesReader(w, r.Body, maxRosterFile)
	mr, err := r.MultipartReader()
	if err != nil {
		return errs.New(errs.Invalid, "error.bad_form")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return errs.New(errs.Invalid, "roster.too_big", maxRosterFile>>20)
		}
		if part.FormName() != "berkas" || part.FileName() == "" {
			part.Close()
			continue
		}
		by := staffOf(r).Actor().From(s.clientIP(r))
		run, err := s.Rosters.Import(r.Context(), p.Tenant.ID, by, rostersync.SourceName("unggah", part.FileName()), part)
		part.Close()
		var fe *roster.FileError
		if errors.As(err, &fe) {
			var problems []string
			if fe.Header != "" {
				problems = append(problems, fe.Header)
			}
			for _, x := range fe.Problems {
				problems = append(problems, x.String())
			}
			if more := fe.Total - len(fe.Problems); more > 0 {
				problems = append(problems, p.T("roster.more_problems", more))
			}
			if err := s.rosterRuns(r, p, problems); err != nil {
				return err
			}
			p.Error = p.T("roster.refused")
			return s.render(w, r, http.StatusUnprocessableEntity, "kantor_data_pegawai", p)
		}
		if err != nil {
			return err
		}
		s.setFlash(w, "flash.roster_imported", itoa(int64(run.Summary.Entries)))
		return redirect(w, r, "/kantor/data-pegawai/"+itoa(run.ID))
	}
	if err := s.rosterRuns(r, p, nil); err != nil {
		return err
	}
	p.Errors["berkas"] = p.T("rule.file_required", p.T("field.berkas"))
	p.Error = p.T("form.invalid")
	return s.render(w, r, http.StatusUnprocessableEntity, "kantor_data_pegawai", p)
}

// GET /kantor/data-pegawai/{id} is an import's report: what changed since the import
// before (new, left, inactive, moved, status) and the mailboxes whose owner left or is no
// longer active, each proposed for deactivation only when the admin says so.
func (s *Server) kantorRosterRun(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "roster.report")
	rep, err := s.Rosters.Report(r.Context(), *staffOf(r), parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	d := rosterPage{Report: &rep, Run: rosterRunRow{Run: rep.Run, When: p.Time(rep.Run.At)},
		Kinds: []roster.ChangeKind{roster.Joined, roster.Left, roster.Inactive, roster.Moved, roster.Restatus}}
	if !rep.Run.ProposedAt.IsZero() {
		d.Run.Proposed = p.Time(rep.Run.ProposedAt)
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor_data_pegawai_laporan", p)
}
