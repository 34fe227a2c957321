// Package dbtest gives tests a fresh, migrated database on each engine: a temporary
// SQLite file always, and a throwaway PostgreSQL schema when SUREL_TEST_POSTGRES names a
// server (postgres://…). With CI=true a missing SUREL_TEST_POSTGRES fails the test
// instead of skipping the PostgreSQL run.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/surel-id/surel/internal/store"
)

// Engines lists the engines the tests run on here.
func Engines(t testing.TB) []store.Dialect {
	out := []store.Dialect{store.SQLite}
	if os.Getenv("SUREL_TEST_POSTGRES") != "" {
		out = append(out, store.Postgres)
	} else if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but SUREL_TEST_POSTGRES is not set: the PostgreSQL suite is mandatory in CI")
	}
	return out
}

// Each runs fn as a subtest on a fresh database of every engine.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, d := range Engines(t) {
		t.Run(string(d), func(t *testing.T) { fn(t, Open(t, d)) })
	}
}

// New is a fresh database on the default engine: SQLite, or PostgreSQL when
// SUREL_TEST_ENGINE=postgres.
func New(t testing.TB) *store.Store {
	if os.Getenv("SUREL_TEST_ENGINE") == "postgres" {
		return Open(t, store.Postgres)
	}
	return Open(t, store.SQLite)
}

// URL returns a database URL for a fresh database of engine d, dropped at the end of the
// test; for tests that start the whole server.
func URL(t testing.TB, d store.Dialect) string {
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "surel.db")
	}
	base := os.Getenv("SUREL_TEST_POSTGRES")
	if base == "" {
		t.Skip("SUREL_TEST_POSTGRES not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open is a fresh, migrated database of engine d, closed at the end of the test.
func Open(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), URL(t, d))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
