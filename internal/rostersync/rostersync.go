// Package rostersync is the roster-driven side of a mailbox's life (issue 14): an import
// of the tenant's data kepegawaian computes what changed since the last one (new, left,
// moved, status changed; roster.Diff, in the import's one pass) and keeps it as a report
// for the tenant admin; from the report, and only by a person, the deactivation of each
// mailbox whose owner left the roster or is no longer active is proposed: a deactivation
// request per mailbox, a task for the step's role, never an automatic deletion.
//
// An import also flags, in the run's transaction, the institutional mailboxes whose
// responsible PNS left the roster, is no longer active or moved to another unit or
// instansi: "perlu serah terima" on the registry page (registry.Service.ResponsibleGone),
// the mailbox untouched on the server until staff name a new responsible PNS.
package rostersync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Proposal is a mailbox whose owner a run found gone or inactive.
type Proposal struct {
	Mailbox registry.Mailbox
	Change  roster.Change
}

// Store keeps the runs. Methods called with the ctx given to Tx's fn run in it.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	// ImportRosterDiff replaces the tenant's roster with src, as roster.Importer does,
	// comparing it with the roster it replaces as it goes: emit hears each change.
	ImportRosterDiff(ctx context.Context, tenantID int64, src roster.Source, emit func(roster.Change) error) (roster.Summary, error)
	// SaveRosterRun records run and its kept changes, filling run.ID.
	SaveRosterRun(ctx context.Context, run *roster.Run, changes []roster.Change) error
	RosterRuns(ctx context.Context, tenantID int64, limit int) ([]roster.Run, error)
	RosterRun(ctx context.Context, id int64) (roster.Run, error)
	// RosterChanges lists a run's kept changes, those that propose first, then by NIP.
	RosterChanges(ctx context.Context, runID int64, limit int) ([]roster.Change, error)
	// RosterProposals lists the mailboxes (active or locked, still on the server) of
	// the NIPs a run found gone or inactive, by address.
	RosterProposals(ctx context.Context, run roster.Run) ([]Proposal, error)
	// MarkRosterProposed marks a run's proposals made; false if they were already.
	MarkRosterProposed(ctx context.Context, runID int64, at time.Time) (bool, error)
}

