package captcha

import (
	"container/heap"
	"time"
)

// spentSet remembers used challenge signatures until they expire. A map gives
// the lookup; a min-heap ordered by expiry makes pruning cost only the entries
// actually removed, and tells which entry to drop first when the set is full.
// It is not safe for concurrent use; Service guards it with its mutex.
type spentSet struct {
	limit  int
	byKey  map[string]time.Time
	expiry expiryHeap
}

type spentEntry struct {
	key     string
	expires time.Time
}

// expiryHeap implements heap.Interface with the soonest expiry on top.
type expiryHeap []spentEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(spentEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = spentEntry{}
	*h = old[:len(old)-1]
	return e
}

func newSpentSet(limit int) spentSet {
	return spentSet{limit: limit, byKey: make(map[string]time.Time)}
}

func (s *spentSet) len() int { return len(s.byKey) }

func (s *spentSet) contains(key string) bool {
	_, ok := s.byKey[key]
	return ok
}

// prune forgets every entry that has expired by now: such challenges are
// refused by the expiry check, so remembering them buys nothing.
func (s *spentSet) prune(now time.Time) {
	for len(s.expiry) > 0 && !now.Before(s.expiry[0].expires) {
		e := heap.Pop(&s.expiry).(spentEntry)
		delete(s.byKey, e.key)
	}
}

// add records key, first dropping the entries closest to expiry if the set is
// full (see Service.Verify for why this is preferred to refusing).
func (s *spentSet) add(key string, expires time.Time) {
	for len(s.byKey) >= s.limit && len(s.expiry) > 0 {
		e := heap.Pop(&s.expiry).(spentEntry)
		delete(s.byKey, e.key)
	}
	s.byKey[key] = expires
	heap.Push(&s.expiry, spentEntry{key: key, expires: expires})
}
