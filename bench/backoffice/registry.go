package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"html"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/registry"
)

// The registry phase (-registry): issue 14's "the registry page (/kantor/akun) with
// 1,000,000 mailboxes: p99 < 50 ms at 200 pages/s, open loop, on SQLite and
// PostgreSQL". The registry of -registry-mailboxes rows (seed_registry.go) is read the way
// staff page through it: the first page; a following page by the "next" link of a page
// served before (any kind, so walks go deep); a status filter; a search by a word of an
// owner's name, by the first eight digits of a NIP, by the start of an address. The CSV
// export (/kantor/akun.csv) is not in the mix: it streams the whole selection, a
// download rather than a page. Pages arrive in an open loop at -registry-rate a second,
// each latency counted from when it was due; each answer must be a 200 whose rows are
// the ones asked for (registryCheck), or it counts as an error.

// Routes of the registry phase.
const (
	regFirstPage = iota // GET /kantor/akun
	regNextPage         // GET /kantor/akun?…dari=…, a served page's own "next" link
	regStatus           // GET /kantor/akun?status=…
	regName             // GET /kantor/akun?q=<a word of an owner's name>
	regNIP              // GET /kantor/akun?q=<a NIP's first 8 digits>
	regAddress          // GET /kantor/akun?q=<the start of an address>
)

var regRouteNames = []string{"first page", "next page (its own link)", "status filter", "search: name word", "search: NIP prefix", "search: address prefix"}

// regMix is each route's share of the arrivals, in percent.
var regMix = []int{25, 30, 15, 15, 5, 10}

// regQueries are the phase's searches and filters, each found in the seeded rows.
type regQueries struct {
	names, nips, addresses []string
	statuses               []registry.Status
}

// registryQueries picks the searches from rows of the seed: a name's last word, a NIP's
// birth date, an address's first two thirds (at least three letters). Each finds at
// least the row it came from.
func (s *shape) registryQueries(seed uint64) regQueries {
	rng := rand.New(rand.NewPCG(seed, 14))
	var q regQueries
	for i := 0; i < 100_000 && (len(q.names) < 200 || len(q.nips) < 200 || len(q.addresses) < 200); i++ {
		m := s.regMailbox(rng.IntN(s.Registry))
		if w := registry.Fold(m.Name); len(w) > 0 && len(q.names) < 200 {
			q.names = append(q.names, w[len(w)-1])
		}
		if len(m.NIP) == 18 && len(q.nips) < 200 {
			q.nips = append(q.nips, m.NIP[:8])
		}
		if l := m.Local(); len(q.addresses) < 200 {
			q.addresses = append(q.addresses, strings.TrimRight(l[:min(len(l), max(3, len(l)*2/3))], "._-"))
		}
	}
	for _, st := range registry.Statuses {
		if s.reg.counts[st] > 0 {
			q.statuses = append(q.statuses, st)
		}
	}
	return q
}

// linkPool holds "next" links of served pages, for the next-page route.
type linkPool struct {
	mu    sync.Mutex
	links []string
	n     int
}

const linkPoolSize = 4096

func (p *linkPool) add(link string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.links) < linkPoolSize {
		p.links = append(p.links, link)
	} else {
		p.links[p.n%linkPoolSize] = link
	}
	p.n++
}

func (p *linkPool) pick(rng *rand.Rand) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.links) == 0 {
		return ""
	}
	return p.links[rng.IntN(len(p.links))]
}

// regRow is one row of a served registry page.
type regRow struct {
	address, status, text string
}

// parseRegistryPage reads the rows and the "next" link of a registry page.
func parseRegistryPage(body string) (rows []regRow, next string) {
	tbody, _, _ := strings.Cut(after(body, "<tbody>"), "</tbody>")
	for _, tr := range strings.Split(tbody, "<tr>")[1:] {
		r := regRow{text: strings.ToLower(tr)}
		a := after(tr, `<a href="/kantor/akun/`)
		a = after(a, `">`)
		r.address, _, _ = strings.Cut(a, "</a>")
		st := after(tr, `class="status m-`)
		r.status, _, _ = strings.Cut(st, `"`)
		rows = append(rows, r)
	}
	pager, _, _ := strings.Cut(after(body, `<nav class="pager"`), "</nav>")
	for _, part := range strings.Split(pager, `href="`)[1:] {
		link, _, _ := strings.Cut(part, `"`)
		if link = html.UnescapeString(link); strings.Contains(link, "dari=") {
			next = link
		}
	}
	return rows, next
}

// after is what follows the first sep in s, "" without one.
func after(s, sep string) string {
	_, a, ok := strings.Cut(s, sep)
	if !ok {
		return ""
	}
	return a
}

