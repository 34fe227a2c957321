// Package complaint is the office's complaints (pengaduan, PermenPANRB 15/2014 and the
// SP4N-LAPOR! practice): anyone files one — a signed-in applicant about one of their
// requests, or a member of the public with a contact and the captcha — in a category
// whose time standard in working days (configurable per tenant) fixes its due time on
// the office's working calendar, the same one the requests' SLA uses. Each gets a
// tracking number that, with its contact, shows its answers without signing in; a wrong
// pair answers exactly as an unknown number, so numbers cannot be probed.
//
// Staff holding RoleComplaints handle every complaint (answer, forward to another role
// with a note, close with a final answer); a role it was forwarded to handles it too.
// Each action is audited in its transaction and mails the complainant; a complaint
// closes once: of two staff closing it at once, the second is told it closed already
// and writes nothing.
package complaint

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// RoleComplaints is the staff role that handles complaints (Petugas Pengaduan).
const RoleComplaints = sop.RolePengaduan

// Category is a kind of complaint with its time standard in working days.
type Category struct {
	Key  string `json:"key"`
	Days int    `json:"days"`
}

// Categories are the kinds of complaint with their default time standards, in the
// order forms list them: a question answered from what the office knows, a problem with
// a request or an account that needs checking, and conduct of staff or a suspected
// irregularity that needs an inquiry.
var Categories = []Category{{"informasi", 5}, {"layanan", 14}, {"petugas", 60}}

// MaxDays bounds a category's time standard (a working year).
const MaxDays = 250

// Status is where a complaint is.
type Status string

// The statuses.
const (
	Open     Status = "open"     // waiting for its first answer
	Answered Status = "answered" // answered at least once, not closed
	Closed   Status = "closed"   // closed with a final answer
)

// Statuses lists them in the order reports show them.
var Statuses = []Status{Open, Answered, Closed}

// Complaint is one complaint.
type Complaint struct {
	ID       int64
	TenantID int64
	// Number is the tracking number ("ADU-7KQ2-M9XD"): random, so that it says nothing
	// of how many there are and cannot be guessed.
	Number string
	// UserID and RequestID are the signed-in applicant and their request (0: filed by
	// the public, or not about a request).
	UserID    int64
	RequestID int64
	// RequestNumber is the linked request's number, read with the complaint.
	RequestNumber string
	// Name, Email and Phone are the complainant's contact (from the account when signed
	// in); Lang the language of the mails they receive.
	Name, Email, Phone, Lang string
	Category                 string
	// StandardDays is the category's time standard when it was filed.
	StandardDays int
	Subject      string
	Body         string
	// Role is the role handling it now: RoleComplaints, or the one it was forwarded to.
	Role      sop.Role
	Status    Status
	CreatedAt time.Time
	Due       time.Time
	// AnsweredAt is the first answer (or the close, when closed without one before);
	// AnswerDays and CloseDays the working days to it and to the close, in hundredths.
	AnsweredAt   time.Time
	AnswerDays   int
	ClosedAt     time.Time
	CloseDays    int
	ClosedInTime bool
}

// Entry is one line of a complaint's history.
type Entry struct {
	ID          int64
	ComplaintID int64
	Kind        EntryKind
	Body        string
	// FromRole and ToRole: the role that acted, and for a forward the role it went to.
	FromRole, ToRole sop.Role
	ActorID          int64
	ActorName        string
	At               time.Time
}

// EntryKind says what an entry is.
type EntryKind string

// The kinds of entry.
const (
	EntryAnswer  EntryKind = "answer"  // an answer, shown to the complainant
	EntryForward EntryKind = "forward" // forwarded to another role with a note, staff only
	EntryClose   EntryKind = "close"   // the final answer, shown to the complainant
)

// Public reports whether the complainant sees the entry.
func (e Entry) Public() bool { return e.Kind == EntryAnswer || e.Kind == EntryClose }

// Store keeps the complaints.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	Request(ctx context.Context, id int64) (request.Request, error)
	// CreateComplaint inserts c and sets its ID; errs.ErrConflict when its number is
	// taken in the tenant.
	CreateComplaint(ctx context.Context, c *Complaint) error
	// Complaint is one complaint; errs.ErrNotFound for none.
	Complaint(ctx context.Context, id int64) (Complaint, error)
	ComplaintByNumber(ctx context.Context, tenantID int64, number string) (Complaint, error)
	// ComplaintsOfUser are a user's complaints in a tenant, newest first.
	ComplaintsOfUser(ctx context.Context, tenantID, userID int64) ([]Complaint, error)
	// ComplaintsFor are a tenant's complaints handled by one of roles (all for nil),
	// open ones only unless all, soonest due first, at most limit.
	ComplaintsFor(ctx context.Context, tenantID int64, roles []sop.Role, all bool, limit int) ([]Complaint, error)
	// ComplaintsFiled are a tenant's complaints filed in [from, to).
	ComplaintsFiled(ctx context.Context, tenantID int64, from, to time.Time) ([]Complaint, error)
	AddComplaintEntry(ctx context.Context, e *Entry) error
	// ComplaintEntries is a complaint's history, oldest first.
	ComplaintEntries(ctx context.Context, complaintID int64) ([]Entry, error)
	// AnswerComplaint marks a complaint answered (its first answer's time and working
	// days kept once); errs.ErrConflict when it is closed.
	AnswerComplaint(ctx context.Context, id int64, at time.Time, days int) error
	// ForwardComplaint gives it to role; errs.ErrConflict when it is closed.
	ForwardComplaint(ctx context.Context, id int64, role sop.Role) error
	// CloseComplaint closes it (and sets its first answer if it had none);
	// errs.ErrConflict when it was closed already.
	CloseComplaint(ctx context.Context, id int64, at time.Time, answerDays, closeDays int, inTime bool) error
	// Notify stores an in-portal notification (the applicant's bell).
	Notify(ctx context.Context, n request.Notification) error
}

// numberAlphabet is Crockford's base 32: no I, L, O or U, so a number read aloud or
// typed from paper has one spelling.
const numberAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newNumber is a random tracking number: "ADU-" and two groups of four (40 bits).
func newNumber() string {
	b := make([]byte, 8)
	rand.Read(b)
	out := []byte("ADU-....-....")
	j := 4
	for i, x := range b {
		if i == 4 {
			j++
		}
		out[j] = numberAlphabet[int(x)%32]
		j++
	}
	return string(out)
}

// NormalizeNumber reads a typed tracking number: case, spaces and the letters people
// mistake for digits (O, I, L) do not matter; "adu 7kq2 m9xd" is "ADU-7KQ2-M9XD".
func NormalizeNumber(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	s = strings.ReplaceAll(s, "-", "")
	s = strings.TrimPrefix(s, "ADU")
	s = strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(s)
	if len(s) != 8 {
		return ""
	}
	for _, r := range s {
		if !strings.ContainsRune(numberAlphabet, r) {
			return ""
		}
	}
	return "ADU-" + s[:4] + "-" + s[4:]
}

// Days is a category's time standard for a tenant: its own setting, else the default.
func Days(own map[string]int, key string) int {
	if n, ok := own[key]; ok && n > 0 {
		return n
	}
	for _, c := range Categories {
		if c.Key == key {
			return c.Days
		}
	}
	return 0
}

// ValidCategory reports whether key is a category.
func ValidCategory(key string) bool {
	for _, c := range Categories {
		if c.Key == key {
			return true
		}
	}
	return false
}
