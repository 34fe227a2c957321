// Package rfc2136 writes a sub-domain's records with DNS dynamic updates (RFC 2136)
// signed with a TSIG key (RFC 8945): the way BIND, Knot, PowerDNS (dnsupdate=yes) and
// Windows DNS accept changes from a program, so it is surel's default DNS driver.
//
// A create is one update message whose prerequisite is "name is not in use" (RFC 2136
// §2.4.5): the server adds the records only if the name has none, atomically, so a name
// someone else took between the staff's approval and the job is never overwritten. A
// refused prerequisite (YXDOMAIN) is then read back: the records asked for are success
// (the job ran before and crashed before it committed), anything else is
// zone.ErrExists. A delete removes exactly the records given (§2.5.4).
package rfc2136

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/surel-id/surel/internal/zone"
)

// Config is where and how updates are sent.
type Config struct {
	// Addr is the primary server, host:port (port 53 when omitted).
	Addr string
	// Zone is the zone written in ("palangkaraya.go.id").
	Zone string
	// KeyName, Algorithm and Secret are the TSIG key as the server's configuration
	// names it (BIND: key "surel" { algorithm hmac-sha256; secret "…"; }); Algorithm is
	// hmac-sha256 when empty; Secret is base64.
	KeyName   string
	Algorithm string
	Secret    string
	// TTL of the records written; zone.DefaultTTL when 0.
	TTL uint32
	// Timeout of one exchange; 10 s when 0.
	Timeout time.Duration
}

// Server is a zone on a server that takes dynamic updates.
type Server struct {
	c       Config
	key     string // the key's name, canonical
	alg     string
	zone    string // canonical, with the final dot
	updates *dns.Client
}

var _ zone.Server = (*Server)(nil)

// The algorithms RFC 8945 §6 lists as mandatory or recommended, as config names them.
var algorithms = map[string]string{
	"hmac-sha256": dns.HmacSHA256, "hmac-sha384": dns.HmacSHA384, "hmac-sha512": dns.HmacSHA512,
	"hmac-sha224": dns.HmacSHA224, "hmac-sha1": dns.HmacSHA1, "hmac-md5": dns.HmacMD5,
}

