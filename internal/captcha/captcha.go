// Package captcha is a self-hosted proof-of-work captcha that speaks the
// protocol of the ALTCHA widget (https://altcha.org, MIT licence), version
// 2.x, which is vendored under internal/web/static/vendor/altcha.
//
// We use a proof-of-work captcha instead of an image or third-party captcha
// because the portal must stay accessible (no puzzle to see or hear), must
// not send citizens' browsers to a foreign service, and must keep working
// when the only reachable host is our own. The price is that the work only
// slows bots down; it does not prove a human is present, so it is one layer
// next to rate limiting, not a replacement for it.
//
// The protocol, as the widget implements it:
//
//   - The widget GETs a challenge from our URL (see [Service.ChallengeHandler]):
//     {"algorithm":"SHA-256","challenge":C,"maxnumber":M,"salt":S,"signature":G}
//     where C = hex(SHA-256(S + decimal(n))) for a secret n in [0, M] and
//     G = hex(HMAC-SHA-256(key, C)).
//   - The widget tries n = 0, 1, … until the hash matches, then puts
//     base64(JSON{algorithm, challenge, number, salt, signature, took}) into
//     a hidden form field, named "altcha" by default.
//   - The server ([Service.Verify]) recomputes C from salt and number and checks
//     G, so it needs no per-challenge state until a challenge is spent.
//
// The salt carries its own expiry ("<random hex>?expires=<unix>&"), which is
// ALTCHA's convention and also lets the widget refetch a challenge by itself
// when it goes stale.
package captcha

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Algorithm is the only hash algorithm we issue and accept. The widget also
// knows SHA-384 and SHA-512, but accepting more than we issue would only widen
// what Verify has to trust.
const Algorithm = "SHA-256"

// DefaultMaxNumber is the upper bound of the secret number when
// Options.MaxNumber is zero.
//
// Why 100 000: ALTCHA's published benchmark for a full search of 100 000
// SHA-256 hashes in the browser is about 0.83 s on an iPhone 12 mini and
// about 2.5 s on a Samsung Galaxy A14 (a common entry-level Android phone in
// Indonesia). The secret is uniform in [0, MaxNumber], so on average only half
// the range is searched: roughly 0.4 s on the iPhone, 1.25 s on the A14, and
// 0.6–0.8 s on a mid-range phone about twice as fast as the A14, with the
// worst case at twice those times. A larger number would lock out the
// cheapest phones long before it would bother a bot, which hashes natively
// thousands of times faster than any browser.
const DefaultMaxNumber int64 = 100_000

// DefaultExpiry is how long a challenge stays valid when Options.Expiry is
// zero. Fifteen minutes leaves room to fill in the account request form after
// the widget has solved its challenge (the widget also fetches and solves a
// fresh challenge by itself when a solved one expires), while keeping the
// window in which a solved challenge could be stockpiled short.
const DefaultExpiry = 15 * time.Minute

// DefaultMaxSpent bounds the replay store when Options.MaxSpent is zero.
// An entry costs roughly 200 bytes, so the store stays near 20 MB at most.
const DefaultMaxSpent = 100_000

// maxPayloadLen bounds what Verify will decode. A genuine payload is about
// 300 bytes; anything far larger is not from the widget and is refused before
// any decoding work is spent on it.
const maxPayloadLen = 2048

// saltRandomBytes is the number of random bytes (hex-encoded) at the start of
// every salt: 128 bits, so salts never repeat in practice.
const saltRandomBytes = 16

// Errors returned by Verify. They are sentinels, possibly wrapped with a
// reason for the logs, so that the web layer can match them with errors.Is
// and show a translated message without parsing error text.
var (
	// ErrMissing means the form carried no captcha payload at all, which
	// usually means the visitor submitted before the widget finished or has
	// JavaScript disabled; the message should say so rather than "invalid".
	ErrMissing = errors.New("captcha: missing payload")
	// ErrInvalid means the payload is malformed, was not issued by us, or
	// does not solve its challenge.
	ErrInvalid = errors.New("captcha: invalid payload")
	// ErrExpired means a genuine, solved challenge has passed its expiry, so
	// the visitor only needs to solve a new one.
	ErrExpired = errors.New("captcha: challenge expired")
	// ErrReplayed means a genuine, solved challenge was already used once.
	ErrReplayed = errors.New("captcha: challenge already used")
)

// Options tunes a Service. The zero value is ready to use: each zero field
// takes its default.
type Options struct {
	// MaxNumber is the inclusive upper bound of the secret number, i.e. the
	// most hashes a browser may need. Zero means DefaultMaxNumber.
	MaxNumber int64
	// Expiry is how long an issued challenge can be solved and submitted.
	// Zero means DefaultExpiry.
	Expiry time.Duration
	// MaxSpent bounds how many used challenges are remembered to refuse
	// replays. Zero means DefaultMaxSpent. See Service.Verify for what
	// happens when the bound is reached.
	MaxSpent int
	// Now is the clock, injectable so tests can move past an expiry without
	// sleeping. Nil means time.Now.
	Now func() time.Time
	// Spent, when set, remembers used challenges in the deployment's database
	// instead of this process's memory, so that a solved challenge is accepted
	// once by all the processes serving the portal, not once by each.
	Spent Spent
}

