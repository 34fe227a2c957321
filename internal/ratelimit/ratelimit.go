// Package ratelimit limits how often one client (an address) may call an endpoint. It is
// in memory: the single binary serves one office, and a restart forgetting the counts
// only resets what a login lock (kept in the database) does not.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter allows Burst events at once and refills at Per per event, per key (a token
// bucket kept as the time the bucket is full again).
type Limiter struct {
	per   time.Duration
	burst int
	now   func() time.Time

	mu    sync.Mutex
	full  map[string]time.Time
	sweep time.Time
}

// New allows n events per minute per key, all of them in a burst if unused.
func New(n int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{per: time.Minute / time.Duration(n), burst: n, now: now, full: map[string]time.Time{}}
}

// Allow takes one event for key. When the bucket is empty it returns false and how long
// until the next event is allowed.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.sweep) > time.Minute {
		for k, t := range l.full {
			if t.Before(now) {
				delete(l.full, k)
			}
		}
		l.sweep = now
	}
	full := l.full[key]
	if full.Before(now) {
		full = now
	}
	next := full.Add(l.per)
	// The bucket holds burst events: it is empty when refilling would take longer than
	// burst × per.
	if wait := next.Sub(now) - time.Duration(l.burst)*l.per; wait > 0 {
		return false, wait
	}
	l.full[key] = next
	return true, 0
}
