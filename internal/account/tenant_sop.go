package account

import "github.com/surel-id/surel/internal/sop"

// SOPRef names the tenant to the SOP book (sop.Book), which resolves the SOP it follows
// and its working calendar: its own edited ones, else the preset its configuration names.
func (t Tenant) SOPRef() sop.TenantRef {
	return sop.TenantRef{ID: t.ID, Slug: t.Slug, Preset: t.SOP, TimeZone: t.TimeZone, Hours: t.Hours}
}
