package request

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/surel-id/surel/internal/address"
	"github.com/surel-id/surel/internal/yamlpos"
)

// Text is a phrase in each language.
type Text map[string]string

// In gives the phrase in lang, or in Indonesian.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	return t["id"]
}

// Field is one input of a request form.
type Field struct {
	Name     string   `yaml:"name"`
	Type     string   `yaml:"type"`
	Required bool     `yaml:"required"`
	Max      int      `yaml:"max"`
	Level    string   `yaml:"level"`
	Parent   string   `yaml:"parent"`
	Kinds    []string `yaml:"kinds"`
	MaxKB    int      `yaml:"max_kb"`
	Label    Text     `yaml:"label"`
}

// Kind is a Jenis Layanan: its own form.
type Kind struct {
	Code   string  `yaml:"code"`
	Name   Text    `yaml:"name"`
	Fields []Field `yaml:"fields"`
	// MailboxPrefix is the institutional naming rule of the kind: the prefix its
	// addresses start with ("layanan." for a public-service unit), "" for the unit's own
	// short name ("diskominfo").
	MailboxPrefix string `yaml:"mailbox_prefix"`
	// Institutional is set from the service's (Offering.Institutional) when loaded.
	Institutional bool `yaml:"-"`
	// Claim is set from the service's (Offering.Claim) when loaded.
	Claim bool `yaml:"-"`
}

// Field finds a field by name.
func (k Kind) Field(name string) (Field, bool) {
	for _, f := range k.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Offering is a service of the catalogue ("Pendaftaran Akun Email").
type Offering struct {
	Code        string `yaml:"code"`
	Group       Text   `yaml:"group"`
	Name        Text   `yaml:"name"`
	Description Text   `yaml:"description"`
	Notice      Text   `yaml:"notice"`
	Kinds       []Kind `yaml:"kinds"`
	// Institutional marks the "Email Instansi/Unit" service: a mailbox for a unit, with
	// a responsible PNS as the applicant (issue 19). Tenants that do not offer
	// institutional mailboxes (account.Tenant.Institutional) do not list it.
	Institutional bool `yaml:"institutional"`
	// Ruled: the service's requests follow the request.ServiceRules (the domain
	// services: a verified instansi, values taken from it, names checked against the
	// register).
	Ruled bool `yaml:"ruled"`
	// Claim marks the "Klaim Akun Email" service: the applicant asks for a mailbox the
	// server already has (adopted by a sync, owner unknown) to be recorded as theirs.
	// Its mailbox field names that existing address instead of a new one; staff confirm
	// the claim along the tenant's SOP, whose create step then records the owner and
	// creates nothing.
	Claim bool `yaml:"claim"`
	// StaffOnly marks a service nobody asks for in the portal: the purge after the
	// retention period (staff or the leader start it, from the registry), and the
	// "Serah Terima Email Instansi", whose applicant is the new responsible PNS, not the
	// mailbox's present owner.
	StaffOnly bool `yaml:"staff_only"`
}

// OfferedTo reports whether a tenant offers the service in the portal: an institutional
// one only where the tenant's setting turns institutional mailboxes on, a staff-only one
// never.
func (s Offering) OfferedTo(institutional bool) bool {
	return !s.StaffOnly && (!s.Institutional || institutional)
}

// Kind finds a Jenis Layanan by code.
func (s Offering) Kind(code string) (Kind, bool) {
	for _, k := range s.Kinds {
		if k.Code == code {
			return k, true
		}
	}
	return Kind{}, false
}

// Catalog is the list of services.
type Catalog struct {
	Services []Offering `yaml:"services"`
}

// Offering finds a service by code.
func (c Catalog) Offering(code string) (Offering, bool) {
	for _, s := range c.Services {
		if s.Code == code {
			return s, true
		}
	}
	return Offering{}, false
}

//go:embed catalog.yaml
var defaultCatalog []byte

var fieldTypes = map[string]bool{"nip": true, "sk_number": true, "text": true, "textarea": true, "phone": true, "region": true, "file": true, FieldMailbox: true,
	TypeOwnedMailbox: true, TypeQuota: true,
	FieldDesaID: true, FieldSubdomain: true, FieldTarget: true, FieldOwnedSubdomain: true}

// The field types of the domain services, each in a field of its own name: the proposed
// desa.id name (the label before .desa.id), the proposed sub-domain (the label before the
// tenant's zone), the server it points to (addresses or a host name, zone.ParseTarget),
// and one of the applicant's own sub-domains (a removal).
const (
	FieldDesaID         = "desaid"
	FieldSubdomain      = "subdomain"
	FieldTarget         = "target"
	FieldOwnedSubdomain = "owned_subdomain"
)

// LoadCatalog parses and checks a catalogue; nil data gives the built-in one.
func LoadCatalog(data []byte) (Catalog, error) {
	if data == nil {
		return parseCatalog("catalog.yaml (built in)", defaultCatalog)
	}
	return parseCatalog("catalogue", data)
}

// LoadCatalogFile reads, parses and checks the catalogue in path (SUREL_CATALOG); its
// errors name the file, line and column of the setting they refuse.
func LoadCatalogFile(path string) (Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Catalog{}, fmt.Errorf("SUREL_CATALOG: %w", err)
	}
	return parseCatalog(path, data)
}