// Spent is a memory of used challenges shared by the processes of a deployment.
type Spent interface {
	// Spend records sig as used until expires, and tells whether it was unused:
	// of two processes spending one signature at once, exactly one gets true.
	// Records past their expiry may be pruned (the expiry check refuses them).
	Spend(ctx context.Context, sig string, expires time.Time) (bool, error)
}

// Challenge is what the widget fetches. Its JSON encoding is exactly the
// object the ALTCHA 2.x widget expects from its challengeurl, which is why
// the field names are lower-case and must not change.
type Challenge struct {
	// Algorithm is always Algorithm ("SHA-256").
	Algorithm string `json:"algorithm"`
	// Challenge is hex(SHA-256(Salt + decimal(secret number))).
	Challenge string `json:"challenge"`
	// MaxNumber tells the widget where to stop searching; without it the
	// widget would search up to its own default of 1 000 000.
	MaxNumber int64 `json:"maxnumber"`
	// Salt is "<32 hex chars>?expires=<unix seconds>&". The trailing "&"
	// is deliberate: see Service.Verify.
	Salt string `json:"salt"`
	// Signature is hex(HMAC-SHA-256(key, Challenge)); it is what makes a
	// challenge ours without the server having to store it.
	Signature string `json:"signature"`
}

// payload is the object the widget base64-encodes into the form field.
// Number is a pointer so that a missing number is told apart from zero,
// which is a legitimate secret.
type payload struct {
	Algorithm string `json:"algorithm"`
	Challenge string `json:"challenge"`
	Number    *int64 `json:"number"`
	Salt      string `json:"salt"`
	Signature string `json:"signature"`
	Took      int64  `json:"took"`
}

// Service issues and verifies challenges. It is safe for concurrent use; one
// Service should serve the whole process, because its memory of spent
// challenges is what refuses replays.
//
// That memory is per process unless Options.Spent is set: several processes
// behind a load balancer share the database's (internal/store), so a solved
// challenge is accepted once in the whole deployment.
type Service struct {
	key       []byte
	maxNumber int64
	expiry    time.Duration
	now       func() time.Time
	shared    Spent

	mu    sync.Mutex
	spent spentSet
}

// New returns a Service that signs challenges with key.
//
// The caller derives key from the application's secret (for example with
// HKDF and a "captcha" label) so that a leak of this key does not expose
// other uses of the secret, and so that rotating the secret invalidates
// outstanding challenges. New panics if key is shorter than 16 bytes, because
// a short or empty key would let anyone forge signed challenges and that is a
// wiring mistake, not a runtime condition.
func New(key []byte, opts Options) *Service {
	if len(key) < 16 {
		panic("captcha: HMAC key must be at least 16 bytes")
	}
	s := &Service{
		key:       append([]byte(nil), key...),
		maxNumber: opts.MaxNumber,
		expiry:    opts.Expiry,
		now:       opts.Now,
		shared:    opts.Spent,
	}
	if s.maxNumber <= 0 {
		s.maxNumber = DefaultMaxNumber
	}
	if s.expiry <= 0 {
		s.expiry = DefaultExpiry
	}
	if s.now == nil {
		s.now = time.Now
	}
	limit := opts.MaxSpent
	if limit <= 0 {
		limit = DefaultMaxSpent
	}
	s.spent = newSpentSet(limit)
	return s
}

// NewChallenge issues a fresh challenge. Both the salt and the secret number
// come from crypto/rand: a predictable salt would let a bot precompute
// answers, and a predictable number would let it skip the work.
func (s *Service) NewChallenge() (Challenge, error) {
	var rnd [saltRandomBytes]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return Challenge{}, fmt.Errorf("captcha: reading random salt: %w", err)
	}
	n, err := rand.Int(rand.Reader, new(big.Int).Add(big.NewInt(s.maxNumber), big.NewInt(1)))
	if err != nil {
		return Challenge{}, fmt.Errorf("captcha: drawing secret number: %w", err)
	}
	expires := s.now().Add(s.expiry).Unix()
	salt := hex.EncodeToString(rnd[:]) + "?expires=" + strconv.FormatInt(expires, 10) + "&"
	challenge := hashHex(salt, n.Int64())
	return Challenge{
		Algorithm: Algorithm,
		Challenge: challenge,
		MaxNumber: s.maxNumber,
		Salt:      salt,
		Signature: s.sign(challenge),
	}, nil
}

