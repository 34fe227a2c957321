// Package registry is a tenant's "database akun email" (seed 003, the Pencatatan of SOP
// VI.6): every mailbox of the tenant, whether surel made it for a request or a sync of the
// mail server adopted it, with its owner, its kind, its state on the server, its quota and
// use, the request that made it and the history of everything done to it.
//
// The registry records what the mail server has, never what surel hopes it has: a state
// is written only after the server confirmed the change (the lifecycle jobs of
// internal/workflow call Apply once the driver answered), and a sync of the server
// (issue 13) reconciles what changed behind surel's back. Staff never edit a row: every
// change is a service of the catalogue (reset, deactivation, reactivation, quota), an
// audited, role-checked step of the tenant's SOP.
//
// The seams for the work that follows:
//   - Sync (adopting the mailboxes a server already holds, issue 13; Service.Sync in
//     sync.go) upserts by address through SyncStore.SyncMailbox: a new row is Source
//     adopted, with OwnerID 0 until an owner is matched (OwnerMatch says how: by NIP, by
//     name after staff's review, or claimed by the owner); a mailbox the server no
//     longer lists is marked gone (SyncStore.MarkGone), never deleted; SyncedAt is when
//     a sync last saw it.
//   - Institutional mailboxes (issue 19) are Kind institutional, their OwnerID the
//     responsible PNS (nullable, as for an adopted mailbox without a known owner). When
//     that person is deactivated, or a roster import finds them gone, inactive or moved,
//     the mailbox is flagged for handover (Handover, handover.go): nothing changes on
//     the server, and the Serah Terima service names the new responsible PNS.
package registry

import (
	"strings"
	"time"
	"unicode"

	"github.com/surel-id/surel/internal/audit"
)

// Status is a mailbox's state as the registry shows it. The codes are the words staff
// read (the interface translates them as "registry.status.<code>").
type Status string

// The statuses.
const (
	Active   Status = "aktif"    // logins and mail accepted
	Locked   Status = "dikunci"  // no login; the mailbox, its mail and its lists stay
	Inactive Status = "nonaktif" // deactivated: no login, mail bounces; kept for the retention period
	Removed  Status = "dihapus"  // purged from the server after the retention period
)

// Statuses lists the statuses in the order the filters show them.
var Statuses = []Status{Active, Locked, Inactive, Removed}

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// Kind is who a mailbox is for.
type Kind string

// The kinds.
const (
	Personal Kind = "perorangan" // one PNS or perangkat desa
	// Institutional is a perangkat daerah's, unit's, desa's or service desk's mailbox,
	// with a responsible PNS as its owner (issue 19).
	Institutional Kind = "instansi"
)

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return k == Personal || k == Institutional }

// Source says how a mailbox came into the registry.
type Source string

// The sources.
const (
	// FromRequest is a mailbox surel created for a request ("Pendaftaran Akun Email").
	FromRequest Source = "surel"
	// Adopted is a mailbox the server already held, found by a sync (issue 13).
	Adopted Source = "adopsi"
)

// Valid reports whether s is one of the sources.
func (s Source) Valid() bool { return s == FromRequest || s == Adopted }

// Owner matches of an adopted mailbox (Mailbox.OwnerMatch): how its portal owner was
// found. A mailbox surel made for a request has the request's applicant and no match.
const (
	MatchNone  = ""      // no owner known, or the request's applicant
	MatchNIP   = "nip"   // the server's owner attribute holds the owner's NIP
	MatchName  = "nama"  // only the name matched: staff confirm before it counts
	MatchClaim = "klaim" // the owner claimed it and staff confirmed
)

