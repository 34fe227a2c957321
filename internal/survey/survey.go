package survey

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/input"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// Answer is one respondent's answer: the nine values (1–4) and the optional respondent
// data, each one of its list's codes or empty, and a suggestion.
type Answer struct {
	Values     [Elements]int
	Gender     string
	Education  string
	Occupation string
	Suggestion string
}

// The respondent data's codes, in the order the form lists them (the regulation's
// sample questionnaire).
var (
	Genders     = []string{"l", "p"}
	Educations  = []string{"sd", "smp", "sma", "d1_d3", "d4_s1", "s2", "s3"}
	Occupations = []string{"pns", "tni_polri", "swasta", "wirausaha", "pelajar", "lainnya"}
)

// maxSuggestion bounds the free text.
const maxSuggestion = 1000

// Row is the answers of one service on one day added up, with the respondent data
// counted apart (Profile), as the store gives them to the reports.
type Row struct {
	Service string
	Day     int // sop.Date.Num
	Totals
}

// Profile is how many respondents gave one value of one respondent field ("gender",
// "education", "occupation"; Value "" for those who gave none).
type Profile struct {
	Field, Value string
	N            int64
}

// Suggestion is one free-text suggestion with its month (YYYYMM) and service only.
type Suggestion struct {
	Month   int
	Service string
	Text    string
}

// Store keeps the answers.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	Request(ctx context.Context, id int64) (request.Request, error)
	// SurveyAnswered reports whether a request's applicant answered.
	SurveyAnswered(ctx context.Context, requestID int64) (bool, error)
	// AddSurveyAnswer marks the request answered and stores the answer apart from it;
	// errs.ErrConflict when it was answered before.
	AddSurveyAnswer(ctx context.Context, tenantID, requestID int64, service string, day int, a Answer) error
	// SurveyRows adds up the answers of days from…to (sop.Date.Num) per service and day.
	SurveyRows(ctx context.Context, tenantID int64, from, to int, service string) ([]Row, error)
}

// Service takes the answers.
type Service struct {
	Store Store
	Book  *sop.Book
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Ended reports whether a request's status lets its applicant answer.
func Ended(r request.Request) bool { return r.Status == request.Done || r.Status == request.Refused }

// request is u's request id of tenant t, ended; not found for another's.
func (s *Service) request(ctx context.Context, t account.Tenant, u account.User, id int64) (request.Request, error) {
	r, err := s.Store.Request(ctx, id)
	if err != nil || r.UserID != u.ID || r.TenantID != t.ID {
		return r, errs.New(errs.NotFound, "error.not_found")
	}
	if !Ended(r) {
		return r, errs.New(errs.Conflict, "survey.not_ended")
	}
	return r, nil
}

// Open reports whether u is invited to answer for request r: it ended and was not
// answered.
func (s *Service) Open(ctx context.Context, u account.User, r request.Request) (bool, error) {
	if r.UserID != u.ID || !Ended(r) {
		return false, nil
	}
	done, err := s.Store.SurveyAnswered(ctx, r.ID)
	return !done, err
}

// Check reads an answer from a form (u1…u9 as 1–4, jenis_kelamin, pendidikan,
// pekerjaan, saran): each wrong or missing value is a field error naming its rule.
func Check(get func(string) string) (Answer, error) {
	var a Answer
	var fs errs.Fields
	for i, e := range Unsur {
		v, err := strconv.Atoi(get(e.Key))
		if err != nil || v < 1 || v > 4 {
			fs.Add(e.Key, "choose")
			continue
		}
		a.Values[i] = v
	}
	pick := func(field string, list []string, to *string) {
		v := get(field)
		if v == "" {
			return
		}
		for _, x := range list {
			if x == v {
				*to = v
				return
			}
		}
		fs.Add(field, "choose")
	}
	pick("jenis_kelamin", Genders, &a.Gender)
	pick("pendidikan", Educations, &a.Education)
	pick("pekerjaan", Occupations, &a.Occupation)
	var lines []string
	for _, l := range strings.Split(input.Clean(get("saran")), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	a.Suggestion = strings.Join(lines, "\n")
	if utf8.RuneCountInString(a.Suggestion) > maxSuggestion {
		fs.Add("saran", "max_len", maxSuggestion)
	}
	return a, fs.Err()
}

// Answer keeps u's answer for request id, once: the answer itself holds the service
// and the day only.
func (s *Service) Answer(ctx context.Context, t account.Tenant, u account.User, id int64, a Answer) error {
	r, err := s.request(ctx, t, u, id)
	if err != nil {
		return err
	}
	_, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return err
	}
	day := sop.DateOf(s.now().In(cal.Loc)).Num()
	err = s.Store.AddSurveyAnswer(ctx, t.ID, r.ID, r.Service, day, a)
	if errors.Is(err, errs.ErrConflict) {
		return errs.New(errs.Conflict, "survey.answered")
	}
	return err
}

// Current is tenant t's index over the last twelve months up to today, and that period
// in words (lang); false before any answer in it.
func (s *Service) Current(ctx context.Context, t account.Tenant, lang string) (Index, string, bool, error) {
	_, cal, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return Index{}, "", false, err
	}
	today := sop.DateOf(s.now().In(cal.Loc))
	from := sop.DateOf(time.Date(today.Year, today.Month-11, 1, 12, 0, 0, 0, time.UTC))
	rows, err := s.Store.SurveyRows(ctx, t.ID, from.Num(), today.Num(), "")
	if err != nil {
		return Index{}, "", false, err
	}
	var all Totals
	for _, r := range rows {
		all.N += r.N
		for i := range all.Sum {
			all.Sum[i] += r.Sum[i]
		}
	}
	x, ok := Compute(all)
	return x, Period(from, today, lang), ok, nil
}

// Period names a period of days in words: "Januari 2026 – Desember 2026".
func Period(from, to sop.Date, lang string) string {
	name := func(d sop.Date) string {
		if lang == "en" {
			return d.Month.String() + " " + strconv.Itoa(d.Year)
		}
		return letter.MonthName(d.Month) + " " + strconv.Itoa(d.Year)
	}
	return name(from) + " – " + name(to)
}
