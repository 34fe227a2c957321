package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/store"
)

// TestSmokeRegistry runs the registry phase on a small seed on SQLite (and on PostgreSQL
// when SUREL_TEST_POSTGRES names a server): the seed's sample equals what PutMailbox
// writes, and every kind of page is served, in the open loop too, with the rows asked
// for. It checks the plumbing, not the numbers.
func TestSmokeRegistry(t *testing.T) {
	dbs := []string{"sqlite"}
	if os.Getenv("SUREL_TEST_POSTGRES") != "" {
		dbs = append(dbs, "postgres")
	}
	for _, db := range dbs {
		t.Run(db, func(t *testing.T) {
			o := options{DB: db, PG: os.Getenv("SUREL_TEST_POSTGRES"), PGDB: "bench_backoffice_registry_smoke", Requests: 3000, Steps: 3,
				Clients: 8, Sessions: 2, Duration: 2 * time.Second, Warmup: 200 * time.Millisecond, Log: "discard", Seed: 1, Driver: "go",
				Registry: true, RegistryRows: 6000, RegistryRate: 100, RegistryP99: time.Minute, Explain: true}
			if db == "sqlite" {
				o.Keep = t.TempDir()
			}
			rep, err := run(context.Background(), o, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if db == "sqlite" {
				// The indexes dropped for the load are all back.
				st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(o.Keep, "surel.db"))
				if err != nil {
					t.Fatal(err)
				}
				var n int
				err = st.DB().QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('registry', 'registry_terms')
					AND name IN ('registry_status', 'registry_nip', 'registry_owner', 'registry_purge', 'registry_created', 'registry_instansi',
					'registry_review', 'registry_handover', 'registry_institutional', 'registry_terms_mailbox', 'registry_terms_search')`).Scan(&n)
				st.Close()
				if err != nil || n != 11 {
					t.Errorf("%d of the 11 indexes of the registry and its words after the seed (%v)", n, err)
				}
			}
			if !strings.Contains(rep.RegCheck, "200 sampled mailboxes") {
				t.Errorf("seed check: %q", rep.RegCheck)
			}
			r := rep.Registry
			if r == nil || len(r.Alone) != len(regRouteNames) {
				t.Fatalf("registry phase: %+v", r)
			}
			for i, name := range r.Result.Routes {
				if r.Result.OK[i] == 0 || r.Result.Fail[i] != 0 {
					t.Errorf("%s: %d served, %d failed (%v)", name, r.Result.OK[i], r.Result.Fail[i], r.Result.Why)
				}
			}
			if rep.SeedRows["registry"] != 6000 || rep.SeedRows["registry_terms"] < 6000*3 || rep.SeedRows["registry_counts"] != 4 {
				t.Errorf("seeded rows: %v", rep.SeedRows)
			}
			var b strings.Builder
			rep.markdown(&b)
			for _, want := range []string{"search: NIP prefix", "next page (its own link)", "**Registry page: ", "registry of 6000 mailboxes", "search: address prefix "} {
				if !strings.Contains(b.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, b.String())
				}
			}
		})
	}
}

// TestRegistryPlan checks what the unique key and the pages rely on: every address
// unique, each row with search words, the counts adding up to the rows, institutional
// and adopted rows among them.
func TestRegistryPlan(t *testing.T) {
	s := &shape{Tenant: 1, Domain: "mail.go.id", Requests: 20_000, Steps: 3, Users: 1000, Registry: 300_000, Now: time.Now().UTC()}
	if err := s.plan(); err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool, s.Registry)
	kinds := map[registry.Kind]int{}
	for k := range s.Registry {
		m := s.regMailbox(k)
		if seen[m.Address] {
			t.Fatalf("row %d: address %s twice", k, m.Address)
		}
		seen[m.Address] = true
		kinds[m.Kind]++
		if s.reg.terms[k+1] <= s.reg.terms[k] {
			t.Fatalf("row %d (%s): no search words", k, m.Address)
		}
		if m.UpdatedAt.Before(m.CreatedAt) || m.UpdatedAt.After(s.Now) {
			t.Fatalf("row %d: created %s, changed %s, now %s", k, m.CreatedAt, m.UpdatedAt, s.Now)
		}
	}
	n := 0
	for _, c := range s.reg.counts {
		n += c
	}
	if n != s.Registry || s.reg.made != len(s.finished) || kinds[registry.Institutional] < s.Registry/40 || s.reg.counts[registry.Active] < s.Registry*9/10 {
		t.Fatalf("counts %v (sum %d), %d made, kinds %v", s.reg.counts, n, s.reg.made, kinds)
	}
	q := s.registryQueries(1)
	if len(q.names) != 200 || len(q.nips) != 200 || len(q.addresses) != 200 || len(q.statuses) != 4 {
		t.Fatalf("queries: %d names, %d NIPs, %d addresses, statuses %v", len(q.names), len(q.nips), len(q.addresses), q.statuses)
	}
	if s.Registry = len(s.finished) - 1; s.plan() == nil {
		t.Fatal("a registry smaller than the finished requests' mailboxes was planned")
	}
}

// TestRegistryCheck checks that the page check finds a wrong row.
func TestRegistryCheck(t *testing.T) {
	e := &env{shape: &shape{Registry: 2, reg: &regPlan{first: "a@x"}}}
	page := `<table><tbody><tr><td><a href="/kantor/akun/1">a@x</a></td><td><span class="status m-aktif">Aktif</span> Budi Santoso</td></tr>
	<tr><td><a href="/kantor/akun/2">b@x</a></td><td><span class="status m-nonaktif">Nonaktif</span> Siti Rahayu</td></tr></tbody></table>
	<nav class="pager" aria-label="p"><a href="/kantor/akun">Awal</a> <a href="/kantor/akun?dari=b%40x&amp;status=aktif">Berikutnya</a></nav>`
	rows, next := parseRegistryPage(page)
	if len(rows) != 2 || rows[1].address != "b@x" || rows[1].status != "nonaktif" || next != "/kantor/akun?dari=b%40x&status=aktif" {
		t.Fatalf("parsed %+v, next %q", rows, next)
	}
	for path, want := range map[string]string{
		"/kantor/akun":                     "",
		"/kantor/akun?status=aktif":        "row b@x is nonaktif, want aktif",
		"/kantor/akun?q=budi":              `row b@x does not hold "budi"`,
		"/kantor/akun?dari=a%40x":          `the page after "a@x" starts at "a@x"`,
		"/kantor/akun?q=santoso+rahayu":    `row a@x does not hold "rahayu"`,
		"/kantor/akun?dari=0&status=aktif": "row b@x is nonaktif, want aktif",
	} {
		if got := e.registryCheck(path, rows); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
	e.shape.reg.first = "0@x"
	if got := e.registryCheck("/kantor/akun", rows); !strings.Contains(got, "first page starts at") {
		t.Errorf("a first page starting elsewhere: %q", got)
	}
}
