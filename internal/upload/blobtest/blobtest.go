// Package blobtest holds what every upload.Blobs must do, checked against each one
// (the directory, and a real S3-compatible server for s3store), and gives tests a fresh
// bucket on the server named by SUREL_TEST_S3.
//
// SUREL_TEST_S3 is s3+http://ACCESS_KEY:SECRET@HOST:PORT (.ci/run starts SeaweedFS and
// sets it). Without it the S3 tests skip, and fail with CI=true.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/upload"
)

// Contract checks b: whole writes, reads with seeks, a missing name not found, deletes
// that succeed twice.
func Contract(t *testing.T, b upload.Blobs) {
	t.Helper()
	ctx := context.Background()
	name := Name(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096+7)
	if _, err := b.Get(ctx, name); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("get before put: %v, want not found", err)
	}
	if err := b.Put(ctx, name, data); err != nil {
		t.Fatalf("put: %v", err)
	}
	r, err := b.Get(ctx, name)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes (%v), want %d", len(got), err, len(data))
	}
	// http.ServeContent finds the size by seeking to the end, then serves a range.
	if n, err := r.Seek(0, io.SeekEnd); err != nil || n != int64(len(data)) {
		t.Fatalf("seek to end: %d %v", n, err)
	}
	if _, err := r.Seek(100, io.SeekStart); err != nil {
		t.Fatalf("seek: %v", err)
	}
	part := make([]byte, 10)
	if _, err := io.ReadFull(r, part); err != nil || !bytes.Equal(part, data[100:110]) {
		t.Fatalf("read after seek: %q %v", part, err)
	}
	r.Close()
	if err := b.Delete(ctx, name); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := b.Get(ctx, name); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("get after delete: %v, want not found", err)
	}
	if err := b.Delete(ctx, name); err != nil {
		t.Fatalf("second delete: %v", err)
	}
}

// Name is a fresh document name of the form upload.Store gives.
func Name(t *testing.T) string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:]) + ".pdf"
}

// Server is the S3 server of SUREL_TEST_S3.
type Server struct {
	Endpoint, AccessKey, SecretKey string
}

// S3 is the test server, or a skip (a failure with CI=true) when none is named.
func S3(t testing.TB) Server {
	t.Helper()
	raw := os.Getenv("SUREL_TEST_S3")
	if raw == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but SUREL_TEST_S3 is not set: the S3 suite is mandatory in CI (.ci/run starts SeaweedFS)")
		}
		t.Skip("SUREL_TEST_S3 not set")
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		t.Fatalf("SUREL_TEST_S3: want s3+http://ACCESS:SECRET@HOST:PORT, got %q", raw)
	}
	pw, _ := u.User.Password()
	return Server{Endpoint: u.Host, AccessKey: u.User.Username(), SecretKey: pw}
}

// Bucket makes a fresh, empty bucket on the test server, removed with its objects at
// the end of the test, and gives its name.
func (s Server) Bucket(t testing.TB) string {
	t.Helper()
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "t-" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if err := c.MakeBucket(ctx, name, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket: %v", err)
	}
	t.Cleanup(func() {
		for o := range c.ListObjects(ctx, name, minio.ListObjectsOptions{Recursive: true}) {
			if o.Err == nil {
				c.RemoveObject(ctx, name, o.Key, minio.RemoveObjectOptions{})
			}
		}
		c.RemoveBucket(ctx, name)
	})
	return name
}

// URL is SUREL_STORAGE_URL for bucket on the test server.
func (s Server) URL(bucket string) string {
	return "s3+http://" + url.UserPassword(s.AccessKey, s.SecretKey).String() + "@" + s.Endpoint + "/" + bucket
}

// Objects lists the names in bucket under prefix.
func (s Server) Objects(t testing.TB, bucket, prefix string) []string {
	t.Helper()
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for o := range c.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		out = append(out, strings.TrimPrefix(o.Key, prefix))
	}
	return out
}

// Remove deletes an object from bucket, as an operator's mistake or a lost disk would.
func (s Server) Remove(t testing.TB, bucket, key string) {
	t.Helper()
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveObject(context.Background(), bucket, key, minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
}
