package request

import (
	"context"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
)

// A step's life, in one place. Every SOP step a request goes through is one Step: a row
// of the history table the applicant and staff see (seed 000, Gambar 9) and the step's
// SLA clock. History is the only writer of that life: it enters a step (its clock starts
// on the tenant's working calendar), stops the clock while the request waits for the
// applicant and starts it again with the working time that was left, and ends the step
// with its verdict, which is stored and never recomputed. The applicant's side
// (Service: Kirim, a correction) and the back office (internal/workflow: staff actions,
// jobs) both go through it.

// Step is one step of a request: who did which process, when it started, its clock (due
// time, paused while the request waits for the applicant), when it finished and whether
// that was in SLA.
type Step struct {
	ID        int64
	RequestID int64
	TenantID  int64
	Seq       int
	Key       string // the SOP step's key; a correction row has the key of the step it pauses
	Name      string
	Role      string
	Kind      string // the SOP step's kind (sop.Kind), or KindCorrection
	Jabatan   string
	Actor     string
	ActorID   int64 // the user who ended the step; 0 for the system
	StartedAt time.Time
	// Clock is the SLA clock: Due (zero for an untimed row: a done step, a correction)
	// and PausedAt (set while the step waits for the applicant).
	sop.Clock
	FinishedAt time.Time
	Status     StepStatus
	SLA        string // sop.VerdictIn, sop.VerdictOver, or "" while open or untimed
	Note       string
	// WorkMinutes is the working time a timed step took, stored when it ends: the
	// minutes of working hours from its start to its end, less PausedMinutes, the
	// working time it waited for the applicant. -1 while open, for an untimed row, and
	// for a step that ended before working times were kept.
	WorkMinutes   int
	PausedMinutes int
}

// Open reports whether the step has not ended.
func (s Step) Open() bool { return s.FinishedAt.IsZero() }

// Running reports whether the step waits for someone now: open and its clock not
// stopped.
func (s Step) Running() bool { return s.Open() && !s.Paused() }

// StepStatus is the state of a step; the interface translates it ("stepstatus.<code>").
type StepStatus string

// The step statuses, all of them: the applicant's side and the back office's.
const (
	StepOpen      StepStatus = "open"       // waiting for its role
	StepPaused    StepStatus = "paused"     // returned to the applicant: the clock stands still
	StepDone      StepStatus = "done"       // finished and forwarded
	StepReturned  StepStatus = "returned"   // the applicant's correction after a return
	StepRefused   StepStatus = "refused"    // the request was refused at this step
	StepWorking   StepStatus = "working"    // an automatic step whose job is queued or running
	StepFailed    StepStatus = "failed"     // an automatic step whose job gave up: staff may retry
	StepNotTested StepStatus = "not_tested" // an account test with no IMAP server configured
)

// KindCorrection is the kind of the correction row opened when a step is returned to
// the applicant (Return).
const KindCorrection = "correction"

// Running is the request's step waiting for someone now (staff, a job, or the applicant's
// correction), if any: steps in history order.
func Running(steps []Step) (Step, bool) {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Running() {
			return steps[i], true
		}
	}
	return Step{}, false
}

// WholeSOP is the key a closed request is counted under in the reports' daily counts
// (StepCount): the SOP as a whole.
const WholeSOP = "*"

// StepCount is one ended step, or one closed request (Key WholeSOP), as the reports'
// daily counts take it: the day it ended in the tenant's zone (sop.Date.Num), its
// working-time bucket (sop.WorkBucket) and its verdict. The store adds the request's
// service.
type StepCount struct {
	TenantID, RequestID int64
	Day                 int
	Key, Role           string
	Minutes             int
	InSLA               bool
}

// OutcomeCount is one return to the applicant (a correction row opened) or one refusal,
// as the reports' daily counts of outcomes take it: the day in the tenant's zone, the
// step it happened at and the reason given. The store adds the request's service and
// instansi.
type OutcomeCount struct {
	TenantID, RequestID int64
	Day                 int
	Key                 string
	Refusal             bool
	Reason              string
}

// ErrStepMoved is what History answers when the step changed since it was read: someone
// else ended, paused or resumed it first. The store's conditional updates decide, so two
// people acting on one step cannot both win.
var ErrStepMoved = errs.New(errs.Conflict, "workflow.already_done")

