// Package archive is the back office's archive (arsip): every request that has left the
// service — finished, refused, or filed by an archive step — read-only and searchable by
// number, name, NIP, mailbox address, instansi and the period it was filed in, each with
// its documents, history and audit trail (the staff request page), and the tenant's
// retention of uploaded scans: once a request has been in the archive longer than the
// tenant's setting, its scans' bytes are purged and their records stay.
//
// A request enters the archive in the transaction that closes it or that an archive step
// ends (workflow.Engine, Store.FileRequest), which writes its filed time and its search
// words; the archive only reads those.
package archive

import (
	"context"
	"time"

	"github.com/surel-id/surel/internal/request"
)

// Query is one page of the archive a store is asked for.
type Query struct {
	TenantID int64
	// Words are lower-cased search words; each must occur in the request's search text
	// (number, mailbox address, applicant's names, NIP, instansi, unit).
	Words []string
	// Instansi is one instansi exactly as the requests name it, or all.
	Instansi string
	// Status is selesai or ditolak, or both; Archived only those an archive step filed.
	Status   request.Status
	Archived bool
	// From and To bound the time the request was filed, [From, To); zero is open.
	From, To time.Time
	// After continues after a row (by filed time, newest first, then id); zero is the
	// first page.
	After Cursor
	Limit int
}

// Cursor is a row's place in the archive's order.
type Cursor struct {
	FiledAt time.Time
	ID      int64
}

// Row is one archived request as the list shows it.
type Row struct {
	ID                  int64
	Number, Service     string
	Status              request.Status
	Name, NIP           string
	Mailbox             string // the address, mailbox@domain
	Instansi, Unit      string
	SubmittedAt         time.Time
	FiledAt, ArchivedAt time.Time
}

// Scan is an uploaded document whose bytes the retention purges.
type Scan struct {
	ID, RequestID int64
	Name          string
}

// Store reads the archive and purges scans.
type Store interface {
	// Archive lists a page of q, newest filed first.
	Archive(ctx context.Context, q Query) ([]Row, error)
	// ArchiveCount counts q's rows, stopping at limit.
	ArchiveCount(ctx context.Context, q Query, limit int) (int, error)
	// ScansToPurge lists up to limit scans not yet purged of the tenant's requests filed
	// before before.
	ScansToPurge(ctx context.Context, tenantID int64, before time.Time, limit int) ([]Scan, error)
	// PurgeScan marks a scan purged at at and hands its bytes to the sweep, in the
	// caller's transaction; false when it was purged already.
	PurgeScan(ctx context.Context, s Scan, at time.Time) (bool, error)
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
}
