package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/surel-id/surel/internal/collective"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/workflow"
)

// collectivesData is the collective requests' page: the tenant's lists and the upload
// form of a new one.
type collectivesData struct {
	List      []collective.Collective
	Provinces []wilayah.Area
	Regencies []wilayah.Area
	MayEnter  bool
	// Base is where the pages are: /kantor/kolektif for staff, /kolektif for an OPD's
	// operator; Staff marks the back office's (its links and actions); Instansi is the
	// operator's OPD, fixed in their form.
	Base     string
	Staff    bool
	Instansi string
}

// collectiveScope is who is at a collective page and where: staff in the back office
// (the front desk enters lists, the others read them), or an OPD's operator in the
// portal, for their OPD's lists only.
type collectiveScope struct {
	entrant  collective.Entrant
	base     string
	staff    bool
	mayEnter bool
}

// collectiveScopeOf reads the scope of r: the back office's for a /kantor path, else the
// signed-in account's as its OPD's operator (forbidden to anyone else).
func (s *Server) collectiveScopeOf(r *http.Request, p *Page) (collectiveScope, error) {
	if m := staffOf(r); m != nil && strings.HasPrefix(r.URL.Path, "/kantor/") {
		sc := collectiveScope{entrant: collective.Entrant{TenantID: m.TenantID}, base: "/kantor/kolektif", staff: true}
		if e, err := collective.Desk(*m); err == nil {
			sc.entrant, sc.mayEnter = e, true
		}
		return sc, nil
	}
	u := userOf(r)
	if u == nil {
		return collectiveScope{}, errs.New(errs.Forbidden, "error.forbidden")
	}
	e, err := s.Collectives.Operator(r.Context(), p.Tenant, *u)
	if err != nil {
		return collectiveScope{}, err
	}
	return collectiveScope{entrant: e, base: "/kolektif", mayEnter: true}, nil
}

// maxCollectiveBody bounds the upload form: the list (collective.MaxBytes), the letter
// (10 MB) and the fields.
const maxCollectiveBody = collective.MaxBytes + 11<<20

// GET /kantor/kolektif is "Permohonan Kolektif": the OPDs' lists and, for the front
// desk, the form to upload a new one with the templates. GET /kolektif is the same for an
// OPD's operator in the portal: their OPD's lists and the form.
func (s *Server) collectives(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "collective.title")
	sc, err := s.collectiveScopeOf(r, p)
	if err != nil {
		return err
	}
	list, err := s.Collectives.ListAs(r.Context(), p.Tenant, sc.entrant)
	if err != nil {
		return err
	}
	// Without JavaScript the form is sent here by "Perbarui pilihan" to list the
	// province's regencies, what was typed kept.
	q := r.URL.Query()
	for _, name := range []string{"instansi", "province", "regency"} {
		if v := q.Get(name); v != "" {
			p.Form.Set(name, input.Clean(v))
		}
	}
	s.fillCollectives(p, sc, list)
	return s.render(w, r, http.StatusOK, "kantor_kolektif", p)
}

func (s *Server) fillCollectives(p *Page, sc collectiveScope, list []collective.Collective) {
	d := collectivesData{List: list, Provinces: s.Regions.Children(""), MayEnter: sc.mayEnter, Base: sc.base, Staff: sc.staff,
		Instansi: sc.entrant.Instansi}
	if prov := p.Form.Get("province"); prov != "" {
		d.Regencies = s.Regions.Children(prov)
	}
	p.Data = d
}

// collectiveForm is the upload form as read: its values, the letter checked by content
// and saved (nil when none was sent), and the list's bytes.
type collectiveForm struct {
	values   map[string]string
	letter   *request.File
	list     []byte
	name     string
	fileErrs []errs.Field
}