// StepStore writes steps, in the caller's transaction. The conditional methods answer
// false, without writing, when the step is not in the state they expect.
type StepStore interface {
	AddStep(ctx context.Context, s *Step) error
	StepsOf(ctx context.Context, requestID int64) ([]Step, error)
	// FinishStep ends st (its FinishedAt, Status, SLA, Actor, ActorID, Note,
	// WorkMinutes) if it is still running.
	FinishStep(ctx context.Context, st Step) (bool, error)
	// PauseStep stops a running step's clock: it writes st's PausedAt and Status.
	PauseStep(ctx context.Context, st Step) (bool, error)
	// ResumeStep restarts a paused step's clock: it clears PausedAt and writes st's Due,
	// Status and PausedMinutes.
	ResumeStep(ctx context.Context, st Step) (bool, error)
	// SetStepStatus changes a running step's status from from to to.
	SetStepStatus(ctx context.Context, id int64, from, to StepStatus) (bool, error)
	// SetStepNote sets a step's note (the error of a failed automatic step).
	SetStepNote(ctx context.Context, id int64, note string) error
	// CountStep adds c to the reports' daily counts.
	CountStep(ctx context.Context, c StepCount) error
	// CountOutcome adds c to the reports' daily counts of returns and refusals.
	CountOutcome(ctx context.Context, c OutcomeCount) error
	// MoveCounts moves the per-instansi counts of request requestID (its steps and
	// outcomes, as counted) from the instansi of its report copy to instansi to, if
	// they differ.
	MoveCounts(ctx context.Context, requestID int64, to string, steps []StepCount, outcomes []OutcomeCount) error
}

// History writes the life of a request's steps on the tenant's working calendar. It is
// a value made for one transaction: Store is the transaction's store, Cal the tenant's
// calendar (sop.Book).
type History struct {
	Store StepStore
	Cal   *sop.Calendar
}

// Enter opens the step s of r at at, its clock started with the step's standard. Two
// kinds differ: a done step has no standard and ends as it is entered, by the system;
// an account test is entered working, since its job is queued with it.
func (h History) Enter(ctx context.Context, r Request, s sop.Step, at time.Time) (Step, error) {
	st := Step{RequestID: r.ID, TenantID: r.TenantID, Key: s.Key, Name: s.Name, Role: string(s.Role), Kind: string(s.Kind),
		Jabatan: s.Jabatan, StartedAt: at, Status: StepOpen, WorkMinutes: -1}
	switch s.Kind {
	case sop.KindDone:
		st.end(audit.System, StepDone, "", at)
	case sop.KindAccountTest, sop.KindDNSTest:
		st.Clock, st.Status = h.Cal.Start(at, s.Standard), StepWorking
	default:
		st.Clock = h.Cal.Start(at, s.Standard)
	}
	if err := h.Store.AddStep(ctx, &st); err != nil {
		return st, fmt.Errorf("enter step %s: %w", s.Key, err)
	}
	return st, nil
}

// Record writes a step that began at start and ended at end, done by by: the applicant's
// form, timed from the draft's start and done at Kirim. jabatan names who filled it in
// (the applicant, or the front desk for them); its note names the OPD's letter that
// started r, if one did (LetterNote).
func (h History) Record(ctx context.Context, r Request, s sop.Step, by audit.Actor, jabatan string, start, end time.Time) (Step, error) {
	st := Step{RequestID: r.ID, TenantID: r.TenantID, Key: s.Key, Name: s.Name, Role: string(s.Role), Kind: string(s.Kind),
		Jabatan: jabatan, StartedAt: start, Clock: h.Cal.Start(start, s.Standard)}
	note := ""
	if r.LetterRef != "" {
		note = LetterNote(r.LetterRef)
	}
	st.end(by, StepDone, note, end)
	h.measure(&st)
	if err := h.Store.AddStep(ctx, &st); err != nil {
		return st, fmt.Errorf("record step %s: %w", s.Key, err)
	}
	return st, h.count(ctx, st)
}

// measure sets a timed step's working time at its end (Step.WorkMinutes).
func (h History) measure(st *Step) {
	st.WorkMinutes = -1
	if !st.Due.IsZero() {
		st.WorkMinutes = max(int(h.Cal.WorkingBetween(st.StartedAt, st.FinishedAt)/time.Minute)-st.PausedMinutes, 0)
	}
}

