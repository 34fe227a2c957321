// Package zone is the office's own DNS: the records of a sub-domain (name.<tenant
// domain>, "SOP Pembuatan Sub-Domain", seed 003) written on the tenant's DNS server, read
// back for the test step, and removed again. One interface, Server, and drivers in
// sub-packages: rfc2136 (dynamic updates signed with TSIG, RFC 2136 and RFC 8945: BIND,
// Knot, PowerDNS and most servers, the default) and powerdns (the PowerDNS HTTP API).
//
// Every driver is idempotent in the way the back office's jobs need: creating records
// the name already has, exactly, succeeds (a create repeated after a crash); a name that
// has any other record is ErrExists, never overwritten. Delete removes only the records
// it is given, and removing records that are gone is no error.
//
// The errors a server gives are sorted into a few kinds staff can act on (ErrExists,
// ErrBadKey, ErrRefused, ErrNotInZone), each with a message in Indonesian naming what
// to do, since it is shown as is on the failed step. The shared checks every driver
// passes are in zonetest.
package zone

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Type is the type of a record a sub-domain points with.
type Type string

// The types a sub-domain may have: addresses (A, AAAA, one or more) or an alias (one
// CNAME, alone: RFC 1034 §3.6.2 allows no other data beside it).
const (
	A     Type = "A"
	AAAA  Type = "AAAA"
	CNAME Type = "CNAME"
)

// Record is one record of a sub-domain: its type and value (an address, or a host name
// in lower case without the final dot).
type Record struct {
	Type  Type
	Value string
}

func (r Record) String() string { return string(r.Type) + " " + r.Value }

// DefaultTTL is the time to live of the records surel writes, in seconds, unless the
// tenant's DNS settings name another.
const DefaultTTL = 3600

// Server is a tenant's DNS server, authoritative for its zone.
type Server interface {
	// Zone is the zone the server writes in, lower case without the final dot
	// ("palangkaraya.go.id").
	Zone() string
	// Create writes records for name (a full name inside Zone) if name has no record
	// yet; the same records already there are success (a repeated create), any other
	// record of name is ErrExists.
	Create(ctx context.Context, name string, records []Record) error
	// Delete removes these records of name; records already gone are no error, and the
	// name's other records stay.
	Delete(ctx context.Context, name string, records []Record) error
	// Lookup asks the server itself (not a resolver, whose cache may be older) for the
	// A, AAAA and CNAME records of name; none is ErrNoRecords.
	Lookup(ctx context.Context, name string) ([]Record, error)
}

// Settings describe a tenant's DNS server as the operator configured it (the tenant
// file's dns block), without its secrets: what the tenant admin reviews beside the
// sub-domain services.
type Settings struct {
	Driver    string // rfc2136 or powerdns
	Zone      string
	Server    string // the DNS address updates go to and the test step asks
	KeyName   string // the TSIG key's name (rfc2136)
	Algorithm string
	APIURL    string // the PowerDNS API (powerdns)
	TTL       uint32
}

// The kinds of failure. Each is permanent for the job that meets it: retrying cannot
// help until staff or the operator change something, which the message names.
var (
	// ErrExists: the name already has records other than the ones asked for.
	ErrExists = errors.New("zone: the name already has records")
	// ErrBadKey: the server did not accept surel's key (TSIG BADKEY, BADSIG or BADTIME;
	// the PowerDNS API key).
	ErrBadKey = errors.New("zone: the DNS server refused surel's key")
	// ErrRefused: the server understood and refused the change: its policy does not let
	// surel's key write there (REFUSED, NOTAUTH).
	ErrRefused = errors.New("zone: the DNS server refused the update")
	// ErrNotInZone: the name is not inside the zone the server holds (NOTZONE), or the
	// server does not hold the zone.
	ErrNotInZone = errors.New("zone: the name is outside the server's zone")
	// ErrNoRecords: Lookup found no record of the name.
	ErrNoRecords = errors.New("zone: no record")
)

// Error is a server's failure of one kind, with what the server said, in words staff
// can act on (Indonesian, as the step's note shows it).
type Error struct {
	Kind   error  // one of the Err values above
	Name   string // the name written
	Server string // the server's answer: rcode, TSIG error or HTTP status and body
}

func (e *Error) Error() string {
	var what string
	switch e.Kind {
	case ErrExists:
		what = "nama " + e.Name + textExists + "; pilih nama lain atau hapus record lama di server"
	case ErrBadKey:
		what = textBadKey + " (nama, algoritma atau isi kunci TSIG / kunci API tidak cocok, atau jam server berbeda); periksa pengaturan dns di berkas tenant"
	case ErrRefused:
		what = textRefused + e.Name + "; kebijakan server (update-policy / hak kunci) tidak mengizinkan surel menulis nama ini, atau kunci TSIG salah (PowerDNS menjawab kunci yang salah dengan REFUSED juga)"
	case ErrNotInZone:
		what = "nama " + e.Name + textNotInZone
	case ErrNoRecords:
		what = textNoRecords + e.Name
	default:
		what = "server DNS gagal untuk " + e.Name
	}
	if e.Server != "" {
		what += textAnswer + e.Server + ")"
	}
	return what
}

// The fixed words of Error's messages, by which Explain reads a message back.
const (
	textExists    = " sudah memiliki record di server DNS"
	textBadKey    = "server DNS menolak kunci surel"
	textRefused   = "server DNS menolak pembaruan untuk "
	textNotInZone = " tidak berada di zona yang dikelola server DNS ini"
	textNoRecords = "server DNS tidak memberikan record untuk "
	textAnswer    = " (jawaban server: "
)

