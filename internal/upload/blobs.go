package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/errs"
)

// Blobs keeps documents' bytes under the names Store gives them. Names are checked by
// Store (ValidName) before they reach an implementation.
type Blobs interface {
	// Put stores data under name, whole or not at all: a crash or an error leaves
	// nothing readable under name.
	Put(ctx context.Context, name string, data []byte) error
	// Get opens name for reading; an error wrapping errs.ErrNotFound when nothing is
	// stored under it.
	Get(ctx context.Context, name string) (Blob, error)
	// Delete removes name; nothing stored under it is no error.
	Delete(ctx context.Context, name string) error
}

// Blob is a stored document opened for reading (http.ServeContent seeks in it).
type Blob interface {
	io.ReadSeekCloser
}

// Dir keeps documents as files in one directory of this machine: the default, for a
// deployment of one process. Several processes need a store they share (s3store).
type Dir struct {
	// Path holds the files. It must lie outside any directory served as static content;
	// Put creates it with mode 0700 if it is missing but leaves an existing one's mode
	// alone. Files being written live in its .tmp subdirectory until renamed into place.
	Path string
}

// tmpDir is where Put writes before renaming: a name Open can never reach, and a
// directory that SweepTemp lists without listing the documents.
const tmpDir = ".tmp"

// Put writes data to a temporary file, syncs it and renames it into place, so a crash
// leaves either nothing or a whole file under its final name; any failure removes the
// temporary file, and one left by a crash is removed by SweepTemp.
func (d *Dir) Put(ctx context.Context, name string, data []byte) (err error) {
	tmpPath := filepath.Join(d.Path, tmpDir)
	if err := os.MkdirAll(tmpPath, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(tmpPath, "upload-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.Path, name)); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	// The rename is durable only once the directory is synced.
	if err := syncDir(d.Path); err != nil {
		os.Remove(filepath.Join(d.Path, name))
		return err
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	return nil
}

// Get opens a file through an os.Root, so even a symlink planted in Path cannot lead
// outside it; anything but a regular file is not found.
func (d *Dir) Get(_ context.Context, name string) (Blob, error) {
	f, err := os.OpenInRoot(d.Path, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, errs.ErrNotFound
	}
	return f, nil
}

// Delete removes a file.
func (d *Dir) Delete(_ context.Context, name string) error {
	root, err := os.OpenRoot(d.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer root.Close()
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// SweepTemp removes the temporary files that a crash during Put left older than
// olderThan (a Put under way is younger), and tells how many went.
func (d *Dir) SweepTemp(now time.Time, olderThan time.Duration) (int, error) {
	entries, err := os.ReadDir(filepath.Join(d.Path, tmpDir))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("upload: sweep: %w", err)
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !strings.HasPrefix(e.Name(), "upload-") || now.Sub(info.ModTime()) < olderThan {
			continue
		}
		if os.Remove(filepath.Join(d.Path, tmpDir, e.Name())) == nil {
			n++
		}
	}
	return n, nil
}