// count adds an ended timed step to the reports' daily counts, in the transaction that
// ended it.
func (h History) count(ctx context.Context, st Step) error {
	if st.WorkMinutes < 0 {
		return nil
	}
	if err := h.Store.CountStep(ctx, h.stepCount(st)); err != nil {
		return fmt.Errorf("count step %d: %w", st.ID, err)
	}
	return nil
}

// stepCount is st, ended, as the daily counts take it; a step that ended before working
// times were kept is in bucket -1.
func (h History) stepCount(st Step) StepCount {
	b := -1
	if st.WorkMinutes >= 0 {
		b = sop.WorkBucket(st.WorkMinutes)
	}
	return StepCount{TenantID: st.TenantID, RequestID: st.RequestID, Day: h.day(st.FinishedAt),
		Key: st.Key, Role: st.Role, Minutes: b, InSLA: st.SLA == sop.VerdictIn}
}

// outcome is st as a return (a correction row, counted when it opens) or a refusal.
func (h History) outcome(st Step) OutcomeCount {
	c := OutcomeCount{TenantID: st.TenantID, RequestID: st.RequestID, Day: h.day(st.StartedAt), Key: st.Key, Reason: st.Note}
	if st.Kind != KindCorrection {
		c.Day, c.Refusal = h.day(st.FinishedAt), true
	}
	return c
}

// day is at's day in the tenant's zone, as the daily counts key it.
func (h History) day(at time.Time) int { return sop.DateOf(at.In(h.Cal.Loc)).Num() }

// Reattribute moves r's per-instansi counts (its ended timed steps, returns and
// refusals) to the instansi its form names now, when its correction changed it: at the
// resubmission, where the request's report copy of its instansi changes too (the store
// keeps the copy of a sent request until then), so that the reports count a request
// under its instansi as a count over the rows would, at every moment.
func (h History) Reattribute(ctx context.Context, r Request) error {
	steps, err := h.Store.StepsOf(ctx, r.ID)
	if err != nil {
		return fmt.Errorf("reattribute request %d: %w", r.ID, err)
	}
	var counts []StepCount
	var outcomes []OutcomeCount
	for _, st := range steps {
		if !st.Open() && !st.Due.IsZero() {
			counts = append(counts, h.stepCount(st))
		}
		if st.Kind == KindCorrection || st.Status == StepRefused {
			outcomes = append(outcomes, h.outcome(st))
		}
	}
	if err := h.Store.MoveCounts(ctx, r.ID, r.Instansi(), counts, outcomes); err != nil {
		return fmt.Errorf("reattribute request %d: %w", r.ID, err)
	}
	return nil
}

// Close counts r, closed at at, for the SOP as a whole (WholeSOP): its working time is
// its timed steps' together, and it was in SLA when each of them was. A request with no
// measured step (closed before working times were kept) is not counted.
func (h History) Close(ctx context.Context, r Request, at time.Time) error {
	steps, err := h.Store.StepsOf(ctx, r.ID)
	if err != nil {
		return fmt.Errorf("close request %d: %w", r.ID, err)
	}
	total, in, measured := 0, true, false
	for _, st := range steps {
		if st.WorkMinutes >= 0 {
			total, measured = total+st.WorkMinutes, true
		}
		if st.SLA == sop.VerdictOver {
			in = false
		}
	}
	if !measured {
		return nil
	}
	err = h.Store.CountStep(ctx, StepCount{TenantID: r.TenantID, RequestID: r.ID, Day: h.day(at), Key: WholeSOP,
		Minutes: sop.WorkBucket(total), InSLA: in})
	if err != nil {
		return fmt.Errorf("close request %d: %w", r.ID, err)
	}
	return nil
}

// end sets the row's ending: when, how, by whom, and the verdict of a timed step.
func (st *Step) end(by audit.Actor, status StepStatus, note string, at time.Time) {
	st.FinishedAt, st.Status, st.Note = at, status, note
	st.Actor, st.ActorID = by.Name, by.ID
	if !st.Due.IsZero() {
		st.SLA = sop.Verdict(st.Due, at)
	}
}

// End ends a running step at at with its status, by by, and stores its verdict against
// the due time and its working time, and counts it for the reports; ErrStepMoved if it
// is no longer running.
func (h History) End(ctx context.Context, st *Step, by audit.Actor, status StepStatus, note string, at time.Time) error {
	st.end(by, status, note, at)
	h.measure(st)
	ok, err := h.Store.FinishStep(ctx, *st)
	if err != nil {
		return fmt.Errorf("end step %d: %w", st.ID, err)
	}
	if !ok {
		return ErrStepMoved
	}
	if status == StepRefused {
		if err := h.Store.CountOutcome(ctx, h.outcome(*st)); err != nil {
			return fmt.Errorf("end step %d: %w", st.ID, err)
		}
	}
	return h.count(ctx, *st)
}

