package sop

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
)

// Store keeps each tenant's own SOP and holiday table. The Book reads and writes through
// it; internal/store implements it. Methods called with the ctx given to Tx's fn run in
// that transaction.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	// TenantSOP is the tenant's own SOP as YAML; an error wrapping errs.ErrNotFound when
	// the tenant follows its preset.
	TenantSOP(ctx context.Context, tenantID int64) ([]byte, error)
	// TenantHolidays is the tenant's holiday table; edited is false (and the list empty)
	// while the tenant has never edited it and DefaultHolidays applies.
	TenantHolidays(ctx context.Context, tenantID int64) (hs []Holiday, edited bool, err error)
	// SaveTenantSOP stores the tenant's SOP; nil yaml returns the tenant to its preset.
	SaveTenantSOP(ctx context.Context, tenantID int64, yaml []byte, by int64, at time.Time) error
	// SaveTenantHolidays replaces the tenant's holiday table with hs and marks it edited.
	SaveTenantHolidays(ctx context.Context, tenantID int64, hs []Holiday, by int64, at time.Time) error
}

// StepsInUse is what a Store also offers when requests run on its SOPs: how many
// requests wait at each step key of a tenant. Saving an SOP that drops such a step is
// refused, since those requests could not move on.
type StepsInUse interface {
	RunningStepKeys(ctx context.Context, tenantID int64) (map[string]int, error)
}

