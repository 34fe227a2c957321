// Package workflow is the back office: it moves a submitted request through its tenant's
// SOP, one step at a time, each step a task in the inbox of the step's role. Staff act on
// the running step (forward, return to the applicant, refuse, create the mailbox, hand
// over the result); the engine ends the step with its SLA verdict, starts the next one on
// the tenant's working calendar, and in the same transaction writes the audit entry, the
// applicant's notification and e-mail, and the jobs the next step needs (provisioning,
// the account test).
//
// Two people acting on the same step at once cannot both succeed: a step ends only if it
// is still running (a conditional update), and the store allows one running step per
// request. The loser gets ErrAlreadyDone.
package workflow

import (
	"context"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
)

// Action is what a staff member does to the running step.
type Action string

// The actions. Which are offered depends on the step's kind (Actions).
const (
	Forward   Action = "forward"   // the step is done: on to the next (approve at a decision)
	Return    Action = "return"    // back to the applicant for correction; the clock stops
	Refuse    Action = "refuse"    // the request is refused, with a reason
	Provision Action = "provision" // create the mailbox (a job), with the agreed address
	Deliver   Action = "deliver"   // the result is handed to the applicant
	Complete  Action = "complete"  // a report or archive step is done
	Retry     Action = "retry"     // run a failed automatic step's job again
	// Execute does a service's step on an existing mailbox (reset, deactivate,
	// reactivate, change the quota): a job calls the mail server.
	Execute Action = "execute"

	// The domain services' actions.
	Activate     Action = "activate"      // a desa.id name is active, with the registry's reference typed
	FileRegistry Action = "file_registry" // file the desa.id application through the registrar (a job)
	CreateDNS    Action = "create_dns"    // write the sub-domain's records (a job)
	RemoveDNS    Action = "remove_dns"    // remove the sub-domain's records (a job)
)

// Task is a running step as an inbox lists it.
type Task struct {
	StepID      int64
	RequestID   int64
	Number      string
	StepName    string
	Role        string
	Kind        string
	StartedAt   time.Time
	DueAt       time.Time
	Applicant   string
	Instansi    string
	Mailbox     string
	Domain      string
	Flags       int // roster mismatches to look at
	RequestKind string
	// Status is the step's: failed marks an automatic step that gave up.
	Status string
}

// Failed tells whether the task is an automatic step that gave up.
func (t Task) Failed() bool { return t.Status == string(request.StepFailed) }

// MailboxAddress is the task's proposed address.
func (t Task) MailboxAddress() string {
	if t.Mailbox == "" {
		return ""
	}
	return t.Mailbox + "@" + t.Domain
}

// InboxQuery selects a staff member's tasks.
type InboxQuery struct {
	TenantID int64
	Roles    []string
	Search   string    // number, applicant name or address; empty for all
	DueFrom  time.Time // with DueTo: only tasks due in [DueFrom, DueTo)
	DueTo    time.Time
	// Failed keeps only the automatic steps that gave up and wait for a retry.
	Failed bool
	Limit  int
	Offset int
	// CountTo bounds the count of a search or filter: the total is exact below it and
	// CountTo itself at or above (the page says "CountTo or more"), so a role with a
	// hundred thousand open steps costs the inbox no more than one with a thousand. Zero
	// counts all. The unfiltered inbox's total is always exact: it is kept as a counter.
	CountTo int
	// Handover also counts the tenant's institutional mailboxes waiting for a new
	// responsible PNS (registry.HandoverLeft …): the inbox's task for those who start
	// services on mailboxes, read with the page instead of on its own.
	Handover bool
}

// InboxPage is a page of an inbox: its tasks, how many there are in all (see
// InboxQuery.CountTo) and, when asked, the mailboxes waiting for a handover.
type InboxPage struct {
	Tasks    []Task
	Total    int
	Handover int
}

// Reporter writes the document a report step produces: seed 004 step 5's "laporan
// jumlah akun" (internal/report), numbered and attached to the request, in the caller's
// transaction.
type Reporter interface {
	StepReport(ctx context.Context, t account.Tenant, r request.Request, applicant string, by audit.Actor, at time.Time) error
}

// Credential is a new mailbox's first password, sealed until revealed.
type Credential struct {
	RequestID  int64
	Address    string
	Sealed     string
	CreatedAt  time.Time
	RevealedAt time.Time
	RevealedBy string
}

// Recipient is a staff member to notify.
type Recipient struct {
	UserID int64
	Email  string
	Name   string
	Lang   string
}

// Store is the persistence the engine needs. Methods called with the ctx given to Tx's fn
// run in that transaction.
type Store interface {
	request.Store
	// DuePurges lists deactivated mailboxes whose retention period has ended and that
	// have no purge request since their deactivation.
	DuePurges(ctx context.Context, tenantID int64, now time.Time, limit int) ([]registry.Mailbox, error)
	Step(ctx context.Context, id int64) (request.Step, error)
	// UpdateRequest writes a request's status, note, mailbox and times.
	UpdateRequest(ctx context.Context, r request.Request) error
	Inbox(ctx context.Context, q InboxQuery) (InboxPage, error)
	PutCredential(ctx context.Context, c Credential) error
	// JobPending tells whether a job of kind for ref is queued or running.
	JobPending(ctx context.Context, kind string, ref int64) (bool, error)
	Credential(ctx context.Context, requestID int64) (Credential, error)
	// CaseRecords reads the rows of a request's staff page together (Case); ErrNotFound
	// when there is no such request.
	CaseRecords(ctx context.Context, id int64) (CaseRecords, error)
	// ResealCredential replaces a request's sealed password if it is still old; false if
	// it was revealed or replaced meanwhile.
	ResealCredential(ctx context.Context, requestID int64, old, sealed string) (bool, error)
	// RevealCredential erases the sealed password and records who took it; false if it
	// was revealed already.
	RevealCredential(ctx context.Context, requestID int64, by string, at time.Time) (bool, error)
	StaffWithRole(ctx context.Context, tenantID int64, role string) ([]Recipient, error)
	// StepsDue lists running staff steps that lack a reminder and are due before soon, or
	// lack a breach notice and are due before now.
	StepsDue(ctx context.Context, now, soon time.Time, limit int) ([]request.Step, error)
	// CapacitySnapshot is the tenant's last capacity snapshot; errs.ErrNotFound before
	// the first. SaveCapacity replaces it.
	CapacitySnapshot(ctx context.Context, tenantID int64) (CapacitySnapshot, error)
	SaveCapacity(ctx context.Context, s CapacitySnapshot) error
	// MarkReminded and MarkBreached mark a step once: false when it was marked already
	// (by another process), and its mail must not go again.
	MarkReminded(ctx context.Context, stepID int64, at time.Time) (bool, error)
	MarkBreached(ctx context.Context, stepID int64, at time.Time) (bool, error)
	EnqueueJob(ctx context.Context, kind string, ref int64, maxAttempts int, runAt time.Time) (int64, error)
	UserByID(ctx context.Context, id int64) (account.User, error)
	// FileRequest writes r's FiledAt and ArchivedAt and its archive search words (its
	// number, mailbox, applicant's name, NIP and instansi as they are now).
	FileRequest(ctx context.Context, r request.Request) error
	// ArchiveDocuments marks the request's documents as archived at at.
	ArchiveDocuments(ctx context.Context, requestID int64, at time.Time) error
}
