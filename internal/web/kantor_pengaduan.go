package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// complaintList is the data of kantor_pengaduan.
type complaintList struct {
	All   bool
	Items []complaint.Item
}

// GET /kantor/pengaduan lists the complaints the member's roles handle (every one for
// the complaints role), open ones soonest due first with their SLA state; ?semua=1
// adds the closed ones.
func (s *Server) kantorComplaints(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "kcomplaint.title")
	all := r.URL.Query().Get("semua") == "1"
	items, err := s.Complaints.List(r.Context(), *staffOf(r), p.Tenant, all)
	if err != nil {
		return err
	}
	p.Data = complaintList{All: all, Items: items}
	return s.render(w, r, http.StatusOK, "kantor_pengaduan", p)
}

// complaintCase is the data of kantor_pengaduan_detail: the complaint with its whole
// history and the roles it may be forwarded to.
type complaintCase struct {
	complaint.Item
	Entries []complaint.Entry
	Roles   []sop.Role
}

func (s *Server) complaintCase(r *http.Request, p *Page) error {
	it, es, err := s.Complaints.Get(r.Context(), *staffOf(r), p.Tenant, parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	d := complaintCase{Item: it, Entries: es}
	for _, x := range staff.Roles() {
		if x != it.Role && x != sop.RoleTenantAdmin {
			d.Roles = append(d.Roles, x)
		}
	}
	p.Data = d
	return nil
}

// GET /kantor/pengaduan/{id} is one complaint: the complainant and their contact, the
// text, the linked request, the SLA, the history (forwards' notes included) and the
// actions: answer, forward with a note, close with a final answer.
func (s *Server) kantorComplaint(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "kcomplaint.title")
	if err := s.complaintCase(r, p); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "kantor_pengaduan_detail", p)
}

// POST /kantor/pengaduan/{id}/tindak does one action (aksi: answer, forward, close); a
// missing text comes back by its field with what was typed kept, and a complaint closed
// meanwhile by someone else says so and saves nothing.
func (s *Server) kantorComplaintAct(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "kcomplaint.title")
	a := complaint.Action{Kind: complaint.EntryKind(r.PostForm.Get("aksi")), To: sop.Role(r.PostForm.Get("peran")), IP: s.clientIP(r)}
	switch a.Kind {
	case complaint.EntryAnswer:
		a.Text = r.PostForm.Get("tanggapan")
	case complaint.EntryForward:
		a.Text = r.PostForm.Get("catatan")
	case complaint.EntryClose:
		a.Text = r.PostForm.Get("jawaban_akhir")
	}
	c, err := s.Complaints.Act(r.Context(), *staffOf(r), p.Tenant, parseID(r.PathValue("id")), a)
	if err != nil {
		if lerr := s.complaintCase(r, p); lerr != nil {
			return lerr
		}
		p.Form = r.PostForm
		return s.reRender(w, r, "kantor_pengaduan_detail", p, err)
	}
	s.setFlash(w, "flash.complaint_"+string(a.Kind), c.Number)
	return redirect(w, r, "/kantor/pengaduan/"+itoa(c.ID))
}
