package web_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/store"
)

// A database briefly held by another writer (a roster import in another process) does
// not sign anyone out: a page whose session is due for its activity write is answered
// at once, without waiting for the lock; the write happens once the lock is gone. A
// database that cannot be read at all answers 503 with a retry, and the session cookie
// stays.
func TestSessionSurvivesBusyDatabase(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			url := dbtest.URL(t, d)
			h := start(t, d, map[string]string{"SUREL_DATABASE_URL": url})
			h.signup("rina@example.com")
			if r := h.get("/akun"); r.status != 200 {
				t.Fatalf("signed-in Akun Saya: %d", r.status)
			}
			// Two minutes on, the session's next page is due to record its activity.
			later := time.Now().Add(2 * time.Minute)
			h.a.Accounts.Now = func() time.Time { return later }

			release := holdWriteLock(t, d, url)
			got := make(chan int, 1)
			go func() {
				req, _ := http.NewRequest("GET", h.srv.URL+"/akun", nil)
				for _, c := range h.c.Jar.Cookies(req.URL) {
					req.AddCookie(c)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					got <- 0
					return
				}
				resp.Body.Close()
				for _, c := range resp.Cookies() {
					if c.Name == "surel_sesi" && c.MaxAge < 0 {
						got <- -1
						return
					}
				}
				got <- resp.StatusCode
			}()
			// The page must come while the lock is still held: well under the 10 s the
			// database waits for a lock.
			select {
			case status := <-got:
				if status != 200 {
					t.Fatalf("page while the database is locked: %d (-1: cookie cleared)", status)
				}
			case <-time.After(8 * time.Second):
				release()
				t.Fatal("the page waited for the database's write lock")
			}
			if strings.Contains(h.log.String(), "touch session") && strings.Contains(h.log.String(), "level=ERROR") {
				t.Errorf("an error logged for a busy touch:\n%s", h.log.String())
			}
			release()
			h.a.Web.WaitTouches()
			if seen := seenAt(t, h.a.Store.DB(), d); !seen.After(time.Now().Add(time.Minute)) {
				t.Errorf("the session's activity was not recorded after the lock: seen_at %v", seen)
			}

			// The database gone: 503 with Retry-After, and the cookie kept.
			h.a.Store.DB().Close()
			req, _ := http.NewRequest("GET", h.srv.URL+"/akun", nil)
			resp, err := h.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Errorf("with the database closed: %d, Retry-After %q; want 503 with a retry", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			for _, c := range resp.Cookies() {
				if c.Name == "surel_sesi" {
					t.Errorf("the session cookie was touched: %+v", c)
				}
			}
		})
	}
}

// holdWriteLock takes the database's write lock from a connection of its own, as
// another process would, and returns its release.
func holdWriteLock(t *testing.T, d store.Dialect, url string) func() {
	t.Helper()
	ctx := context.Background()
	var db *sql.DB
	var err error
	if d == store.SQLite {
		db, err = sql.Open("sqlite", "file:"+strings.TrimPrefix(url, "sqlite:")+"?_pragma=busy_timeout(10000)")
	} else {
		db, err = sql.Open("pgx", url)
	}
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lock := []string{"BEGIN IMMEDIATE"}
	if d == store.Postgres {
		// Writers wait; plain reads go on, as with SQLite's WAL.
		lock = []string{"BEGIN", "LOCK TABLE sessions IN EXCLUSIVE MODE"}
	}
	for _, q := range lock {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	done := false
	release := func() {
		if !done {
			done = true
			conn.ExecContext(ctx, "ROLLBACK")
			conn.Close()
			db.Close()
		}
	}
	t.Cleanup(release)
	return release
}

func seenAt(t *testing.T, db *sql.DB, d store.Dialect) time.Time {
	t.Helper()
	var v any
	if err := db.QueryRow("SELECT MAX(seen_at) FROM sessions").Scan(&v); err != nil {
		t.Fatal(err)
	}
	switch x := v.(type) {
	case time.Time:
		return x
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
			if tm, err := time.Parse(layout, x); err == nil {
				return tm
			}
		}
	case int64:
		return time.Unix(x, 0)
	}
	t.Fatalf("seen_at %T %v", v, v)
	return time.Time{}
}
