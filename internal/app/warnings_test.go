package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
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