// New checks c and makes the server.
func New(c Config) (*Server, error) {
	if c.Algorithm == "" {
		c.Algorithm = "hmac-sha256"
	}
	alg, ok := algorithms[strings.ToLower(strings.TrimSuffix(c.Algorithm, "."))]
	if !ok {
		return nil, fmt.Errorf("rfc2136: algorithm %q: want hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224, hmac-sha1 or hmac-md5", c.Algorithm)
	}
	if c.KeyName == "" || c.Secret == "" {
		return nil, errors.New("rfc2136: a TSIG key needs a name and a secret")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		c.Addr = net.JoinHostPort(c.Addr, "53")
	}
	if c.Zone == "" {
		return nil, errors.New("rfc2136: zone required")
	}
	if c.TTL == 0 {
		c.TTL = zone.DefaultTTL
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	s := &Server{c: c, key: dns.CanonicalName(c.KeyName), alg: alg, zone: dns.CanonicalName(c.Zone)}
	// Updates go over TCP: a signed update with several records may exceed a UDP
	// datagram, and TCP needs no retransmission logic of ours.
	s.updates = &dns.Client{Net: "tcp", Timeout: c.Timeout, TsigSecret: map[string]string{s.key: c.Secret}}
	return s, nil
}

// Zone is the zone written in.
func (s *Server) Zone() string { return strings.TrimSuffix(s.zone, ".") }

// rrs makes the records of name as update RRs.
func (s *Server) rrs(name string, records []zone.Record) ([]dns.RR, error) {
	out := make([]dns.RR, 0, len(records))
	for _, r := range records {
		v := r.Value
		if r.Type == zone.CNAME {
			v = dns.Fqdn(v)
		}
		rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", dns.Fqdn(name), s.c.TTL, r.Type, v))
		if err != nil || rr == nil {
			return nil, fmt.Errorf("rfc2136: record %s of %s: %v", r, name, err)
		}
		out = append(out, rr)
	}
	return out, nil
}

// Create adds records for name if it has none (see the package comment).
func (s *Server) Create(ctx context.Context, name string, records []zone.Record) error {
	if !zone.InZone(name, s.Zone()) {
		return zone.Fail(zone.ErrNotInZone, name, "")
	}
	rrs, err := s.rrs(name, records)
	if err != nil {
		return err
	}
	m := new(dns.Msg)
	m.SetUpdate(s.zone)
	m.NameNotUsed(rrs[:1])
	m.Insert(rrs)
	rcode, answer, err := s.send(ctx, m)
	if err != nil {
		return err
	}
	switch rcode {
	case dns.RcodeSuccess:
		return nil
	case dns.RcodeYXDomain:
		have, err := s.Lookup(ctx, name)
		if err != nil && !errors.Is(err, zone.ErrNoRecords) {
			return err
		}
		if zone.Same(have, records) {
			return nil
		}
		return zone.Fail(zone.ErrExists, name, zone.Format(have))
	}
	return s.fail(rcode, name, answer)
}

// Delete removes records of name.
func (s *Server) Delete(ctx context.Context, name string, records []zone.Record) error {
	if !zone.InZone(name, s.Zone()) {
		return zone.Fail(zone.ErrNotInZone, name, "")
	}
	rrs, err := s.rrs(name, records)
	if err != nil {
		return err
	}
	m := new(dns.Msg)
	m.SetUpdate(s.zone)
	m.Remove(rrs)
	rcode, answer, err := s.send(ctx, m)
	if err != nil {
		return err
	}
	if rcode == dns.RcodeSuccess {
		return nil
	}
	return s.fail(rcode, name, answer)
}

// send signs and sends an update; it gives the response's rcode and, for a failure, the
// server's answer in words. A TSIG error in the answer is zone.ErrBadKey.
func (s *Server) send(ctx context.Context, m *dns.Msg) (int, string, error) {
	m.SetTsig(s.key, s.alg, 300, time.Now().Unix())
	r, _, err := s.updates.ExchangeContext(ctx, m, s.c.Addr)
	if r != nil {
		if t := r.IsTsig(); t != nil && t.Error != dns.RcodeSuccess {
			// BADSIG, BADKEY and BADTIME come back unsigned with the TSIG error set
			// (RFC 8945 §5.3.2): the server did not take our key.
			return r.Rcode, "", zone.Fail(zone.ErrBadKey, "", "TSIG "+dns.RcodeToString[int(t.Error)])
		}
	}
	if err != nil {
		if r != nil && r.Rcode == dns.RcodeNotAuth {
			return r.Rcode, "", zone.Fail(zone.ErrBadKey, "", dns.RcodeToString[r.Rcode]+": "+err.Error())
		}
		// The network, or a server that is down: retried by the job.
		return 0, "", fmt.Errorf("rfc2136: update to %s: %w", s.c.Addr, err)
	}
	return r.Rcode, dns.RcodeToString[r.Rcode], nil
}

// fail sorts a refused update's rcode into the zone errors.
func (s *Server) fail(rcode int, name, answer string) error {
	switch rcode {
	case dns.RcodeRefused:
		return zone.Fail(zone.ErrRefused, name, answer)
	case dns.RcodeNotZone, dns.RcodeNotAuth:
		// NOTAUTH without a TSIG error: the server is not authoritative for the zone.
		return zone.Fail(zone.ErrNotInZone, name, answer)
	case dns.RcodeYXDomain, dns.RcodeYXRrset:
		return zone.Fail(zone.ErrExists, name, answer)
	}
	// SERVFAIL and the like: the server's trouble, retried by the job.
	return fmt.Errorf("rfc2136: update of %s at %s: %s", name, s.c.Addr, answer)
}

// Lookup asks the server for name's A and AAAA records (a CNAME comes with either).
func (s *Server) Lookup(ctx context.Context, name string) ([]zone.Record, error) {
	return Ask(ctx, s.c.Addr, name, s.c.Timeout)
}

// Ask asks the DNS server at addr, without recursion, for the A, AAAA and CNAME records
// of name: what the server itself holds, not a resolver's cached copy. No record is
// zone.ErrNoRecords.
func Ask(ctx context.Context, addr, name string, timeout time.Duration) ([]zone.Record, error) {
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	c := &dns.Client{Timeout: timeout}
	fqdn := dns.CanonicalName(name)
	var out []zone.Record
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		q := new(dns.Msg)
		q.SetQuestion(fqdn, qt)
		q.RecursionDesired = false
		r, _, err := c.ExchangeContext(ctx, q, addr)
		if err == nil && r.Truncated {
			tc := &dns.Client{Net: "tcp", Timeout: timeout}
			r, _, err = tc.ExchangeContext(ctx, q, addr)
		}
		if err != nil {
			return nil, fmt.Errorf("rfc2136: ask %s for %s: %w", addr, name, err)
		}
		switch r.Rcode {
		case dns.RcodeSuccess, dns.RcodeNameError:
		case dns.RcodeRefused, dns.RcodeNotAuth:
			return nil, zone.Fail(zone.ErrNotInZone, name, dns.RcodeToString[r.Rcode])
		default:
			return nil, fmt.Errorf("rfc2136: ask %s for %s: %s", addr, name, dns.RcodeToString[r.Rcode])
		}
		for _, rr := range r.Answer {
			if dns.CanonicalName(rr.Header().Name) != fqdn {
				continue
			}
			var rec zone.Record
			switch v := rr.(type) {
			case *dns.A:
				rec = zone.Record{Type: zone.A, Value: v.A.String()}
			case *dns.AAAA:
				rec = zone.Record{Type: zone.AAAA, Value: v.AAAA.String()}
			case *dns.CNAME:
				rec = zone.Record{Type: zone.CNAME, Value: v.Target}
			default:
				continue
			}
			rec = zone.Normalize(rec)
			if !zone.Contains(out, []zone.Record{rec}) {
				out = append(out, rec)
			}
		}
	}
	if len(out) == 0 {
		return nil, zone.Fail(zone.ErrNoRecords, strings.TrimSuffix(fqdn, "."), "")
	}
	return out, nil
}
