package sop

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/surel-id/surel/internal/yamlpos"
)

// Error is one problem in an SOP definition: where (file, line, column, field path) and
// which rule it breaks. Rule is a stable key (for example "role.unknown") that tests and
// the tenant editor can rely on; Msg explains it in English for the operator. It is the
// error of every YAML file surel reads (tenant file, catalogue), with a rule here.
type Error = yamlpos.Error

// Problems lists the *Error values inside err (as returned by Load or Validate).
func Problems(err error) []*Error { return yamlpos.Problems(err) }

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	keyRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	lineRE = regexp.MustCompile(`line (\d+)`)
)

// zoneAliases lets a file say WIB, WITA or WIT; the definition keeps the IANA name.
func zoneAlias(s string) string {
	switch strings.ToUpper(s) {
	case "WIB":
		return "Asia/Jakarta"
	case "WITA":
		return "Asia/Makassar"
	case "WIT":
		return "Asia/Jayapura"
	}
	return s
}

// Load reads an SOP definition from YAML. name is the file's name, used in the errors.
// Every problem found is reported, joined; each is an *Error naming the file, the line
// and the rule (see Problems). The format:
//
//	slug: kaltim
//	name: Diskominfo Prov. Kalimantan Timur
//	source: SOP Permohonan Email Resmi …   # optional
//	time_zone: Asia/Makassar               # IANA, or WIB / WITA / WIT
//	hours:                                 # days or Monday-first ranges; absent = closed
//	  mon-thu: "08:00-16:00"
//	  fri: "08:00-11:30"                   # several spans: "07:30-12:00, 13:00-16:00"
//	total: 1d                              # optional: the SOP's own completion time
//	steps:
//	  - key: surat_permohonan
//	    name: Pemohon mengirimkan surat permohonan …
//	    name_en: The applicant sends …       # optional
//	    role: pemohon
//	    jabatan: Pemohon (OPD/ASN)           # optional
//	    jabatan_en: Applicant (agency or civil servant)   # optional
//	    kind: submit
//	    standard: 1d                         # 15m, 1h, 1-3h, 1d, 1-4d; none for done
//	    requirements: Surat Permohonan       # optional
//	    output: Tanda terima surat masuk (Bagian Umum)
//	    output_en: Receipt of the incoming letter # optional
func Load(name string, data []byte) (Definition, error) {
	l := &loader{file: name, pos: map[string]*yaml.Node{}, bad: map[string]bool{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 1
		if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, fmt.Sprintf("line %d: ", line))
		return Definition{}, &Error{File: name, Line: line, Column: 1, Rule: "yaml.syntax", Msg: msg}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return Definition{}, &Error{File: name, Line: 1, Column: 1, Rule: "document.empty", Msg: "the file holds no definition"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Definition{}, &Error{File: name, Line: root.Line, Column: root.Column, Rule: "value.type",
			Msg: "want a mapping of slug, name, time_zone, hours, steps; got a " + kindName(root)}
	}
	d := l.definition(root)
	validate(d, l.report)
	if len(l.errs) > 0 {
		// In file order, so the operator can fix them top to bottom.
		slices.SortStableFunc(l.errs, func(a, b error) int {
			ea, eb := a.(*Error), b.(*Error)
			return cmp.Or(cmp.Compare(ea.Line, eb.Line), cmp.Compare(ea.Column, eb.Column))
		})
		return Definition{}, errors.Join(l.errs...)
	}
	// Kept so that every page and deadline does not read the zone file again.
	d.loc, _ = time.LoadLocation(d.TimeZone)
	return d, nil
}

// Validate checks a definition built in code (or edited in a form) against the same
// rules as Load, without line numbers.
func (d Definition) Validate() error {
	var errs []error
	validate(d, func(path, rule, msg string) {
		errs = append(errs, &Error{Path: path, Rule: rule, Msg: msg})
	})
	return errors.Join(errs...)
}

type loader struct {
	file string
	errs []error
	pos  map[string]*yaml.Node // field path → the node that gave it
	bad  map[string]bool       // paths already reported while parsing
}

func (l *loader) at(n *yaml.Node, path, rule, format string, args ...any) {
	l.bad[path] = true
	l.errs = append(l.errs, &Error{File: l.file, Line: n.Line, Column: n.Column, Path: path, Rule: rule, Msg: fmt.Sprintf(format, args...)})
}

// report is validate's sink: it finds the line of path (or of its nearest parent that
// has one) and skips paths whose value was already reported as unreadable.
func (l *loader) report(path, rule, msg string) {
	for p := path; ; {
		if l.bad[p] {
			return
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	n := l.pos[path]
	for p := path; n == nil && p != ""; {
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			p = ""
		} else {
			p = p[:i]
		}
		n = l.pos[p]
	}
	e := &Error{File: l.file, Path: path, Rule: rule, Msg: msg}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	l.errs = append(l.errs, e)
}

// fields reads a mapping node, reporting unknown and duplicate keys; it returns the value
// nodes by key and records their positions under prefix.
func (l *loader) fields(n *yaml.Node, prefix string, allowed ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := join(prefix, k.Value)
		if !contains(allowed, k.Value) {
			l.at(k, path, "key.unknown", "unknown key %q; want one of %s", k.Value, strings.Join(allowed, ", "))
			continue
		}
		if prev, dup := out[k.Value]; dup {
			l.at(k, path, "key.duplicate", "key %q given twice (first on line %d)", k.Value, prev.Line)
			continue
		}
		out[k.Value] = v
		// A problem with a text value points at the value; with a mapping or a list,
		// at its key.
		if v.Kind == yaml.ScalarNode {
			l.pos[path] = v
		} else {
			l.pos[path] = k
		}
	}
	return out
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// str reads a scalar; a mapping or a sequence where text belongs is reported.
func (l *loader) str(n *yaml.Node, path string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		l.at(n, path, "value.type", "want text, got a %s", kindName(n))
		return ""
	}
	if n.Tag == "!!null" {
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "scalar"
}

func (l *loader) definition(root *yaml.Node) Definition {
	var d Definition
	l.pos[""] = root
	f := l.fields(root, "", "slug", "name", "source", "time_zone", "hours", "total", "steps", "services", "service")
	d.Slug = l.str(f["slug"], "slug")
	d.Name = l.str(f["name"], "name")
	d.Source = l.str(f["source"], "source")
	d.Service = l.str(f["service"], "service")
	d.TimeZone = zoneAlias(l.str(f["time_zone"], "time_zone"))
	if n := f["hours"]; n != nil {
		d.Hours = l.hours(n)
	}
	if n := f["total"]; n != nil {
		if s := l.str(n, "total"); s != "" {
			std, err := ParseStandard(s)
			if err != nil {
				l.at(n, "total", "standard.format", "%v", err)
			}
			d.Total = std
		}
	}
	if n := f["steps"]; n != nil {
		if n.Kind != yaml.SequenceNode {
			if !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
				l.at(n, "steps", "value.type", "want a list of steps, got a %s", kindName(n))
			}
		} else {
			for i, sn := range n.Content {
				d.Steps = append(d.Steps, l.step(sn, fmt.Sprintf("steps[%d]", i)))
			}
		}
	}
	if n := f["services"]; n != nil {
		d.Services = l.services(n)
	}
	return d
}

// services reads the "services:" mapping: a service code to its list of steps.
func (l *loader) services(n *yaml.Node) map[string][]Step {
	if n.Kind != yaml.MappingNode {
		if !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
			l.at(n, "services", "value.type", "want a mapping of service codes to lists of steps, got a %s", kindName(n))
		}
		return nil
	}
	out := map[string][]Step{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := "services." + k.Value
		l.pos[path] = k
		if _, dup := out[k.Value]; dup {
			l.at(k, path, "key.duplicate", "service %q given twice", k.Value)
			continue
		}
		if v.Kind != yaml.SequenceNode {
			l.at(v, path, "value.type", "want a list of steps, got a %s", kindName(v))
			continue
		}
		steps := []Step{}
		for j, sn := range v.Content {
			steps = append(steps, l.step(sn, fmt.Sprintf("%s[%d]", path, j)))
		}
		out[k.Value] = steps
	}
	return out
}

