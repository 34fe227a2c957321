package letter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
)

// Service issues and verifies documents.
type Service struct {
	Store Store
	Audit audit.Writer
	// Settings gives a tenant's letter settings (defaults filled in).
	Settings func(ctx context.Context, tenantID int64) (Settings, error)
	// Rand draws verification codes; crypto/rand when nil.
	Rand io.Reader
}

// ErrUnknownCode is the answer to a verification code no document carries (or one that
// cannot be a code): the page says so, the same way for both.
var ErrUnknownCode = errs.New(errs.NotFound, "verify.unknown")

// Issue numbers d and gives it its verification code, then stores it and records it in
// the audit trail, in the caller's transaction if there is one: the number is taken in
// that transaction, so a document rolled back gives its number back and no committed
// document shares one. d needs TenantID, Kind and IssuedAt (UTC); loc is the office's
// time zone, whose month and year the number shows.
func (s *Service) Issue(ctx context.Context, set Settings, loc *time.Location, by audit.Actor, d *Document) error {
	return s.IssueRendered(ctx, set, loc, by, d, nil)
}

// IssueRendered is Issue for a document kept as its bytes: once d has its number and
// code, render makes its PDF (d.PDF), which is stored with it in the same transaction.
func (s *Service) IssueRendered(ctx context.Context, set Settings, loc *time.Location, by audit.Actor, d *Document, render func(Document) ([]byte, error)) error {
	if !d.Kind.Valid() {
		return fmt.Errorf("letter: kind %q", d.Kind)
	}
	sr := set.SeriesOf(d.Kind)
	at := d.IssuedAt.In(loc)
	code, err := NewCode(s.Rand)
	if err != nil {
		return fmt.Errorf("letter: code: %w", err)
	}
	return s.Store.Tx(ctx, func(ctx context.Context) error {
		seq, err := s.Store.NextLetterSeq(ctx, d.TenantID, sr.Pattern.Series(sr.Code, set.Office), sr.Pattern.Period(at))
		if err != nil {
			return fmt.Errorf("letter: number: %w", err)
		}
		d.Number, d.Code, d.IssuedBy = sr.Pattern.Format(seq, sr.Code, set.Office, at), code, by.ID
		if render != nil {
			if d.PDF, err = render(*d); err != nil {
				return fmt.Errorf("letter: render %s: %w", d.Kind, err)
			}
		}
		if err := s.Store.AddDocument(ctx, d); err != nil {
			return fmt.Errorf("letter: issue %s: %w", d.Kind, err)
		}
		if s.Audit == nil {
			return nil
		}
		object := audit.Object("document", d.ID)
		if d.RequestID != 0 {
			object = audit.Object("request", d.RequestID)
		}
		return s.Audit.Record(ctx, by.Entry(d.TenantID, "document.issue", object, d.Heading()+" "+d.Number+" (dokumen "+strconv.FormatInt(d.ID, 10)+")"))
	})
}

// Once is the request's document of d's kind: the one issued before, or d issued now.
// It runs outside any transaction of the caller: when two people print the same
// request's receipt at once, the second's insert loses to the first's, and it returns
// the first's document, so a request never has two numbers for one document.
func (s *Service) Once(ctx context.Context, set Settings, loc *time.Location, by audit.Actor, d Document) (Document, error) {
	if d.RequestID == 0 {
		return d, errors.New("letter: Once needs a request")
	}
	old, err := s.Store.DocumentOf(ctx, d.RequestID, d.Kind)
	if err == nil {
		return old, nil
	}
	if !errors.Is(err, errs.ErrNotFound) {
		return d, err
	}
	err = s.Issue(ctx, set, loc, by, &d)
	if errors.Is(err, errs.ErrConflict) {
		return s.Store.DocumentOf(ctx, d.RequestID, d.Kind)
	}
	return d, err
}

// Verify is the document carrying code, as typed or scanned.
func (s *Service) Verify(ctx context.Context, code string) (Document, error) {
	c, ok := NormalizeCode(code)
	if !ok {
		return Document{}, ErrUnknownCode
	}
	d, err := s.Store.DocumentByCode(ctx, c)
	if errors.Is(err, errs.ErrNotFound) {
		return d, ErrUnknownCode
	}
	return d, err
}

// Of lists a request's documents, oldest first (without their bytes).
func (s *Service) Of(ctx context.Context, requestID int64) ([]Document, error) {
	return s.Store.DocumentsOf(ctx, requestID)
}

// Get is one document with its bytes, if it is tenantID's; another tenant's does not
// exist.
func (s *Service) Get(ctx context.Context, tenantID, id int64) (Document, error) {
	d, err := s.Store.Document(ctx, id)
	if errors.Is(err, errs.ErrNotFound) || err == nil && d.TenantID != tenantID {
		return Document{}, errs.New(errs.NotFound, "error.not_found")
	}
	return d, err
}
