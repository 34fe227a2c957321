package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(6, func() time.Time { return now }) // one per 10 s, burst 6
	for i := range 6 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("event %d refused within the burst", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != 10*time.Second {
		t.Fatalf("7th event: ok=%v wait=%v, want refused for 10s", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("not refilled after 10 s")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("refilled more than one event in 10 s")
	}
	now = now.Add(time.Hour)
	for i := range 6 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("burst not restored after an hour (event %d)", i+1)
		}
	}
}
