// Package roster is the employer's personnel list (data kepegawaian): one entry per NIP
// with name, instansi, work unit, employment status and whether the person is active. A
// tenant loads it from a CSV export; while one is loaded, every request is checked
// against it and the mismatches are shown to the verifier, who decides (the product
// flags, it does not refuse).
//
// An import reads and checks the whole file, sorts it by NIP on disk with bounded memory
// (see Sort), and hands the sorted rows to the store, which replaces the tenant's roster
// in one transaction.
package roster

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Status is the employment status of a roster entry.
type Status string

// The statuses a roster may hold. Only a PNS may have the national address; a PPPK may,
// for the kinds of service (Jenis Layanan) that allow it; honorary staff may not.
const (
	PNS     Status = "PNS"
	PPPK    Status = "PPPK"
	Honorer Status = "honorer"
)

// Entry is one person in a roster.
type Entry struct {
	NIP      string // 18 digits
	Name     string // as the personnel system writes it, titles included
	Instansi string
	Unit     string // unit kerja / satuan kerja
	Status   Status
	Active   bool
}

// Source yields the entries of a roster one at a time, so an import never holds the whole
// file in memory.
type Source interface {
	// Next returns the next entry and the line of the file it came from. After the last
	// entry it returns io.EOF; any other error ends the import and nothing is written.
	Next() (e Entry, line int, err error)
}

// Importer is the store's side of an import.
type Importer interface {
	// ImportRoster replaces the tenant's roster with the entries of src, atomically.
	ImportRoster(ctx context.Context, tenantID int64, src Source) (int, error)
}

// Options tune an import. The zero value is good.
type Options struct {
	// TempDir holds the sorted runs of a large file; os.TempDir() when empty.
	TempDir string
	// RunBytes is the memory one sorted run may use, DefaultRunBytes when 0. About two
	// runs are in memory at once.
	RunBytes int
}

// Import reads a roster CSV from r, checks every row, sorts it by NIP and replaces the
// tenant's roster with it through st. A file with any bad row, or a NIP twice, is
// refused as a whole with a *FileError listing the first problems by line, and the
// roster in place stays as it was. It returns the number of entries loaded.
func Import(ctx context.Context, st Importer, tenantID int64, r io.Reader, opt Options) (int, error) {
	rd, err := NewReader(r)
	if err != nil {
		return 0, err
	}
	sorted, err := Sort(rd, opt)
	if err != nil {
		return 0, err
	}
	defer sorted.Close()
	return st.ImportRoster(ctx, tenantID, sorted)
}

// MaxProblems is how many bad rows a FileError lists; the rest are only counted.
const MaxProblems = 20

// Problem is one bad row of a file.
type Problem struct {
	Line int
	// Column is the header name of the bad field, or "" for the row as a whole.
	Column string
	// Reason is a stable key: "csv" (unreadable), "fields" (wrong number of fields),
	// "nip" (not 18 digits), "name" (empty), "text" (not UTF-8, or a NUL byte), "status",
	// "active", "duplicate" (the NIP is on Other too).
	Reason string
	Value  string
	// Other is the earlier line holding the same NIP, for "duplicate".
	Other int
}

// Error makes a Problem usable as the error of one unreadable record.
func (p *Problem) Error() string { return p.String() }

// String says what is wrong, in English, with the line: "line 3: nip: NIP must be 18
// digits, got "1.98E+17"".
func (p Problem) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d: ", p.Line)
	if p.Column != "" {
		b.WriteString(p.Column + ": ")
	}
	switch p.Reason {
	case "nip":
		fmt.Fprintf(&b, "NIP must be 18 digits, got %q", p.Value)
	case "name":
		b.WriteString("name is empty")
	case "text":
		b.WriteString("not UTF-8 text, or a NUL byte in it (save the sheet as \"CSV UTF-8\")")
	case "status":
		fmt.Fprintf(&b, "status must be PNS, PPPK or honorer, got %q", p.Value)
	case "active":
		fmt.Fprintf(&b, "must be 1/0, true/false, ya/tidak or Y/N, got %q", p.Value)
	case "duplicate":
		fmt.Fprintf(&b, "NIP %s is also on line %d", p.Value, p.Other)
	default:
		b.WriteString(p.Value)
	}
	return b.String()
}

// FileError refuses a file: its first problems and how many bad rows there were in all.
type FileError struct {
	Problems []Problem
	// Total counts every problem found, listed or not.
	Total int
	// Header is set when the header itself is wrong; then Problems is empty.
	Header string
}

// Error lists the problems, one a line.
func (e *FileError) Error() string {
	if e.Header != "" {
		return "roster file: " + e.Header
	}
	var b strings.Builder
	fmt.Fprintf(&b, "roster file refused, %d bad row(s):", e.Total)
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	if more := e.Total - len(e.Problems); more > 0 {
		fmt.Fprintf(&b, "\n  … and %d more", more)
	}
	return b.String()
}

// add records a problem, keeping the first MaxProblems.
func (e *FileError) add(p Problem) {
	e.Total++
	if len(e.Problems) < MaxProblems {
		e.Problems = append(e.Problems, p)
	}
}
