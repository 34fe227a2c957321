// Package letter is what makes a printed document of an office official and checkable:
// the office's letterhead (kop surat) and signing official, the numbering of its letters
// (a pattern such as {seq}/{kode}/{bulan-romawi}/{tahun}; each number assigned once and
// never reused, whichever process of a deployment issues it), the place and date in
// words ("Samarinda, 6 Desember 2026"), and the verification code every document
// carries, which opens a public page saying what the document attests.
//
// Receipts, account letters, result letters and reports use it today; the service
// standard, complaints and collective requests will too, so it knows nothing of requests
// beyond an id. Rendering is internal/printout's; storage the store's. Documents are
// written in Indonesian, the language of official documents, whatever the reader's
// interface language.
package letter

import (
	"context"
	"time"
)

// Kind is the type of an issued document.
type Kind string

// The kinds of document surel issues.
const (
	KindReceipt       Kind = "receipt"        // tanda terima permohonan
	KindAccountLetter Kind = "account_letter" // surat pemberitahuan akun (with the first password)
	KindResultLetter  Kind = "result_letter"  // surat hasil permohonan (approved or refused)
	KindReport        Kind = "report"         // laporan (account count, a report of /kantor/laporan)
	KindStandard      Kind = "standard"       // maklumat/standar pelayanan (the public service standard)
)

// Kinds lists every kind, in a fixed order.
var Kinds = []Kind{KindReceipt, KindAccountLetter, KindResultLetter, KindReport, KindStandard}

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Title is the kind's name as the verification page and the documents list say it.
func (k Kind) Title() string {
	switch k {
	case KindReceipt:
		return "Tanda Terima Permohonan"
	case KindAccountLetter:
		return "Surat Pemberitahuan Akun Email"
	case KindResultLetter:
		return "Surat Hasil Permohonan"
	case KindReport:
		return "Laporan"
	case KindStandard:
		return "Standar Pelayanan"
	}
	return string(k)
}

// abbrev is the kind's default code in letter numbers ({kode}).
func (k Kind) abbrev() string {
	switch k {
	case KindReceipt:
		return "TT"
	case KindAccountLetter:
		return "SPA"
	case KindResultLetter:
		return "SHP"
	case KindReport:
		return "LAP"
	case KindStandard:
		return "SP"
	}
	return "DOK"
}

// Document is one issued document: its number and verification code, and what it
// attests, which the public verification page shows. It never holds a secret (the
// account letter's password is printed, never kept).
type Document struct {
	ID       int64
	TenantID int64
	Kind     Kind
	// Number is the letter number, unique in the tenant; Code the verification code,
	// unique in the deployment (Code, 12 characters of Crockford's base 32).
	Number string
	Code   string
	// RequestID is the request the document belongs to; 0 for a report of the office
	// as a whole.
	RequestID int64
	IssuedAt  time.Time
	// IssuedBy is the user who caused it (0: the system).
	IssuedBy int64
	// Title is what the document is ("Laporan Jumlah Akun Email"); empty is the kind's
	// title.
	Title string
	// Subject is who the document is about (the applicant's name), or for a report what
	// it covers; Mailbox the e-mail address it names, if any.
	Subject string
	Mailbox string
	// Facts are the further lines the verification page shows, label and value, in
	// order ("Status permohonan: Ditolak", "Periode: Desember 2026").
	Facts []Fact
	// PDF is the document as issued, kept when the bytes are its record (a report
	// attached to a request); nil for documents printed again from their data.
	PDF []byte
	// ArchivedAt is when an archive step filed it.
	ArchivedAt time.Time
}

// Fact is one line of what a document attests.
type Fact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Heading is the document's title: Title, or its kind's.
func (d Document) Heading() string {
	if d.Title != "" {
		return d.Title
	}
	return d.Kind.Title()
}

// Store keeps documents and the letter counters. Methods called with the ctx given to
// Tx's fn run in that transaction.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	// NextLetterSeq takes the next number of a tenant's series in period (a year, or 0
	// for a series that never restarts): 1 for the first, and never the same twice for
	// documents that are committed, across processes. It writes in the caller's
	// transaction, so a document that is rolled back gives its number back.
	NextLetterSeq(ctx context.Context, tenantID int64, series string, period int) (int64, error)
	// AddDocument stores a new document and sets its ID; errs.ErrConflict when the
	// request already has a document of its kind, or the number or code is taken.
	AddDocument(ctx context.Context, d *Document) error
	Document(ctx context.Context, id int64) (Document, error)
	DocumentOf(ctx context.Context, requestID int64, kind Kind) (Document, error)
	DocumentByCode(ctx context.Context, code string) (Document, error)
	// DocumentsOf lists a request's documents, oldest first, without their PDF.
	DocumentsOf(ctx context.Context, requestID int64) ([]Document, error)
	// ArchiveDocuments marks a request's documents not archived yet as archived at at.
	ArchiveDocuments(ctx context.Context, requestID int64, at time.Time) error
}
