package roster

import (
	"io"
	"time"
)

// ChangeKind is what an import changed for one NIP, against the roster before it.
type ChangeKind string

// The kinds of change (the words the report shows, translated as "roster.change.<kind>").
const (
	Joined   ChangeKind = "baru"     // on the new roster only
	Left     ChangeKind = "keluar"   // on the old roster only: retired, moved out of the tenant, died
	Inactive ChangeKind = "nonaktif" // on both, no longer active
	Moved    ChangeKind = "pindah"   // on both, another unit or instansi
	Restatus ChangeKind = "status"   // on both, another employment status, or active again
)

// Proposes reports whether a change proposes deactivating the person's mailboxes: they
// left the roster or are no longer active. A proposal is a task for staff, never a
// deletion.
func (k ChangeKind) Proposes() bool { return k == Left || k == Inactive }

// Change is one person's change between two rosters.
type Change struct {
	NIP  string
	Kind ChangeKind
	// Old and New are the entries before and after (zero when absent).
	Old, New Entry
}

// Name is the person's name, from whichever roster has it.
func (c Change) Name() string {
	if c.New.Name != "" {
		return c.New.Name
	}
	return c.Old.Name
}

// Summary counts an import's changes by kind.
type Summary struct {
	Entries  int // on the new roster
	Previous int // on the old one
	Counts   map[ChangeKind]int
}

// Diff is a Source that passes the entries of next through, in its NIP order, while
// comparing them with old (the roster before, also in NIP order) and calling emit for
// each change: the import writes the new roster and learns what changed in one pass,
// without a second read of either. old may be nil (no roster before: every entry is
// Joined, and only counted). Summary is complete once next returned io.EOF.
type Diff struct {
	old, next Source
	emit      func(Change) error
	sum       Summary
	o         Entry
	oOK       bool
	started   bool
	err       error
}

// NewDiff compares next with old as next is read; emit hears each change but Joined ones
// when there was no roster before (a first import).
func NewDiff(old, next Source, emit func(Change) error) *Diff {
	return &Diff{old: old, next: next, emit: emit, sum: Summary{Counts: map[ChangeKind]int{}}}
}

// Summary is the counts so far.
func (d *Diff) Summary() Summary { return d.sum }

func (d *Diff) advanceOld() error {
	if d.old == nil {
		d.oOK = false
		return nil
	}
	e, _, err := d.old.Next()
	if err == io.EOF {
		d.oOK = false
		return nil
	}
	if err != nil {
		return err
	}
	d.o, d.oOK = e, true
	d.sum.Previous++
	return nil
}

func (d *Diff) change(c Change) error {
	d.sum.Counts[c.Kind]++
	if c.Kind == Joined && d.old == nil {
		return nil
	}
	return d.emit(c)
}

// Next returns the next entry of next, after emitting the changes up to it.
func (d *Diff) Next() (Entry, int, error) {
	if d.err != nil {
		return Entry{}, 0, d.err
	}
	if !d.started {
		d.started = true
		if d.err = d.advanceOld(); d.err != nil {
			return Entry{}, 0, d.err
		}
	}
	e, line, err := d.next.Next()
	if err == io.EOF {
		// The rest of the old roster left.
		for d.oOK {
			if d.err = d.change(Change{NIP: d.o.NIP, Kind: Left, Old: d.o}); d.err != nil {
				return Entry{}, 0, d.err
			}
			if d.err = d.advanceOld(); d.err != nil {
				return Entry{}, 0, d.err
			}
		}
		return Entry{}, 0, io.EOF
	}
	if err != nil {
		return e, line, err
	}
	d.sum.Entries++
	for d.oOK && d.o.NIP < e.NIP {
		if d.err = d.change(Change{NIP: d.o.NIP, Kind: Left, Old: d.o}); d.err != nil {
			return Entry{}, 0, d.err
		}
		if d.err = d.advanceOld(); d.err != nil {
			return Entry{}, 0, d.err
		}
	}
	if d.oOK && d.o.NIP == e.NIP {
		o := d.o
		if d.err = d.advanceOld(); d.err != nil {
			return Entry{}, 0, d.err
		}
		var kind ChangeKind
		switch {
		case o.Active && !e.Active:
			kind = Inactive
		case o.Unit != e.Unit || o.Instansi != e.Instansi:
			kind = Moved
		case o.Status != e.Status || o.Active != e.Active:
			kind = Restatus
		}
		if kind != "" {
			if d.err = d.change(Change{NIP: e.NIP, Kind: kind, Old: o, New: e}); d.err != nil {
				return Entry{}, 0, d.err
			}
		}
		return e, line, nil
	}
	if d.err = d.change(Change{NIP: e.NIP, Kind: Joined, New: e}); d.err != nil {
		return Entry{}, 0, d.err
	}
	return e, line, nil
}

// Run is one import of a tenant's roster and what it changed: the report the tenant
// admin reads before any deactivation is proposed.
type Run struct {
	ID       int64
	TenantID int64
	// Source names where the file came from: "unggah: <file name>", "cli: <path>", or
	// the scheduled import's path or URL.
	Source     string
	ByID       int64 // the staff member who imported it; 0 for the command line or the schedule
	ByName     string
	At         time.Time
	Summary    Summary
	Kept       int // changes kept for the report (at most MaxKept)
	ProposedAt time.Time
}

// MaxKept bounds the changes an import keeps for its report; the counts stay exact. The
// changes that propose a deactivation are kept first.
const MaxKept = 100_000
