package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/wilayah"
)

// loketData is the front desk's page: the form for a walk-in or letter-based request
// (seeds 002, 004), or, once sent, what to hand to the applicant.
type loketData struct {
	formData
	// Kinds are the Jenis Layanan to switch between (?jenis=), Jenis the chosen one.
	Kinds []request.Kind
	Jenis string
	// NIPRequired is set for a kind that asks for a NIP (PNS Umum; a perangkat desa
	// has none).
	NIPRequired bool
	// Done is the request just entered and Applicant its applicant, for the
	// confirmation; nil on the form.
	Done      *request.Request
	Applicant account.User
	Contact   string
	// Fix is the returned request whose correction the form enters
	// (kantor_loket_fix.go), and Reason the note it was returned with; Files (formData)
	// are then its stored documents, kept unless replaced.
	Fix    *request.Request
	Reason string
	// Dropped: the correction form came back with errors after documents were chosen,
	// which were not kept.
	Dropped bool
}

// maxLoketBody bounds the front desk's form: the scan (10 MB), the largest document
// (10 MB) and the fields.
const maxLoketBody = 22 << 20

// GET /kantor/loket is "Loket": the empty form, for the kind chosen by ?jenis=.
func (s *Server) loketForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "loket.title")
	sv, k, err := s.loketKind(r)
	if err != nil {
		return err
	}
	s.fillLoket(r, p, sv, k)
	return s.render(w, r, http.StatusOK, "kantor_loket", p)
}

// loketKind is the service the front desk enters and the kind of ?jenis= (the first
// kind when absent or unknown), with the front desk's documents.
func (s *Server) loketKind(r *http.Request) (request.Offering, request.Kind, error) {
	sv, _, err := s.Requests.Form(request.WalkInService, "")
	if err != nil {
		return sv, request.Kind{}, err
	}
	k, ok := sv.Kind(r.URL.Query().Get("jenis"))
	if !ok {
		if len(sv.Kinds) == 0 {
			return sv, k, errNotFound
		}
		k = sv.Kinds[0]
	}
	return sv, k.ForChannel(request.ChannelLoket), nil
}

// fillLoket sets the form's data from what is in p.Form. The kind's fields the applicant
// section already asks for are left out of the kind's part.
func (s *Server) fillLoket(r *http.Request, p *Page, sv request.Offering, k request.Kind) {
	d := loketData{Kinds: sv.Kinds, Jenis: k.Code}
	if f, ok := k.Field("nip"); ok {
		d.NIPRequired = f.Required
	}
	shown := k
	shown.Fields = nil
	for _, f := range k.Fields {
		if !slices.Contains(request.ApplicantFields, f.Name) {
			shown.Fields = append(shown.Fields, f)
		}
	}
	d.formData = formData{Request: request.Request{Kind: k.Code, Values: map[string]string{}}, Service: sv, Kind: shown,
		Files: map[string]*request.File{}, Options: map[string][]wilayah.Area{}}
	for _, f := range shown.Fields {
		if f.Type == "region" {
			parent := ""
			if f.Parent != "" {
				parent = p.Form.Get(f.Parent)
			}
			if f.Parent == "" || parent != "" {
				d.Options[f.Name] = s.Regions.Children(parent)
			}
		}
	}
	if first := p.Form.Get("first_name"); first != "" {
		d.Suggestions = s.Requests.Suggest(r.Context(), p.Tenant, account.User{FirstName: first, LastName: p.Form.Get("last_name")}, 0, 3)
	}
	p.Data = d
}

// deskForm is the front desk's form as read (loket and its correction): the typed values,
// the documents already checked and saved, and whether they are to be kept.
type deskForm struct {
	uploadForm
	files []request.File
	kept  bool
}

