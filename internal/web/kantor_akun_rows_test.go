package web

import (
	"testing"
	"time"

	"github.com/surel-id/surel/internal/registry"
)

// accountRowsTemplate is the registry table's rows as kantor_akun.gohtml wrote them
// before accountRowsHTML (html/template, unbaked).
const accountRowsTemplate = `{{define "rows"}}{{with .Data}}{{range .Rows}}<tr>
    <td data-label="{{$.T "akun.col_address"}}"><span><a href="/kantor/akun/{{.ID}}">{{.Address}}</a>{{if .Institutional}} <span class="badge">{{$.T "registry.kind.instansi"}}</span>{{end}}</span></td>
    <td data-label="{{$.T "akun.col_owner"}}"><span>{{if .Name}}{{.Name}}{{else}}<em>{{$.T "akun.owner_unknown"}}</em>{{end}}{{if .NoOwner}}<br><em class="muted">{{$.T "akun.owner_unknown"}}</em>{{end}}{{if .NIP}}<br><span class="muted">{{.NIP}}</span>{{end}}</span></td>
    <td data-label="{{$.T "akun.col_unit"}}"><span>{{.Instansi}}{{if .Unit}}<br><span class="muted">{{.Unit}}</span>{{end}}</span></td>
    <td data-label="{{$.T "akun.col_status"}}"><span><span class="status m-{{.Status}}">{{.StatusLabel}}</span>{{if .Gone}} <span class="badge warn">{{$.T "akun.gone"}}</span>{{end}}{{if .Handover}} <span class="badge warn handover">{{$.T "akun.handover"}}</span>{{end}}</span></td>
    <td data-label="{{$.T "akun.col_quota"}}">{{.Quota}}</td>
    <td data-label="{{$.T "akun.col_created"}}"><span>{{.Created}}{{if .RequestNumber}}<br><a class="muted" href="/kantor/permohonan/{{.RequestID}}">{{.RequestNumber}}</a>{{else if .Adopted}}<br><span class="muted">{{$.T "registry.source.adopsi"}}</span>{{end}}</span></td>
    <td data-label="{{$.T "akun.col_changed"}}">{{.Changed}}</td>
  </tr>{{end}}{{end}}{{end}}`

// TestAccountRowsMatchTemplate checks that the registry's rows written in Go are the bytes
// the template wrote, in both languages, for every kind of row and hostile text.
func TestAccountRowsMatchTemplate(t *testing.T) {
	f := newBOFixture(t)
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	ms := []registry.Mailbox{
		{ID: 1, Address: "budi.santoso@mail.go.id", Kind: registry.Personal, Status: registry.Active, Source: registry.FromRequest, Name: "Budi Santoso",
			NIP: "198503122010011001", Instansi: "Dinas Kesehatan", Unit: "Sekretariat", RequestID: 42, RequestNumber: "SRL-2026-0000042",
			QuotaBytes: 1 << 30, UsedBytes: 300 << 20, CreatedAt: at, UpdatedAt: at},
		{ID: 2, Address: "diskominfo@mail.go.id", Kind: registry.Institutional, Status: registry.Locked, Source: registry.Adopted, Name: hostile,
			NIP: hostile, Instansi: hostile, Unit: hostile, Handover: registry.HandoverLeft, GoneAt: at, UsedBytes: -1, CreatedAt: at, UpdatedAt: at},
		{ID: 3, Address: hostile, Kind: registry.Personal, Status: registry.Inactive, Source: registry.Adopted, UsedBytes: -1, CreatedAt: at, UpdatedAt: at},
		{ID: 4, Address: "x@mail.go.id", Kind: registry.Personal, Status: registry.Removed, Source: registry.FromRequest, Name: "Siti",
			RequestID: 7, RequestNumber: hostile, UsedBytes: -1, CreatedAt: at, UpdatedAt: at},
		{ID: 5, Address: "y@mail.go.id", Kind: registry.Personal, Status: registry.Status(hostile), Source: registry.Adopted, Name: "Ani", NIP: "1",
			UsedBytes: 0, QuotaBytes: 2 << 30, CreatedAt: at, UpdatedAt: at},
	}
	for _, lang := range []string{"id", "en"} {
		p := f.page(lang, "/kantor/akun", "akun.title")
		var d accountsData
		d.setRows(p, ms)
		p.Data = d
		if want := rowsAsWritten(t, accountRowsTemplate, p); string(d.AccountRows) != want {
			t.Errorf("%s:\n%s", lang, firstDiff(string(d.AccountRows), want))
		}
	}
}