func (l *loader) hours(n *yaml.Node) (week [7][]Span) {
	if n.Kind != yaml.MappingNode {
		if !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
			l.at(n, "hours", "value.type", "want a mapping of days to hours such as mon-thu: \"08:00-16:00\", got a %s", kindName(n))
		}
		return week
	}
	seen := map[time.Weekday]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := "hours." + k.Value
		days, err := parseDays(k.Value)
		if err != nil {
			l.at(k, path, "hours.day", "%v", err)
			continue
		}
		text := l.str(v, path)
		if l.bad[path] {
			continue
		}
		spans, rule, err := parseSpans(text)
		if err != nil {
			l.at(v, path, rule, "%v", err)
			continue
		}
		for _, wd := range days {
			dp := "hours." + dayNames[wd]
			if line, dup := seen[wd]; dup {
				l.at(k, path, "hours.duplicate_day", "%s already has hours (line %d)", dayNames[wd], line)
				continue
			}
			seen[wd] = k.Line
			l.pos[dp] = v
			week[wd] = spans
		}
	}
	return week
}

func (l *loader) step(n *yaml.Node, path string) Step {
	var s Step
	l.pos[path] = n
	if n.Kind != yaml.MappingNode {
		l.at(n, path, "value.type", "want a step (a mapping of key, name, role, kind, standard, output), got a %s", kindName(n))
		return s
	}
	f := l.fields(n, path, "key", "name", "name_en", "role", "jabatan", "jabatan_en", "kind", "standard", "requirements", "output", "output_en")
	s.Key = l.str(f["key"], path+".key")
	s.Name = l.str(f["name"], path+".name")
	s.NameEN = l.str(f["name_en"], path+".name_en")
	s.Role = Role(l.str(f["role"], path+".role"))
	s.Jabatan = l.str(f["jabatan"], path+".jabatan")
	s.JabatanEN = l.str(f["jabatan_en"], path+".jabatan_en")
	s.Kind = Kind(l.str(f["kind"], path+".kind"))
	s.Requirements = l.str(f["requirements"], path+".requirements")
	s.Output = l.str(f["output"], path+".output")
	s.OutputEN = l.str(f["output_en"], path+".output_en")
	if v := f["standard"]; v != nil {
		if text := l.str(v, path+".standard"); text != "" {
			std, err := ParseStandard(text)
			if err != nil {
				l.at(v, path+".standard", "standard.format", "%v", err)
			}
			s.Standard = std
		}
	}
	return s
}

