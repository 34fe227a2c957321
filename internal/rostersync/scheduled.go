package rostersync

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/audit"
)

// ScheduledEvery is how often a scheduled roster is read: daily.
const ScheduledEvery = 24 * time.Hour

// maxScheduled bounds a scheduled roster's download.
const maxScheduled = 1 << 30

// Client fetches a scheduled roster given as a URL; nil is a client with a 10-minute
// timeout.
var Client *http.Client

// Scheduled reads the roster at source (a file path, or an http or https URL) for the
// tenant when its last scheduled import is ScheduledEvery old or more and the file has
// changed since (its modification time; a URL's If-Modified-Since), imports it as the
// system and returns its run; ok false when nothing was due or nothing changed. Its
// report waits for the tenant admin like an uploaded file's.
func (s *Service) Scheduled(ctx context.Context, tenantID int64, source string, now time.Time) (ok bool, err error) {
	name := SourceName("jadwal", source)
	runs, err := s.Store.RosterRuns(ctx, tenantID, 50)
	if err != nil {
		return false, err
	}
	var last time.Time
	for _, r := range runs {
		if r.Source == name {
			last = r.At
			break
		}
	}
	if !last.IsZero() && now.Sub(last) < ScheduledEvery-time.Minute {
		return false, nil
	}
	body, changed, err := open(ctx, source, last)
	if err != nil || !changed {
		return false, err
	}
	defer body.Close()
	if _, err := s.Import(ctx, tenantID, audit.System, name, io.LimitReader(body, maxScheduled)); err != nil {
		return false, fmt.Errorf("scheduled roster %s: %w", source, err)
	}
	return true, nil
}

// open opens source if it changed after since (zero: always).
func open(ctx context.Context, source string, since time.Time) (io.ReadCloser, bool, error) {
	if !strings.HasPrefix(source, "http://") && !strings.HasPrefix(source, "https://") {
		fi, err := os.Stat(source)
		if err != nil {
			return nil, false, fmt.Errorf("scheduled roster: %w", err)
		}
		if !since.IsZero() && !fi.ModTime().After(since) {
			return nil, false, nil
		}
		f, err := os.Open(source)
		return f, err == nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
	if err != nil {
		return nil, false, fmt.Errorf("scheduled roster: %w", err)
	}
	if !since.IsZero() {
		req.Header.Set("If-Modified-Since", since.UTC().Format(http.TimeFormat))
	}
	c := Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Minute}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("scheduled roster: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return resp.Body, true, nil
	case http.StatusNotModified:
		resp.Body.Close()
		return nil, false, nil
	}
	resp.Body.Close()
	return nil, false, fmt.Errorf("scheduled roster %s: %s", source, resp.Status)
}
