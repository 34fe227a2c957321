package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
	"github.com/surel-id/surel/internal/registry"
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
	// LastRegion is the last region field: "Perbarui pilihan wilayah" (for browsers
	// without JavaScript) follows it, next to the lists it refreshes.
	LastRegion string
	// Owned are the applicant's mailboxes, for a service on an existing one.
	Owned []registry.Mailbox
	// The domain services: the values taken from the verification, the free desa.id
	// names proposed for the village, the applicant's own sub-domains (a removal).
	Fixed          []fixedValue
	DesaIDSuggest  []string
	OwnedSubdomain []string
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
	files, err := s.Requests.Documents(r.Context(), rq)
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
			d.LastRegion = f.Name
			parent := ""
			if f.Parent != "" {
				parent = rq.Values[f.Parent]
			}
			if f.Parent == "" || parent != "" {
				d.Options[f.Name] = s.Regions.Children(parent)
			}
		}
	}
	if k.ActsOnMailbox() {
		if d.Owned, err = s.Requests.OwnedMailboxes(r.Context(), *p.User); err != nil {
			return err
		}
	} else if _, ok := k.Field(request.FieldMailbox); ok {
		d.Suggestions = s.Requests.Suggest(r.Context(), p.Tenant, *p.User, rq.ID, 3)
	}
	d.Fixed = fixedValues(sv, rq, k)
	if s.Domains != nil {
		if _, ok := k.Field(request.FieldDesaID); ok {
			d.DesaIDSuggest = s.Domains.SuggestDesaID(r.Context(), rq, 3)
		}
		if _, ok := k.Field(request.FieldOwnedSubdomain); ok {
			if d.OwnedSubdomain, err = s.Domains.OwnedSubdomains(r.Context(), rq.UserID); err != nil {
				return err
			}
		}
	}
	for k, v := range rq.Form() {
		if p.Form.Get(k) == "" {
			p.Form.Set(k, v)
		}
	}
	p.Data = d
	return nil
}

// GET /permohonan/{id}/ubah is the request form of a draft or a returned request, filled
// with what it holds.
func (s *Server) editForm(w http.ResponseWriter, r *http.Request) error {
	p, rq, err := s.editable(r)
	if err != nil {
		return err
	}
	if err := s.fillForm(r, p, rq); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "permohonan_ubah", p)
}

// maxRequestBody bounds a request form: the largest document (10 MB) and two small ones,
// with room for the fields.
const maxRequestBody = 12 << 20

// POST /permohonan/{id}/ubah saves the form. Documents are checked by content as they
// stream in and kept at once, so a form returned with errors never asks for a good file
// again; what was typed is saved in the draft whatever its errors. "Perbarui pilihan"
// (action=refresh) only refreshes the dependent region lists, for browsers without
// JavaScript.
func (s *Server) edit(w http.ResponseWriter, r *http.Request) error {
	p, rq, err := s.editable(r)
	if err != nil {
		return err
	}
	_, k, err := s.Requests.Form(rq.Service, rq.Kind)
	if err != nil {
		return err
	}
	form, err := s.readUploadForm(w, r, maxRequestBody, k, func(name string) bool {
		_, ok := k.Field(name)
		return ok
	}, func(doc request.File) error {
		doc.RequestID = rq.ID
		if err := s.Requests.Attach(r.Context(), *p.User, rq, doc); err != nil {
			s.Uploads.Remove(r.Context(), doc.Name)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	values, fileErrs, action := form.values, form.fileErrs, form.action
	// A suggested address or desa.id name is a submit button (action=alamat:<mailbox>,
	// desaid:<name>), so choosing it works without JavaScript: the form is saved with
	// that value and shown again.
	for prefix, field := range map[string]string{"alamat:": request.FieldMailbox, "desaid:": request.FieldDesaID} {
		if pick, ok := strings.CutPrefix(action, prefix); ok {
			if _, isField := k.Field(field); isField {
				values[field] = input.Clean(pick)
			}
			action = "refresh"
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
			return s.render(w, r, http.StatusOK, "permohonan_ubah", p)
		}
		status, _ := formError(p, formErr)
		var order []string
		for _, f := range k.Fields {
			order = append(order, f.Name)
		}
		p.orderErrors(order)
		return s.render(w, r, status, "permohonan_ubah", p)
	}
	return redirect(w, r, "/permohonan/"+itoa(rq.ID)+"/ringkasan")
}

// uploadForm is a multipart form read by readUploadForm.
type uploadForm struct {
	values   map[string]string // the text fields kept, by name
	action   string            // the button pressed: "refresh" or empty
	fileErrs errs.Fields       // the documents that failed their check
}

// readUploadForm reads a multipart form of at most limit bytes as it streams in: the
// "action" button, the text values (4 KiB at most) of the fields keep accepts, and the
// documents of k's file fields. Each document is checked by content and saved, then
// handed to saved; one that fails its check goes to fileErrs rather than failing the
// form, so the caller can show it next to the other fields' errors.
func (s *Server) readUploadForm(w http.ResponseWriter, r *http.Request, limit int64, k request.Kind, keep func(name string) bool, saved func(request.File) error) (uploadForm, error) {
	form := uploadForm{values: map[string]string{}}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return form, errs.New(errs.Invalid, "error.bad_form")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return form, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return form, errs.New(errs.Invalid, "error.too_large")
			}
			return form, errs.New(errs.Invalid, "error.bad_form")
		}
		name := part.FormName()
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				return form, errs.New(errs.Invalid, "error.bad_form")
			}
			if name == "action" {
				form.action = string(b)
			} else if keep(name) {
				form.values[name] = input.Clean(string(b))
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
			return form, r.Context().Err()
		}
		up, err := s.Uploads.Save(r.Context(), part, ruleOf(f), name, part.FileName())
		<-s.uploadSlots
		if err != nil {
			e, ok := errs.As(err)
			if !ok {
				return form, err
			}
			form.fileErrs = append(form.fileErrs, e.Fields...)
			continue
		}
		if err := saved(request.File{Field: name, Name: up.Name, OriginalName: up.OriginalName, Kind: string(up.Kind),
			Size: up.Size, SHA256: up.SHA256}); err != nil {
			return form, err
		}
	}
}

func ruleOf(f request.Field) upload.Rule {
	rule := upload.Rule{MaxBytes: int64(f.MaxKB) * 1024}
	for _, k := range f.Kinds {
		rule.Kinds = append(rule.Kinds, upload.Kind(k))
	}
	return rule
}