func parseCatalog(file string, data []byte) (Catalog, error) {
	var c Catalog
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %w", file, err)
	}
	ix := yamlpos.New(file, data)
	var errs []error
	bad := func(path, format string, args ...any) { errs = append(errs, ix.Errorf(path, format, args...)) }
	services := map[string]bool{}
	for i, s := range c.Services {
		at := fmt.Sprintf("services[%d]", i)
		switch {
		case s.Code == "":
			bad(at+".code", "required")
		case services[s.Code]:
			bad(at+".code", "service %q is defined twice", s.Code)
		}
		services[s.Code] = true
		kinds := map[string]bool{}
		for j, k := range s.Kinds {
			at := fmt.Sprintf("%s.kinds[%d]", at, j)
			switch {
			case k.Code == "":
				bad(at+".code", "required")
			case kinds[k.Code]:
				bad(at+".code", "kind %q of service %q is defined twice", k.Code, s.Code)
			}
			kinds[k.Code] = true
			c.Services[i].Kinds[j].Institutional = s.Institutional
			c.Services[i].Kinds[j].Claim = s.Claim
			if s.Claim && s.Institutional {
				bad(at, "service %q: a claim service is for a person's mailbox, not institutional", s.Code)
			}
			if k.MailboxPrefix != "" && (!s.Institutional || address.Check(k.MailboxPrefix+"unit") != "") {
				bad(at+".mailbox_prefix", "%q: only an institutional service's kind has one, of letters, digits and dots", k.MailboxPrefix)
			}
			seen := map[string]bool{}
			for n, f := range k.Fields {
				at := fmt.Sprintf("%s.fields[%d]", at, n)
				name := s.Code + "/" + k.Code + "/" + f.Name
				switch {
				case f.Type == "address":
					bad(at+".type", "%s: type address is now type mailbox, in a field named mailbox", name)
				case !fieldTypes[f.Type]:
					bad(at+".type", "%s: unknown type %q", name, f.Type)
				case (f.Type == FieldMailbox || f.Type == TypeOwnedMailbox) != (f.Name == FieldMailbox):
					bad(at+".name", "%s: the proposed address is the field named mailbox, of type mailbox", name)
				case seen[f.Name]:
					bad(at+".name", "%s: defined twice", name)
				case f.Type == "file" && (len(f.Kinds) == 0 || f.MaxKB <= 0):
					bad(at, "%s: a file field needs kinds and max_kb", name)
				case f.Parent != "" && !seen[f.Parent]:
					bad(at+".parent", "%s: parent %q must come before it", name, f.Parent)
				}
				seen[f.Name] = true
			}
		}
	}
	return c, errors.Join(errs...)
}