// validate applies the rules to a parsed definition, calling report for each problem.
func validate(d Definition, report func(path, rule, msg string)) {
	bad := func(path, rule, format string, args ...any) { report(path, rule, fmt.Sprintf(format, args...)) }
	switch {
	case d.Slug == "":
		bad("slug", "value.missing", "slug is required")
	case !slugRE.MatchString(d.Slug):
		bad("slug", "slug.format", "slug %q: want lower-case letters, digits and single hyphens", d.Slug)
	}
	if d.Name == "" {
		bad("name", "value.missing", "name is required")
	}
	validateZone(d.TimeZone, bad)
	longest := validateHours(d.Hours, bad)

	validateServices(d, bad)
	if len(d.Steps) == 0 {
		bad("steps", "steps.empty", "an SOP needs at least one step")
		return
	}
	first := map[string]int{}
	provision := -1
	var days, minutes int // sums of the upper bounds, for the total
	for i, s := range d.Steps {
		p := fmt.Sprintf("steps[%d]", i)
		roleOK, kindOK := checkStep(s, p, first, i, bad)
		if roleOK && kindOK && s.Role == RolePemohon && s.Kind != KindSubmit && s.Kind != KindDeliver && s.Kind != KindDone {
			bad(p+".role", "role.pemohon_kind", "the applicant can only submit, receive the result (deliver) or close (done), not do a %s step", s.Kind)
		}
		if kindOK && emailKind(s.Kind) != (d.Service == "" || d.Service == "email") && domainKind(s.Kind) {
			bad(p+".kind", "kind.service", "a %s step belongs to the SOP of a domain service, not to the e-mail SOP", s.Kind)
		} else if kindOK && emailKind(s.Kind) && d.Service != "" && d.Service != "email" {
			bad(p+".kind", "kind.service", "a %s step belongs to the e-mail SOP, not to the SOP of %s", s.Kind, d.Service)
		}
		switch s.Kind {
		case KindSubmit:
			if i == 0 {
				break
			}
			bad(p+".kind", "kind.submit_once", "only the first step may be a submit step")
		case KindDone:
			if i != len(d.Steps)-1 {
				bad(p+".kind", "kind.done_last", "a done step must be the last")
			}
		case KindProvision:
			if provision < 0 {
				provision = i
			}
		case KindAccountTest:
			if provision < 0 {
				bad(p+".kind", "kind.test_before_provision", "the account is tested before any provision step creates it")
			}
		case KindResetPassword, KindDeactivate, KindReactivate, KindQuotaChange, KindHandover, KindPurge, KindClaim:
			bad(p+".kind", "service.kind", "a %s step acts on an existing mailbox: it belongs in a flow under services:, not in the creation's steps", s.Kind)
		case KindCapacityCheck:
			if provision >= 0 {
				bad(p+".kind", "kind.capacity_after_provision", "the capacity check comes after the account is created (step %d)", provision+1)
			}
		}
		switch s.Standard.Unit {
		case Day:
			days += s.Standard.Max
		case Hour:
			minutes += 60 * s.Standard.Max
		case Minute:
			minutes += s.Standard.Max
		}
	}
	if k := d.Steps[0].Kind; k != KindSubmit && k.Valid() {
		bad("steps[0].kind", "kind.submit_first", "the first step must be of kind submit, not %s", k)
	}
	if provision < 0 && (d.Service == "" || d.Service == "email") {
		bad("steps", "kind.provision_missing", "no step of kind provision: nothing creates the mailbox")
	}
	// The steps' upper bounds must fit in the SOP's own total. Minutes are converted to
	// days by the longest working day of the week, so only a clear excess is flagged.
	if t := d.Total; !t.IsZero() && longest > 0 {
		sum := days*longest + minutes
		limit := t.Max
		switch t.Unit {
		case Day:
			limit *= longest
		case Hour:
			limit *= 60
		}
		if sum > limit {
			bad("total", "total.exceeded", "the steps' time standards add up to %s, more than the total %s", sumText(days, minutes), t)
		}
	}
}

