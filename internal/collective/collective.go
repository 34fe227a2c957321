// Package collective is an OPD's collective request (permohonan kolektif): a list of its
// employees (CSV or XLSX, from the template), uploaded with the OPD head's letter by the
// front desk on the OPD's behalf or by the OPD's operator from the portal (operator.go),
// checked row by row before anything is submitted, fixed
// and uploaded again, and submitted row by row as personal requests of their own (each
// with its history and SLA, made by request.Service.CollectiveRow). Staff see the list
// as one task and act on its rows together or one by one (workflow.Engine.ActMany).
//
// Whole-file problems (not a sheet, unknown columns, too many rows) refuse the upload
// and store nothing (FileError); problems of rows are the report, stored with the rows
// so the list can be fixed and uploaded again. A submitted row stays as it is through
// later uploads.
package collective

import (
	"context"
	"time"

	"github.com/surel-id/surel/internal/request"
)

// Collective is one uploaded list with its letter and rows.
type Collective struct {
	ID       int64
	TenantID int64
	// Instansi is the OPD the list comes from; Province and Regency its region codes,
	// which every row's request carries.
	Instansi string
	Province string
	Regency  string
	// Letter is the OPD head's signed letter, checked by content when uploaded; every
	// row's request carries it as its document.
	Letter request.File
	// FileName is the name of the list's last upload, for display.
	FileName      string
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Rows          []Line
}

// Line is a row of a collective with its report and, once submitted, its request.
type Line struct {
	ID           int64
	CollectiveID int64
	Checked
	RequestID int64
	// The request's number, status and mailbox address as stored, read with the row.
	RequestNumber string
	Status        request.Status
	// Step is the request's running step's name and Role its role, "" when none runs.
	Step      string
	Role      string
	StepState request.StepStatus
	InvitedAt time.Time
}

// Submitted reports whether the row is a request already.
func (l Line) Submitted() bool { return l.RequestID != 0 }

// Counts sums a collective's rows: submitted, valid and waiting, with problems.
type Counts struct{ Submitted, Valid, Invalid, Done int }

// Count gives c's counts.
func (c Collective) Count() Counts {
	var n Counts
	for _, l := range c.Rows {
		switch {
		case l.Submitted():
			n.Submitted++
			if l.Status == request.Done {
				n.Done++
			}
		case l.Valid():
			n.Valid++
		default:
			n.Invalid++
		}
	}
	return n
}

// Store keeps collectives. Methods called with the ctx given to Tx's fn run in it.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateCollective(ctx context.Context, c *Collective) error
	// UpdateCollective writes c's letter, list file name and updated time.
	UpdateCollective(ctx context.Context, c Collective) error
	// Collective reads one collective without its rows.
	Collective(ctx context.Context, id int64) (Collective, error)
	// Collectives lists a tenant's collectives, newest first, without rows.
	Collectives(ctx context.Context, tenantID int64, limit int) ([]Collective, error)
	// CollectiveRows reads a collective's rows by line, each with its request's number,
	// status and running step.
	CollectiveRows(ctx context.Context, id int64) ([]Line, error)
	// ReplaceOpenRows deletes the rows not yet submitted and inserts rows.
	ReplaceOpenRows(ctx context.Context, id int64, rows []Line) error
	// SetRowRequest records the request a row became; false when it had one already.
	SetRowRequest(ctx context.Context, rowID, requestID int64) (bool, error)
	// SetRowProblems writes a row's problems and address.
	SetRowProblems(ctx context.Context, l Line) error
	// MarkInvited records when a row's employee was invited to claim the account;
	// false when they had been.
	MarkInvited(ctx context.Context, rowID int64, at time.Time) (bool, error)
}