// readCollectiveForm reads the multipart upload form as it streams in: the letter is
// checked by content and saved (as the front desk's scan is), the list read into memory
// (collective.MaxBytes at most; it is parsed, never stored as a file).
func (s *Server) readCollectiveForm(w http.ResponseWriter, r *http.Request, p *Page) (*collectiveForm, error) {
	f := &collectiveForm{values: map[string]string{}}
	r.Body = http.MaxBytesReader(w, r.Body, maxCollectiveBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return f, errs.New(errs.Invalid, "error.bad_form")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return f, errs.New(errs.Invalid, "error.too_large")
			}
			return f, errs.New(errs.Invalid, "error.bad_form")
		}
		name := part.FormName()
		switch {
		case part.FileName() == "":
			b, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				return f, errs.New(errs.Invalid, "error.bad_form")
			}
			if name == "instansi" || name == "province" || name == "regency" {
				f.values[name] = input.Clean(string(b))
				p.Form.Set(name, f.values[name])
			}
		case name == "daftar":
			b, err := io.ReadAll(io.LimitReader(part, collective.MaxBytes+1))
			if err != nil {
				return f, errs.New(errs.Invalid, "error.too_large")
			}
			f.list, f.name = b, input.Clean(part.FileName())
		case name == request.ScanField.Name:
			select {
			case s.uploadSlots <- struct{}{}:
			case <-r.Context().Done():
				return f, r.Context().Err()
			}
			up, err := s.Uploads.Save(r.Context(), part, ruleOf(request.ScanField), name, part.FileName())
			<-s.uploadSlots
			if err != nil {
				e, ok := errs.As(err)
				if !ok {
					return f, err
				}
				f.fileErrs = append(f.fileErrs, e.Fields...)
				continue
			}
			f.letter = &request.File{Field: name, Name: up.Name, OriginalName: up.OriginalName, Kind: string(up.Kind), Size: up.Size, SHA256: up.SHA256}
		}
	}
	return f, nil
}

// upload runs an upload form (a new list, or id's fixed one): nothing is kept of a form
// with errors, the letter's saved bytes included, and the form shows again with what was
// typed and each field's message.
func (s *Server) collectiveUpload(w http.ResponseWriter, r *http.Request, id int64) error {
	p := s.page(r, "collective.title")
	sc, err := s.collectiveScopeOf(r, p)
	if err != nil {
		return err
	}
	if !sc.mayEnter {
		return errs.New(errs.Forbidden, "error.forbidden")
	}
	form, err := s.readCollectiveForm(w, r, p)
	kept := false
	defer func() {
		if form.letter != nil && !kept {
			s.Uploads.Remove(r.Context(), form.letter.Name)
		}
	}()
	if err == nil && len(form.fileErrs) > 0 {
		var fs errs.Fields
		fs = append(fs, form.fileErrs...)
		err = fs.Err()
	}
	var c collective.Collective
	if err == nil {
		c, err = s.Collectives.UploadAs(r.Context(), p.Tenant, sc.entrant, collective.Input{ID: id, Instansi: form.values["instansi"], Province: form.values["province"],
			Regency: form.values["regency"], Letter: form.letter, FileName: form.name, Data: form.list})
	}
	if err != nil {
		status, ok := formError(p, err)
		if !ok {
			return err
		}
		if id != 0 {
			old, gerr := s.Collectives.GetAs(r.Context(), p.Tenant, sc.entrant, id)
			if gerr != nil {
				return gerr
			}
			s.fillCollective(p, sc, old)
		} else {
			list, lerr := s.Collectives.ListAs(r.Context(), p.Tenant, sc.entrant)
			if lerr != nil {
				return lerr
			}
			s.fillCollectives(p, sc, list)
		}
		name := "kantor_kolektif"
		if id != 0 {
			name = "kantor_kolektif_daftar"
		}
		return s.render(w, r, status, name, p)
	}
	kept = true
	return redirect(w, r, sc.base+"/"+itoa(c.ID))
}

// POST /kantor/kolektif (the front desk) and POST /kolektif (an OPD's operator) upload a
// new list with its letter; the report shows at its page.
func (s *Server) collectiveNew(w http.ResponseWriter, r *http.Request) error {
	return s.collectiveUpload(w, r, 0)
}

// collectiveRowIDs reads the chosen rows of the task's form.
func collectiveRowIDs(r *http.Request) []int64 {
	var out []int64
	for _, v := range r.PostForm["baris"] {
		if id := parseID(v); id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// collectiveAction maps the form's button to the workflow's action.
func collectiveAction(v string) (workflow.Action, bool) {
	switch strings.TrimSpace(v) {
	case "setujui":
		return workflow.Approve, true
	case "kembalikan":
		return workflow.Return, true
	case "tolak":
		return workflow.Refuse, true
	}
	return "", false
}
