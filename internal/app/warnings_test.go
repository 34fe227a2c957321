package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// A base URL of plain HTTP at a public host is warned about at start: the captcha
// cannot run there (issue 12: the widget spun on "Memeriksa…" and nothing said why).
func TestStartupWarnsOfPlainHTTP(t *testing.T) {
	for base, warn := range map[string]bool{"http://surel.example.go.id": true, "http://10.1.2.3:8080": true,
		"https://surel.example.go.id": false, "http://localhost:8080": false} {
		var log bytes.Buffer
		a := newAppLog(t, map[string]string{"SUREL_BASE_URL": base}, &log)
		a.LogStartupWarnings(context.Background(), time.Now())
		if got := strings.Contains(log.String(), "plain HTTP") && strings.Contains(log.String(), "HTTPS"); got != warn {
			t.Errorf("%s: warned %v, want %v: %s", base, got, warn, log.String())
		}
	}
}

// A tenant whose holiday table lacks the current year, or from 1 October the next, is
// warned about at start (the table ships 2026 only).
func TestStartupWarnsOfMissingHolidays(t *testing.T) {
	for at, want := range map[string]string{
		"2026-06-01T09:00:00+07:00": "",
		"2026-10-01T09:00:00+07:00": "years=[2027]",
		"2027-02-01T09:00:00+07:00": "years=[2027]",
	} {
		var log bytes.Buffer
		a := newAppLog(t, nil, &log)
		now, _ := time.Parse(time.RFC3339, at)
		a.LogStartupWarnings(context.Background(), now)
		got := log.String()
		if want == "" && strings.Contains(got, "holiday table") || want != "" && !(strings.Contains(got, "holiday table lacks a year") &&
			strings.Contains(got, want) && strings.Contains(got, "tenant=kominfo") && strings.Contains(got, "/kantor/kalender")) {
			t.Errorf("%s: log %q, want %q", at, got, want)
		}
	}
}

// A tenant without staff is told at start how to make its first tenant admin (issue 17:
// nothing said how to reach the back office); once it has one, nothing is said.
func TestStartupTellsHowToMakeTheFirstAdmin(t *testing.T) {
	var log bytes.Buffer
	a := newAppLog(t, nil, &log)
	a.LogStartupWarnings(context.Background(), time.Now())
	for _, want := range []string{"tenant has no staff", "go run ./cmd/surel staff add --tenant kominfo", "--role tenant_admin", "authenticator app"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("start-up log lacks %q: %s", want, log.String())
		}
	}
	tn := a.Tenants.Default()
	stafftest.New(t, a.Staff, tn, "admin@kominfo.go.id", sop.RoleTenantAdmin)
	log.Reset()
	a.LogStartupWarnings(context.Background(), time.Now())
	if strings.Contains(log.String(), "no staff") {
		t.Errorf("warned with a tenant admin: %s", log.String())
	}
}
