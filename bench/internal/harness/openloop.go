package harness

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// OpenLoop issues operations at a mean rate per second for warmup+window, with
// exponentially distributed gaps (Poisson arrivals), each in a goroutine of its own, as a
// population of independent users would: a slow answer does not hold the next request
// back. An operation's latency counts from the moment it was due, not from when it was
// sent, so a sender that fell behind is not hidden (no coordinated omission). At most
// maxInFlight operations run at once; an arrival beyond that fails as "over capacity".
// Operations get client numbers 0..clients-1 in turn, for fn to pick a route or session.
// Only operations that complete inside the window are counted.
func OpenLoop(ctx context.Context, rate float64, clients, maxInFlight int, warmup, window time.Duration, routes []string, seed uint64, fn Op) Result {
	var mu sync.Mutex
	r := newResult(window, routes)
	m := startWindow(ctx, warmup, window)
	from, end := m.from, m.end
	rng := rand.New(rand.NewPCG(seed, 0))
	slots := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	due := from.Add(-warmup)
	for i := 0; ctx.Err() == nil; i++ {
		due = due.Add(time.Duration(rng.ExpFloat64() / rate * float64(time.Second)))
		if !due.Before(end) {
			break
		}
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		select {
		case slots <- struct{}{}:
		default:
			if due.After(from) {
				mu.Lock()
				r.Fail[0]++
				r.Why["over capacity: more than the in-flight limit"]++
				mu.Unlock()
			}
			continue
		}
		wg.Add(1)
		go func(c int, due time.Time, seed uint64) {
			defer wg.Done()
			defer func() { <-slots }()
			route, ok, why := fn(ctx, c, rand.New(rand.NewPCG(seed, uint64(c))))
			t1 := time.Now()
			if t1.Before(from) || t1.After(end) {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				r.OK[route]++
				r.Lat[route] = append(r.Lat[route], t1.Sub(due))
			} else {
				r.Fail[route]++
				r.Why[why]++
			}
		}(i%clients, due, rng.Uint64())
	}
	wg.Wait()
	m.finish(&r)
	for i := range r.Lat {
		slices.Sort(r.Lat[i])
	}
	return r
}