// Return gives r back to the applicant from its running step st: st's clock stops at at,
// and a correction row opens (carrying the staff's note), the applicant's in the portal
// or, for a request entered at the front desk (the applicant has no portal account to
// correct it in), the front desk's, which reaches the applicant and enters the
// correction for them. ErrStepMoved if st is no longer running.
func (h History) Return(ctx context.Context, r Request, st *Step, note string, at time.Time) (Step, error) {
	st.Clock, st.Status = h.Cal.Pause(st.Clock, at), StepPaused
	ok, err := h.Store.PauseStep(ctx, *st)
	if err != nil {
		return Step{}, fmt.Errorf("return step %d: %w", st.ID, err)
	}
	if !ok {
		return Step{}, ErrStepMoved
	}
	corr := Step{RequestID: r.ID, TenantID: r.TenantID, Key: st.Key, Name: "Perbaikan data oleh pemohon", Role: string(sop.RolePemohon),
		Kind: KindCorrection, Jabatan: "Pemohon", StartedAt: at, Status: StepPaused, Note: note, WorkMinutes: -1}
	if r.ByDesk() {
		corr.Name, corr.Role, corr.Jabatan = "Perbaikan data di loket", string(sop.RoleFrontDesk), "Front Desk"
	}
	if err := h.Store.AddStep(ctx, &corr); err != nil {
		return corr, fmt.Errorf("return step %d: %w", st.ID, err)
	}
	if err := h.Store.CountOutcome(ctx, h.outcome(corr)); err != nil {
		return corr, fmt.Errorf("return step %d: %w", st.ID, err)
	}
	return corr, nil
}

// Resume takes r's correction back, by by (the applicant, or the front desk for them):
// the correction row ends, and the returned step's clock runs again from at with the
// working time it had left (sop.Calendar.Resume). ErrStepMoved if r waits for no
// correction, or another resumption came first.
func (h History) Resume(ctx context.Context, r Request, by audit.Actor, at time.Time) error {
	steps, err := h.Store.StepsOf(ctx, r.ID)
	if err != nil {
		return fmt.Errorf("resume request %d: %w", r.ID, err)
	}
	var corr, paused *Step
	for i := range steps {
		switch {
		case steps[i].Open() && steps[i].Kind == KindCorrection:
			corr = &steps[i]
		case steps[i].Open() && steps[i].Paused():
			paused = &steps[i]
		}
	}
	if corr == nil || paused == nil {
		return ErrStepMoved
	}
	if err := h.End(ctx, corr, by, StepDone, corr.Note, at); err != nil {
		return err
	}
	paused.PausedMinutes += int(h.Cal.WorkingBetween(paused.PausedAt, at) / time.Minute)
	paused.Clock, paused.Status = h.Cal.Resume(paused.Clock, at), StepOpen
	ok, err := h.Store.ResumeStep(ctx, *paused)
	if err != nil {
		return fmt.Errorf("resume step %d: %w", paused.ID, err)
	}
	if !ok {
		return ErrStepMoved
	}
	return nil
}

// Work marks an automatic step (create, account test) as working: its job is queued.
// ErrStepMoved if it was not running with the status it was read with.
func (h History) Work(ctx context.Context, st *Step) error {
	return h.setStatus(ctx, st, st.Status, StepWorking)
}

// Fail marks a working automatic step as failed with the error its job gave up on, so
// staff see it on the request and can retry it.
func (h History) Fail(ctx context.Context, st *Step, note string) error {
	if err := h.setStatus(ctx, st, StepWorking, StepFailed); err != nil {
		return err
	}
	if err := h.Store.SetStepNote(ctx, st.ID, note); err != nil {
		return fmt.Errorf("fail step %d: %w", st.ID, err)
	}
	st.Note = note
	return nil
}

func (h History) setStatus(ctx context.Context, st *Step, from, to StepStatus) error {
	ok, err := h.Store.SetStepStatus(ctx, st.ID, from, to)
	if err != nil {
		return fmt.Errorf("step %d %s: %w", st.ID, to, err)
	}
	if !ok {
		return ErrStepMoved
	}
	st.Status = to
	return nil
}
