// Package powerdns writes a sub-domain's records through the PowerDNS Authoritative
// Server's HTTP API (api=yes, an X-API-Key), for offices whose PowerDNS does not take
// dynamic updates.
//
// The API has no prerequisite like RFC 2136's "name not in use": a create reads the
// name's record sets first and writes (changetype REPLACE) only when it has none, or
// exactly the records asked (a repeated create). Between the read and the write another
// program could add records; surel's own requests cannot, since one live request holds
// each name. A delete takes only the given records out of their record sets and keeps
// the rest. The test step asks the server's DNS listener when one is configured (what a
// resolver would be told), else reads the API.
package powerdns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/zone"
	"github.com/surel-id/surel/internal/zone/rfc2136"
)

// Config is where the API is and what it writes.
type Config struct {
	// URL is the API's base, http(s)://host:8081 (the webserver's address).
	URL string
	// ServerID is the server's id in the API path; localhost when empty.
	ServerID string
	APIKey   string
	Zone     string
	// DNSAddr is the server's DNS listener, host:port, which the test step asks; empty
	// reads the records back through the API.
	DNSAddr string
	TTL     uint32
	// HTTP is the client; a client with a 15 s timeout when nil.
	HTTP *http.Client
}

// Server is a zone on a PowerDNS server.
type Server struct {
	c Config
}

var _ zone.Server = (*Server)(nil)

// New checks c and makes the server.
func New(c Config) (*Server, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("powerdns: url: want http(s)://host:port, got %q", c.URL)
	}
	c.URL = strings.TrimRight(c.URL, "/")
	if c.ServerID == "" {
		c.ServerID = "localhost"
	}
	if c.APIKey == "" || c.Zone == "" {
		return nil, errors.New("powerdns: api key and zone required")
	}
	c.Zone = strings.TrimSuffix(strings.ToLower(c.Zone), ".")
	if c.TTL == 0 {
		c.TTL = zone.DefaultTTL
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	return &Server{c: c}, nil
}

// Zone is the zone written in.
func (s *Server) Zone() string { return s.c.Zone }

type record struct {
	Content  string `json:"content"`
	Disabled bool   `json:"disabled"`
}

type rrset struct {
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	TTL        uint32   `json:"ttl,omitempty"`
	ChangeType string   `json:"changetype,omitempty"`
	Records    []record `json:"records"`
}

func (s *Server) zoneURL() string {
	return s.c.URL + "/api/v1/servers/" + url.PathEscape(s.c.ServerID) + "/zones/" + url.PathEscape(s.c.Zone+".")
}

// do sends one API request; a failure is sorted into the zone errors by status.
func (s *Server) do(ctx context.Context, method, u, name string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", s.c.APIKey)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("powerdns: %s %s: %w", method, s.c.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 300 {
		if out != nil {
			return json.Unmarshal(b, out)
		}
		return nil
	}
	// PowerDNS answers errors as {"error": "…"}; keep its words for staff.
	var e struct {
		Error string `json:"error"`
	}
	answer := strings.TrimSpace(string(b))
	if json.Unmarshal(b, &e) == nil && e.Error != "" {
		answer = e.Error
	}
	answer = fmt.Sprintf("HTTP %d %s", resp.StatusCode, answer)
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return zone.Fail(zone.ErrBadKey, name, answer)
	case resp.StatusCode == http.StatusNotFound:
		// The zone is not on the server.
		return zone.Fail(zone.ErrNotInZone, name, answer)
	case strings.Contains(answer, "out of zone"):
		return zone.Fail(zone.ErrNotInZone, name, answer)
	case strings.Contains(answer, "Conflicts with pre-existing RRset"):
		return zone.Fail(zone.ErrExists, name, answer)
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return zone.Fail(zone.ErrRefused, name, answer)
	}
	return fmt.Errorf("powerdns: %s %s: %s", method, s.c.URL, answer)
}

