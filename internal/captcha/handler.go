package captcha

import (
	"encoding/json"
	"net/http"
)

// ChallengeHandler serves a fresh challenge as JSON for the widget's
// challengeurl. It answers GET and HEAD only, since fetching a challenge
// changes nothing on the server.
//
// Responses carry Cache-Control: no-store because a cached challenge would be
// shared between visitors (only the first could spend it) and would outlive
// its expiry. The handler sets no CORS headers on purpose: only our own pages
// should be able to fetch challenges from script.
func (s *Service) ChallengeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		ch, err := s.NewChallenge()
		if err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		body, err := json.Marshal(ch)
		if err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		h.Set("Content-Type", "application/json")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	})
}
