package workflow_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
	"github.com/surel-id/surel/internal/zone"
	"github.com/surel-id/surel/internal/zone/powerdns"
	"github.com/surel-id/surel/internal/zone/rfc2136"
	"github.com/surel-id/surel/internal/zone/zonetest"
)

// switchZone is the tenant's DNS server as the operator's settings give it: the test
// changes the key between runs, as an operator fixes the tenant file.
type switchZone struct {
	mu  sync.Mutex
	cur zone.Server
}

func (s *switchZone) use(z zone.Server) { s.mu.Lock(); s.cur = z; s.mu.Unlock() }
func (s *switchZone) get() zone.Server  { s.mu.Lock(); defer s.mu.Unlock(); return s.cur }
func (s *switchZone) Zone() string      { return s.get().Zone() }
func (s *switchZone) Create(ctx context.Context, name string, rs []zone.Record) error {
	return s.get().Create(ctx, name, rs)
}
func (s *switchZone) Delete(ctx context.Context, name string, rs []zone.Record) error {
	return s.get().Delete(ctx, name, rs)
}
func (s *switchZone) Lookup(ctx context.Context, name string) ([]zone.Record, error) {
	return s.get().Lookup(ctx, name)
}

// TestSubdomainFailuresReachStaff takes sub-domain requests through the job that writes
// the records, against real BIND (RFC 2136 with TSIG) and PowerDNS (its API), on both
// engines: a wrong key and a refused update each fail the step with the failure staff
// read on the request's page (its code, the server's answer) and only "Coba lagi",
// which succeeds once the operator fixed the key; a name the server holds already is a
// conflict: the job is not run again, Coba lagi is refused, and the request goes back to
// the applicant.
func TestSubdomainFailuresReachStaff(t *testing.T) {
	zonetest.Require(t)
	type keys struct{ good, bad, guest zone.Server }
	servers := map[string]func(t *testing.T) (keys, string){
		"bind": func(t *testing.T) (keys, string) {
			s := zonetest.StartBIND(t, "kota.example.go.id")
			mk := func(k zonetest.Key) zone.Server {
				z, err := rfc2136.New(rfc2136.Config{Addr: s.Addr, Zone: s.Zone, KeyName: k.Name, Secret: k.Secret, TTL: 60})
				if err != nil {
					t.Fatal(err)
				}
				return z
			}
			wrong := s.Key
			wrong.Secret = "c2FsYWgtc2FsYWgtc2FsYWgtc2FsYWgtc2FsYWgtc2FsYWg="
			return keys{mk(s.Key), mk(wrong), mk(s.Guest)}, s.Addr
		},
		"powerdns": func(t *testing.T) (keys, string) {
			s := zonetest.StartPowerDNS(t, "kota.example.go.id")
			mk := func(key string) zone.Server {
				z, err := powerdns.New(powerdns.Config{URL: s.APIURL, APIKey: key, Zone: s.Zone, DNSAddr: s.Addr, TTL: 60})
				if err != nil {
					t.Fatal(err)
				}
				return z
			}
			return keys{good: mk(s.APIKey), bad: mk("salah")}, s.Addr
		},
	}
	for name, start := range servers {
		t.Run(name, func(t *testing.T) {
			k, addr := start(t)
			dbtest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				e := setup(t, st, "palangkaraya")
				sw := &switchZone{cur: k.bad}
				e.withDomains(sw, nil, false)
				u := e.official(t, "andi", "andi.saputra", "196109231991031004")
				e.verify(t, u, domains.InstansiOPD)
				label := "sipd" + string(st.Dialect())
				full := label + "." + sw.Zone()
				r, err := e.file(t, u, domains.ServiceSubdomain, "opd", map[string]string{"subdomain": label, "target": "203.0.113.10", "purpose": "SIPD", "phone": "081234567890"})
				if err != nil {
					t.Fatal(err)
				}
				e.act(t, r.ID, workflow.Forward, "")
				e.act(t, r.ID, workflow.CreateDNS, "")
				// A wrong key, then (BIND) a key the server's policy does not let write.
				fails := []struct {
					z    zone.Server
					code string
				}{{k.bad, "dns_bad_key"}}
				if k.guest != nil {
					fails = append(fails, struct {
						z    zone.Server
						code string
					}{k.guest, "dns_refused"})
				}
				for i, f := range fails {
					sw.use(f.z)
					if i > 0 {
						e.act(t, r.ID, workflow.Retry, "")
					}
					e.runJobs(t)
					c := e.failedCase(t, r.ID)
					if c.Failure.Code != f.code || !c.Failure.Retry || c.Failure.Name != full || c.Failure.Answer == "" ||
						!slices.Equal(c.Actions, []workflow.Action{workflow.Retry}) {
						t.Fatalf("%s: failure %+v, actions %v", f.code, c.Failure, c.Actions)
					}
				}
				// The operator fixed the key: Coba lagi writes the name.
				sw.use(k.good)
				e.act(t, r.ID, workflow.Retry, "")
				e.runJobs(t)
				if r, _ = st.Request(ctx, r.ID); r.Status != request.Done {
					t.Fatalf("after the fixed key: %s", r.Status)
				}
				if got := zonetest.Dig(t, addr, full, "A"); got != "203.0.113.10" {
					t.Fatalf("dig %s = %q", full, got)
				}
				// A name the server holds already: a conflict, not retried.
				taken := "lama" + string(st.Dialect())
				if err := k.good.Create(ctx, taken+"."+sw.Zone(), []zone.Record{{Type: zone.A, Value: "198.51.100.9"}}); err != nil {
					t.Fatal(err)
				}
				r2, err := e.file(t, u, domains.ServiceSubdomain, "opd", map[string]string{"subdomain": taken, "target": "203.0.113.11", "purpose": "Situs", "phone": "081234567890"})
				if err != nil {
					t.Fatal(err)
				}
				e.act(t, r2.ID, workflow.Forward, "")
				e.act(t, r2.ID, workflow.CreateDNS, "")
				e.runJobs(t)
				c := e.failedCase(t, r2.ID)
				if c.Failure.Code != "dns_exists" || c.Failure.Retry || !slices.Equal(c.Actions, []workflow.Action{workflow.Return, workflow.Refuse}) {
					t.Fatalf("existing name: failure %+v, actions %v", c.Failure, c.Actions)
				}
				e.clock.Set(e.clock.Now().Add(2 * time.Hour))
				e.runJobs(t)
				failed := e.running(t, r2.ID)
				for _, a := range []workflow.Action{workflow.Retry, workflow.CreateDNS} {
					if _, err := e.eng.Act(ctx, e.members[sop.RoleAdminMail], r2.ID, workflow.Input{StepID: failed.ID, Action: a}); errs.CodeOf(err) != errs.Conflict {
						t.Fatalf("%s on a conflict: %v", a, err)
					}
				}
				if got := zonetest.Dig(t, addr, taken+"."+sw.Zone(), "A"); got != "198.51.100.9" {
					t.Fatalf("the existing name was touched: %q", got)
				}
				r2 = e.act(t, r2.ID, workflow.Return, "Nama sudah dipakai di server DNS; pilih nama lain")
				if r2.Status != request.Returned {
					t.Fatalf("returned request %s", r2.Status)
				}
			})
		})
	}
}

// failedCase is the staff's page of request id, whose running step must have failed.
func (e *env) failedCase(t *testing.T, id int64) workflow.Case {
	t.Helper()
	st := e.running(t, id)
	c, err := e.eng.Case(context.Background(), e.members[sop.Role(st.Role)], id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != request.StepFailed || c.Failure == nil {
		t.Fatalf("step %s is %s (%s), not failed", st.Key, st.Status, st.Note)
	}
	return c
}
