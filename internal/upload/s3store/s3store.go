// Package s3store keeps uploaded documents in an S3-compatible bucket (Amazon S3, MinIO,
// SeaweedFS, Ceph's radosgw…), so that every process of a deployment reads the
// documents any of them received. It implements upload.Blobs with minio-go, the
// maintained client of the S3 protocol for Go; the tests run it against a real server
// (SeaweedFS, see blobtest).
package s3store

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/upload"
)

// Options name the bucket and how to reach it.
type Options struct {
	Endpoint  string // host:port
	TLS       bool
	Bucket    string
	Prefix    string // prepended to each name: "" or ending in "/"
	Region    string // empty asks the server
	AccessKey string
	SecretKey string
	// Timeout bounds each call (a document is at most about 10 MB); zero is 30 seconds,
	// shorter than the HTTP server's write timeout, so a stalled store fails the page
	// instead of hanging it.
	Timeout time.Duration
}

// Bucket is an upload.Blobs in an S3 bucket.
type Bucket struct {
	c       *minio.Client
	bucket  string
	prefix  string
	timeout time.Duration
}

var _ upload.Blobs = (*Bucket)(nil)

// Open connects and checks that the bucket exists and the keys may reach it, so a wrong
// setting stops the start with its reason instead of failing the first upload.
func Open(ctx context.Context, o Options) (*Bucket, error) {
	c, err := minio.New(o.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""), Secure: o.TLS, Region: o.Region})
	if err != nil {
		return nil, fmt.Errorf("s3store: %w", err)
	}
	b := &Bucket{c: c, bucket: o.Bucket, prefix: o.Prefix, timeout: o.Timeout}
	if b.timeout == 0 {
		b.timeout = 30 * time.Second
	}
	cctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	ok, err := c.BucketExists(cctx, o.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3store: bucket %s at %s: %w", o.Bucket, o.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("s3store: bucket %s does not exist at %s (create it first)", o.Bucket, o.Endpoint)
	}
	return b, nil
}

// Put uploads data in one request: S3 makes an object visible whole or not at all.
func (b *Bucket) Put(ctx context.Context, name string, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	_, err := b.c.PutObject(ctx, b.bucket, b.prefix+name, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: "application/octet-stream", DisableMultipart: true})
	if err != nil {
		return fmt.Errorf("s3store: put %s: %w", name, err)
	}
	return nil
}

// Get opens an object; a missing one is errs.ErrNotFound. The object is read lazily in
// ranges as the caller reads and seeks.
func (b *Bucket) Get(ctx context.Context, name string) (upload.Blob, error) {
	obj, err := b.c.GetObject(ctx, b.bucket, b.prefix+name, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("s3store: get %s: %w", name, err)
	}
	// Stat makes the first request (the GET whose body the reads then consume), which
	// tells a missing object apart.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if missing(err) {
			return nil, errs.ErrNotFound
		}
		return nil, fmt.Errorf("s3store: get %s: %w", name, err)
	}
	return obj, nil
}

// Delete removes an object; S3 answers a missing one as deleted.
func (b *Bucket) Delete(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	if err := b.c.RemoveObject(ctx, b.bucket, b.prefix+name, minio.RemoveObjectOptions{}); err != nil && !missing(err) {
		return fmt.Errorf("s3store: delete %s: %w", name, err)
	}
	return nil
}

func missing(err error) bool {
	r := minio.ToErrorResponse(err)
	return r.Code == "NoSuchKey" || r.StatusCode == http.StatusNotFound
}
