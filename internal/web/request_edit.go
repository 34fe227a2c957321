package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/upload"
	"github.com/surel-id/surel/internal/wilayah"
)

// formData is what the request form template gets.
type formData struct {
	Request     request.Request
	Service     request.Offering
	Kind        request.Kind
	Files       map[string]*request.File
	Options     map[string][]wilayah.Area // region field → choices
	Suggestions []string
	Missing     []string // profile fields still empty
}

// FileHint is the accepted kinds and size of a file field, for its hint.
func (d formData) FileHint(f request.Field) string {
	kinds := strings.ToUpper(strings.Join(f.Kinds, ", "))
	if f.MaxKB >= 1024 {
		return kinds + "; maks. " + itoa(int64(f.MaxKB/1024)) + " MB"
	}
	return kinds + "; maks. " + itoa(int64(f.MaxKB)) + " KB"
}

// Accept is the file input's accept attribute.
func (d formData) Accept(f request.Field) string {
	var out []string
	for _, k := range f.Kinds {
		out = append(out, "."+k)
		if k == "jpg" {
			out = append(out, ".jpeg")
		}
	}
	return strings.Join(out, ",")
}

func (s *Server) editable(r *http.Request) (*Page, request.Request, error) {
	p := s.page(r, "form.title")
	rq, err := s.Requests.Get(r.Context(), *p.User, parseID(r.PathValue("id")))
	if err != nil {
		return p, rq, err
	}
	if rq.Status != request.Draft && rq.Status != request.Returned {
		return p, rq, errs.New(errs.Conflict, "request.not_editable")
	}
	return p, rq, nil
}

func (s *Server) fillForm(r *http.Request, p *Page, rq request.Request) error {
	sv, k, err := s.Requests.Form(rq.Service, rq.Kind)
	if err != nil {
		return err
	}
	files, err := s.Requests.Store.FilesOf(r.Context(), rq.ID)
	if err != nil {
		return err
	}
	d := formData{Request: rq, Service: sv, Kind: k, Files: map[string]*request.File{}, Options: map[string][]wilayah.Area{},
		Missing: p.User.Profile.Missing()}
	for i := range files {
		d.Files[files[i].Field] = &files[i]
	}
	for _, f := range k.Fields {
		if f.Type == "region" {
			parent := ""
			if f.Parent != "" {
				parent = rq.Values[f.Parent]
			}
			if f.Parent == "" || parent != "" {
				d.Options[f.Name] = s.Regions.Children(parent)
			}
		}
	}
	d.Suggestions = s.Requests.Suggest(r.Context(), p.Tenant, *p.User, rq.ID, 3)
	for k, v := range rq.Values {
		if p.Form.Get(k) == "" {
			p.Form.Set(k, v)
		}
	}
	p.Data = d
	return nil
}

func (s *Server) editForm(w http.ResponseWriter, r *http.Request) error {
	p, rq, err := s.editable(r)
	if err != nil {
		return err
	}
	if err := s.fillForm(r, p, rq); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "request_form", p)
}

// maxRequestBody bounds a request form: the largest document (10 MB) and two small ones,
// with room for the fields.
const maxRequestBody = 12 << 20

// edit saves the form. Documents are checked by content as they stream in and kept at
// once, so a form returned with errors never asks for a good file again; what was typed
// is saved in the draft whatever its errors. "Perbarui pilihan" (action=refresh) only
// refreshes the dependent region lists, for browsers without JavaScript.
func (s *Server) edit(w http.ResponseWriter, r *http.Request) error {
	p, rq, err := s.editable(r)
	if err != nil {
		return err
	}
	_, k, err := s.Requests.Form(rq.Service, rq.Kind)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return errs.New(errs.Invalid, "error.bad_form")
	}
	values := map[string]string{}
	var fileErrs errs.Fields
	action := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errs.New(errs.Invalid, "error.too_large")
			}
			return errs.New(errs.Invalid, "error.bad_form")
		}
		name := part.FormName()
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				return errs.New(errs.Invalid, "error.bad_form")
			}
			if name == "action" {
				action = string(b)
			} else if _, ok := k.Field(name); ok {
				values[name] = string(b)
			}
			continue
		}
		f, ok := k.Field(name)
		if !ok || f.Type != "file" {
			continue
		}
		// Judging a large image decodes it whole (up to a few hundred MB): at most
		// one check per CPU runs at once, the others wait their turn.
		select {
		case s.uploadSlots <- struct{}{}:
		case <-r.Context().Done():
			return r.Context().Err()
		}
		saved, err := s.Uploads.Save(r.Context(), part, ruleOf(f), name, part.FileName())
		<-s.uploadSlots
		if err != nil {
			e, ok := errs.As(err)
			if !ok {
				return err
			}
			fileErrs = append(fileErrs, e.Fields...)
			continue
		}
		doc := request.File{RequestID: rq.ID, Field: name, Name: saved.Name, OriginalName: saved.OriginalName,
			Kind: string(saved.Kind), Size: saved.Size, SHA256: saved.SHA256}
		if err := s.Requests.Attach(r.Context(), *p.User, rq, doc); err != nil {
			s.Uploads.Remove(saved.Name)
			return err
		}
	}
	rq, err = s.Requests.SaveDraft(r.Context(), *p.User, rq, values)
	formErr := merge(fileErrs, err)
	if e, ok := errs.As(formErr); formErr != nil && (!ok || e.Code != errs.Invalid) {
		return formErr
	}
	if action == "refresh" {
		formErr = fileErrs.Err()
	}
	if formErr != nil || action == "refresh" {
		for k, v := range values {
			p.Form.Set(k, v)
		}
		if err := s.fillForm(r, p, rq); err != nil {
			return err
		}
		if formErr == nil {
			return s.render(w, r, http.StatusOK, "request_form", p)
		}
		status, _ := formError(p, formErr)
		var order []string
		for _, f := range k.Fields {
			order = append(order, f.Name)
		}
		p.orderErrors(order)
		return s.render(w, r, status, "request_form", p)
	}
	return redirect(w, r, "/permohonan/"+itoa(rq.ID)+"/ringkasan")
}

func ruleOf(f request.Field) upload.Rule {
	rule := upload.Rule{MaxBytes: int64(f.MaxKB) * 1024}
	for _, k := range f.Kinds {
		rule.Kinds = append(rule.Kinds, upload.Kind(k))
	}
	return rule
}