// registryCheck tells what is wrong with the page served for path, "" when it lists
// the rows asked for: the first page the seed's first addresses, a following page the
// addresses after its cursor, a filter only its status, a search only rows holding every
// word asked for (in their address, name or NIP).
func (e *env) registryCheck(path string, rows []regRow) string {
	u, err := url.Parse(path)
	if err != nil {
		return err.Error()
	}
	v := u.Query()
	if len(rows) == 0 {
		return "no rows"
	}
	if len(rows) > registry.PageSize {
		return fmt.Sprintf("%d rows", len(rows))
	}
	q, status, from := v.Get("q"), v.Get("status"), v.Get("dari")
	if q == "" && status == "" && from == "" {
		if rows[0].address != e.shape.reg.first || len(rows) != min(registry.PageSize, e.shape.Registry) {
			return fmt.Sprintf("first page starts at %q with %d rows, want %q and %d", rows[0].address, len(rows), e.shape.reg.first,
				min(registry.PageSize, e.shape.Registry))
		}
	}
	if q == "" && from != "" && rows[0].address <= from {
		return fmt.Sprintf("the page after %q starts at %q", from, rows[0].address)
	}
	for i, r := range rows {
		if r.address == "" {
			return fmt.Sprintf("row %d has no address", i+1)
		}
		if i > 0 && q == "" && r.address <= rows[i-1].address {
			return fmt.Sprintf("row %d (%s) after %s", i+1, r.address, rows[i-1].address)
		}
		if status != "" && r.status != status {
			return fmt.Sprintf("row %s is %s, want %s", r.address, r.status, status)
		}
		for _, w := range registry.Fold(q) {
			if !strings.Contains(r.text, w) {
				return fmt.Sprintf("row %s does not hold %q", r.address, w)
			}
		}
	}
	return ""
}

// registryPath is an arrival's route and page, from the mix.
func registryPath(q regQueries, links *linkPool, rng *rand.Rand) (int, string) {
	x := rng.IntN(100)
	route := 0
	for ; route < len(regMix)-1 && x >= regMix[route]; route++ {
		x -= regMix[route]
	}
	return routePath(route, q, links, rng)
}

// routePath is a page of route: a next page is the first page while no page has
// served a link.
func routePath(route int, q regQueries, links *linkPool, rng *rand.Rand) (int, string) {
	pick := func(xs []string) string { return url.QueryEscape(xs[rng.IntN(len(xs))]) }
	switch route {
	case regNextPage:
		if link := links.pick(rng); link != "" {
			return route, link
		}
		return regFirstPage, "/kantor/akun"
	case regStatus:
		return route, "/kantor/akun?status=" + string(q.statuses[rng.IntN(len(q.statuses))])
	case regName:
		return route, "/kantor/akun?q=" + pick(q.names)
	case regNIP:
		return route, "/kantor/akun?q=" + pick(q.nips)
	case regAddress:
		return route, "/kantor/akun?q=" + pick(q.addresses)
	}
	return regFirstPage, "/kantor/akun"
}

var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// registryGet loads path for client c from base, checks the page and keeps its "next"
// link.
func (e *env) registryGet(ctx context.Context, base string, c, route int, path string, links *linkPool) (bool, string) {
	b := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(b)
	b.Reset()
	status, err := harness.Get(ctx, e.client, base+path, "surel_sesi="+e.cookies[c%len(e.cookies)], b)
	if err != nil {
		return false, "transport: " + err.Error()
	}
	if status != http.StatusOK {
		return false, fmt.Sprintf("%s: status %d", regRouteNames[route], status)
	}
	rows, next := parseRegistryPage(b.String())
	if why := e.registryCheck(path, rows); why != "" {
		return false, regRouteNames[route] + ": " + why
	}
	if next != "" {
		links.add(next)
	}
	return true, ""
}

// registryResult is what the registry phase measured.
type registryResult struct {
	openRun
	Target  time.Duration
	Alone   []time.Duration // each route alone: the median of 11 loads
	Load    [2]string
	Started time.Time
}