func sumText(days, minutes int) string {
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", days))
	}
	if minutes > 0 || days == 0 {
		parts = append(parts, fmt.Sprintf("%dm", minutes))
	}
	return strings.Join(parts, " + ")
}

func joinRoles() string {
	var s []string
	for _, r := range roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

func joinKinds() string {
	var s []string
	for _, k := range kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// validateZone loads the time zone and refuses one with daylight saving time.
func validateZone(name string, bad func(path, rule, format string, args ...any)) {
	if name == "" {
		bad("time_zone", "value.missing", "time_zone is required (Asia/Jakarta, Asia/Makassar, Asia/Jayapura)")
		return
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		bad("time_zone", "time_zone.unknown", "unknown time zone %q; want an IANA name such as Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)", name)
		return
	}
	for y := 2020; y <= 2040; y++ {
		for m := time.January; m <= time.December; m++ {
			if time.Date(y, m, 15, 12, 0, 0, 0, loc).IsDST() {
				bad("time_zone", "time_zone.dst", "time zone %q has daylight saving time, which working-hour arithmetic does not support; the Indonesian zones have none", name)
				return
			}
		}
	}
}

// validateHours checks spans built in code (Load has already checked the text) and
// returns the longest working day in minutes.
func validateHours(week [7][]Span, bad func(path, rule, format string, args ...any)) int {
	longest := 0
	for wd, spans := range week {
		p := "hours." + dayNames[wd]
		total, prev := 0, 0
		for i, s := range spans {
			switch {
			case s.Start < 0 || s.End > 24*60:
				bad(p, "hours.format", "span %s is outside 00:00-24:00", s)
			case s.Start >= s.End:
				bad(p, "hours.order", "span %s: the opening must come before the closing", s)
			case i > 0 && s.Start < prev:
				bad(p, "hours.overlap", "span %s overlaps or comes before the span before it", s)
			}
			total += s.End - s.Start
			prev = s.End
		}
		longest = max(longest, total)
	}
	if longest <= 0 {
		bad("hours", "hours.none", "no working hours in the week: nothing could ever be due")
	}
	return longest
}

// emailKind reports whether k acts on a mailbox, and so belongs to the e-mail SOP only.
func emailKind(k Kind) bool {
	return k == KindCapacityCheck || k == KindProvision || k == KindAccountTest || k == KindDeliver || k == KindReport
}

// domainKind reports whether k belongs to a domain service's SOP only.
func domainKind(k Kind) bool {
	return k == KindVerifyInstansi || k == KindPayment || k == KindRegistry || k == KindDNSCreate || k == KindDNSTest || k == KindDNSRemove
}

// checkStep checks what every step must have, in the e-mail SOP as in a service's flow:
// a well-formed key not given before (seen maps keys to their step's index), a name, a
// known role and kind, and a time standard unless it is a done step. It says whether the
// role and the kind are known, for the checks that need them.
func checkStep(s Step, p string, seen map[string]int, i int, bad func(path, rule, format string, args ...any)) (roleOK, kindOK bool) {
	switch {
	case s.Key == "":
		bad(p+".key", "value.missing", "key is required")
	case !keyRE.MatchString(s.Key):
		bad(p+".key", "step.key_format", "key %q: want lower-case letters, digits and underscores, starting with a letter", s.Key)
	default:
		if j, dup := seen[s.Key]; dup {
			bad(p+".key", "step.key_duplicate", "key %q is also the key of step %d", s.Key, j+1)
		} else {
			seen[s.Key] = i
		}
	}
	if s.Name == "" {
		bad(p+".name", "value.missing", "name is required")
	}
	roleOK = s.Role.Valid()
	switch {
	case s.Role == "":
		bad(p+".role", "value.missing", "role is required")
	case !roleOK:
		bad(p+".role", "role.unknown", "unknown role %q; want one of %s", s.Role, joinRoles())
	}
	kindOK = s.Kind.Valid()
	switch {
	case s.Kind == "":
		bad(p+".kind", "value.missing", "kind is required")
	case !kindOK:
		bad(p+".kind", "kind.unknown", "unknown kind %q; want one of %s", s.Kind, joinKinds())
	}
	if s.Kind == KindDone && !s.Standard.IsZero() {
		bad(p+".standard", "standard.done", "a done step closes the request and has no time standard")
	}
	if kindOK && s.Kind != KindDone && s.Standard.IsZero() {
		bad(p+".standard", "standard.missing", "a %s step needs a time standard (15m, 1-3h, 1d)", s.Kind)
	}
	return roleOK, kindOK
}
