package rfc2136_test

import (
	"testing"

	"github.com/surel-id/surel/internal/zone"
	"github.com/surel-id/surel/internal/zone/rfc2136"
	"github.com/surel-id/surel/internal/zone/zonetest"
)

func drivers(t *testing.T, s *zonetest.Server) zonetest.Drivers {
	t.Helper()
	mk := func(k zonetest.Key) zone.Server {
		d, err := rfc2136.New(rfc2136.Config{Addr: s.Addr, Zone: s.Zone, KeyName: k.Name, Secret: k.Secret, TTL: 300})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	wrong := s.Key
	wrong.Secret = "c2FsYWgtc2FsYWgtc2FsYWgtc2FsYWgtc2FsYWgtc2FsYWg="
	return zonetest.Drivers{Good: mk(s.Key), BadKey: mk(wrong), Guest: mk(s.Guest)}
}

// TestBIND runs the driver against BIND 9 with update-policy.
func TestBIND(t *testing.T) {
	s := zonetest.StartBIND(t, "palangkaraya.go.id")
	zonetest.Run(t, s, drivers(t, s))
}

// TestPowerDNS runs the same driver against PowerDNS with dnsupdate=yes and the key in
// the zone's TSIG-ALLOW-DNSUPDATE: RFC 2136 works with both servers.
func TestPowerDNS(t *testing.T) {
	s := zonetest.StartPowerDNS(t, "samarinda.go.id")
	d := drivers(t, s)
	d.BadKeyRefused = true
	zonetest.Run(t, s, d)
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, c := range []rfc2136.Config{
		{Addr: "127.0.0.1:53", Zone: "a.go.id", KeyName: "k", Secret: "c2VjcmV0", Algorithm: "rot13"},
		{Addr: "127.0.0.1:53", Zone: "a.go.id", KeyName: "k"},
		{Addr: "127.0.0.1:53", KeyName: "k", Secret: "c2VjcmV0"},
	} {
		if _, err := rfc2136.New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}
