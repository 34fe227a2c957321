package report

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// CapacityView is the mail server's figures against the tenant's limits, as of At.
type CapacityView struct {
	Now    mailbox.Capacity
	Limits mailbox.Limits
	At     time.Time
	Err    error
}

// Service computes the reports, exports them, and writes the document of a report step.
type Service struct {
	Store Store
	Book  *sop.Book
	// Tenant is a configured tenant by id.
	Tenant  func(id int64) (account.Tenant, bool)
	Catalog request.Catalog
	Letters *letter.Service
	// Capacity reads the mail server's figures (the back office's cached reading).
	Capacity func(ctx context.Context, tenantID int64) CapacityView
	Now      func() time.Time

	names nameCache
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Readers are the roles that read the reports: the heads (Kasi, Kabid, Kadis) and the
// tenant admin.
var Readers = []sop.Role{sop.RoleKepalaSeksi, sop.RoleKepalaBidang, sop.RoleKepalaDinas, sop.RoleTenantAdmin}

// Allowed reports whether m may read the reports.
func Allowed(m staff.Member) bool { return m.HasAny(Readers...) }

// Readable reports whether m may read report k: the readers every report, the
// complaints role (Petugas Pengaduan) its own, the complaints report.
func Readable(m staff.Member, k Kind) bool {
	return Allowed(m) || (k == KindComplaints && m.Has(sop.RolePengaduan))
}

// KindsFor are the reports m reads, in the pages' order.
func KindsFor(m staff.Member) []Kind {
	var out []Kind
	for _, k := range Kinds {
		if Readable(m, k) {
			out = append(out, k)
		}
	}
	return out
}

// scope is what every report of a tenant needs: its SOP, calendar and zone, and the
// store's query for the filter.
type scope struct {
	t   account.Tenant
	def sop.Definition
	cal *sop.Calendar
	q   Query
	f   Filter
}

func (s *Service) scope(ctx context.Context, m staff.Member, k Kind, f Filter) (scope, error) {
	if !Readable(m, k) {
		return scope{}, errs.New(errs.Forbidden, "report.forbidden")
	}
	t, ok := s.Tenant(m.TenantID)
	if !ok {
		return scope{}, fmt.Errorf("report: tenant %d not configured", m.TenantID)
	}
	def, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return scope{}, err
	}
	// A service on an existing mailbox is measured against its own flow's steps.
	def = def.Flow(f.Service)
	from, to := f.Span(cal.Loc)
	return scope{t: t, def: def, cal: cal, f: f, q: Query{TenantID: t.ID, From: from, To: to, FromDay: f.From.Num(), ToDay: f.To.Num(),
		Instansi: f.Instansi, Service: f.Service, Loc: cal.Loc}}, nil
}

// Today is the date now in the zone of m's tenant, for a filter's defaults.
func (s *Service) Today(ctx context.Context, m staff.Member) sop.Date {
	loc := time.UTC
	if t, ok := s.Tenant(m.TenantID); ok {
		if def, _, err := s.Book.Workflow(ctx, t.SOPRef()); err == nil {
			if l, err := def.Location(); err == nil {
				loc = l
			}
		}
	}
	return sop.DateOf(s.now().In(loc))
}

// Compute is report k of m's tenant for f, in lang.
func (s *Service) Compute(ctx context.Context, m staff.Member, k Kind, f Filter, lang string) (Report, error) {
	sc, err := s.scope(ctx, m, k, f)
	if err != nil {
		return Report{}, err
	}
	r := Report{Kind: k, Lang: lang, Title: i18n.T(lang, "report."+string(k)), Filter: f, At: s.now(), Zone: sc.cal.Loc}
	switch k {
	case KindAccounts:
		err = s.accounts(ctx, sc, &r)
	case KindService:
		err = s.service(ctx, sc, &r)
	case KindBacklog:
		err = s.backlog(ctx, sc, &r)
	case KindOutcomes:
		err = s.outcomes(ctx, sc, &r)
	case KindCapacity:
		err = s.capacity(ctx, sc, &r)
	case KindSurvey:
		err = s.survey(ctx, sc, &r)
	case KindComplaints:
		err = s.complaints(ctx, sc, &r)
	default:
		return r, errs.New(errs.NotFound, "error.not_found")
	}
	return r, err
}