// sets reads the record sets of name.
func (s *Server) sets(ctx context.Context, name string) ([]rrset, error) {
	fqdn := name + "."
	var z struct {
		RRsets []rrset `json:"rrsets"`
	}
	// rrset_name narrows the answer on PowerDNS 4.8 and later; older servers send the
	// whole zone, filtered here.
	u := s.zoneURL() + "?rrsets=true&rrset_name=" + url.QueryEscape(fqdn)
	if err := s.do(ctx, http.MethodGet, u, name, nil, &z); err != nil {
		return nil, err
	}
	var out []rrset
	for _, rs := range z.RRsets {
		if strings.EqualFold(rs.Name, fqdn) {
			out = append(out, rs)
		}
	}
	return out, nil
}

// records are the enabled A, AAAA and CNAME records of sets; other lists the types of
// any other record set.
func records(sets []rrset) (rs []zone.Record, other []string) {
	for _, set := range sets {
		switch zone.Type(set.Type) {
		case zone.A, zone.AAAA, zone.CNAME:
			for _, r := range set.Records {
				if !r.Disabled {
					rs = append(rs, zone.Normalize(zone.Record{Type: zone.Type(set.Type), Value: r.Content}))
				}
			}
		default:
			other = append(other, set.Type)
		}
	}
	return rs, other
}

// Create writes records for name if it has none (see the package comment).
func (s *Server) Create(ctx context.Context, name string, want []zone.Record) error {
	if !zone.InZone(name, s.Zone()) {
		return zone.Fail(zone.ErrNotInZone, name, "")
	}
	sets, err := s.sets(ctx, name)
	if err != nil {
		return err
	}
	if len(sets) > 0 {
		have, other := records(sets)
		if len(other) == 0 && zone.Same(have, want) {
			return nil
		}
		return zone.Fail(zone.ErrExists, name, strings.Join(append([]string{zone.Format(have)}, other...), ", "))
	}
	return s.patch(ctx, name, s.grouped(name, want, "REPLACE"))
}

// grouped makes one record set per type of rs.
func (s *Server) grouped(name string, rs []zone.Record, change string) []rrset {
	var out []rrset
	for _, t := range []zone.Type{zone.A, zone.AAAA, zone.CNAME} {
		set := rrset{Name: name + ".", Type: string(t), TTL: s.c.TTL, ChangeType: change, Records: []record{}}
		for _, r := range rs {
			if r.Type == t {
				v := r.Value
				if t == zone.CNAME {
					v += "."
				}
				set.Records = append(set.Records, record{Content: v})
			}
		}
		if len(set.Records) > 0 {
			out = append(out, set)
		}
	}
	return out
}

func (s *Server) patch(ctx context.Context, name string, sets []rrset) error {
	if len(sets) == 0 {
		return nil
	}
	return s.do(ctx, http.MethodPatch, s.zoneURL(), name, map[string]any{"rrsets": sets}, nil)
}

// Delete takes records out of name's record sets; a set left empty is deleted.
func (s *Server) Delete(ctx context.Context, name string, gone []zone.Record) error {
	if !zone.InZone(name, s.Zone()) {
		return zone.Fail(zone.ErrNotInZone, name, "")
	}
	sets, err := s.sets(ctx, name)
	if err != nil {
		return err
	}
	var changes []rrset
	for _, set := range sets {
		t := zone.Type(set.Type)
		keep := slices.DeleteFunc(slices.Clone(set.Records), func(r record) bool {
			return zone.Contains(gone, []zone.Record{{Type: t, Value: r.Content}})
		})
		switch {
		case len(keep) == len(set.Records):
			continue
		case len(keep) == 0:
			changes = append(changes, rrset{Name: set.Name, Type: set.Type, ChangeType: "DELETE", Records: []record{}})
		default:
			changes = append(changes, rrset{Name: set.Name, Type: set.Type, TTL: set.TTL, ChangeType: "REPLACE", Records: keep})
		}
	}
	return s.patch(ctx, name, changes)
}

// Lookup asks the server's DNS listener, or reads the API without one.
func (s *Server) Lookup(ctx context.Context, name string) ([]zone.Record, error) {
	if s.c.DNSAddr != "" {
		return rfc2136.Ask(ctx, s.c.DNSAddr, name, 0)
	}
	sets, err := s.sets(ctx, name)
	if err != nil {
		return nil, err
	}
	rs, _ := records(sets)
	if len(rs) == 0 {
		return nil, zone.Fail(zone.ErrNoRecords, name, "")
	}
	return rs, nil
}