// registryPhase checks every route once, times each alone, then runs the open loop over
// the first count of -procs instances (with -exec, surel processes).
func registryPhase(ctx context.Context, e *env, out io.Writer) (*registryResult, error) {
	o := e.opt
	procs, err := procsList(o.Procs)
	if err != nil {
		return nil, err
	}
	f, err := e.startFleet(ctx, procs[0], out)
	if err != nil {
		return nil, err
	}
	defer f.stop(out)
	q := e.shape.registryQueries(o.Seed)
	links := &linkPool{}
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	rr := &registryResult{openRun: openRun{Rate: o.RegistryRate, Procs: len(f.bases), Exec: o.Exec, PGCPU: math.NaN(), SurelCPU: math.NaN()},
		Target: o.RegistryP99, Started: time.Now()}
	// Every route once, the next page after the others have served links; then each
	// alone, in turn.
	paths := make([]string, len(regRouteNames))
	for _, route := range []int{regFirstPage, regStatus, regName, regNIP, regAddress, regNextPage} {
		_, paths[route] = routePath(route, q, links, rng)
		for _, b := range f.bases {
			if ok, why := e.registryGet(ctx, b, 0, route, paths[route], links); !ok {
				return nil, fmt.Errorf("registry page %s%s: %s", b, paths[route], why)
			}
		}
	}
	for route, p := range paths {
		var took []time.Duration
		for range 11 {
			t0 := time.Now()
			if ok, why := e.registryGet(ctx, f.bases[0], 0, route, p, links); !ok {
				return nil, fmt.Errorf("registry page %s: %s", p, why)
			}
			took = append(took, time.Since(t0))
		}
		slices.Sort(took)
		rr.Alone = append(rr.Alone, took[len(took)/2])
		fmt.Fprintf(out, "  %-26s alone %s  (%s)\n", regRouteNames[route], ms(took[len(took)/2]), p)
	}
	harness.WaitQuiet(ctx, o.Quiet, o.QuietWait, out, func(other float64) {
		fmt.Fprintf(out, "waiting for a quiet machine (other processes %.2f CPUs, want < %.2f)…\n", other, o.Quiet)
	})
	rr.Load[0] = harness.LoadAvg()
	pgMatch := " " + cmp.Or(o.PGDB, pgDatabase) + " "
	before, surelBefore, t0 := harness.ProcsCPU(pgMatch), f.cpu(), time.Now()
	stopProf := profile(o.CPUProfile)
	rr.Result = harness.OpenLoop(ctx, o.RegistryRate, o.Clients, 4096, o.Warmup, o.Duration, regRouteNames, o.Seed, func(ctx context.Context, c int, rng *rand.Rand) (int, bool, string) {
		route, path := registryPath(q, links, rng)
		ok, why := e.registryGet(ctx, f.bases[c%len(f.bases)], c, route, path, links)
		return route, ok, why
	})
	stopProf()
	surelAfter, took := f.cpu(), time.Since(t0).Seconds()
	if e.pgURL != "" {
		rr.PGCPU = harness.ProcsCPUSince(pgMatch, before).Seconds() / took
	}
	if surelBefore != nil {
		var d time.Duration
		for pid, t := range surelAfter {
			d += t - surelBefore[pid]
		}
		rr.SurelCPU = d.Seconds() / took
	}
	rr.Load[1] = harness.LoadAvg()
	r := rr.Result
	fmt.Fprintf(out, "open loop %.0f/s over %s: %.0f pages/s, p99 %s, %d errors, CPU self/other %s, %sPostgreSQL backends %.2f CPUs; CPU a page: %s\n",
		rr.Rate, rr.over(), r.Rate(), ms(harness.Percentile(r.All(), 99)), r.Total(r.Fail), harness.CPUText(r), rr.surelText(), rr.PGCPU, rr.perPageText())
	return rr, ctx.Err()
}

// pass tells whether every route's p99 is under the target, with no error and each
// route served.
func (r *registryResult) pass() bool {
	for i := range r.Result.Routes {
		if r.Result.OK[i] == 0 || r.Result.Fail[i] > 0 || harness.Percentile(r.Result.Lat[i], 99) >= r.Target {
			return false
		}
	}
	return true
}

func (r *registryResult) write(w io.Writer) {
	o := r.Result
	fmt.Fprintf(w, "Registry pages arriving at %.0f a second for %s (open loop, latency from when each was due, over %s); load %s → %s; CPU self/other %s; %sPostgreSQL backends %.2f CPUs; CPU a page %s; %d GC cycles:\n\n",
		r.Rate, o.Window, r.over(), r.Load[0], r.Load[1], harness.CPUText(o), r.surelText(), r.PGCPU, r.perPageText(), o.GCCycles)
	var rows [][]string
	for i, name := range o.Routes {
		alone := "–"
		if i < len(r.Alone) {
			alone = ms(r.Alone[i])
		}
		v := "PASS"
		if o.OK[i] == 0 || o.Fail[i] > 0 || harness.Percentile(o.Lat[i], 99) >= r.Target {
			v = "FAIL"
		}
		rows = append(rows, []string{name, alone, fmt.Sprint(o.OK[i]), fmt.Sprintf("%.0f", float64(o.OK[i])/o.Window.Seconds()),
			ms(harness.Percentile(o.Lat[i], 50)), ms(harness.Percentile(o.Lat[i], 90)), ms(harness.Percentile(o.Lat[i], 99)),
			ms(harness.Percentile(o.Lat[i], 100)), fmt.Sprint(o.Fail[i]), v})
	}
	all := o.All()
	rows = append(rows, []string{"all", "", fmt.Sprint(o.Total(o.OK)), fmt.Sprintf("%.0f", o.Rate()), ms(harness.Percentile(all, 50)),
		ms(harness.Percentile(all, 90)), ms(harness.Percentile(all, 99)), ms(harness.Percentile(all, 100)), fmt.Sprint(o.Total(o.Fail)), ""})
	harness.MarkdownTable(w, []string{"page", "alone (median of 11)", "served", "served/s", "p50", "p90", "p99", "max", "errors", "p99 < " + ms(r.Target)}, rows)
	if len(o.Why) > 0 {
		fmt.Fprintf(w, "\nErrors: %v\n", o.Why)
	}
	v := "PASS"
	if !r.pass() {
		v = "FAIL"
	}
	fmt.Fprintf(w, "\n**Registry page: %s** (every kind of page at p99 under %s at %.0f arrivals a second, each a 200 with the rows asked for, no errors)\n",
		v, ms(r.Target), r.Rate)
}