// Verify checks the value of the widget's form field and, if it is a valid,
// unexpired and unused solution, marks it used. It returns nil, or an error
// matching (with errors.Is) exactly one of ErrMissing, ErrInvalid, ErrExpired
// or ErrReplayed.
//
// Checks run integrity first, so that ErrExpired and ErrReplayed are only
// reported for challenges we really issued and that really were solved; a
// forged payload is always ErrInvalid.
//
// The salt must have exactly the shape NewChallenge gives it, ending in "&".
// This matters because the signature covers only hash(salt + number): without
// a fixed terminator, digits could be moved from the number into the end of
// the salt ("…expires=1700000000" + "123" → "…expires=1700000000123" + "")
// to push the expiry into the far future while the hash, and so the
// signature, stay the same.
//
// A solved challenge is remembered until it expires, after which the expiry
// check alone refuses it. If more than Options.MaxSpent unexpired challenges
// are spent, the ones closest to expiry are forgotten first; they could then
// be replayed once more before they expire. Solving that many challenges is
// cheap for a native bot anyway, so this trades a bounded amount of replay for
// bounded memory rather than refusing every visitor once the store is full.
//
// With Options.Spent the memory is the database's, without a bound; an error
// reaching it is returned as is (neither accepted nor one of the errors above).
func (s *Service) Verify(ctx context.Context, payload string) error {
	payload = strings.TrimSpace(payload)
	if payload == "" {
		return ErrMissing
	}
	p, err := decodePayload(payload)
	if err != nil {
		return err
	}
	expires, err := parseSalt(p.Salt)
	if err != nil {
		return err
	}
	want := hashHex(p.Salt, *p.Number)
	if subtle.ConstantTimeCompare([]byte(want), []byte(p.Challenge)) != 1 {
		return fmt.Errorf("%w: number does not solve the challenge", ErrInvalid)
	}
	sig, err := hex.DecodeString(p.Signature)
	if err != nil {
		return fmt.Errorf("%w: signature is not hex", ErrInvalid)
	}
	if !hmac.Equal(sig, s.mac(p.Challenge)) {
		return fmt.Errorf("%w: bad signature", ErrInvalid)
	}
	now := s.now()
	expiry := time.Unix(expires, 0)
	if !now.Before(expiry) {
		return ErrExpired
	}

	if s.shared != nil {
		fresh, err := s.shared.Spend(ctx, p.Signature, expiry)
		if err != nil {
			return fmt.Errorf("captcha: spend: %w", err)
		}
		if !fresh {
			return ErrReplayed
		}
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spent.prune(now)
	if s.spent.contains(p.Signature) {
		return ErrReplayed
	}
	s.spent.add(p.Signature, expiry)
	return nil
}

// decodePayload turns the form value into a payload whose fields have the
// shapes we issue, so that later checks only deal with well-formed data.
func decodePayload(s string) (payload, error) {
	var p payload
	if len(s) > maxPayloadLen {
		return p, fmt.Errorf("%w: payload too long", ErrInvalid)
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return p, fmt.Errorf("%w: not base64", ErrInvalid)
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("%w: not a JSON payload", ErrInvalid)
	}
	switch {
	case p.Algorithm != Algorithm:
		return p, fmt.Errorf("%w: unsupported algorithm", ErrInvalid)
	case p.Number == nil:
		return p, fmt.Errorf("%w: no number", ErrInvalid)
	case *p.Number < 0:
		return p, fmt.Errorf("%w: negative number", ErrInvalid)
	case !isLowerHex(p.Challenge, sha256.Size*2):
		return p, fmt.Errorf("%w: malformed challenge", ErrInvalid)
	case !isLowerHex(p.Signature, sha256.Size*2):
		return p, fmt.Errorf("%w: malformed signature", ErrInvalid)
	}
	return p, nil
}

// parseSalt checks that salt is exactly "<32 lower-case hex>?expires=<digits>&"
// and returns the expiry. Being this strict is what stops the digit-moving
// trick described on Verify.
func parseSalt(salt string) (int64, error) {
	const prefix = "?expires="
	bad := fmt.Errorf("%w: malformed salt", ErrInvalid)
	rndLen := saltRandomBytes * 2
	if len(salt) < rndLen+len(prefix)+2 || !isLowerHex(salt[:rndLen], rndLen) {
		return 0, bad
	}
	rest, ok := strings.CutPrefix(salt[rndLen:], prefix)
	if !ok {
		return 0, bad
	}
	digits, ok := strings.CutSuffix(rest, "&")
	if !ok || digits == "" || len(digits) > 12 {
		return 0, bad
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, bad
		}
	}
	expires, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, bad
	}
	return expires, nil
}

// hashHex is the widget's hash: SHA-256 over the salt immediately followed by
// the number in canonical decimal, as JavaScript's String(number) writes it.
func hashHex(salt string, number int64) string {
	buf := make([]byte, 0, len(salt)+20)
	buf = append(buf, salt...)
	buf = strconv.AppendInt(buf, number, 10)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// mac is HMAC-SHA-256 over the hex challenge string (not its bytes), because
// that is what ALTCHA servers sign and what other ALTCHA tooling expects.
func (s *Service) mac(challenge string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(challenge))
	return m.Sum(nil)
}

func (s *Service) sign(challenge string) string {
	return hex.EncodeToString(s.mac(challenge))
}

// isLowerHex reports whether s is exactly n lower-case hex digits. We issue
// only lower-case hex, so accepting upper case would just let one challenge
// be spelt two ways.
func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
