package app

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/upload"
	"github.com/surel-id/surel/internal/upload/blobtest"
)

// What a crash leaves of documents is swept: an upload whose request never recorded it,
// and the replaced document whose removal after the commit never ran. A recorded
// document stays. On the directory, and on a shared bucket when SUREL_TEST_S3 names a
// server.
func TestSweepDocuments(t *testing.T) {
	storages := map[string]func(t *testing.T) map[string]string{
		"dir": func(t *testing.T) map[string]string { return nil },
		"s3": func(t *testing.T) map[string]string {
			srv := blobtest.S3(t)
			return map[string]string{"SUREL_STORAGE_URL": srv.URL(srv.Bucket(t))}
		},
	}
	for _, d := range dbtest.Engines(t) {
		for name, env := range storages {
			t.Run(string(d)+"/"+name, func(t *testing.T) {
				ctx := context.Background()
				a := newApp(t, dbtest.URL(t, d), env(t))
				now := time.Now()
				u := account.User{TenantID: a.Tenants.Default().ID, Username: "budi", Email: "budi@gmail.com", FirstName: "Budi",
					Phone: "081234567890", PasswordHash: "x", Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
				if err := a.Store.CreateUser(ctx, &u); err != nil {
					t.Fatal(err)
				}
				r, err := a.Requests.NewDraft(ctx, a.Tenants.Default(), u, "email", "pns", nil)
				if err != nil {
					t.Fatal(err)
				}
				save := func() upload.File {
					f, err := a.Uploads.Save(ctx, bytes.NewReader(scan(t)), upload.Rule{Kinds: upload.ScanKinds(), MaxBytes: 1 << 20}, "doc_kepegawaian", "kartu.png")
					if err != nil {
						t.Fatal(err)
					}
					return f
				}
				doc := func(f upload.File) request.File {
					return request.File{Field: "doc_kepegawaian", Name: f.Name, OriginalName: f.OriginalName, Kind: string(f.Kind), Size: f.Size, SHA256: f.SHA256}
				}
				orphan := save() // the process died before Attach
				first, second := save(), save()
				if err := a.Requests.Attach(ctx, u, r, doc(first)); err != nil {
					t.Fatal(err)
				}
				// second replaces first; the process dies before removing first's bytes.
				files, _ := a.Store.FilesOf(ctx, r.ID)
				if err := a.Store.Tx(ctx, func(ctx context.Context) error {
					if err := a.Store.DeleteFile(ctx, files[0].ID); err != nil {
						return err
					}
					f := doc(second)
					f.RequestID, f.CreatedAt = r.ID, now
					return a.Store.AddFile(ctx, &f)
				}); err != nil {
					t.Fatal(err)
				}
				exists := func(name string) bool {
					b, err := a.Uploads.Open(ctx, name)
					if errors.Is(err, errs.ErrNotFound) {
						return false
					}
					if err != nil {
						t.Fatal(err)
					}
					b.Close()
					return true
				}
				// Within the hour an upload may wait for its record, only the replaced
				// document goes.
				if n, err := a.sweepDocuments(ctx, now.Add(time.Minute)); err != nil || n != 1 || exists(first.Name) || !exists(orphan.Name) {
					t.Fatalf("sweep at once: %d, %v; first kept %v, orphan kept %v", n, err, exists(first.Name), exists(orphan.Name))
				}
				if n, err := a.sweepDocuments(ctx, now.Add(upload.HoldFor+time.Minute)); err != nil || n != 1 || exists(orphan.Name) {
					t.Fatalf("sweep after the hold: %d, %v; orphan kept %v", n, err, exists(orphan.Name))
				}
				if !exists(second.Name) {
					t.Fatal("the recorded document was swept")
				}
				if n, _ := a.sweepDocuments(ctx, now.Add(2*upload.HoldFor)); n != 0 {
					t.Fatalf("second sweep deleted %d", n)
				}
			})
		}
	}
}

// scan is a small PNG that passes the upload checks.
func scan(t *testing.T) []byte {
	img := image.NewGray(image.Rect(0, 0, 60, 40))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