// checkInUse refuses def when it lacks a step that requests are at.
func (b *Book) checkInUse(ctx context.Context, t TenantRef, def Definition) error {
	u, ok := b.Store.(StepsInUse)
	if !ok {
		return nil
	}
	keys, err := u.RunningStepKeys(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("sop book: steps in use: %w", err)
	}
	var missing []string
	for k := range keys {
		if !def.HasStep(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	var errs []error
	for _, k := range missing {
		path := "steps"
		if svc, _, ok := strings.Cut(k, "/"); ok {
			path = "services." + svc
		}
		errs = append(errs, &Error{File: t.FileName(), Path: path, Rule: "steps.in_use",
			Msg: fmt.Sprintf("step %q is where %d running request(s) are; keep it until they have moved on", k, keys[k])})
	}
	return errors.Join(errs...)
}

// TenantRef names the office whose SOP the Book resolves.
type TenantRef struct {
	ID   int64
	Slug string // for the file name in errors: tenant-<slug>.yaml
	// Preset is the slug of the preset the tenant's configuration names; empty means
	// kominfo, the national SOP.
	Preset string
	// TimeZone and Hours, when set, replace the preset's working calendar: the first-run
	// page's (internal/setup). An SOP of the tenant's own keeps its own hours.
	TimeZone string
	Hours    *[7][]Span
}

// PresetSlug is the slug of the preset the tenant's configuration names, kominfo (the
// national SOP) when it names none: what the tenant follows until it stores its own.
func (t TenantRef) PresetSlug() string {
	if t.Preset == "" {
		return "kominfo"
	}
	return t.Preset
}

// FileName is the name the tenant's stored SOP goes by in error messages.
func (t TenantRef) FileName() string { return "tenant-" + t.Slug + ".yaml" }

// Book resolves each tenant's SOP and working calendar: its own YAML when it stored one,
// else its preset; its own holiday table once it edited one, else DefaultHolidays. The
// result is cached per tenant and forgotten when the Book saves a change. A Book is used
// by pointer and must not be copied after first use.
//
// The cache is per process: with several surel processes on one database, each must be
// told of a change made through another (Forget, ForgetAll: the app wires them to
// PostgreSQL notifications sent with each change).
type Book struct {
	Store Store
	// National is the holiday table used until a tenant edits its own; nil means
	// DefaultHolidays.
	National map[Date]string
	// Audit records each edit, with the edit, in its transaction; nil records nothing.
	Audit audit.Writer
	Now   func() time.Time

	mu       sync.Mutex
	cache    map[int64]resolved
	services map[string]Definition
	// gen counts the Forget calls: a resolution that started before one is not cached,
	// since it may have read the data the Forget announced as changed.
	gen uint64
}

type resolved struct {
	def Definition
	cal *Calendar
}

func (b *Book) now() time.Time {
	if b.Now == nil {
		return time.Now().UTC()
	}
	return b.Now().UTC()
}

// Workflow is the tenant's SOP and working calendar. The values are shared between
// callers and must not be modified. A stored SOP that no longer passes Load (after an
// upgrade tightened a rule) is an error, not a silent return to the preset: the tenant
// admin sees it on /kantor/sop.
func (b *Book) Workflow(ctx context.Context, t TenantRef) (Definition, *Calendar, error) {
	b.mu.Lock()
	r, ok := b.cache[t.ID]
	gen := b.gen
	b.mu.Unlock()
	if ok {
		return r.def, r.cal, nil
	}
	def, err := b.definition(ctx, t)
	if err != nil {
		return Definition{}, nil, err
	}
	hs, err := b.holidays(ctx, t)
	if err != nil {
		return Definition{}, nil, err
	}
	cal, err := def.Calendar(hs)
	if err != nil {
		return Definition{}, nil, err
	}
	b.mu.Lock()
	if b.cache == nil {
		b.cache = map[int64]resolved{}
	}
	if b.gen == gen {
		b.cache[t.ID] = resolved{def, cal}
	}
	b.mu.Unlock()
	return def, cal, nil
}

// ServiceWorkflow is the SOP a request of a catalogue service follows, and the
// calendar it is timed on. E-mail requests (and any service without a preset of its own)
// follow the tenant's own SOP (Workflow); the domain services follow their preset
// (ServicePreset), with the office's
// time zone and working hours and the tenant's calendar, since the same office does the
// work.
func (b *Book) ServiceWorkflow(ctx context.Context, t TenantRef, service string) (Definition, *Calendar, error) {
	def, cal, err := b.Workflow(ctx, t)
	if err != nil || service == "" || service == "email" {
		return def, cal, err
	}
	svc, ok := b.servicePreset(service)
	if !ok {
		// A service without its own SOP (the institutional mailbox) follows the tenant's.
		return def, cal, nil
	}
	svc.TimeZone, svc.Hours, svc.loc = def.TimeZone, def.Hours, def.loc
	if steps, own := def.Services[service]; own {
		// The tenant's own flow for the service, under "services:" in its SOP.
		svc.Steps, svc.Total, svc.Source = steps, Standard{}, def.Name
	}
	return svc, cal, nil
}

// ServiceFlow is the flow a catalogue service other than the account's creation
// follows at a tenant: its steps, and whether they are the tenant's own (under
// "services:" in its SOP) or the product's (a preset, or DefaultFlow).
type ServiceFlow struct {
	Service string
	Steps   []Step
	Own     bool
}

// ServiceFlows are the flows of the services with their own flow (FlowServices) and of
// the domain services (DomainServices) as the tenant follows them, for the tenant
// admin's review beside the SOP.
func (b *Book) ServiceFlows(ctx context.Context, t TenantRef) ([]ServiceFlow, error) {
	def, _, err := b.Workflow(ctx, t)
	if err != nil {
		return nil, err
	}
	var out []ServiceFlow
	for _, code := range FlowServices {
		_, own := def.Services[code]
		out = append(out, ServiceFlow{Service: code, Steps: def.Flow(code).Steps, Own: own})
	}
	for _, code := range DomainServices {
		d, _, err := b.ServiceWorkflow(ctx, t, code)
		if err != nil {
			return nil, err
		}
		_, own := def.Services[code]
		out = append(out, ServiceFlow{Service: code, Steps: d.Steps, Own: own})
	}
	return out, nil
}

// servicePreset is ServicePreset, parsed once per process.
func (b *Book) servicePreset(service string) (Definition, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d, ok := b.services[service]; ok {
		return d, true
	}
	d, ok := ServicePreset(service)
	if ok {
		if b.services == nil {
			b.services = map[string]Definition{}
		}
		b.services[service] = d
	}
	return d, ok
}

func (b *Book) definition(ctx context.Context, t TenantRef) (Definition, error) {
	if b.Store != nil {
		data, err := b.Store.TenantSOP(ctx, t.ID)
		switch {
		case err == nil:
			return Load(t.FileName(), data)
		case !errors.Is(err, errs.ErrNotFound):
			return Definition{}, fmt.Errorf("sop book: tenant %d: %w", t.ID, err)
		}
	}
	def, ok := Preset(t.PresetSlug())
	if !ok {
		return def, fmt.Errorf("sop book: no SOP preset %q", t.PresetSlug())
	}
	return t.overPreset(def)
}

// overPreset is the preset def with the tenant's working calendar, when it set one.
func (t TenantRef) overPreset(def Definition) (Definition, error) {
	if t.TimeZone != "" && t.TimeZone != def.TimeZone {
		loc, err := time.LoadLocation(t.TimeZone)
		if err != nil {
			return def, fmt.Errorf("sop book: tenant %d time zone: %w", t.ID, err)
		}
		def.TimeZone, def.loc = t.TimeZone, loc
	}
	if t.Hours != nil {
		def.Hours = *t.Hours
	}
	return def, nil
}

func (b *Book) holidays(ctx context.Context, t TenantRef) (map[Date]string, error) {
	hs, edited, err := b.Holidays(ctx, t)
	if err != nil {
		return nil, err
	}
	if !edited && b.National != nil {
		return b.National, nil
	}
	return HolidayMap(hs), nil
}

// Holidays is the tenant's holiday table in date order, and whether the tenant has
// edited it (false: the national table, DefaultHolidays, applies).
func (b *Book) Holidays(ctx context.Context, t TenantRef) ([]Holiday, bool, error) {
	if b.Store != nil {
		hs, edited, err := b.Store.TenantHolidays(ctx, t.ID)
		if err != nil {
			return nil, false, fmt.Errorf("sop book: tenant %d holidays: %w", t.ID, err)
		}
		if edited {
			return hs, true, nil
		}
	}
	if b.National != nil {
		return HolidayList(b.National), false, nil
	}
	return HolidayList(DefaultHolidays()), false, nil
}

// Source is the YAML of the tenant's SOP: its own (custom true) or its preset's.
func (b *Book) Source(ctx context.Context, t TenantRef) (yaml []byte, custom bool, err error) {
	if b.Store != nil {
		data, err := b.Store.TenantSOP(ctx, t.ID)
		switch {
		case err == nil:
			return data, true, nil
		case !errors.Is(err, errs.ErrNotFound):
			return nil, false, fmt.Errorf("sop book: tenant %d: %w", t.ID, err)
		}
	}
	data, ok := PresetYAML(t.PresetSlug())
	if !ok {
		return nil, false, fmt.Errorf("sop book: no SOP preset %q", t.PresetSlug())
	}
	return data, false, nil
}

// PresetYAML is the text of the preset with the given slug, as shipped.
func PresetYAML(slug string) ([]byte, bool) {
	data, err := presetFiles.ReadFile(path.Join("presets", slug+".yaml"))
	return data, err == nil
}

// SaveSOP checks yaml with Load (errors name the file tenant-<slug>.yaml, the line and
// the rule; see Problems) and stores it as the tenant's SOP, by by, with its audit entry
// (sop.save) in the same transaction.
func (b *Book) SaveSOP(ctx context.Context, t TenantRef, yaml []byte, by audit.Actor) (Definition, error) {
	def, err := Load(t.FileName(), yaml)
	if err != nil {
		return Definition{}, err
	}
	err = b.Store.Tx(ctx, func(ctx context.Context) error {
		if err := b.checkInUse(ctx, t, def); err != nil {
			return err
		}
		if err := b.Store.SaveTenantSOP(ctx, t.ID, yaml, by.ID, b.now()); err != nil {
			return fmt.Errorf("sop book: save: %w", err)
		}
		return b.record(ctx, t, by, "sop.save", def.Name)
	})
	if err != nil {
		return Definition{}, err
	}
	b.Forget(t.ID)
	return def, nil
}

// ResetSOP returns the tenant to its preset, by by, with its audit entry (sop.reset).
func (b *Book) ResetSOP(ctx context.Context, t TenantRef, by audit.Actor) error {
	err := b.Store.Tx(ctx, func(ctx context.Context) error {
		if def, ok := Preset(t.PresetSlug()); ok {
			if err := b.checkInUse(ctx, t, def); err != nil {
				return err
			}
		}
		if err := b.Store.SaveTenantSOP(ctx, t.ID, nil, by.ID, b.now()); err != nil {
			return fmt.Errorf("sop book: reset: %w", err)
		}
		return b.record(ctx, t, by, "sop.reset", t.PresetSlug())
	})
	if err != nil {
		return err
	}
	b.Forget(t.ID)
	return nil
}

// AddHoliday puts h in the tenant's holiday table (holiday.add), replacing the name of a
// holiday on that date.
func (b *Book) AddHoliday(ctx context.Context, t TenantRef, by audit.Actor, h Holiday) error {
	return b.editHolidays(ctx, t, by, "holiday.add", h.Date.String()+" "+h.Name, func(m map[Date]string) { m[h.Date] = h.Name })
}

// DeleteHoliday takes the date d out of the tenant's holiday table (holiday.delete): it
// becomes a working day if its weekday is.
func (b *Book) DeleteHoliday(ctx context.Context, t TenantRef, by audit.Actor, d Date) error {
	return b.editHolidays(ctx, t, by, "holiday.delete", d.String(), func(m map[Date]string) { delete(m, d) })
}

// ImportHolidays adds an imported table to the tenant's (holiday.import); replace drops
// the rows the import does not have.
func (b *Book) ImportHolidays(ctx context.Context, t TenantRef, by audit.Actor, hs []Holiday, replace bool) error {
	return b.editHolidays(ctx, t, by, "holiday.import", fmt.Sprintf("%d rows, replace=%v", len(hs), replace), func(m map[Date]string) {
		if replace {
			clear(m)
		}
		for _, h := range hs {
			m[h.Date] = h.Name
		}
	})
}

// editHolidays applies edit to the tenant's holiday table (the national one on the first
// edit, which the tenant's own table then replaces) and stores the result with its audit
// entry, in one transaction. Two admins editing at the same instant: the later save wins.
func (b *Book) editHolidays(ctx context.Context, t TenantRef, by audit.Actor, action, detail string, edit func(map[Date]string)) error {
	err := b.Store.Tx(ctx, func(ctx context.Context) error {
		hs, _, err := b.Holidays(ctx, t)
		if err != nil {
			return err
		}
		m := HolidayMap(hs)
		edit(m)
		if err := b.Store.SaveTenantHolidays(ctx, t.ID, HolidayList(m), by.ID, b.now()); err != nil {
			return fmt.Errorf("sop book: holidays: %w", err)
		}
		return b.record(ctx, t, by, action, detail)
	})
	if err != nil {
		return err
	}
	b.Forget(t.ID)
	return nil
}

// record writes an edit of the tenant's SOP or calendar to the audit trail, in the
// caller's transaction.
func (b *Book) record(ctx context.Context, t TenantRef, by audit.Actor, action, detail string) error {
	if b.Audit == nil {
		return nil
	}
	return b.Audit.Record(ctx, by.Entry(t.ID, action, "tenant:"+t.Slug, detail))
}

// Forget drops the tenant's cached SOP and calendar, so the next Workflow reads them
// again.
func (b *Book) Forget(tenantID int64) {
	b.mu.Lock()
	delete(b.cache, tenantID)
	b.gen++
	b.mu.Unlock()
}

// ForgetAll drops every cached SOP and calendar: after this process may have missed a
// change (its notifications were interrupted).
func (b *Book) ForgetAll() {
	b.mu.Lock()
	clear(b.cache)
	b.gen++
	b.mu.Unlock()
}
