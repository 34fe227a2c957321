// Package passwd hashes passwords with argon2id in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash), the format Dovecot's {ARGON2ID} scheme reads
// too, so portal and mailbox passwords share one implementation.
package passwd

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// Default follows OWASP's argon2id recommendation (19 MiB, two passes, one lane): costly
// enough for offline guessing, cheap enough that a two-core server logs in dozens of
// people a second.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// ErrMalformed is returned for a stored hash that is not an argon2id PHC string.
var ErrMalformed = errors.New("passwd: malformed hash")

// Hasher hashes and verifies, never running more hashes at once than there are CPUs, so
// a burst of logins queues instead of taking Memory × burst of RAM.
//
// In front of those slots stands admission (Admit): a request that will hash on behalf
// of a person (a login, a registration, a password change) takes a ticket first, and
// there are only as many tickets as slots plus a short queue. A login storm beyond the
// hash capacity therefore gets ErrBusy at once, to be answered 503 with Retry-After,
// instead of queueing every login towards the HTTP timeout while the queue's memory and
// wait grow; an admitted request waits at most about queue/slots hash times. Work that
// does not come from a waiting person (a provisioning job's mailbox hash) skips
// admission and waits for a slot.
type Hasher struct {
	p      Params
	sem    chan struct{}
	admit  chan struct{}
	slots  int
	queued int
}

// ErrBusy is Admit's answer when every hash slot is taken and the queue is full.
var ErrBusy = errors.New("passwd: every hash slot is busy and the queue is full")

// New returns a Hasher with the given parameters, one hash slot per CPU (GOMAXPROCS)
// but one, and a queue as long again. The CPU left over keeps every other page
// answering during a login storm: with a slot on every CPU the hashes take them all, and
// on the two cores of a modest server the pages beside a storm waited 140 ms at p99
// (bench/RESULTS-storm.md). A single CPU gets its one slot.
func New(p Params) *Hasher {
	n := max(runtime.GOMAXPROCS(0)-1, 1)
	return NewSized(p, n, n)
}

// NewSized returns a Hasher with slots concurrent hashes (at least 1) and queue admitted
// requests waiting beyond them (at least 0).
func NewSized(p Params, slots, queue int) *Hasher {
	slots, queue = max(slots, 1), max(queue, 0)
	return &Hasher{p: p, sem: make(chan struct{}, slots), admit: make(chan struct{}, slots+queue), slots: slots, queued: queue}
}

// Admit takes an admission ticket for one request that will hash, or answers ErrBusy at
// once when slots+queue requests already hold one. release (idempotent) gives it back;
// call it when the request's hashing is over.
func (h *Hasher) Admit() (release func(), err error) {
	select {
	case h.admit <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	var once sync.Once
	return func() { once.Do(func() { <-h.admit }) }, nil
}

// Capacity returns the hash slots and the admission queue's length.
func (h *Hasher) Capacity() (slots, queue int) { return h.slots, h.queued }

// Params returns the parameters new hashes use.
func (h *Hasher) Params() Params { return h.p }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the PHC string for password with a fresh random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("passwd: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, h.p.Time, h.p.Memory, h.p.Threads, h.p.KeyLen)
	h.release()
	return Encode(h.p, salt, key), nil
}

// Verify reports whether password matches the PHC string, comparing in constant time.
// rehash is true when the hash was made with other parameters than the current ones.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	p, salt, key, err := Decode(encoded)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	h.release()
	ok = subtle.ConstantTimeCompare(got, key) == 1
	rehash = p.Memory != h.p.Memory || p.Time != h.p.Time || p.Threads != h.p.Threads
	return ok, rehash, nil
}

var b64 = base64.RawStdEncoding

// Encode formats a PHC argon2id string.
func Encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Decode parses a PHC argon2id string.
func Decode(s string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformed
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Memory == 0 || p.Time == 0 || p.Threads == 0 {
		return p, nil, nil, ErrMalformed
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, ErrMalformed
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, ErrMalformed
	}
	p.KeyLen, p.SaltLen = uint32(len(key)), uint32(len(salt))
	return p, salt, key, nil
}