// readDeskForm reads the front desk's multipart form, the applicant section and k's
// fields, checking and saving each document as it streams in, and puts the typed values
// on p. Call drop (deferred) on every path: it removes the saved documents unless the
// request they belong to was written (kept).
func (s *Server) readDeskForm(w http.ResponseWriter, r *http.Request, p *Page, k request.Kind) (*deskForm, error) {
	d := &deskForm{}
	form, err := s.readUploadForm(w, r, maxLoketBody, k, func(name string) bool {
		_, ok := k.Field(name)
		return ok || slices.Contains(request.ApplicantFields, name)
	}, func(doc request.File) error {
		d.files = append(d.files, doc)
		return nil
	})
	d.uploadForm = form
	for n, v := range form.values {
		p.Form.Set(n, v)
	}
	return d, err
}

func (s *Server) drop(ctx context.Context, d *deskForm) {
	if d.kept {
		return
	}
	for _, f := range d.files {
		s.Uploads.Remove(context.WithoutCancel(ctx), f.Name)
	}
}

// applicant is the applicant section of the form.
func (d *deskForm) applicant() request.Applicant {
	return request.ApplicantFrom(func(n string) string { return d.values[n] })
}

// kindValues are the values of k's own fields (not the applicant section's).
func (d *deskForm) kindValues(k request.Kind) map[string]string {
	kv := map[string]string{}
	for _, f := range k.Fields {
		if v, ok := d.values[f.Name]; ok && !slices.Contains(request.ApplicantFields, f.Name) {
			kv[f.Name] = v
		}
	}
	return kv
}

// orderDeskErrors lists the errors in the form's order: the applicant, then k's fields.
func orderDeskErrors(p *Page, k request.Kind) {
	order := append([]string{}, request.ApplicantFields...)
	for _, f := range k.Fields {
		order = append(order, f.Name)
	}
	p.orderErrors(order)
}

// POST /kantor/loket enters the request. Documents are checked by content as they stream
// in; nothing is written unless the whole form is valid, and a form returned with errors
// keeps what was typed (the documents must be chosen again: a browser cannot refill a
// file input). "Perbarui pilihan" (action=refresh) only refreshes the region lists.
func (s *Server) loket(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "loket.title")
	sv, k, err := s.loketKind(r)
	if err != nil {
		return err
	}
	form, err := s.readDeskForm(w, r, p, k)
	defer s.drop(r.Context(), form)
	if err != nil {
		return err
	}
	if form.action == "refresh" {
		s.fillLoket(r, p, sv, k)
		return s.render(w, r, http.StatusOK, "kantor_loket", p)
	}
	a, kv := form.applicant(), form.kindValues(k)
	var rq request.Request
	if len(form.fileErrs) > 0 {
		have := map[string]bool{}
		for _, f := range form.files {
			have[f.Field] = true
		}
		_, _, err = s.Requests.CheckWalkIn(r.Context(), p.Tenant, a, k.Code, kv, have)
		err = merge(form.fileErrs, err)
	} else {
		m := staffOf(r)
		rq, err = s.Requests.WalkIn(r.Context(), p.Tenant, m.Actor(), a, k.Code, kv, form.files)
	}
	if err != nil {
		status, ok := formError(p, err)
		if !ok {
			return err
		}
		s.fillLoket(r, p, sv, k)
		orderDeskErrors(p, k)
		return s.render(w, r, status, "kantor_loket", p)
	}
	form.kept = true
	s.setFlash(w, "flash.loket_created", rq.Number)
	return redirect(w, r, "/kantor/loket/"+itoa(rq.ID))
}

// GET /kantor/loket/{id} is the confirmation after entering a request: its number, how
// the applicant will be reached, and the receipt to print and hand over.
func (s *Server) loketDone(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "loket.done_title")
	rq, u, err := s.Workflow.LoadApplicant(r.Context(), *staffOf(r), parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	p.Data = loketData{Done: &rq, Applicant: u, Contact: loketContact(u)}
	return s.render(w, r, http.StatusOK, "kantor_loket", p)
}

// loketContact is how a walk-in applicant is reached: the e-mail when they gave one,
// else the phone.
func loketContact(u account.User) string {
	if request.Reachable(u.Email) {
		if u.Phone != "" {
			return u.Email + ", " + u.Phone
		}
		return u.Email
	}
	return u.Phone
}
