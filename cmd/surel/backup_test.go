package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/upload"
)

// A backup taken while the server runs restores on a fresh machine: the accounts, the
// request and its document's bytes, the audit chain, and a staff member's second
// factor (sealed under the secret key, which the restore checks). A restore refuses to
// overwrite a database without --replace, and refuses another key.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	src := map[string]string{"SUREL_DATA_DIR": t.TempDir(), "SUREL_SECRET_KEY": testKey}
	getsrc := func(k string) string { return src[k] }
	a, err := app.New(ctx, mustConfig(t, getsrc), slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tn := a.Tenants.Default()
	now := time.Now()
	u := account.User{TenantID: tn.ID, Username: "budi", Email: "budi@gmail.com", FirstName: "Budi", Phone: "081234567890",
		PasswordHash: "x", Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
	if err := a.Store.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	r, err := a.Requests.NewDraft(ctx, tn, u, "email", "pns", nil)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 50, 30))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 13)
	}
	var scan bytes.Buffer
	png.Encode(&scan, img)
	f, err := a.Uploads.Save(ctx, bytes.NewReader(scan.Bytes()), upload.Rule{Kinds: upload.ScanKinds(), MaxBytes: 1 << 20}, "doc_kepegawaian", "kartu.png")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Requests.Attach(ctx, u, r, fileOf(f)); err != nil {
		t.Fatal(err)
	}
	kasi := stafftest.New(t, a.Staff, tn, "kasi@kominfo.go.id", sop.RoleKepalaSeksi)
	archive := filepath.Join(t.TempDir(), "surel-backup.tar.gz")
	var out bytes.Buffer
	if err := run(ctx, []string{"backup", archive}, getsrc, &out, &out); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if !strings.Contains(out.String(), "1 documents") {
		t.Fatalf("backup says %q", out.String())
	}
	a.Close()

	// A fresh machine with the same key.
	dst := map[string]string{"SUREL_DATA_DIR": t.TempDir(), "SUREL_SECRET_KEY": testKey}
	getdst := func(k string) string { return dst[k] }
	out.Reset()
	if err := run(ctx, []string{"restore", archive}, getdst, &out, &out); err != nil {
		t.Fatalf("restore: %v", err)
	}
	b, err := app.New(ctx, mustConfig(t, getdst), slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Store.UserByLogin(ctx, tn.ID, "budi"); err != nil || got.Email != "budi@gmail.com" {
		t.Fatalf("restored user: %+v %v", got, err)
	}
	files, err := b.Store.FilesOf(ctx, r.ID)
	if err != nil || len(files) != 1 {
		t.Fatalf("restored request's files: %v %v", files, err)
	}
	blob, err := b.Uploads.Open(ctx, files[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(blob)
	blob.Close()
	if !bytes.Equal(got, scan.Bytes()) {
		t.Fatal("the restored document's bytes differ")
	}
	if rep, err := b.Store.VerifyAudit(ctx); err != nil || rep.Break != nil || rep.Entries == 0 {
		t.Fatalf("restored audit chain: %+v %v", rep, err)
	}
	if err := b.Staff.Verify(ctx, kasi.UserID, kasi.Code(time.Now().Add(30*time.Second))); err != nil {
		t.Fatalf("the second factor after the restore: %v", err)
	}
	b.Close()

	if err := run(ctx, []string{"restore", archive}, getdst, &out, &out); err == nil || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("restore over a database: %v", err)
	}
	other := map[string]string{"SUREL_DATA_DIR": t.TempDir(), "SUREL_SECRET_KEY": strings.Repeat("another-key-", 4)}
	if err := run(ctx, []string{"restore", archive}, func(k string) string { return other[k] }, &out, &out); err == nil ||
		!strings.Contains(err.Error(), "secret key") {
		t.Fatalf("restore with another key: %v", err)
	}
}

func fileOf(f upload.File) request.File {
	return request.File{Field: "doc_kepegawaian", Name: f.Name, OriginalName: f.OriginalName, Kind: string(f.Kind), Size: f.Size, SHA256: f.SHA256}
}
