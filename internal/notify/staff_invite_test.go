package notify_test

import (
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/notify"
)

// The staff invitation renders with and without a set-password link.
func TestStaffInvite(t *testing.T) {
	ob, err := notify.NewOutbox(nil, nil, "x@y", quiet)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range notify.Languages {
		for _, url := range []string{"https://x/lupa-password/abc", ""} {
			data := map[string]any{"Name": "Budi", "Username": "budi", "Tenant": "T", "LoginURL": "https://x/masuk", "Hours": 72, "URL": url}
			m, err := ob.Render(notify.Mail{Lang: lang, Template: "staff_invite", Data: data})
			if err != nil || m.Subject == "" || !strings.Contains(m.Text, "budi") {
				t.Fatalf("%s: %v %+v", lang, err, m)
			}
			if url != "" && !strings.Contains(m.HTML, url) {
				t.Errorf("%s: no link in %s", lang, m.HTML)
			}
		}
	}
}