// Service imports rosters and proposes deactivations from their reports.
type Service struct {
	Store Store
	// Requests starts the deactivation requests a report proposes (nil: none can be).
	Requests *request.Service
	// Registry flags the institutional mailboxes whose responsible PNS an import finds
	// gone, inactive or moved (nil: none are).
	Registry *registry.Service
	Audit    audit.Writer
	Options  roster.Options
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

// Readers are the roles that import rosters and read their reports.
var Readers = []sop.Role{sop.RoleTenantAdmin}

func allowed(m staff.Member) error {
	if !m.HasAny(Readers...) {
		return errs.New(errs.Forbidden, "workflow.not_your_role", sop.RoleTenantAdmin.Label("id"))
	}
	return nil
}

// Import reads a roster CSV from r (checked row by row and sorted, as roster.Import),
// replaces the tenant's roster with it and records what changed as a run: its report.
// by is who imported it (audit.System for the schedule or the command line), source
// where the file came from. A refused file (a *roster.FileError) changes nothing.
func (s *Service) Import(ctx context.Context, tenantID int64, by audit.Actor, source string, r io.Reader) (roster.Run, error) {
	rd, err := roster.NewReader(r)
	if err != nil {
		return roster.Run{}, err
	}
	sorted, err := roster.Sort(rd, s.Options)
	if err != nil {
		return roster.Run{}, err
	}
	defer sorted.Close()
	// The responsible persons of institutional mailboxes are few: the changes about them
	// are kept whole, whatever MaxKept keeps for the report.
	var responsible map[string]bool
	if s.Registry != nil {
		if responsible, err = s.Registry.InstitutionalNIPs(ctx, tenantID); err != nil {
			return roster.Run{}, err
		}
	}
	var proposing, other, handovers []roster.Change
	emit := func(c roster.Change) error {
		if responsible[c.NIP] && registry.HandoverReason(c.Kind) != "" {
			handovers = append(handovers, c)
		}
		switch {
		case c.Kind.Proposes() && len(proposing) < roster.MaxKept:
			proposing = append(proposing, c)
		case !c.Kind.Proposes() && len(other) < roster.MaxKept:
			other = append(other, c)
		}
		return nil
	}
	sum, err := s.Store.ImportRosterDiff(ctx, tenantID, sorted, emit)
	if err != nil {
		return roster.Run{}, err
	}
	kept := append(proposing, other[:min(len(other), roster.MaxKept-len(proposing))]...)
	run := roster.Run{TenantID: tenantID, Source: source, ByID: by.ID, ByName: by.Name, At: s.now(), Summary: sum, Kept: len(kept)}
	err = s.Store.Tx(ctx, func(ctx context.Context) error {
		if err := s.Store.SaveRosterRun(ctx, &run, kept); err != nil {
			return err
		}
		for _, c := range handovers {
			detail := fmt.Sprintf("impor data kepegawaian #%d: NIP %s %s", run.ID, c.NIP, c.Kind)
			if _, err := s.Registry.ResponsibleGone(ctx, tenantID, 0, c.NIP, registry.HandoverReason(c.Kind), detail, by); err != nil {
				return err
			}
		}
		if s.Audit == nil {
			return nil
		}
		c := sum.Counts
		return s.Audit.Record(ctx, by.Entry(tenantID, "roster.import", audit.Object("roster_run", run.ID),
			fmt.Sprintf("%s: %d entri; baru %d, keluar %d, nonaktif %d, pindah %d, status %d", source, sum.Entries,
				c[roster.Joined], c[roster.Left], c[roster.Inactive], c[roster.Moved], c[roster.Restatus])))
	})
	return run, err
}

// Runs lists m's tenant's last imports, newest first.
func (s *Service) Runs(ctx context.Context, m staff.Member) ([]roster.Run, error) {
	if err := allowed(m); err != nil {
		return nil, err
	}
	return s.Store.RosterRuns(ctx, m.TenantID, 50)
}

// Report is a run's page: its counts, its first changes and the mailboxes it proposes
// to deactivate.
type Report struct {
	Run       roster.Run
	Changes   []roster.Change
	Proposals []Proposal
}

// ReportRows bounds the changes a report page lists (the run keeps up to MaxKept).
const ReportRows = 500

// Report reads run id for m; another tenant's run does not exist for them.
func (s *Service) Report(ctx context.Context, m staff.Member, id int64) (Report, error) {
	if err := allowed(m); err != nil {
		return Report{}, err
	}
	run, err := s.Store.RosterRun(ctx, id)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && run.TenantID != m.TenantID) {
		return Report{}, errs.New(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return Report{}, err
	}
	rep := Report{Run: run}
	if rep.Changes, err = s.Store.RosterChanges(ctx, id, ReportRows); err != nil {
		return rep, err
	}
	if rep.Proposals, err = s.Store.RosterProposals(ctx, run); err != nil {
		return rep, err
	}
	return rep, nil
}

// Propose starts, for each mailbox the report of run id proposes, a deactivation request
// in its owner's name (kind mutasi for one who left the roster, pensiun for one no longer
// active, the roster's reason as its remark), by m: each is then a task of the
// deactivation flow's first step. Once per run; a mailbox with an open deactivation
// already is skipped. It returns how many requests were started.
func (s *Service) Propose(ctx context.Context, t account.Tenant, m staff.Member, ip string, id int64) (int, error) {
	rep, err := s.Report(ctx, m, id)
	if err != nil {
		return 0, err
	}
	if !rep.Run.ProposedAt.IsZero() {
		return 0, errs.New(errs.Conflict, "roster.already_proposed")
	}
	ok, err := s.Store.MarkRosterProposed(ctx, id, s.now())
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errs.New(errs.Conflict, "roster.already_proposed")
	}
	n := 0
	for _, p := range rep.Proposals {
		kind, why := "pensiun", "tidak aktif lagi"
		if p.Change.Kind == roster.Left {
			kind, why = "mutasi", "tidak ada lagi"
		}
		note := fmt.Sprintf("Diusulkan dari impor data kepegawaian #%d (%s): NIP %s %s dalam data kepegawaian.",
			rep.Run.ID, rep.Run.At.Format("02-01-2006"), p.Change.NIP, why)
		_, err := s.Requests.StaffStart(ctx, t, m, ip, p.Mailbox, sop.ServiceDeactivate, kind, map[string]string{"keterangan": note})
		switch {
		case err == nil:
			n++
		case errs.CodeOf(err) == errs.Conflict, errs.CodeOf(err) == errs.Invalid:
			// An open deactivation already, or the mailbox changed meanwhile.
		default:
			return n, fmt.Errorf("propose %s: %w", p.Mailbox.Address, err)
		}
	}
	return n, nil
}

// SourceName is how an uploaded file is named in a run.
func SourceName(kind, name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		name = name[:200]
	}
	return kind + ": " + name
}
