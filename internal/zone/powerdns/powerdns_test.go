package powerdns_test

import (
	"testing"

	"github.com/surel-id/surel/internal/zone"
	"github.com/surel-id/surel/internal/zone/powerdns"
	"github.com/surel-id/surel/internal/zone/zonetest"
)

// TestAPI runs the API driver against PowerDNS: the API key is its only key, so there
// is no "guest" key; a wrong API key is the wrong-key case.
func TestAPI(t *testing.T) {
	s := zonetest.StartPowerDNS(t, "balikpapan.go.id")
	mk := func(key, dnsAddr string) zone.Server {
		d, err := powerdns.New(powerdns.Config{URL: s.APIURL, APIKey: key, Zone: s.Zone, DNSAddr: dnsAddr, TTL: 300})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	zonetest.Run(t, s, zonetest.Drivers{Good: mk(s.APIKey, s.Addr), BadKey: mk("salah", s.Addr)})
	t.Run("lookup through the API", func(t *testing.T) {
		api := mk(s.APIKey, "")
		got, err := api.Lookup(t.Context(), zonetest.Taken+"."+s.Zone)
		if err != nil || !zone.Same(got, []zone.Record{{Type: zone.A, Value: zonetest.TakenAddr}}) {
			t.Fatalf("lookup = %v, %v", got, err)
		}
	})
}
