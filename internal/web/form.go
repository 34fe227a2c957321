package web

import (
	"errors"
	"net/http"

	"github.com/surel-id/surel/internal/captcha"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
)

// maxForm bounds the body of the account forms; none needs more.
const maxForm = 64 << 10

func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return errs.New(errs.Invalid, "error.bad_form")
	}
	cleanForm(r)
	return nil
}

// cleanForm makes the parsed form's values storable text (input.Clean): every handler
// that parses a form calls it, so no NUL byte or broken UTF-8 reaches a service. The
// query's values were cleaned by serve.
func cleanForm(r *http.Request) {
	input.CleanValues(r.PostForm)
	input.CleanValues(r.Form)
	if r.MultipartForm != nil {
		input.CleanValues(r.MultipartForm.Value)
	}
}

// checkCaptcha verifies the widget's payload in the "altcha" field and adds the reason
// it failed to fs. A form sent by a browser without JavaScript carries "nojs" (from the
// captcha's <noscript>): it is told that, and where the front desk is, rather than to
// wait for a widget it cannot show.
func (s *Server) checkCaptcha(r *http.Request, fs *errs.Fields) bool {
	err := s.Captcha.Verify(r.Context(), r.PostForm.Get("altcha"))
	switch {
	case err == nil:
		return true
	case errors.Is(err, captcha.ErrMissing) && r.PostForm.Get("nojs") != "":
		fs.Add("captcha", "captcha_nojs", frontDeskText(langOf(r), s.Tenants.ForHost(r.Host)))
	case errors.Is(err, captcha.ErrMissing):
		fs.Add("captcha", "captcha_required")
	case errors.Is(err, captcha.ErrExpired):
		fs.Add("captcha", "captcha_expired")
	default:
		fs.Add("captcha", "captcha_invalid")
	}
	return false
}

// merge joins the captcha's field errors with a validation error.
func merge(fs errs.Fields, err error) error {
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return append(append(errs.Fields{}, e.Fields...), fs...).Err()
	}
	if err != nil {
		return err
	}
	return fs.Err()
}

// reRender shows the form again with the error by its fields and what was typed kept; an
// error that is not about the form goes to the error page.
func (s *Server) reRender(w http.ResponseWriter, r *http.Request, name string, p *Page, err error) error {
	status, ok := formError(p, err)
	if !ok {
		return err
	}
	if e, ok := errs.As(err); ok {
		setRetryAfter(w, e)
	}
	return s.render(w, r, status, name, p)
}
