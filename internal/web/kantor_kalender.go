package web

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
)

// maxHolidayFile bounds an imported holiday table: a year is a few KB.
const maxHolidayFile = 1 << 20

// calendarForm is the data of kantor_kalender.
type calendarForm struct {
	Holidays []sop.Holiday
	// Edited is false while the national table applies.
	Edited bool
	Zone   string
	Hours  []dayHours
	// Problems are the refused lines of an import.
	Problems []string
	// MissingYears names the years the table should already hold and does not
	// (sop.MissingHolidayYears): "2027", "2027 dan 2028".
	MissingYears string
}

// dayHours is one weekday's working hours, for the table.
type dayHours struct {
	Day   string
	Spans string // empty: closed
}

// weekdayNames are the days Monday first, by language.
var weekdayNames = map[string][7]string{
	"id": {"Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"},
	"en": {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
}

// calendarData fills the table and the working hours of the tenant's SOP.
func (s *Server) calendarData(r *http.Request, b *sop.Book, p *Page) (calendarForm, error) {
	var f calendarForm
	var err error
	if f.Holidays, f.Edited, err = b.Holidays(r.Context(), p.Tenant.SOPRef()); err != nil {
		return f, err
	}
	def, cal, err := b.Workflow(r.Context(), p.Tenant.SOPRef())
	if err != nil {
		// A broken stored SOP is fixed on /kantor/sop; the holidays stay editable.
		if len(sop.Problems(err)) == 0 {
			return f, err
		}
		return f, nil
	}
	f.MissingYears = yearList(p, cal.MissingHolidayYears(s.now()))
	f.Zone = def.ZoneAbbrev() + " (" + def.TimeZone + ")"
	names := weekdayNames["id"]
	if p.Lang == "en" {
		names = weekdayNames["en"]
	}
	for i := range 7 {
		wd := time.Weekday((i + 1) % 7)
		var spans []string
		for _, sp := range def.Hours[wd] {
			spans = append(spans, sp.String())
		}
		f.Hours = append(f.Hours, dayHours{names[i], strings.Join(spans, ", ")})
	}
	return f, nil
}

// yearList joins years as a sentence does: "2027", "2027 dan 2028"; "" for none.
func yearList(p *Page, years []int) string {
	var b strings.Builder
	for i, y := range years {
		switch {
		case i > 0 && i == len(years)-1:
			b.WriteString(" " + p.T("list.and") + " ")
		case i > 0:
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(y))
	}
	return b.String()
}

// GET /kantor/kalender shows the tenant's holiday table and working hours.
func (s *Server) kantorCalendarForm(w http.ResponseWriter, r *http.Request) error {
	b := s.Book
	p := s.page(r, "sopadm.cal.title")
	f, err := s.calendarData(r, b, p)
	if err != nil {
		return err
	}
	p.Data = f
	return s.render(w, r, http.StatusOK, "kantor_kalender", p)
}

// POST /kantor/kalender changes the holiday table: action=add (date, name), delete (date)
// or import (an uploaded CSV or iCalendar file; replace=1 drops the rows not in the
// file). The first change copies the national table into the tenant's own.
func (s *Server) kantorCalendar(w http.ResponseWriter, r *http.Request) error {
	b := s.Book
	r.Body = http.MaxBytesReader(w, r.Body, maxHolidayFile+64<<10)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(maxHolidayFile + 64<<10)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return errs.New(errs.Invalid, "sopadm.cal.too_big", maxHolidayFile>>20)
	}
	cleanForm(r)
	p := s.page(r, "sopadm.cal.title")
	ref, by := p.Tenant.SOPRef(), staffOf(r).Actor().From(s.clientIP(r))
	p.Form = r.PostForm
	fail := func(ferr error, problems []string) error {
		f, err := s.calendarData(r, b, p)
		if err != nil {
			return err
		}
		f.Problems = problems
		p.Data = f
		if len(problems) > 0 {
			p.Error = p.T("sopadm.cal.import_invalid", len(problems))
			return s.render(w, r, http.StatusUnprocessableEntity, "kantor_kalender", p)
		}
		return s.reRender(w, r, "kantor_kalender", p, ferr)
	}
	switch r.PostForm.Get("action") {
	case "add":
		var fs errs.Fields
		d, err := sop.ParseHolidayDate(r.PostForm.Get("holiday_date"))
		if err != nil {
			fs.Add("holiday_date", "holiday_date")
		}
		h, err := sop.CheckHoliday(sop.Holiday{Date: d, Name: r.PostForm.Get("holiday_name")})
		if err != nil {
			fs.Add("holiday_name", "holiday_name", sop.MaxHolidayName)
		}
		if fs.Err() != nil {
			return fail(fs.Err(), nil)
		}
		if err := b.AddHoliday(r.Context(), ref, by, h); err != nil {
			return err
		}
		s.setFlash(w, "flash.holiday_added", h.Date.String())
	case "delete":
		d, err := sop.ParseDate(r.PostForm.Get("holiday_date"))
		if err != nil {
			return errs.New(errs.Invalid, "error.bad_form")
		}
		if err := b.DeleteHoliday(r.Context(), ref, by, d); err != nil {
			return err
		}
		s.setFlash(w, "flash.holiday_deleted", d.String())
	case "import":
		hs, problems, err := holidayUpload(r)
		if err != nil || len(problems) > 0 {
			return fail(err, problems)
		}
		if err := b.ImportHolidays(r.Context(), ref, by, hs, r.PostForm.Get("replace") == "1"); err != nil {
			return err
		}
		s.setFlash(w, "flash.holidays_imported", fmt.Sprint(len(hs)))
	default:
		return errs.New(errs.Invalid, "error.bad_form")
	}
	return redirect(w, r, "/kantor/kalender")
}

// holidayUpload reads the uploaded table: text only, at most 1 MB; an iCalendar file
// (.ics, or content starting with BEGIN:VCALENDAR) or else CSV. problems are the refused
// lines, for the page.
func holidayUpload(r *http.Request) (hs []sop.Holiday, problems []string, err error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["holiday_file"]) == 0 || r.MultipartForm.File["holiday_file"][0].Size == 0 {
		var fs errs.Fields
		fs.Add("holiday_file", "holiday_file")
		return nil, nil, fs.Err()
	}
	fhs := r.MultipartForm.File["holiday_file"]
	data, err := readUpload(fhs[0])
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxHolidayFile {
		return nil, nil, errs.New(errs.Invalid, "sopadm.cal.too_big", maxHolidayFile>>20)
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 || !strings.HasPrefix(http.DetectContentType(data), "text/") {
		return nil, nil, errs.New(errs.Invalid, "sopadm.cal.not_text")
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\uFEFF")))
	name := fhs[0].Filename // multipart keeps the base name only
	if strings.HasSuffix(strings.ToLower(name), ".ics") || bytes.HasPrefix(bytes.ToUpper(trimmed), []byte("BEGIN:VCALENDAR")) {
		hs, err = sop.ParseICal(name, bytes.NewReader(data))
	} else {
		hs, err = sop.ParseHolidaysCSV(name, bytes.NewReader(data))
	}
	if err != nil {
		return nil, problemLines(err), nil
	}
	if len(hs) == 0 {
		return nil, nil, errs.New(errs.Invalid, "sopadm.cal.empty_file")
	}
	return hs, nil, nil
}

func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("holiday upload: %w", err)
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxHolidayFile+1))
}
