package request

import (
	"strings"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/address"
	"github.com/surel-id/surel/internal/desaid"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/nip"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/zone"
)

// Normalize puts the typed values of a kind's form in their stored form.
func (k Kind) Normalize(values map[string]string) {
	for _, f := range k.Fields {
		v := strings.TrimSpace(values[f.Name])
		switch f.Type {
		case "nip":
			v = strings.Join(strings.Fields(v), "")
		case "phone":
			if p, ok := account.NormalizePhone(v); ok {
				v = p
			}
		case FieldMailbox:
			v = k.NormalizeMailbox(v)
		case TypeOwnedMailbox:
			v = address.Normalize(v)
		case TypeQuota:
			v = strings.TrimLeft(strings.Join(strings.Fields(v), ""), "0")
		case FieldDesaID:
			v = desaid.Normalize(v)
		case FieldSubdomain:
			v, _, _ = strings.Cut(strings.ToLower(strings.Join(strings.Fields(v), "")), ".")
		case FieldTarget:
			v = zone.Format(zone.ParseTarget(v))
		case "text", "sk_number":
			v = strings.Join(strings.Fields(v), " ")
		}
		if v == "" {
			delete(values, f.Name)
		} else {
			values[f.Name] = v
		}
	}
}

// Validate checks the values and the attached files (field name → present) against the
// form; it does not look at the database (see Service.check for taken addresses).
func (k Kind) Validate(values map[string]string, files map[string]bool, regions *wilayah.Data) errs.Fields {
	var fs errs.Fields
	for _, f := range k.Fields {
		v := values[f.Name]
		if f.Type == "file" {
			if f.Required && !files[f.Name] {
				fs.Add(f.Name, "file_required")
			}
			continue
		}
		if v == "" {
			if f.Required {
				fs.Add(f.Name, "required")
			}
			continue
		}
		switch f.Type {
		case "nip":
			if _, err := nip.Parse(v); err != nil {
				fs.Add(f.Name, "nip", err.Error())
			}
		case "phone":
			if _, ok := account.NormalizePhone(v); !ok {
				fs.Add(f.Name, "phone")
			}
		case FieldMailbox:
			k.checkLocal(&fs, f.Name, v)
		case TypeOwnedMailbox:
			// A mailbox that exists may bear a name no new one may take: an office's
			// word ("diskominfo", an institutional mailbox) or a reserved one a sync
			// adopted. Only its form is checked here; the registry says whether it is
			// the applicant's.
			if rule := address.Check(v); rule != "" && rule != "address_reserved" {
				fs.Add(f.Name, "mailbox_unknown")
			}
		case TypeQuota:
			checkQuota(&fs, f.Name, v)
		case FieldDesaID:
			switch rule := desaid.Check(v); rule {
			case "":
			case "desaid_len":
				fs.Add(f.Name, rule, desaid.MinLen, desaid.MaxLen)
			default:
				fs.Add(f.Name, rule)
			}
		case FieldSubdomain:
			if rule := zone.CheckLabel(v); rule != "" {
				fs.Add(f.Name, rule)
			}
		case FieldTarget:
			rs, err := zone.Parse(v)
			if err != nil {
				fs.Add(f.Name, "zone_bad_host")
			} else if rule := zone.Check(rs); rule != "" {
				fs.Add(f.Name, rule)
			}
		case FieldOwnedSubdomain:
			// Ownership is the service rules' check (ServiceRules.Check).
		case "region":
			a, ok := regions.Get(v)
			want := map[string]wilayah.Level{"province": wilayah.Province, "regency": wilayah.Regency, "district": wilayah.District, "village": wilayah.Village}[f.Level]
			switch {
			case !ok || a.Level != want:
				fs.Add(f.Name, "region_unknown")
			case f.Parent != "" && a.Parent != values[f.Parent]:
				fs.Add(f.Name, "region_parent", labelKey(f.Parent))
			}
		case "sk_number":
			if strings.ContainsAny(v, "<>\"") {
				fs.Add(f.Name, "sk_chars")
			}
			fallthrough
		default:
			max := f.Max
			if max == 0 {
				max = 200
			}
			if utf8.RuneCountInString(v) > max {
				fs.Add(f.Name, "max_len", max)
			}
		}
	}
	return fs
}

// NormalizeMailbox is the stored local part of an address typed in the kind's form: a
// new one as address.Normalize makes it; for a claim, the existing address as the
// server has it (lower-case, the domain dropped), whatever naming rule it predates.
func (k Kind) NormalizeMailbox(typed string) string {
	if !k.Claim {
		return address.Normalize(typed)
	}
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(typed)), "@")
	return local
}

// checkLocal adds to fs the rule a mailbox's local part breaks, if any, under the form's
// field, with the arguments its message names (the length limits). Every form that takes
// an address (the applicant's, the front desk's, the create step's) checks it here.
// An institutional kind's address follows its naming rule (address.CheckInstitutional).
func (k Kind) checkLocal(fs *errs.Fields, field, local string) {
	if k.Claim {
		// An address that exists already: only what no mailbox name holds is refused;
		// whether it exists is the registry's to say (Service.checkClaim).
		if len(local) > 64 || strings.ContainsFunc(local, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("._-+", r))
		}) {
			fs.Add(field, "address_chars")
		}
		return
	}
	rule := address.Check(local)
	if k.Institutional {
		rule = address.CheckInstitutional(local, k.MailboxPrefix)
	}
	switch rule {
	case "":
	case "address_len":
		fs.Add(field, rule, address.MinLen, address.MaxLen)
	case "address_prefix":
		fs.Add(field, rule, k.MailboxPrefix, k.MailboxPrefix)
	default:
		fs.Add(field, rule)
	}
}

// labelKey is the catalogue key of a field's label, passed as an argument so the message
// can name the other field.
func labelKey(name string) string { return "field." + name }

// PersonKey identifies the person a request is for: the NIP of a PNS, the decree number
// and village of a perangkat desa (who has no NIP). An institutional mailbox is for its
// unit, not for the responsible PNS (who keeps their personal one): one live request per
// kind and unit name.
func (k Kind) PersonKey(values map[string]string) string {
	if k.Institutional {
		if v := values[FieldUnitName]; v != "" {
			return "unit:" + k.Code + ":" + strings.ToLower(strings.Join(strings.Fields(v), " "))
		}
		return ""
	}
	if v := values["nip"]; v != "" {
		return "nip:" + v
	}
	if v := values[FieldDesaID]; v != "" {
		// One live request per desa.id name.
		return "desa.id:" + v
	}
	if v := values["sk_number"]; v != "" {
		return "sk:" + strings.ToLower(strings.Join(strings.Fields(v), "")) + "@" + values["village"]
	}
	return ""
}
