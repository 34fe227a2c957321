package web

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

const (
	sessionCookie = "surel_sesi"
	langCookie    = "surel_bahasa"
	flashCookie   = "surel_pesan"
)

// errBusy answers a page whose session could not be read for a transient reason (the
// database locked or unreachable): the visitor stays signed in and retries.
var errBusy = &errs.Error{Code: errs.Unavailable, Key: "error.session_busy", RetryAfter: 5 * time.Second}

// withUser attaches the signed-in user, if the session cookie names a live session. Only
// a session that is gone (unknown, expired) clears the cookie; any other failure is
// errBusy, and the cookie stays.
func (s *Server) withUser(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return r, nil
	}
	u, sess, err := s.Accounts.AuthenticateSession(r.Context(), s.Tenants.ForHost(r.Host), c.Value)
	if errors.Is(err, errs.ErrNotFound) {
		s.clearCookie(w, sessionCookie)
		return r, nil
	}
	if err != nil {
		s.Log.WarnContext(r.Context(), "authenticate: session kept, page refused", "err", err, "request_id", RequestIDOf(r.Context()))
		return r, errBusy
	}
	if s.Accounts.TouchDue(sess) {
		s.touchLater(c.Value)
	}
	ctx := r.Context()
	ctx = withValue(ctx, keyUser, &u)
	ctx = withValue(ctx, keySession, c.Value)
	ctx = withValue(ctx, keyUnread, sess.Unread)
	// Only a session that passed the second factor can be staff; its roles came with the
	// session.
	if !sess.MFAAt.IsZero() && s.Staff != nil && len(sess.StaffRoles) > 0 {
		m := staff.Member{UserID: u.ID, TenantID: u.TenantID, Name: u.DisplayName(), Email: u.Email, Username: u.Username,
			MFASince: sess.StaffMFASince}
		for _, role := range sess.StaffRoles {
			m.Roles = append(m.Roles, sop.Role(role))
		}
		staff.OrderRoles(m.Roles)
		ctx = withValue(ctx, keyStaff, &m)
	}
	return r.WithContext(ctx), nil
}

// touchLater records a session's activity off the request's path: the write may wait
// for the database's lock (SQLite while a roster import holds it), and no page should.
// At most maxTouches run at once and one per session; others are skipped, since the
// next page a minute on tries again.
func (s *Server) touchLater(secret string) {
	if _, busy := s.touching.LoadOrStore(secret, true); busy {
		return
	}
	select {
	case s.touchSlots <- struct{}{}:
	default:
		s.touching.Delete(secret)
		return
	}
	s.touches.Add(1)
	go func() {
		defer func() { <-s.touchSlots; s.touching.Delete(secret); s.touches.Done() }()
		ctx, cancel := context.WithTimeout(context.Background(), touchTimeout)
		defer cancel()
		if err := s.Accounts.TouchSession(ctx, secret); err != nil {
			s.Log.Warn("touch session", "err", err)
		}
	}()
}

// Session touches: how many run at once, and how long one may wait for the database.
const (
	maxTouches   = 8
	touchTimeout = 30 * time.Second
)

// WaitTouches waits for the session touches under way, before the database closes.
func (s *Server) WaitTouches() { s.touches.Wait() }

func userOf(r *http.Request) *account.User {
	u, _ := r.Context().Value(keyUser).(*account.User)
	return u
}

// unreadOf is the signed-in user's unread notifications, counted with the session.
func unreadOf(r *http.Request) int {
	n, _ := r.Context().Value(keyUnread).(int)
	return n
}

func sessionOf(r *http.Request) string {
	s, _ := r.Context().Value(keySession).(string)
	return s
}

// startSession signs u in with a fresh session id.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u account.User) error {
	return s.beginSession(w, r, u, false)
}

// startSessionMFA signs in a staff member who has just passed the second factor too.
func (s *Server) startSessionMFA(w http.ResponseWriter, r *http.Request, u account.User) error {
	return s.beginSession(w, r, u, true)
}

func (s *Server) beginSession(w http.ResponseWriter, r *http.Request, u account.User, mfa bool) error {
	if old := sessionOf(r); old != "" {
		if err := s.Accounts.EndSession(r.Context(), old); err != nil {
			return err
		}
	}
	start := s.Accounts.StartSession
	if mfa {
		start = s.Accounts.StartSessionMFA
	}
	secret, err := start(r.Context(), u, s.clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: s.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.Accounts.Limits.SessionMax / time.Second)})
	// A language picked before signing in is the newest choice: it wins over the one the
	// account remembers, and becomes the account's.
	if c, err := r.Cookie(langCookie); err == nil && i18n.Supported(c.Value) {
		if c.Value != u.Lang {
			return s.Accounts.SetLang(r.Context(), u, c.Value)
		}
	} else if u.Lang != "" {
		s.setLangCookie(w, u.Lang)
	}
	return nil
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

// signedIn sends visitors without a session to the login page, returning here after.
func (s *Server) signedIn(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if userOf(r) == nil {
			if r.Method == http.MethodGet {
				return redirect(w, r, "/masuk?next="+url.QueryEscape(r.URL.RequestURI()))
			}
			return errs.New(errs.Unauthorized, "error.signed_out")
		}
		return next(w, r)
	}
}

// rateLimited refuses a client that posts to authentication endpoints too often.
func (s *Server) rateLimited(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if ok, wait := s.AuthLimit.Allow(s.clientIP(r)); !ok {
			s.Metrics.rateLimited.Inc()
			return &errs.Error{Code: errs.TooMany, Key: "error.rate_limited", RetryAfter: wait}
		}
		return next(w, r)
	}
}

// lang is the visitor's language: the cookie, else the account's, else Indonesian.
func (s *Server) lang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	if u := userOf(r); u != nil && i18n.Supported(u.Lang) {
		return u.Lang
	}
	// Not the browser's Accept-Language: the portal is Indonesian unless the user picks
	// English, whatever language their phone happens to be set to.
	return i18n.Default
}

func langOf(r *http.Request) string {
	if l, ok := r.Context().Value(keyLang).(string); ok {
		return l
	}
	return i18n.Default
}

func (s *Server) setLangCookie(w http.ResponseWriter, lang string) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

// setFlash leaves a one-time message (a catalogue key and an optional argument) for the
// next page.
func (s *Server) setFlash(w http.ResponseWriter, key, arg string) {
	v := base64.RawURLEncoding.EncodeToString([]byte(key + "\x00" + arg))
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: v, Path: "/", MaxAge: 300, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

// takeFlash reads and clears the flash message. Only catalogue keys under "flash." are
// shown, so a forged cookie cannot put arbitrary text on the page.
func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return ""
	}
	key, arg, _ := strings.Cut(string(b), "\x00")
	if !strings.HasPrefix(key, "flash.") || !i18n.Has(key) {
		return ""
	}
	if arg != "" {
		return i18n.T(langOf(r), key, arg)
	}
	return i18n.T(langOf(r), key)
}
