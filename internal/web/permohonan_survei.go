package web

import (
	"net/http"
	"strconv"

	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/survey"
)

// surveyForm is the data of permohonan_survei: the request and the nine elements with
// their answers' words, in the page's language.
type surveyForm struct {
	Request  request.Request
	Elements []surveyElement
	Lists    []surveyList
}

type surveyElement struct {
	N                   int
	Key, Name, Question string
	Answers             [][2]string // value (1–4) and words
}

// surveyList is one optional respondent field and its choices (codes).
type surveyList struct {
	Name, Key string
	Codes     []string
}

func (s *Server) surveyForm(p *Page, rq request.Request) {
	d := surveyForm{Request: rq, Lists: []surveyList{{"jenis_kelamin", "gender", survey.Genders}, {"pendidikan", "education", survey.Educations},
		{"pekerjaan", "occupation", survey.Occupations}}}
	li := 0
	if p.Lang == "en" {
		li = 1
	}
	for i, e := range survey.Unsur {
		x := surveyElement{N: i + 1, Key: e.Key, Name: survey.Text(e.Name, p.Lang), Question: survey.Text(e.Question, p.Lang)}
		for j, a := range e.Answers[li] {
			x.Answers = append(x.Answers, [2]string{strconv.Itoa(j + 1), a})
		}
		d.Elements = append(d.Elements, x)
	}
	p.Data = d
}

// surveyRequest is the signed-in applicant's request of the URL that invites them to
// the survey; a request answered or not ended is a not-found.
func (s *Server) surveyRequest(r *http.Request, p *Page) (request.Request, error) {
	rq, err := s.Requests.Get(r.Context(), *p.User, parseID(r.PathValue("id")))
	if err != nil {
		return rq, err
	}
	open, err := s.Surveys.Open(r.Context(), *p.User, rq)
	if err == nil && !open {
		err = errNotFound
	}
	return rq, err
}

// GET /permohonan/{id}/survei is the Survei Kepuasan Masyarakat for an ended request:
// the nine elements on the four-point scale, optional respondent data and a suggestion.
func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "skm.title")
	rq, err := s.surveyRequest(r, p)
	if err != nil {
		return err
	}
	s.surveyForm(p, rq)
	return s.render(w, r, http.StatusOK, "permohonan_survei", p)
}

// POST /permohonan/{id}/survei keeps the answer, once; a missing element comes back
// named with every choice kept.
func (s *Server) surveyAnswer(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "skm.title")
	rq, err := s.surveyRequest(r, p)
	if err != nil {
		return err
	}
	p.Form = r.PostForm
	s.surveyForm(p, rq)
	a, err := survey.Check(r.PostForm.Get)
	if err == nil {
		err = s.Surveys.Answer(r.Context(), p.Tenant, *p.User, rq.ID, a)
	}
	if err != nil {
		return s.reRender(w, r, "permohonan_survei", p, err)
	}
	s.setFlash(w, "flash.skm_thanks", "")
	return redirect(w, r, "/permohonan/"+itoa(rq.ID))
}
