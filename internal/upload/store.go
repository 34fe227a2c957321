package upload

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/errs"
)

// Store keeps accepted uploads as files in one directory, under names it generates. It
// never serves them: the request domain records each File with its owner and tenant, and
// the download handler checks that the viewer is the owner or the tenant's staff before
// calling Open, answering 404 otherwise so that a stranger cannot tell a file exists.
// That handler must send Kind.ContentType (never a type guessed from a name) with
// "X-Content-Type-Options: nosniff", and either "Content-Disposition: attachment" or,
// to show the file in the browser, "Content-Security-Policy: sandbox": the checks make
// a hostile file unlikely, and these headers make one harmless.
type Store struct {
	// Dir holds the files. It must lie outside any directory served as static content;
	// Save creates it with mode 0700 if it is missing but leaves an existing one's mode
	// alone.
	Dir string
}

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
// bytes never reach the disk. An accepted file is written to a temporary file in Dir,
// synced, and renamed into place, so a crash leaves either nothing or a whole file under
// its final name; any failure removes the temporary file. originalName is the name the
// browser sent, kept only as File.OriginalName.
func (s *Store) Save(ctx context.Context, r io.Reader, rule Rule, field, originalName string) (File, error) {
	if s.Dir == "" {
		return File{}, errors.New("upload: save: store has no Dir")
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
	if err := s.write(ctx, name, data); err != nil {
		return File{}, err
	}
	return File{Name: name, OriginalName: CleanName(originalName), Checked: c}, nil
}

// write puts data under name through a temporary file.
func (s *Store) write(ctx context.Context, name string, data []byte) (err error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("upload: save: %w", err)
	}
	// The temporary name cannot pass validName, so Open never serves a partial file.
	tmp, err := os.CreateTemp(s.Dir, ".upload-*.tmp")
	if err != nil {
		return fmt.Errorf("upload: save: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("upload: save: write: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("upload: save: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("upload: save: close: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("upload: save: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.Dir, name)); err != nil {
		return fmt.Errorf("upload: save: rename: %w", err)
	}
	// The rename is durable only once the directory is synced.
	if err := syncDir(s.Dir); err != nil {
		os.Remove(filepath.Join(s.Dir, name))
		return err
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("upload: save: sync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("upload: save: sync dir: %w", err)
	}
	return nil
}

// newName makes a name no one can guess or choose: 128 random bits and kind's extension.
func newName(k Kind) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("upload: name: %w", err)
	}
	return hex.EncodeToString(b[:]) + k.Ext(), nil
}

// validName tells whether name has the form newName gives. Anything else, a path above
// all, is refused before the file system sees it.
func validName(name string) bool {
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
// names no regular file, gives an error wrapping errs.ErrNotFound, so the handler answers
// 404 for both. The file is opened through an os.Root, so even a symlink planted in Dir
// cannot lead outside it.
func (s *Store) Open(name string) (*os.File, error) {
	if !validName(name) {
		return nil, fmt.Errorf("upload: open %q: %w", name, errs.ErrNotFound)
	}
	f, err := os.OpenInRoot(s.Dir, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("upload: open %s: %w", name, errs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("upload: open %s: %w", name, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("upload: open %s: %w", name, errs.ErrNotFound)
	}
	return f, nil
}

// Remove deletes a stored file, for a request withdrawn or a record that failed to
// commit. A file already gone is not an error, so a retried clean-up succeeds.
func (s *Store) Remove(name string) error {
	if !validName(name) {
		return fmt.Errorf("upload: remove %q: %w", name, errs.ErrNotFound)
	}
	root, err := os.OpenRoot(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("upload: remove %s: %w", name, err)
	}
	defer root.Close()
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
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