// Mailbox is one row of the registry.
type Mailbox struct {
	ID       int64
	TenantID int64
	Address  string // local@domain, lower-case
	Kind     Kind
	Status   Status
	Source   Source
	// OwnerID is the portal account of the owner (for an institutional mailbox, the
	// responsible PNS); 0 when unknown (an adopted mailbox not yet matched or claimed).
	OwnerID int64
	// OwnerMatch says how an adopted mailbox's owner was found (MatchNIP …).
	OwnerMatch string
	// The owner as the registry records them: from the request's form, the roster, or
	// what the server says.
	NIP      string
	Name     string
	Instansi string
	Unit     string
	// RequestID is the request that created the mailbox; 0 for an adopted one.
	// RequestNumber is its number, read with the row.
	RequestID     int64
	RequestNumber string
	// QuotaBytes is the quota the server confirmed, 0 for the server's default or none.
	QuotaBytes int64
	// UsedBytes is the space used at UsageAt, -1 unknown.
	UsedBytes int64
	UsageAt   time.Time
	CreatedAt time.Time
	// UpdatedAt is the last change of the row (the "last change" column).
	UpdatedAt time.Time
	// SyncedAt is when a sync last saw the mailbox on the server; zero if never synced.
	SyncedAt time.Time
	// GoneAt is when a sync found the mailbox missing on the server ("removed on
	// server"); zero while it is there. The row stays, with its history.
	GoneAt time.Time
	// DeactivatedAt is when the server confirmed the deactivation; PurgeAfter is when the
	// tenant's retention period for it ends (then the purge step may run).
	DeactivatedAt time.Time
	PurgeAfter    time.Time
	// ServerStatus is the server's own word for the mailbox at the last sync (active,
	// lockout, maintenance, pending …): Status is what it means for staff.
	ServerStatus string
	// CandidateNIP and CandidateScore are an owner the sync proposes by name (the
	// roster's entry, and how sure: ScoreHigh …), waiting in the review queue while
	// Review is ReviewPending; never an owner until staff confirm.
	CandidateNIP   string
	CandidateScore int
	Review         string
	// Handover is why an institutional mailbox waits for a new responsible PNS
	// (HandoverDeactivated …), "" when it does not; HandoverAt is since when.
	Handover   string
	HandoverAt time.Time
	// Version counts the row's changes: a change is written only over the version it
	// was decided on, so two staff acting on one mailbox cannot both win.
	Version int64
}

// Local is the address's local part.
func (m Mailbox) Local() string {
	local, _, _ := strings.Cut(m.Address, "@")
	return local
}

// Domain is the address's domain.
func (m Mailbox) Domain() string {
	_, d, _ := strings.Cut(m.Address, "@")
	return d
}

// Object is the audit trail's name of a mailbox of the registry: "mailbox:<id>".
func Object(id int64) string { return audit.Object("mailbox", id) }

// Terms are the words a mailbox is found by: the address's local part split at its dots,
// dashes and underscores, each word of the owner's name, and the NIP. They are folded as
// Fold does, words of one letter left out; each appears once. (The local part whole is
// no term: a query "budi.s" is the words "budi" and "s", and a term "budi.santoso" would
// only make the row come up twice for "budi".)
func Terms(address, name, nip string) []string {
	var out []string
	add := func(t string) {
		if len(t) < 2 {
			return
		}
		for _, x := range out {
			if x == t {
				return
			}
		}
		out = append(out, t)
	}
	local, _, _ := strings.Cut(address, "@")
	for _, w := range Fold(local) {
		add(w)
	}
	for _, w := range Fold(name) {
		add(w)
	}
	for _, w := range Fold(nip) {
		add(w)
	}
	return out
}

// Fold splits text into the lower-case words search compares: runs of letters and digits,
// accents dropped where the letter has a plain form ("Zaïnal" is "zainal"), anything
// else a separator. A search query goes through the same fold as the names it looks for.
func Fold(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		r = plain(r)
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			b.WriteRune(r)
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// plain maps the accented Latin letters found in Indonesian names to their base letter.
func plain(r rune) rune {
	if r < 0xC0 || r > 0x17F {
		return r
	}
	const from = "àáâãäåèéêëìíîïòóôõöùúûüýÿñç"
	const to = "aaaaaaeeeeiiiiooooouuuuyync"
	for i, f := range []rune(from) {
		if f == r {
			return rune(to[i])
		}
	}
	return r
}

// SearchText is the folded words of address, name and NIP joined by spaces, stored with
// the row: the words of a query after the first are looked for in it.
func SearchText(address, name, nip string) string {
	return " " + strings.Join(Terms(address, name, nip), " ") + " "
}
