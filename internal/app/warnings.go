package app

import (
	"context"
	"time"
)

// LogStartupWarnings logs, at start, what keeps the deployment from working for
// everyone, each with what to do about it. Serve calls it; now is the time it judges
// by.
func (a *App) LogStartupWarnings(ctx context.Context, now time.Time) {
	if a.Config.PlainHTTPPublic() {
		// Browsers give Web Crypto only to secure contexts: on plain HTTP at any host
		// but this machine the captcha widget waits for ever, and nobody can register,
		// ask for a new activation link or reset a password.
		a.Log.WarnContext(ctx, "plain HTTP: the captcha cannot run in browsers at this address, so registration and password reset do not work; serve surel over HTTPS (a reverse proxy with a certificate) and set SUREL_BASE_URL to its https:// address",
			"base_url", a.Config.BaseURL)
	}
	for _, c := range a.Config.Tenants {
		t, ok := a.Tenants.BySlug(c.Slug)
		if !ok {
			continue
		}
		_, cal, err := a.Book.Workflow(ctx, t.SOPRef())
		if err != nil {
			a.Log.WarnContext(ctx, "tenant SOP unreadable; fix it on /kantor/sop", "tenant", t.Slug, "err", err)
			continue
		}
		if members, err := a.Staff.List(ctx, t.ID); err == nil && len(members) == 0 {
			// A new office: nobody can reach the back office until its first tenant
			// admin is made on the command line.
			a.Log.WarnContext(ctx, "tenant has no staff: make its first tenant admin (password read from standard input) with: echo 'a-long-password' | go run ./cmd/surel staff add --tenant "+t.Slug+
				" --email admin@example.go.id --first Admin --last Kantor --role tenant_admin — then sign in at /masuk with an authenticator app at hand (README, Run)",
				"tenant", t.Slug)
		}
		if years := cal.MissingHolidayYears(now); len(years) > 0 {
			a.Log.WarnContext(ctx, "holiday table lacks a year: deadlines in it count national holidays and cuti bersama as working days; a tenant admin imports the SKB's table (CSV or iCalendar) on /kantor/kalender",
				"tenant", t.Slug, "years", years)
		}
	}
}
