// Package standard is a tenant's published service standard (standar pelayanan,
// PermenPANRB 15/2014), built from live data: for each service of the catalogue its
// requirements (the form's fields and documents), procedure (the SOP's steps and
// diagram), time standard and product; the office's staff by role; and, next to the
// promise, what was measured — the share of requests completed within the time standard
// and their median working time over the last 30 and 90 days, and the current IKM of the
// Survei Kepuasan Masyarakat. The parts no data gives (legal basis, facilities,
// guarantees…) are the tenant admin's Settings. The standard is a public page, a JSON
// document and a printed, numbered poster (internal/letter, internal/printout).
package standard

import (
	"context"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Standard is a tenant's service standard as published, in one language.
type Standard struct {
	Office string    `json:"office"`
	SOP    string    `json:"sop"`
	Source string    `json:"source,omitempty"`
	At     time.Time `json:"computed_at"`
	Zone   string    `json:"time_zone"`
	Hours  string    `json:"working_hours"`
	// Services are the catalogue's services, each with its own requirements.
	Services []Offering `json:"services"`
	// Components are the standard's parts in the regulation's order, each a title and
	// its points.
	Components []Component `json:"components"`
	// Staff counts the office's staff members by role.
	Staff []StaffCount `json:"staff"`
	// Measured is the time standard as kept over 30 and 90 days.
	Measured []Measured `json:"measured"`
	// IKM is the satisfaction index of the current period; nil before any answer.
	IKM *IKM `json:"ikm,omitempty"`
	// Complaints are the complaint categories with their time standards and what was
	// measured of them; nil when the service takes no complaints.
	Complaints *Complaints `json:"complaints,omitempty"`
	// LaporURL is the SP4N-LAPOR! link; Printed the newest printed standard, if any.
	LaporURL string           `json:"lapor_url"`
	Printed  *letter.Document `json:"-"`
}

// Offering is one service's own components.
type Offering struct {
	Code        string         `json:"code"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Kinds       []Requirements `json:"requirements"`
	Procedure   []Step         `json:"procedure"`
	Time        string         `json:"time_standard"`
	Cost        string         `json:"cost"`
	Product     []string       `json:"product"`
}

// Requirements are what one Jenis Layanan asks for: each field and document of its form.
type Requirements struct {
	Kind  string   `json:"kind"`
	Items []string `json:"items"`
}

// Step is one step of the procedure.
type Step struct {
	N      int    `json:"n"`
	Name   string `json:"name"`
	Who    string `json:"who"`
	Time   string `json:"time_standard,omitempty"`
	Output string `json:"output,omitempty"`
}

// Component is one part of the standard: its key, title and points.
type Component struct {
	Key    string   `json:"key"`
	Title  string   `json:"title"`
	Points []string `json:"points"`
}

// StaffCount is how many staff members hold a role.
type StaffCount struct {
	Role  sop.Role `json:"role"`
	Label string   `json:"label"`
	N     int      `json:"count"`
}

// Measured is report.Measure in words, for the page and the JSON.
type Measured struct {
	Days   int    `json:"days"`
	Closed int64  `json:"closed"`
	InSLA  string `json:"within_time_standard"`
	Median string `json:"median_working_time"`
	// Share is the share within the time standard, 0–100; nil when nothing closed.
	Share *float64 `json:"within_time_standard_percent,omitempty"`
}

// IKM is the satisfaction index as published.
type IKM struct {
	Period      string  `json:"period"`
	Value       float64 `json:"value"`
	Shown       string  `json:"shown"`
	Grade       string  `json:"grade"`
	Label       string  `json:"label"`
	Respondents int     `json:"respondents"`
}

// Complaints is the complaint handling as published: the categories with their time
// standards (the promise) and, over the last Days days, how many were filed and closed,
// the share closed within the standard and the median working days to close.
type Complaints struct {
	Categories []ComplaintCategory `json:"categories"`
	Days       int                 `json:"days"`
	Filed      int                 `json:"filed"`
	Closed     int                 `json:"closed"`
	InTime     string              `json:"closed_within_time_standard"`
	// Share is the share closed within the standard, 0–100; nil when none closed.
	Share  *float64 `json:"closed_within_time_standard_percent,omitempty"`
	Median string   `json:"median_working_days_to_close"`
	// FirstAnswer is the median working days to the first answer.
	FirstAnswer string `json:"median_working_days_to_first_answer"`
}

// ComplaintCategory is one category and its time standard.
type ComplaintCategory struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	Days int    `json:"working_days"`
	Text string `json:"time_standard"`
}

// ComplaintSource is what the standard reads of the complaints.
type ComplaintSource interface {
	Options(ctx context.Context, tenantID int64) (complaint.Options, error)
	Recent(ctx context.Context, t account.Tenant, days int) (complaint.Summary, error)
}

// Store keeps the tenant admin's settings.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	// StandardSettings is the tenant's settings as JSON; errs.ErrNotFound while none
	// are saved.
	StandardSettings(ctx context.Context, tenantID int64) ([]byte, error)
	SaveStandardSettings(ctx context.Context, tenantID int64, body []byte, by int64, at time.Time) error
	// LatestDocument is the newest document of a kind of a tenant, with its bytes.
	LatestDocument(ctx context.Context, tenantID int64, kind letter.Kind) (letter.Document, error)
}

// Reports is what the standard reads of the reports.
type Reports interface {
	Measured(ctx context.Context, t account.Tenant, days ...int) ([]report.Measure, error)
}

// Staff lists a tenant's staff members.
type Staff interface {
	List(ctx context.Context, tenantID int64) ([]staff.Member, error)
}
