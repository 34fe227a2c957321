package web_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/surel-id/surel/internal/store"
)

// A login storm beyond the hash capacity: with every hash slot and queue place taken,
// a login and a registration are turned away at once with 503, Retry-After and a plain
// message, keeping what was typed (but the password) and counting no failed attempt;
// pages that need no hash still load; once a ticket is free, logins work again.
func TestLoginStormTurnedAway(t *testing.T) {
	h := start(t, store.SQLite, nil)
	h.signup("siti@example.com")
	h.post("/keluar", url.Values{})

	hasher := h.a.Accounts.Hasher
	slots, queue := hasher.Capacity()
	var held []func()
	for range slots + queue {
		release, err := hasher.Admit()
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, release)
	}
	// More turned-away wrong passwords than the captcha threshold (3): none counts.
	for range 4 {
		r := h.post("/masuk", url.Values{"login": {"siti.rahma"}, "password": {"salah12345"}})
		if r.status != 503 {
			t.Fatalf("login with the hash queue full: %d", r.status)
		}
		if ra := r.header.Get("Retry-After"); ra != "1" {
			t.Fatalf("Retry-After %q, want 1", ra)
		}
		contains(t, r.body, "server sedang sibuk", "coba lagi dalam 1 detik", `value="siti.rahma"`)
	}
	r := h.post("/daftar", registration(h, "budi@example.com"))
	if r.status != 503 || r.header.Get("Retry-After") != "1" {
		t.Fatalf("registration with the hash queue full: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	contains(t, r.body, "server sedang sibuk", `value="budi@example.com"`)
	if r := h.get("/masuk"); r.status != 200 {
		t.Fatalf("a page that needs no hash: %d", r.status)
	}
	h.runJobs()
	if ms, err := h.a.Store.Messages(context.Background(), "budi@example.com", 1); err != nil || len(ms) != 0 {
		t.Fatalf("a turned-away registration mailed: %v, %v", ms, err)
	}

	for _, release := range held {
		release()
	}
	// Two real failures, then the right password: no captcha asked, so the four
	// turned-away attempts were not counted.
	for range 2 {
		if r := h.post("/masuk", url.Values{"login": {"siti.rahma"}, "password": {"salah12345"}}); r.status != 401 {
			t.Fatalf("wrong password after the storm: %d", r.status)
		}
	}
	if r := h.post("/masuk", url.Values{"login": {"siti.rahma"}, "password": {"rahasia123"}}); r.status != 303 {
		t.Fatalf("right password after the storm: %d %s", r.status, r.body)
	}
}
