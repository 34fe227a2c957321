package sop

import (
	"embed"
	"fmt"
	"path"
	"strings"
)

// The SOPs of the seed documents, in the order of PRODUCT.md.
//
//go:embed presets/*.yaml
var presetFiles embed.FS

var presetOrder = [...]string{"kominfo", "pematangsiantar", "palangkaraya", "kaltim"}

// Presets are the SOPs the product ships: kominfo (national mail.go.id, seeds 000/001),
// pematangsiantar (seed 002), palangkaraya (seed 003) and kaltim (seed 004). A tenant
// starts from one and edits its own copy; each call returns fresh values.
func Presets() []Definition {
	out := make([]Definition, 0, len(presetOrder))
	for _, slug := range presetOrder {
		d, _ := Preset(slug)
		out = append(out, d)
	}
	return out
}

// Preset is the preset with the given slug.
func Preset(slug string) (Definition, bool) {
	name := path.Join("presets", slug+".yaml")
	data, err := presetFiles.ReadFile(name)
	if err != nil {
		return Definition{}, false
	}
	d, err := Load(name, data)
	if err != nil {
		// The presets are part of the program; TestPresets keeps them valid.
		panic(fmt.Sprintf("sop: embedded preset: %v", err))
	}
	return d, true
}

// The SOPs of the catalogue's other services: one preset each under presets/services,
// named by the service's code.
//
//go:embed presets/services/*.yaml
var servicePresetFiles embed.FS

// ServicePreset is the SOP of a catalogue service other than e-mail ("verifikasi-instansi",
// "domain-desa-id", "subdomain", "hapus-subdomain"); ok is false for a service without one.
func ServicePreset(service string) (Definition, bool) {
	name := path.Join("presets", "services", service+".yaml")
	data, err := servicePresetFiles.ReadFile(name)
	if err != nil {
		return Definition{}, false
	}
	d, err := Load(name, data)
	if err != nil {
		panic(fmt.Sprintf("sop: embedded service preset: %v", err))
	}
	return d, true
}

// ServicePresets are the codes of the services with an SOP of their own, which a tenant's
// SOP edits do not touch.
func ServicePresets() []string {
	entries, _ := servicePresetFiles.ReadDir("presets/services")
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}
