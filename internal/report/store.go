package report

import (
	"context"
	"github.com/surel-id/surel/internal/complaint"
	"time"

	"github.com/surel-id/surel/internal/survey"
)

// WholeSOP is the step key the SOP as a whole is counted under: one count per closed
// request, its working time the sum of its steps', in SLA when every timed step was.
const WholeSOP = "*"

// Query is what the store is asked: one tenant, a period as instants and as day numbers
// (sop.Date.Num, in the tenant's zone), an instansi or all, a service or all.
type Query struct {
	TenantID          int64
	From, To          time.Time // [From, To)
	FromDay, ToDay    int       // both included
	Instansi, Service string
	Loc               *time.Location
}

// StepCount is how many steps of one key and role ended in the period with a working
// time in one bucket (Minutes, sop.WorkBucket), and how many of them in SLA.
type StepCount struct {
	Key, Role string
	Minutes   int
	N, InSLA  int64
}

// DayCount is the registry's events of one day: mailboxes made by surel, adopted from
// the server, deactivated (no longer active) and reactivated.
type DayCount struct {
	Day                                        int
	Created, Adopted, Deactivated, Reactivated int64
}

// StatusCount is how many requests of a service sent in the period have a status now.
type StatusCount struct {
	Service, Status string
	N               int64
}

// InstansiCount is how many accounts an instansi's unit got in the period, per kind.
type InstansiCount struct {
	Instansi, Unit, Kind string
	N                    int64
}

// OpenStep is a step not yet ended: a task in an inbox, or waiting for the applicant.
type OpenStep struct {
	Key, Role, Name string
	StartedAt, Due  time.Time
	Paused          bool
}

// Outcome is how many times a step returned a request (Return) or refused it, with one
// reason (the staff's note, as written), in the period.
type Outcome struct {
	Key, Name string
	Return    bool
	Reason    string
	N         int64
}

// CapacityDay is the mail server's figures as last read on one day, with the tenant's
// limits then.
type CapacityDay struct {
	Day                                   int
	At                                    time.Time
	Accounts, MaxAccounts                 int64
	QuotaAllocated, QuotaUsed, TotalQuota int64
}

// AccountRow is one account of the "database akun email" (seed 003): the request that
// made it, its owner, and when.
type AccountRow struct {
	Number, Name, NIP, Mailbox string
	Instansi, Unit             string
	Service, Kind, Status      string
	CreatedAt                  time.Time
}

// Store runs the reports' queries.
type Store interface {
	// StepCounts counts the steps that ended in the period, and the requests closed in
	// it under WholeSOP, from the daily counts (the tenant's, or one instansi's).
	StepCounts(ctx context.Context, q Query) ([]StepCount, error)
	// AccountDays counts per day (sop.Date.Num) the accounts made and deactivated.
	AccountDays(ctx context.Context, q Query) ([]DayCount, error)
	// AccountsBefore is how many accounts came (made, adopted, reactivated) and went
	// (deactivated) before the period.
	AccountsBefore(ctx context.Context, q Query) (in, out int64, err error)
	StatusCounts(ctx context.Context, q Query) ([]StatusCount, error)
	// AccountsByInstansi counts the accounts made in the period per instansi, unit and
	// kind, the most first, at most limit rows.
	AccountsByInstansi(ctx context.Context, q Query, limit int) ([]InstansiCount, error)
	// OpenSteps lists the steps not ended now (q's period is ignored).
	OpenSteps(ctx context.Context, q Query) ([]OpenStep, error)
	// Outcomes counts the returns (correction rows started in the period) and refusals
	// (steps refused in it) per step and reason.
	Outcomes(ctx context.Context, q Query) ([]Outcome, error)
	CapacityDays(ctx context.Context, q Query) ([]CapacityDay, error)
	// PutCapacityDay keeps the figures read at c.At as its day's, unless a later read
	// of that day is kept already.
	PutCapacityDay(ctx context.Context, tenantID int64, c CapacityDay) error
	// EachAccount passes every account made in the period to fn, in the order made,
	// reading them as it goes.
	EachAccount(ctx context.Context, q Query, fn func(AccountRow) error) error
	// SurveyRows, SurveyProfile and SurveySuggestions read the Survei Kepuasan
	// Masyarakat's answers of days from…to (sop.Date.Num) for one service or all.
	SurveyRows(ctx context.Context, tenantID int64, from, to int, service string) ([]survey.Row, error)
	SurveyProfile(ctx context.Context, tenantID int64, from, to int, service string) ([]survey.Profile, error)
	SurveySuggestions(ctx context.Context, tenantID int64, from, to int, service string, limit int) ([]survey.Suggestion, error)
	// ComplaintsFiled are the tenant's complaints filed in [from, to).
	ComplaintsFiled(ctx context.Context, tenantID int64, from, to time.Time) ([]complaint.Complaint, error)
	// InstansiNames are the instansi of the tenant's sent requests, the most frequent
	// first.
	InstansiNames(ctx context.Context, tenantID int64, limit int) ([]string, error)
}
