package web

import (
	"net/http"
	"strconv"
)

// GET /captcha/challenge is a new proof-of-work challenge for the widget, at most so many
// per client address, since each costs a signature and the replay memory.
func (s *Server) captchaChallenge(w http.ResponseWriter, r *http.Request) error {
	if ok, wait := s.ChallengeLimit.Allow(s.clientIP(r)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		http.Error(w, "too many challenges", http.StatusTooManyRequests)
		return nil
	}
	s.challenge.ServeHTTP(w, r)
	return nil
}
