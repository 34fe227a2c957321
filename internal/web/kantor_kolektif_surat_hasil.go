package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout"
)

// GET /kantor/kolektif/{id}/surat-hasil is the OPD's result letter: an Indonesian office
// letter to the head of the OPD listing each employee's address and status (never a
// password: each gets theirs through the portal or a sealed letter), numbered and with
// its verification code, issued anew at each print with the statuses of that moment.
func (s *Server) collectiveResultLetter(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "collective.title")
	m := staffOf(r)
	c, err := s.Collectives.Get(r.Context(), p.Tenant, *m, parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	set, err := s.Letters.Settings(r.Context(), c.TenantID)
	if err != nil {
		return err
	}
	n := c.Count()
	d := letter.Document{TenantID: c.TenantID, Kind: letter.KindResultLetter, IssuedAt: time.Now().UTC().Truncate(time.Microsecond),
		Title: docT("collective.letter_title"), Subject: c.Instansi,
		Facts: []letter.Fact{{Label: docT("collective.letter_rows"), Value: strconv.Itoa(len(c.Rows))},
			{Label: docT("collective.letter_done"), Value: strconv.Itoa(n.Done)}}}
	zone := p.zone
	render := func(d letter.Document) ([]byte, error) {
		l := printout.Official(set, d, zone, s.tenantBase(d.TenantID))
		l.Subject, l.To = docT("collective.letter_subject"), []string{"Kepala " + c.Instansi}
		l.Opening, l.Closing = docT("doc.opening"), docT("doc.closing")
		tb := printout.Table{Columns: []printout.Column{{Title: "No", Width: 0.06, Number: true}, {Title: "Nama", Width: 0.28},
			{Title: "NIP", Width: 0.22}, {Title: "Alamat email", Width: 0.26}, {Title: "Status", Width: 0.18}}}
		for i, l := range c.Rows {
			status := docT("collective.letter_not_sent")
			addr := "–"
			if l.Submitted() {
				status = docT("status." + string(l.Status))
				addr = l.Mailbox + "@" + p.Tenant.MailDomain
			}
			tb.Rows = append(tb.Rows, []string{strconv.Itoa(i + 1), safeCell(l.Nama), l.NIP, addr, status})
		}
		l.Blocks = []printout.Block{printout.Paragraph(docT("collective.letter_p", c.Instansi, letter.Date(c.CreatedAt.In(zone)), len(c.Rows), n.Done)),
			tb, printout.Paragraph(docT("collective.letter_password"))}
		return printout.Render(l)
	}
	if err := s.Letters.IssueRendered(r.Context(), set, zone, m.Actor().From(s.clientIP(r)), &d, render); err != nil {
		return err
	}
	return sendPDF(w, "surat-hasil-kolektif-"+fileName(d.Number)+".pdf", d.PDF)
}

// safeCell keeps a name a list brought in from reading as a formula wherever the letter's
// text is copied into a spreadsheet: a leading =, +, - or @ gets an apostrophe.
func safeCell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