// Services are the catalogue's services, code and name in lang, for the filter.
func (s *Service) Services(lang string) [][2]string {
	var out [][2]string
	for _, o := range s.Catalog.Services {
		out = append(out, [2]string{o.Code, o.Name.In(lang)})
	}
	return out
}

// serviceName is a service's name in lang, its code when the catalogue lacks it.
func (s *Service) serviceName(code, lang string) string {
	if o, ok := s.Catalog.Offering(code); ok {
		return o.Name.In(lang)
	}
	return code
}

// nameCache keeps each tenant's instansi names for ten minutes: the filter's list of
// suggestions reads every request's instansi, too much for every page.
type nameCache struct {
	mu sync.Mutex
	m  map[int64]cachedNames
}

type cachedNames struct {
	names []string
	at    time.Time
}

// InstansiNames are the instansi m's tenant's requests name, the most frequent first,
// for the filter's suggestions.
func (s *Service) InstansiNames(ctx context.Context, m staff.Member) ([]string, error) {
	c := &s.names
	c.mu.Lock()
	e, ok := c.m[m.TenantID]
	c.mu.Unlock()
	if ok && s.now().Sub(e.at) < 10*time.Minute {
		return e.names, nil
	}
	names, err := s.Store.InstansiNames(ctx, m.TenantID, 500)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[int64]cachedNames{}
	}
	c.m[m.TenantID] = cachedNames{names: names, at: s.now()}
	c.mu.Unlock()
	return names, nil
}

// histogram is working times counted by bucket (sop.WorkBucket); bucket -1 holds the
// steps without a measured time.
type histogram map[int]int64

// quantile is the working time below which a share p of the measured ones lie
// (nearest rank), as the middle of its bucket; false when none is measured.
func (h histogram) quantile(p float64) (int, bool) {
	var keys []int
	var total int64
	for b, n := range h {
		if b >= 0 && n > 0 {
			keys = append(keys, b)
			total += n
		}
	}
	if total == 0 {
		return 0, false
	}
	sort.Ints(keys)
	rank := int64(math.Ceil(p * float64(total)))
	var cum int64
	for _, b := range keys {
		cum += h[b]
		if cum >= rank {
			return b + (sop.BucketWidth(b)-1)/2, true
		}
	}
	return keys[len(keys)-1], true
}

// stepLabel is a step's name in lang and who does it (the SOP's jabatan, else the
// role's title), for a key the SOP may no longer have.
func stepLabel(def sop.Definition, key, role, lang string) (name, who string, std string) {
	for _, st := range def.Steps {
		if st.Key == key {
			who = st.Jabatan
			if who == "" {
				who = st.Role.Label(lang)
			}
			return st.Label(lang), who, st.Standard.Text(lang)
		}
	}
	return key, sop.Role(role).Label(lang), ""
}

// stepOrder is the position of a step key in the SOP; keys it no longer has come after.
func stepOrder(def sop.Definition, key string) int {
	for i, st := range def.Steps {
		if st.Key == key {
			return i
		}
	}
	return len(def.Steps)
}

// periodLabel names a period of g starting at d, short enough for a chart's axis.
func periodLabel(g Group, d sop.Date, lang string) string {
	switch g {
	case Month:
		name := letter.MonthName(d.Month)
		if lang == "en" {
			name = d.Month.String()
		}
		return name[:3] + " " + fmt.Sprint(d.Year)
	case Week:
		return fmt.Sprintf("%02d/%02d", d.Day, int(d.Month))
	}
	return fmt.Sprintf("%02d/%02d", d.Day, int(d.Month))
}

// workBucket is sop.WorkBucket: the instansi path's exact times go into the buckets the
// daily counts use, so both read the same.
var workBucket = sop.WorkBucket
