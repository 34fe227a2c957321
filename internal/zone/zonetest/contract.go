package zonetest

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/zone"
)

// Drivers are one driver three ways against one Server: with the right key, with a key
// the server refuses outright (wrong secret), and with a key the server knows but lets
// write nothing (nil when the driver has no such key, as the PowerDNS API).
type Drivers struct {
	Good, BadKey, Guest zone.Server
	// BadKeyRefused says the server answers a wrong key with a bare REFUSED, no TSIG
	// error (PowerDNS: "Signature with TSIG key … failed to validate"), so the driver
	// can only report zone.ErrRefused, whose message names the key too.
	BadKeyRefused bool
}

// Run checks a driver against a real server: create, repeated create, an existing
// name, a CNAME, the lookup, the delete and its repetition, and the errors staff see
// for a wrong key, a refused update and a name outside the zone. Each name is checked
// with dig as well, as an operator would.
func Run(t *testing.T, s *Server, d Drivers) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	name := func(l string) string { return l + "." + s.Zone }
	addrs := []zone.Record{{Type: zone.A, Value: "203.0.113.5"}, {Type: zone.AAAA, Value: "2001:db8::5"}}

	t.Run("create", func(t *testing.T) {
		if err := d.Good.Create(ctx, name("sipd"), addrs); err != nil {
			t.Fatal(err)
		}
		got, err := d.Good.Lookup(ctx, name("sipd"))
		if err != nil || !zone.Same(got, addrs) {
			t.Fatalf("lookup = %v, %v; want %v", got, err, addrs)
		}
		if out := Dig(t, s.Addr, name("sipd"), "A"); out != "203.0.113.5" {
			t.Fatalf("dig A = %q", out)
		}
		if out := Dig(t, s.Addr, name("sipd"), "AAAA"); out != "2001:db8::5" {
			t.Fatalf("dig AAAA = %q", out)
		}
		// A create repeated after a crash finds its own records: success.
		if err := d.Good.Create(ctx, name("sipd"), []zone.Record{addrs[1], addrs[0]}); err != nil {
			t.Fatalf("repeated create: %v", err)
		}
		// Other records for the name: taken, and the server's records named.
		err = d.Good.Create(ctx, name("sipd"), []zone.Record{{Type: zone.A, Value: "198.51.100.7"}})
		if !errors.Is(err, zone.ErrExists) || !strings.Contains(err.Error(), "203.0.113.5") {
			t.Fatalf("create over other records = %v; want ErrExists naming 203.0.113.5", err)
		}
	})
	t.Run("existing name", func(t *testing.T) {
		err := d.Good.Create(ctx, name(Taken), []zone.Record{{Type: zone.CNAME, Value: "web.example.org"}})
		if !errors.Is(err, zone.ErrExists) || !strings.Contains(err.Error(), "sudah memiliki record") {
			t.Fatalf("create of %s = %v; want ErrExists", Taken, err)
		}
		if out := Dig(t, s.Addr, name(Taken), "A"); out != TakenAddr {
			t.Fatalf("the existing name was changed: dig = %q", out)
		}
	})
	t.Run("cname", func(t *testing.T) {
		cn := []zone.Record{{Type: zone.CNAME, Value: "apps.example.org"}}
		if err := d.Good.Create(ctx, name("ppid"), cn); err != nil {
			t.Fatal(err)
		}
		got, err := d.Good.Lookup(ctx, name("ppid"))
		if err != nil || !zone.Same(got, cn) {
			t.Fatalf("lookup = %v, %v", got, err)
		}
		if out := Dig(t, s.Addr, name("ppid"), "CNAME"); out != "apps.example.org." {
			t.Fatalf("dig CNAME = %q", out)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := d.Good.Delete(ctx, name("sipd"), addrs); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Good.Lookup(ctx, name("sipd")); !errors.Is(err, zone.ErrNoRecords) {
			t.Fatalf("lookup after delete = %v; want ErrNoRecords", err)
		}
		if out := Dig(t, s.Addr, name("sipd"), "A"); out != "" {
			t.Fatalf("dig after delete = %q", out)
		}
		if err := d.Good.Delete(ctx, name("sipd"), addrs); err != nil {
			t.Fatalf("repeated delete: %v", err)
		}
		// Delete takes out only its records: the name can be made again.
		if err := d.Good.Create(ctx, name("sipd"), addrs[:1]); err != nil {
			t.Fatalf("create after delete: %v", err)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		err := d.BadKey.Create(ctx, name("salah"), addrs)
		want := zone.ErrBadKey
		if d.BadKeyRefused {
			want = zone.ErrRefused
		}
		if !errors.Is(err, want) || !zone.Permanent(err) || !strings.Contains(err.Error(), "kunci") {
			t.Fatalf("create with a wrong key = %v; want %v", err, want)
		}
		if _, err := d.Good.Lookup(ctx, name("salah")); !errors.Is(err, zone.ErrNoRecords) {
			t.Fatalf("a refused key wrote: %v", err)
		}
	})
	if d.Guest != nil {
		t.Run("refused update", func(t *testing.T) {
			err := d.Guest.Create(ctx, name("tamu"), addrs)
			if !errors.Is(err, zone.ErrRefused) || !zone.Permanent(err) || !strings.Contains(err.Error(), "menolak pembaruan") {
				t.Fatalf("create with a key the policy refuses = %v; want ErrRefused", err)
			}
		})
	}
	t.Run("outside the zone", func(t *testing.T) {
		err := d.Good.Create(ctx, "sipd.example.org", addrs)
		if !errors.Is(err, zone.ErrNotInZone) {
			t.Fatalf("create outside the zone = %v; want ErrNotInZone", err)
		}
	})
}

// Dig asks the server at addr for name's records of type with Debian's dig, without
// recursion, and gives its short answer ("" for none). Missing dig skips the check
// unless CI=true, where Require has already failed the test.
func Dig(t testing.TB, addr, name, typ string) string {
	t.Helper()
	host, port, _ := strings.Cut(addr, ":")
	bin, err := exec.LookPath("dig")
	if err != nil {
		t.Fatalf("dig is not installed (apt-get install bind9-dnsutils)")
	}
	out, err := exec.Command(bin, "@"+host, "-p", port, "+norecurse", "+short", "+time=5", "+tries=2", name, typ).CombinedOutput()
	if err != nil {
		t.Fatalf("dig %s %s: %v\n%s", name, typ, err, out)
	}
	lines := strings.Fields(strings.TrimSpace(string(out)))
	slices.Sort(lines)
	return strings.Join(lines, " ")
}
