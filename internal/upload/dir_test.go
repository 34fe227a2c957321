package upload_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/upload"
	"github.com/surel-id/surel/internal/upload/blobtest"
)

func TestDirContract(t *testing.T) {
	blobtest.Contract(t, &upload.Dir{Path: filepath.Join(t.TempDir(), "uploads")})
}

// A temporary file left by a crash during Put is swept once it is old; one being
// written (young) is not, and documents never are.
func TestDirSweepTemp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "uploads")
	d := &upload.Dir{Path: dir}
	name := blobtest.Name(t)
	if err := d.Put(context.Background(), name, []byte("%PDF-1.4")); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".tmp")
	old, young := filepath.Join(tmp, "upload-1234"), filepath.Join(tmp, "upload-5678")
	os.WriteFile(old, []byte("half"), 0o600)
	os.WriteFile(young, []byte("half"), 0o600)
	now := time.Now()
	os.Chtimes(old, now.Add(-2*time.Hour), now.Add(-2*time.Hour))
	n, err := d.SweepTemp(now, time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want 1", n, err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatal("old temporary file kept")
	}
	if _, err := os.Stat(young); err != nil {
		t.Fatal("young temporary file swept")
	}
	if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
		t.Fatal("document swept")
	}
}
