package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/store"
)

// With SUREL_METRICS_TOKEN the public address serves /metrics to that bearer token only.
func TestMetricsBearerToken(t *testing.T) {
	tok := strings.Repeat("m", 32)
	h := start(t, store.SQLite, map[string]string{"SUREL_METRICS_TOKEN": tok, "SUREL_METRICS_ADDR": "off"})
	if h.a.MetricsServer() != nil {
		t.Fatal("SUREL_METRICS_ADDR=off still makes a listener")
	}
	h.get("/masuk")
	for auth, want := range map[string]int{"": 401, "Bearer " + tok[:31]: 401, "Bearer " + tok + "x": 401, "Basic " + tok: 401, "Bearer " + tok: 200} {
		req, _ := http.NewRequest("GET", h.srv.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		r := h.send(h.c, req)
		if r.status != want {
			t.Errorf("Authorization %q: %d, want %d", auth, r.status, want)
		}
		if want == 401 && (strings.Contains(r.body, "go_info") || r.header.Get("WWW-Authenticate") == "") {
			t.Errorf("Authorization %q: metrics shown or no challenge", auth)
		}
		if want == 200 && !strings.Contains(r.body, "surel_http_requests_total") {
			t.Errorf("no metrics with the token")
		}
	}
}

// HSTS is sent when the base URL is https, with the configured max-age; never for an
// http base URL (it would lock a browser out of a plain-HTTP or localhost site).
func TestHSTS(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SUREL_BASE_URL": "https://surel.example.go.id"}, "max-age=31536000"},
		{map[string]string{"SUREL_BASE_URL": "https://surel.example.go.id", "SUREL_HSTS_MAX_AGE": "300"}, "max-age=300"},
		{map[string]string{"SUREL_BASE_URL": "https://surel.example.go.id", "SUREL_HSTS_MAX_AGE": "0"}, ""},
		{nil, ""}, // http://127.0.0.1:port
	} {
		h := start(t, store.SQLite, c.env)
		for _, path := range []string{"/", "/masuk", "/tidak-ada", "/favicon.ico"} {
			if got := h.get(path).header.Get("Strict-Transport-Security"); got != c.want {
				t.Errorf("%v %s: Strict-Transport-Security %q, want %q", c.env, path, got, c.want)
			}
		}
	}
}
