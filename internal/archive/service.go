package archive

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// PageSize is how many requests a page of the archive lists; CountTo is where its count
// stops ("more than 1,000"), so a broad search never counts a million rows.
const (
	PageSize = 25
	CountTo  = 1000
)

// Statuses are the archive's status filter: finished, refused, filed by an archive step.
var Statuses = []string{string(request.Done), string(request.Refused), Filed}

// Filed is the status filter of the requests an archive step filed.
const Filed = "diarsipkan"

// Service searches the archive and purges scans past the tenant's retention.
type Service struct {
	Store Store
	Book  *sop.Book
	// Tenant is a configured tenant by id; Tenants all of them, for the purge.
	Tenant  func(id int64) (account.Tenant, bool)
	Tenants func() []account.Tenant
	Audit   audit.Writer
}

// Filter is the archive page's selection as the URL writes it: search words (q),
// instansi, status, the period filed (dari, sampai; whole days in the office's zone,
// either open) and the row to continue after.
type Filter struct {
	Search   string
	Instansi string
	Status   string
	From, To sop.Date
	After    string
}

// ParseFilter reads the archive's query. Each wrong value is a field error naming its
// rule; the others keep what was typed.
func ParseFilter(v url.Values) (Filter, error) {
	f := Filter{Search: input.Truncate(strings.Join(strings.Fields(v.Get("q")), " "), 100),
		Instansi: input.Truncate(strings.Join(strings.Fields(v.Get("instansi")), " "), 150), Status: v.Get("status"), After: v.Get("setelah")}
	var fs errs.Fields
	for _, p := range []struct {
		name string
		to   *sop.Date
	}{{"dari", &f.From}, {"sampai", &f.To}} {
		x := strings.TrimSpace(v.Get(p.name))
		if x == "" {
			continue
		}
		d, err := sop.ParseDate(x)
		if err != nil {
			fs.Add(p.name, "date")
			continue
		}
		*p.to = d
	}
	if !fs.Has("dari") && !fs.Has("sampai") && f.From.Year > 0 && f.To.Year > 0 && f.To.Before(f.From) {
		fs.Add("sampai", "date_order")
	}
	if f.Status != "" && !contains(Statuses, f.Status) {
		fs.Add("status", "choose")
		f.Status = ""
	}
	if _, ok := parseCursor(f.After); !ok {
		f.After = ""
	}
	return f, fs.Err()
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Values is the filter as a URL query, without the cursor.
func (f Filter) Values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"q": f.Search, "instansi": f.Instansi, "status": f.Status} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if f.From.Year > 0 {
		v.Set("dari", f.From.String())
	}
	if f.To.Year > 0 {
		v.Set("sampai", f.To.String())
	}
	return v
}

// Page is a page of the archive: its rows, how many match (at most CountTo, Capped when
// there are more), and the cursor of the next page, empty on the last.
type Page struct {
	Rows   []Row
	Total  int
	Capped bool
	Next   string
	Zone   *time.Location
}

// cursorText writes a row's place as the next page's "setelah".
func cursorText(r Row) string {
	return strconv.FormatInt(r.FiledAt.UnixMicro(), 36) + "." + strconv.FormatInt(r.ID, 36)
}

func parseCursor(s string) (Cursor, bool) {
	if s == "" {
		return Cursor{}, true
	}
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return Cursor{}, false
	}
	us, err1 := strconv.ParseInt(a, 36, 64)
	id, err2 := strconv.ParseInt(b, 36, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return Cursor{}, false
	}
	return Cursor{FiledAt: time.UnixMicro(us).UTC(), ID: id}, true
}

// zone is the office's time zone, by its SOP's calendar.
func (s *Service) zone(ctx context.Context, t account.Tenant) (*time.Location, error) {
	_, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return nil, err
	}
	return cal.Loc, nil
}

// Search is a page of the archive of m's tenant. Every staff member of the tenant reads
// its archive (as they read its requests); another tenant's requests never match.
func (s *Service) Search(ctx context.Context, m staff.Member, f Filter) (Page, error) {
	t, ok := s.Tenant(m.TenantID)
	if !ok || len(m.Roles) == 0 {
		return Page{}, errs.New(errs.Forbidden, "error.forbidden")
	}
	loc, err := s.zone(ctx, t)
	if err != nil {
		return Page{}, err
	}
	q := Query{TenantID: t.ID, Words: strings.Fields(strings.ToLower(strings.NewReplacer("%", " ", "_", " ").Replace(f.Search))),
		Instansi: f.Instansi, Limit: PageSize}
	switch f.Status {
	case Filed:
		q.Archived = true
	case string(request.Done), string(request.Refused):
		q.Status = request.Status(f.Status)
	}
	if f.From.Year > 0 {
		q.From = time.Date(f.From.Year, f.From.Month, f.From.Day, 0, 0, 0, 0, loc).UTC()
	}
	if f.To.Year > 0 {
		q.To = time.Date(f.To.Year, f.To.Month, f.To.Day, 0, 0, 0, 0, loc).AddDate(0, 0, 1).UTC()
	}
	p := Page{Zone: loc}
	if p.Total, err = s.Store.ArchiveCount(ctx, q, CountTo+1); err != nil {
		return p, fmt.Errorf("archive count: %w", err)
	}
	if p.Total > CountTo {
		p.Total, p.Capped = CountTo, true
	}
	q.After, _ = parseCursor(f.After)
	q.Limit = PageSize + 1
	if p.Rows, err = s.Store.Archive(ctx, q); err != nil {
		return p, fmt.Errorf("archive: %w", err)
	}
	if len(p.Rows) > PageSize {
		p.Rows = p.Rows[:PageSize]
		p.Next = cursorText(p.Rows[PageSize-1])
	}
	return p, nil
}

// PurgeScans purges, for every tenant with a retention of scans, the scans of its
// requests filed longer ago than the retention before now, up to limit a tenant each
// time: their bytes go to the sweep, their records stay, marked purged, and the
// request's audit trail says so. It returns how many it purged.
func (s *Service) PurgeScans(ctx context.Context, now time.Time, limit int) (int, error) {
	now = now.UTC()
	n := 0
	for _, t := range s.Tenants() {
		if t.ScanRetention <= 0 {
			continue
		}
		scans, err := s.Store.ScansToPurge(ctx, t.ID, now.Add(-t.ScanRetention), limit)
		if err != nil {
			return n, fmt.Errorf("purge scans of %s: %w", t.Slug, err)
		}
		for _, sc := range scans {
			err := s.Store.Tx(ctx, func(ctx context.Context) error {
				ok, err := s.Store.PurgeScan(ctx, sc, now)
				if err != nil || !ok {
					return err
				}
				n++
				days := strconv.Itoa(int(t.ScanRetention.Hours() / 24))
				return s.Audit.Record(ctx, audit.System.Entry(t.ID, "request.scan_purged", audit.Object("request", sc.RequestID),
					"file "+strconv.FormatInt(sc.ID, 10)+", retention "+days+" days"))
			})
			if err != nil {
				return n, fmt.Errorf("purge scan %d: %w", sc.ID, err)
			}
		}
	}
	return n, nil
}

// StatusOf is the archive's status of a row: diarsipkan once an archive step filed it,
// else its request's status.
func StatusOf(r Row) string {
	if !r.ArchivedAt.IsZero() {
		return Filed
	}
	return string(r.Status)
}
