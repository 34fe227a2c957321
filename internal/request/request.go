// Package request is the permohonan: an applicant's request for a service from the
// catalogue (today "Pendaftaran Akun Email"), from draft through the summary and "Kirim"
// to its outcome, with its documents, its history and the rules that keep one address per
// person.
package request

import (
	"context"
	"maps"
	"time"
)

// Status of a request. The Indonesian words are the ones the applicant sees.
type Status string

// The statuses.
const (
	Draft      Status = "draf"      // being filled in, not sent
	Waiting    Status = "menunggu"  // sent, waiting for the first staff step
	Processing Status = "diproses"  // a staff step has started
	Returned   Status = "perbaikan" // returned to the applicant for correction
	Done       Status = "selesai"
	Refused    Status = "ditolak"
)

// Live are the statuses that hold an address and a person: no second request may be made
// while one is live, and the unique indexes of the store enforce it.
var Live = []Status{Waiting, Processing, Returned, Done}

// Request is one permohonan.
type Request struct {
	ID        int64
	TenantID  int64
	UserID    int64
	Number    string // given at "Kirim"
	Service   string
	Kind      string // Jenis Layanan
	Status    Status
	PersonKey string // "nip:…" or "sk:…": one live request per person and domain
	Domain    string
	// Mailbox is the local part of the mailbox the request is for ("budi.santoso"):
	// proposed in the form's FieldMailbox, amended by staff at the create step, kept
	// here only (column requests.mailbox), never in Values.
	Mailbox string
	// Values are the form's other fields, by name.
	Values     map[string]string
	Flags      []Flag // roster mismatches for the verifier
	Note       string // the staff's reason for a refusal or return
	ResubmitOf int64
	// Channel is how the request came in: "portal", or "loket" when the front desk
	// entered it for an applicant without a portal account.
	Channel string
	// LetterRef is the number of the OPD's letter the request was started from (the
	// front desk's resets by letter, ResetsByLetter); "" when no letter started it.
	LetterRef   string
	CreatedAt   time.Time
	SubmittedAt time.Time
	UpdatedAt   time.Time
	ClosedAt    time.Time
	// FiledAt is when the request entered the archive (closed, or filed by an archive
	// step, whichever came first); ArchivedAt when an archive step filed it.
	FiledAt    time.Time
	ArchivedAt time.Time
}

// Instansi and Unit are the applicant's office as the form gives it (the instansi and
// satuan kerja fields): the store keeps a copy of each beside the form's values, which
// the reports and the archive group, filter and search by.
func (r Request) Instansi() string { return r.Values["instansi"] }

// Unit is the applicant's satuan kerja (Instansi); for an institutional mailbox, the
// unit it is for.
func (r Request) Unit() string {
	if v := r.Values[FieldUnitName]; v != "" {
		return v
	}
	return r.Values["satuan_kerja"]
}

// MailboxAddress is the mailbox's whole address, Mailbox@Domain; "" before one is
// proposed.
func (r Request) MailboxAddress() string {
	if r.Mailbox == "" {
		return ""
	}
	return r.Mailbox + "@" + r.Domain
}

// FieldUnitName is the institutional form's field naming the unit the mailbox is for
// ("Dinas Komunikasi dan Informatika").
const FieldUnitName = "nama_unit"

// FieldMailbox is the form field that proposes the mailbox's local part, and its type in
// the catalogue: one name from the form to the column (requests.mailbox).
const FieldMailbox = "mailbox"

// takeForm puts a kind's normalised form values on r: the mailbox into Mailbox, where
// it is kept once, the rest into Values.
func (r *Request) takeForm(values map[string]string) {
	r.Mailbox = values[FieldMailbox]
	delete(values, FieldMailbox)
	r.Values = values
}

// Form is r's values as its form shows and checks them: Values and the mailbox.
func (r Request) Form() map[string]string {
	out := make(map[string]string, len(r.Values)+1)
	maps.Copy(out, r.Values)
	if r.Mailbox != "" {
		out[FieldMailbox] = r.Mailbox
	}
	return out
}

// Flag is a mismatch with the employer's roster, shown to the verifier, not a refusal.
type Flag struct {
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// File is a document attached to a request.
type File struct {
	ID           int64
	RequestID    int64
	Field        string
	Name         string // generated storage name
	OriginalName string // for display only
	Kind         string
	Size         int64
	SHA256       string
	CreatedAt    time.Time
	// PurgedAt is when its bytes were purged after the tenant's retention period
	// (internal/archive); the record stays.
	PurgedAt time.Time
}

// Notification is an in-app message to the applicant.
type Notification struct {
	ID        int64
	UserID    int64
	RequestID int64
	Key       string // catalogue key
	Arg       string
	CreatedAt time.Time
	ReadAt    time.Time
}

// Store keeps requests. Methods called with the ctx given to Tx's fn run in it.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateRequest(ctx context.Context, r *Request) error
	SaveDraft(ctx context.Context, r Request) error
	SubmitRequest(ctx context.Context, r *Request) error
	Request(ctx context.Context, id int64) (Request, error)
	RequestsOf(ctx context.Context, userID int64) ([]Request, error)
	DeleteRequest(ctx context.Context, id int64) error
	MailboxTaken(ctx context.Context, tenantID int64, domain, local string, except int64) (bool, error)
	// RegisteredMailbox reads the tenant's mailbox registry for address as a mailbox on
	// the server (made by surel or adopted by a sync; not one removed or gone from the
	// server): whether it is there, its owner's portal account (0 unknown) and NIP.
	RegisteredMailbox(ctx context.Context, tenantID int64, address string) (found bool, ownerID int64, nip string, err error)
	PersonBusy(ctx context.Context, tenantID int64, domain, personKey string) (Request, error)
	// LetterRequests lists the tenant's sent requests an OPD's letter numbered ref
	// started, in the order they were started, at most limit; RecentLetters the
	// tenant's letters, the latest entered first.
	LetterRequests(ctx context.Context, tenantID int64, ref string, limit int) ([]Request, error)
	RecentLetters(ctx context.Context, tenantID int64, limit int) ([]OPDLetter, error)

	AddFile(ctx context.Context, f *File) error
	FilesOf(ctx context.Context, requestID int64) ([]File, error)
	DeleteFile(ctx context.Context, id int64) error

	StepStore

	Notify(ctx context.Context, n Notification) error
	NotificationsOf(ctx context.Context, userID int64, limit int) ([]Notification, error)
	UnreadCount(ctx context.Context, userID int64) (int, error)
	MarkRead(ctx context.Context, userID int64) error
}

// Files keeps the documents' bytes outside the database.
type Files interface {
	Remove(ctx context.Context, name string) error
}