// Explain reads back a message Error wrote, as a failed step's note keeps it (the job
// that met the error stored its text): the kind of failure and the server's own answer;
// kind is nil for any other text.
func Explain(message string) (kind error, answer string) {
	switch {
	case strings.Contains(message, textExists):
		kind = ErrExists
	case strings.Contains(message, textBadKey):
		kind = ErrBadKey
	case strings.Contains(message, textRefused):
		kind = ErrRefused
	case strings.Contains(message, textNotInZone):
		kind = ErrNotInZone
	case strings.Contains(message, textNoRecords):
		kind = ErrNoRecords
	default:
		return nil, ""
	}
	if i := strings.Index(message, textAnswer); i >= 0 {
		answer = strings.TrimSuffix(message[i+len(textAnswer):], ")")
	}
	return kind, answer
}

// Unwrap makes errors.Is(err, ErrExists) and the others work.
func (e *Error) Unwrap() error { return e.Kind }

// Fail is a failure of kind for name with the server's answer.
func Fail(kind error, name, answer string) error {
	return &Error{Kind: kind, Name: name, Server: answer}
}

// Permanent reports whether err is one of the kinds retrying cannot cure.
func Permanent(err error) bool {
	return errors.Is(err, ErrExists) || errors.Is(err, ErrBadKey) || errors.Is(err, ErrRefused) || errors.Is(err, ErrNotInZone)
}

// Normalize puts a record's value in its stored form: an address as netip writes it, a
// host name in lower case without the final dot.
func Normalize(r Record) Record {
	r.Type = Type(strings.ToUpper(strings.TrimSpace(string(r.Type))))
	v := strings.TrimSpace(r.Value)
	switch r.Type {
	case A, AAAA:
		if a, err := netip.ParseAddr(v); err == nil {
			v = a.Unmap().String()
		}
	default:
		v = strings.TrimSuffix(strings.ToLower(v), ".")
	}
	r.Value = v
	return r
}

// Check tells why records cannot be a sub-domain's target, or "" if they can: at least
// one; addresses of their own family, public-looking hosts; a CNAME alone.
func Check(records []Record) string {
	if len(records) == 0 {
		return "zone_no_record"
	}
	for _, r := range records {
		switch r.Type {
		case A, AAAA:
			a, err := netip.ParseAddr(r.Value)
			if err != nil || a.Is4() != (r.Type == A) || a.Zone() != "" {
				return "zone_bad_address"
			}
			if a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() {
				return "zone_bad_address"
			}
		case CNAME:
			if len(records) > 1 {
				return "zone_cname_alone"
			}
			if CheckHost(r.Value) != "" {
				return "zone_bad_host"
			}
		default:
			return "zone_bad_type"
		}
	}
	return ""
}

// CheckHost tells why s is not a host name a CNAME may point to, or "": letters,
// digits and hyphens in labels of 1–63 characters, not starting or ending with a
// hyphen, two labels at least, 253 characters at most.
func CheckHost(s string) string {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return "zone_bad_host"
	}
	for _, l := range strings.Split(s, ".") {
		if CheckLabel(l) != "" {
			return "zone_bad_host"
		}
	}
	return ""
}

// CheckLabel tells why l is not one DNS label of a host name (RFC 1123 §2.1), or "".
func CheckLabel(l string) string {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return "zone_bad_label"
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return "zone_bad_label"
		}
	}
	return ""
}

// Same reports whether two sets of records are equal, whatever their order.
func Same(a, b []Record) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(r Record) string { return r.String() }
	as, bs := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		as[i], bs[i] = key(Normalize(a[i])), key(Normalize(b[i]))
	}
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(as, bs)
}

// Contains reports whether every record of want is in have.
func Contains(have, want []Record) bool {
	for _, w := range want {
		w = Normalize(w)
		if !slices.ContainsFunc(have, func(h Record) bool { return Normalize(h) == w }) {
			return false
		}
	}
	return true
}

// InZone reports whether name is zone itself or a name under it.
func InZone(name, zone string) bool {
	return name == zone || strings.HasSuffix(name, "."+zone)
}

// Format writes records as one line for notes and the registry: "A 203.0.113.5, AAAA
// 2001:db8::5".
func Format(records []Record) string {
	parts := make([]string, len(records))
	for i, r := range records {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

// Parse reads what Format wrote.
func Parse(s string) ([]Record, error) {
	var out []Record
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		t, v, ok := strings.Cut(p, " ")
		if !ok {
			return nil, fmt.Errorf("zone: record %q: want TYPE VALUE", p)
		}
		out = append(out, Normalize(Record{Type: Type(t), Value: v}))
	}
	return out, nil
}

// ParseTarget reads the server a person names for a sub-domain, as typed in the form:
// one or more addresses ("203.0.113.10, 2001:db8::10"), each an A or AAAA record, or one
// host name ("web.example.go.id"), a CNAME. Check tells what is wrong with the result.
func ParseTarget(s string) []Record {
	var out []Record
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\t' }) {
		if t := Type(strings.ToUpper(f)); t == A || t == AAAA || t == CNAME {
			continue // the type Format writes before a value: read from the value
		}
		if a, err := netip.ParseAddr(f); err == nil {
			t := A
			if !a.Unmap().Is4() {
				t = AAAA
			}
			out = append(out, Normalize(Record{Type: t, Value: f}))
			continue
		}
		out = append(out, Normalize(Record{Type: CNAME, Value: f}))
	}
	return out
}
