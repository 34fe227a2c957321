package web

import (
	"strings"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/i18n"
)

// frontDeskText says where and how to reach tenant t's counter, from its settings
// (front_desk in the tenant file): "loket pelayanan Diskominfo Kaltim, Jl. …, (hours);
// telepon …; email …". With none set it is the counter of the office by name.
func frontDeskText(lang string, t account.Tenant) string {
	fd := t.FrontDesk
	var b strings.Builder
	b.WriteString(i18n.T(lang, "frontdesk.office", t.Name))
	if fd.Address != "" {
		b.WriteString(", " + fd.Address)
	}
	if fd.Hours != "" {
		b.WriteString(" (" + fd.Hours + ")")
	}
	if fd.Phone != "" {
		b.WriteString("; " + i18n.T(lang, "frontdesk.phone", fd.Phone))
	}
	if fd.Email != "" {
		b.WriteString("; " + i18n.T(lang, "frontdesk.email", fd.Email))
	}
	return b.String()
}

// FrontDesk is frontDeskText for the page's tenant and language, for templates.
func (p *Page) FrontDesk() string { return frontDeskText(p.Lang, p.Tenant) }
