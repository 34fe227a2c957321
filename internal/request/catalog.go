package request

import (
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"
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

var fieldTypes = map[string]bool{"nip": true, "sk_number": true, "text": true, "textarea": true, "phone": true, "region": true, "file": true, FieldMailbox: true}

// LoadCatalog parses and checks a catalogue; nil data gives the built-in one.
func LoadCatalog(data []byte) (Catalog, error) {
	if data == nil {
		data = defaultCatalog
	}
	var c Catalog
	if err := yaml.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("catalogue: %w", err)
	}
	for _, s := range c.Services {
		for _, k := range s.Kinds {
			seen := map[string]bool{}
			for _, f := range k.Fields {
				where := fmt.Sprintf("catalogue: %s/%s/%s", s.Code, k.Code, f.Name)
				switch {
				case f.Type == "address":
					return c, fmt.Errorf("%s: type address is now type mailbox, in a field named mailbox", where)
				case !fieldTypes[f.Type]:
					return c, fmt.Errorf("%s: unknown type %q", where, f.Type)
				case (f.Type == FieldMailbox) != (f.Name == FieldMailbox):
					return c, fmt.Errorf("%s: the proposed address is the field named mailbox, of type mailbox", where)
				case seen[f.Name]:
					return c, fmt.Errorf("%s: defined twice", where)
				case f.Type == "file" && (len(f.Kinds) == 0 || f.MaxKB <= 0):
					return c, fmt.Errorf("%s: a file field needs kinds and max_kb", where)
				case f.Parent != "" && !seen[f.Parent]:
					return c, fmt.Errorf("%s: parent %q must come before it", where, f.Parent)
				}
				seen[f.Name] = true
			}
		}
	}
	return c, nil
}
