package s3store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/upload/blobtest"
	"github.com/surel-id/surel/internal/upload/s3store"
)

// The bucket keeps to the contract on a real S3 server, under its prefix.
func TestContract(t *testing.T) {
	srv := blobtest.S3(t)
	bucket := srv.Bucket(t)
	b, err := s3store.Open(context.Background(), s3store.Options{Endpoint: srv.Endpoint, Bucket: bucket, Prefix: "docs/",
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	blobtest.Contract(t, b)
	name := blobtest.Name(t)
	if err := b.Put(context.Background(), name, []byte("%PDF-1.4")); err != nil {
		t.Fatal(err)
	}
	if got := srv.Objects(t, bucket, ""); len(got) != 1 || got[0] != "docs/"+name {
		t.Fatalf("bucket holds %v", got)
	}
}

// A missing bucket or wrong keys stop the start with the reason.
func TestOpenRefuses(t *testing.T) {
	srv := blobtest.S3(t)
	bucket := srv.Bucket(t)
	ctx := context.Background()
	if _, err := s3store.Open(ctx, s3store.Options{Endpoint: srv.Endpoint, Bucket: bucket + "-none", AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing bucket: %v", err)
	}
	if _, err := s3store.Open(ctx, s3store.Options{Endpoint: srv.Endpoint, Bucket: bucket, AccessKey: srv.AccessKey,
		SecretKey: "wrong-secret"}); err == nil {
		t.Fatal("wrong secret accepted")
	}
}
