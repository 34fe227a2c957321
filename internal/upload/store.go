package upload

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/errs"
)

// Store checks uploads and keeps the accepted ones in Blobs (a directory of this machine,
// Dir, or a bucket shared by several processes, package s3store), under names it
// generates. It never serves them: the request domain records each File with its owner
// and tenant, and the download handler checks that the viewer is the owner or the
// tenant's staff before calling Open, answering 404 otherwise so that a stranger cannot
// tell a file exists. That handler must send Kind.ContentType (never a type guessed from
// a name) with "X-Content-Type-Options: nosniff", and either "Content-Disposition:
// attachment" or, to show the file in the browser, "Content-Security-Policy: sandbox":
// the checks make a hostile file unlikely, and these headers make one harmless.
type Store struct {
	Blobs Blobs
	// Pending, when set, hears of every name before its bytes are written, so that a
	// document the request never recorded (a crash between the write and the record's
	// commit) is found and deleted later: the record's insert releases the name
	// (internal/store), and the leader's sweep deletes the bytes of names held too long.
	Pending Pending
	// Now is the clock of Pending's deadlines; nil is time.Now.
	Now func() time.Time
}

// Pending remembers written documents until a request records them.
type Pending interface {
	// HoldFile notes that name is being written; unless recorded before due, its
	// bytes are deleted after it.
	HoldFile(ctx context.Context, name string, due time.Time) error
}

// HoldFor is how long a written document may wait for its record before the sweep
// deletes it: far longer than a form's upload takes.
const HoldFor = time.Hour

// File is an upload Store kept.
type File struct {
	// Name is the generated file name, the only handle to the bytes: 32 hex digits of
	// randomness and the kind's extension.
	Name string
	// OriginalName is the uploader's file name cleaned by CleanName, for display only; it
	// is never part of a path.
	OriginalName string
	Checked
}

// nameLen is the length of a generated name: 32 hex digits, a dot, three letters.
const nameLen = 32 + 4

// Save checks one upload and, if it is accepted, stores it. A refused upload gives the
// *errs.Error of Check and nothing is written: the file is judged in memory first, so its
// bytes never reach the store. An accepted file is held in Pending and then written whole
// or not at all (Blobs.Put). originalName is the name the browser sent, kept only as
// File.OriginalName.
func (s *Store) Save(ctx context.Context, r io.Reader, rule Rule, field, originalName string) (File, error) {
	if s.Blobs == nil {
		return File{}, errors.New("upload: save: store has no Blobs")
	}
	data, err := read(r, rule)
	if err != nil {
		return File{}, asFieldErr(field, err)
	}
	c, err := judge(data, rule)
	if err != nil {
		return File{}, asFieldErr(field, err)
	}
	if err := ctx.Err(); err != nil {
		return File{}, fmt.Errorf("upload: save: %w", err)
	}
	name, err := newName(c.Kind)
	if err != nil {
		return File{}, err
	}
	if s.Pending != nil {
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		if err := s.Pending.HoldFile(ctx, name, now().Add(HoldFor)); err != nil {
			return File{}, fmt.Errorf("upload: save: %w", err)
		}
	}
	if err := s.Blobs.Put(ctx, name, data); err != nil {
		return File{}, fmt.Errorf("upload: save: %w", err)
	}
	return File{Name: name, OriginalName: CleanName(originalName), Checked: c}, nil
}

// newName makes a name no one can guess or choose: 128 random bits and kind's extension.
func newName(k Kind) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("upload: name: %w", err)
	}
	return hex.EncodeToString(b[:]) + k.Ext(), nil
}

// ValidName tells whether name has the form Save gives. Anything else, a path above
// all, is refused before a store sees it.
func ValidName(name string) bool {
	if len(name) != nameLen || name[32] != '.' {
		return false
	}
	for _, c := range []byte(name[:32]) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	switch Kind(name[33:]) {
	case JPEG, PNG, GIF, PDF:
		return true
	}
	return false
}

// Open opens a stored file for reading. A name that Save could not have given, or that
// names nothing stored, gives an error wrapping errs.ErrNotFound, so the handler answers
// 404 for both.
func (s *Store) Open(ctx context.Context, name string) (Blob, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("upload: open %q: %w", name, errs.ErrNotFound)
	}
	b, err := s.Blobs.Get(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("upload: open %s: %w", name, err)
	}
	return b, nil
}

// Remove deletes a stored file, for a request withdrawn or a document replaced. A file
// already gone is not an error, so a retried clean-up succeeds.
func (s *Store) Remove(ctx context.Context, name string) error {
	if !ValidName(name) {
		return fmt.Errorf("upload: remove %q: %w", name, errs.ErrNotFound)
	}
	if err := s.Blobs.Delete(ctx, name); err != nil {
		return fmt.Errorf("upload: remove %s: %w", name, err)
	}
	return nil
}

// maxOriginalName is the length, in characters, CleanName keeps.
const maxOriginalName = 100

// CleanName makes an uploader's file name safe to show: the base name only (browsers on
// Windows may send a whole path), without control or bidirectional-override characters
// (U+202E makes "gpj.exe" display as "exe.jpg"), without quotes, white space collapsed,
// leading dots and trailing dots or spaces trimmed, and at most 100 characters with the
// extension kept. It may return "". The result is for display and Content-Disposition
// only, never for a path.
func CleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '"', r == utf8.RuneError:
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	name = strings.TrimRight(strings.TrimLeft(b.String(), ". "), ". ")
	runes := []rune(name)
	if len(runes) <= maxOriginalName {
		return name
	}
	ext := []rune(filepath.Ext(name))
	if len(ext) > 10 {
		ext = nil
	}
	return string(runes[:maxOriginalName-len(ext)]) + string(ext)
}
