package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/upload"
)

// manifest describes a backup: what it holds and what it needs to be restored.
type manifest struct {
	Format    int       `json:"format"`
	TakenAt   time.Time `json:"taken_at"`
	Schema    int64     `json:"schema"`
	KeyCheck  string    `json:"key_check"` // the database's; the restoring process's key must match
	Documents int       `json:"documents"`
}

const (
	backupFormat   = 1
	backupDB       = "surel.db"
	backupDocs     = "uploads/"
	backupManifest = "manifest.json"
)

// backupCmd is `surel backup FILE.tar.gz`: the database and the documents of a
// single-machine deployment (SQLite, documents in the data directory) in one archive,
// taken while the server runs. The database is copied first (a consistent snapshot),
// then the documents: one uploaded meanwhile is in the archive unreferenced (the sweep
// deletes it after a restore), one replaced meanwhile is missing from it and answers
// 404. The secret key is not in the archive: keep it apart (docs/deployment.md).
// PostgreSQL and a bucket have their own tools (pg_dump, the store's replication).
func backupCmd(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: surel backup FILE.tar.gz")
	}
	if !cfg.SQLite() || cfg.Storage.S3 != nil {
		return errors.New("backup: for a single machine (SQLite, documents in the data directory); " +
			"with PostgreSQL or a bucket use pg_dump and the bucket's own copy (docs/deployment.md)")
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	tmp, err := os.MkdirTemp(filepath.Dir(args[0]), ".surel-backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, backupDB)
	if err := st.Snapshot(ctx, snap); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	ms, err := st.Migrations(ctx)
	if err != nil {
		return err
	}
	kc, err := st.KeyCheck(ctx)
	if err != nil {
		return err
	}
	out, err := os.CreateTemp(filepath.Dir(args[0]), ".surel-backup-*.tar.gz")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(out.Name())
	gz := gzip.NewWriter(out)
	tw := tar.NewWriter(gz)
	n, err := writeBackup(tw, snap, cfg.Storage.Dir)
	if err == nil {
		m := manifest{Format: backupFormat, TakenAt: time.Now().UTC(), Schema: ms.Current, KeyCheck: kc, Documents: n}
		b, _ := json.MarshalIndent(m, "", "  ")
		err = addBytes(tw, backupManifest, b)
	}
	for _, c := range []io.Closer{tw, gz} {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(out.Name(), args[0])
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(w, "backup: %s holds the database (schema %d) and %d documents; keep the secret key apart from it\n", args[0], ms.Current, n)
	return nil
}

// writeBackup adds the database snapshot and every document of dir (not the files being
// written) and tells how many documents.
func writeBackup(tw *tar.Writer, snap, dir string) (int, error) {
	if err := addFile(tw, backupDB, snap); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !upload.ValidName(e.Name()) {
			continue
		}
		if err := addFile(tw, backupDocs+e.Name(), filepath.Join(dir, e.Name())); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since the listing (replaced, swept)
			}
			return n, err
		}
		n++
	}
	return n, nil
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime()}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

func addBytes(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

// restoreCmd is `surel restore FILE.tar.gz`: it puts a backup's database and documents
// in place of a single-machine deployment's, which must be stopped and, unless --replace
// is given, empty. The process's secret key must be the backup's (its check value is in
// the archive), or the sealed passwords and second factors would not open. The schema is
// then migrated to this build's; documents no request refers to go to the sweep.
func restoreCmd(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	const usage = "usage: surel restore [--replace] FILE.tar.gz"
	replace := len(args) == 2 && args[0] == "--replace"
	if replace {
		args = args[1:]
	}
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return errors.New(usage)
	}
	if !cfg.SQLite() || cfg.Storage.S3 != nil {
		return errors.New("restore: for a single machine (SQLite, documents in the data directory)")
	}
	dbPath := strings.TrimPrefix(cfg.DatabaseURL, "sqlite:")
	if _, err := os.Stat(dbPath); err == nil && !replace {
		return fmt.Errorf("restore: %s exists: stop the server and give --replace to overwrite it", dbPath)
	}
	f, err := os.Open(args[0])
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("restore: %s: %w", args[0], err)
	}
	if err := os.MkdirAll(cfg.Storage.Dir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	tmpDB := dbPath + ".restore"
	var m manifest
	var docs []string
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("restore: %s: %w", args[0], err)
		}
		switch {
		case h.Name == backupManifest:
			if err := json.NewDecoder(tr).Decode(&m); err != nil {
				return fmt.Errorf("restore: manifest: %w", err)
			}
		case h.Name == backupDB:
			err = writeFrom(tr, tmpDB)
		case strings.HasPrefix(h.Name, backupDocs) && upload.ValidName(strings.TrimPrefix(h.Name, backupDocs)):
			name := strings.TrimPrefix(h.Name, backupDocs)
			docs = append(docs, name)
			err = writeFrom(tr, filepath.Join(cfg.Storage.Dir, name))
		default:
			err = fmt.Errorf("unexpected entry %q", h.Name)
		}
		if err != nil {
			os.Remove(tmpDB)
			return fmt.Errorf("restore: %w", err)
		}
	}
	if m.Format != backupFormat {
		os.Remove(tmpDB)
		return fmt.Errorf("restore: %s is not a surel backup of format %d", args[0], backupFormat)
	}
	if kc := app.KeyCheck(cfg.SecretKey); m.KeyCheck != "" && m.KeyCheck != kc {
		os.Remove(tmpDB)
		return errors.New("restore: this process's secret key is not the backup's: put the key the backup was taken with " +
			"in SUREL_SECRET_KEY (or the data directory's secret.key) and run restore again")
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(dbPath + suffix)
	}
	if err := os.Rename(tmpDB, dbPath); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	swept, err := st.SweepUnreferenced(ctx, docs, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "restore: the database of %s (schema %d, migrated to this build's) and %d documents are in place; %d unreferenced go to the sweep\n",
		m.TakenAt.Format(time.RFC3339), m.Schema, len(docs), swept)
	return nil
}

// writeFrom writes r to path through a temporary file, synced.
func writeFrom(r io.Reader, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
