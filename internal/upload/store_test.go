package upload

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/errs"
)

func TestStoreSaveOpenRemove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "uploads")
	s := &Store{Blobs: &Dir{Path: dir}}
	data := pdfSample()
	f, err := s.Save(context.Background(), bytes.NewReader(data), scanRule, "sk", `C:\Users\budi\Documents\SK Pengangkatan.pdf`)
	if err != nil {
		t.Fatal(err)
	}
	if !ValidName(f.Name) || !strings.HasSuffix(f.Name, ".pdf") {
		t.Fatalf("name %q is not generated", f.Name)
	}
	if f.OriginalName != "SK Pengangkatan.pdf" || f.Kind != PDF || f.Size != int64(len(data)) || f.Pages != 1 || len(f.SHA256) != 64 {
		t.Fatalf("file %+v", f)
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("dir %v %v, want mode 0700", st.Mode(), err)
	}
	entries := files(t, dir)
	if len(entries) != 1 || entries[0].Name() != f.Name {
		t.Fatalf("dir holds %v, want only %s", entries, f.Name)
	}
	if info, _ := entries[0].Info(); info.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, want 0600", info.Mode())
	}

	r, err := s.Open(context.Background(), f.Name)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("stored bytes differ")
	}

	f2, err := s.Save(context.Background(), bytes.NewReader(data), scanRule, "sk", "SK Pengangkatan.pdf")
	if err != nil || f2.Name == f.Name {
		t.Fatalf("second save of the same file: %v, name %s", err, f2.Name)
	}

	if err := s.Remove(context.Background(), f.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(context.Background(), f.Name); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("open after remove: %v", err)
	}
	if err := s.Remove(context.Background(), f.Name); err != nil {
		t.Fatalf("second remove: %v", err)
	}
}

func TestStoreKeepsNothingRefused(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Blobs: &Dir{Path: dir}}
	refused := map[string][]byte{
		"empty":    nil,
		"html":     []byte("<html><script>alert(1)</script></html>"),
		"polyglot": append(pngSample(t), zipSample(t)...),
		"script":   append(jpegSample(t), "<script>alert(1)</script>"...),
		"js pdf":   pdfDoc(onePage(" /OpenAction << /S /JavaScript /JS (x) >>"), ""),
		"too big":  noisePNG(t, 300, 260),
	}
	for name, data := range refused {
		_, err := s.Save(context.Background(), bytes.NewReader(data), Rule{Kinds: ScanKinds(), MaxBytes: 250 * KB}, "sk", name+".pdf")
		if e, ok := errs.As(err); !ok || e.Code != errs.Invalid || e.Fields[0].Name != "sk" {
			t.Errorf("%s: got %v, want a field error on sk", name, err)
		}
	}
	if entries := files(t, dir); len(entries) != 0 {
		t.Fatalf("refused uploads left %v behind", entries)
	}
}

func TestStoreSaveCancelled(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Blobs: &Dir{Path: dir}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Save(ctx, bytes.NewReader(pngSample(t)), scanRule, "sk", "a.png"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if entries := files(t, dir); len(entries) != 0 {
		t.Fatalf("cancelled save left %v behind", entries)
	}
}

func TestStoreSaveWriteFailureLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	// Dir is a file, so creating the temporary file fails.
	dir := filepath.Join(parent, "uploads")
	os.WriteFile(dir, nil, 0o600)
	s := &Store{Blobs: &Dir{Path: dir}}
	if _, err := s.Save(context.Background(), bytes.NewReader(pngSample(t)), scanRule, "sk", "a.png"); err == nil {
		t.Fatal("save into a file succeeded")
	} else if _, ok := errs.As(err); ok {
		t.Fatalf("a disk failure looks like a refusal: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Fatalf("failed save left %v behind", entries)
	}
}

func TestStoreOpenRefusesForeignNames(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "uploads")
	s := &Store{Blobs: &Dir{Path: dir}}
	f, err := s.Save(context.Background(), bytes.NewReader(pngSample(t)), scanRule, "sk", "a.png")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "secret.txt"), []byte("secret"), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.pdf"), []byte("%PDF-1.4"), 0o600)
	// A symlink under a valid-looking name, as if planted by another process.
	planted := strings.Repeat("a", 32) + ".pdf"
	os.Symlink(filepath.Join(root, "secret.txt"), filepath.Join(dir, planted))
	os.Mkdir(filepath.Join(dir, strings.Repeat("b", 32)+".pdf"), 0o700)

	for _, name := range []string{
		"../etc/passwd", "../../../../etc/passwd", "/etc/passwd", "..", ".", "",
		"../secret.txt", "notes.pdf", f.Name + "/", "./" + f.Name, strings.ToUpper(f.Name),
		f.Name[:32] + ".exe", f.Name[:32] + ".PDF", f.Name + "\x00", strings.Repeat("0", 32) + ".png",
		planted, strings.Repeat("b", 32) + ".pdf",
	} {
		r, err := s.Open(context.Background(), name)
		if err == nil {
			r.Close()
			t.Errorf("Open(%q) succeeded", name)
			continue
		}
		if !errors.Is(err, errs.ErrNotFound) && name != planted {
			t.Errorf("Open(%q): %v, want errs.ErrNotFound", name, err)
		}
	}
	if err := s.Remove(context.Background(), "../secret.txt"); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("Remove(../secret.txt): %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "secret.txt")); err != nil {
		t.Errorf("secret removed: %v", err)
	}
	if r, err := s.Open(context.Background(), f.Name); err != nil {
		t.Errorf("Open(%q): %v", f.Name, err)
	} else {
		r.Close()
	}
}

func TestCleanName(t *testing.T) {
	long := strings.Repeat("x", 150) + ".pdf"
	for in, want := range map[string]string{
		"SK Pengangkatan.pdf":                 "SK Pengangkatan.pdf",
		`C:\fakepath\scan KARPEG.jpg`:         "scan KARPEG.jpg",
		"../../etc/passwd":                    "passwd",
		"..":                                  "",
		".htaccess":                           "htaccess",
		"scan\u202Egpj.exe":                   "scangpj.exe",
		"a\x00b\r\nc.png":                     "ab c.png",
		"  many   spaces\t.pdf  ":             "many spaces .pdf",
		"bad\xffutf8.pdf":                     "badutf8.pdf",
		`say "hi".pdf`:                        "say hi.pdf",
		long:                                  strings.Repeat("x", 96) + ".pdf",
		"Surat Keputusan Bupati Merangin.pdf": "Surat Keputusan Bupati Merangin.pdf",
	} {
		if got := CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

// files lists what a Dir holds besides its directory of files being written, and fails
// if that directory holds any.
func files(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	if tmp, _ := os.ReadDir(filepath.Join(dir, tmpDir)); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
	var out []os.DirEntry
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != tmpDir {
			out = append(out, e)
		}
	}
	return out
}
