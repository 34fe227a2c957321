package captcha

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var testKey = []byte("test-key-0123456789abcdef-0123456789")

// fakeClock is a settable clock so expiry can be tested without sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// small keeps brute forcing in tests fast; the protocol does not depend on it.
func newTestService(t *testing.T, clk *fakeClock) *Service {
	t.Helper()
	return New(testKey, Options{MaxNumber: 5000, Expiry: 10 * time.Minute, Now: clk.Now})
}

func mustChallenge(t *testing.T, s *Service) Challenge {
	t.Helper()
	ch, err := s.NewChallenge()
	if err != nil {
		t.Fatalf("NewChallenge: %v", err)
	}
	return ch
}

func mustSolve(t *testing.T, ch Challenge) string {
	t.Helper()
	p, err := Solve(ch)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	return p
}

// decodeFields opens a payload as a generic map so a test can tamper with
// one field and re-encode it the way the widget would.
func decodeFields(t *testing.T, p string) map[string]any {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		t.Fatalf("payload is not base64: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("payload is not JSON: %v", err)
	}
	return m
}

func encodeFields(t *testing.T, m map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

func numberOf(t *testing.T, m map[string]any) int64 {
	t.Helper()
	n, err := m["number"].(json.Number).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRoundTrip(t *testing.T) {
	clk := newFakeClock()
	s := newTestService(t, clk)
	for i := 0; i < 20; i++ {
		p := mustSolve(t, mustChallenge(t, s))
		if err := s.Verify(context.Background(), p); err != nil {
			t.Fatalf("Verify of an honest solution: %v", err)
		}
	}
}

func TestChallengeShape(t *testing.T) {
	clk := newFakeClock()
	s := newTestService(t, clk)
	ch := mustChallenge(t, s)

	if ch.Algorithm != "SHA-256" {
		t.Errorf("algorithm = %q", ch.Algorithm)
	}
	if ch.MaxNumber != 5000 {
		t.Errorf("maxnumber = %d, want 5000", ch.MaxNumber)
	}
	wantExpires := clk.Now().Add(10 * time.Minute).Unix()
	saltRE := regexp.MustCompile(`^[0-9a-f]{32}\?expires=(\d+)&$`)
	m := saltRE.FindStringSubmatch(ch.Salt)
	if m == nil {
		t.Fatalf("salt %q does not have the issued shape", ch.Salt)
	}
	if got, _ := strconv.ParseInt(m[1], 10, 64); got != wantExpires {
		t.Errorf("salt expires = %d, want %d", got, wantExpires)
	}
	// The widget refuses challenges shorter than 40 and salts shorter than 10.
	if len(ch.Challenge) != 64 || len(ch.Salt) < 10 {
		t.Errorf("challenge %q / salt %q too short for the widget", ch.Challenge, ch.Salt)
	}
	mac := hmac.New(sha256.New, testKey)
	mac.Write([]byte(ch.Challenge))
	if want := hex.EncodeToString(mac.Sum(nil)); ch.Signature != want {
		t.Errorf("signature = %s, want HMAC-SHA-256(key, challenge) = %s", ch.Signature, want)
	}

	// The secret must be within [0, maxnumber] and reproduce the challenge.
	fields := decodeFields(t, mustSolve(t, ch))
	n := numberOf(t, fields)
	if n < 0 || n > ch.MaxNumber {
		t.Errorf("secret %d outside [0, %d]", n, ch.MaxNumber)
	}
	sum := sha256.Sum256([]byte(ch.Salt + strconv.FormatInt(n, 10)))
	if hex.EncodeToString(sum[:]) != ch.Challenge {
		t.Errorf("challenge is not sha256(salt + number)")
	}

	// Salts and secrets must not repeat.
	other := mustChallenge(t, s)
	if other.Salt == ch.Salt || other.Challenge == ch.Challenge {
		t.Errorf("two challenges share salt or hash: %+v %+v", ch, other)
	}
}

func TestChallengeJSONFields(t *testing.T) {
	s := newTestService(t, newFakeClock())
	raw, err := json.Marshal(mustChallenge(t, s))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"algorithm", "challenge", "maxnumber", "salt", "signature"}
	if len(m) != len(want) {
		t.Errorf("JSON has %d fields, want exactly %v: %s", len(m), want, raw)
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, raw)
		}
	}
	if _, ok := m["maxnumber"].(float64); !ok {
		t.Errorf("maxnumber is not a JSON number: %s", raw)
	}
}

func TestDefaults(t *testing.T) {
	clk := newFakeClock()
	s := New(testKey, Options{Now: clk.Now})
	ch := mustChallenge(t, s)
	if ch.MaxNumber != DefaultMaxNumber {
		t.Errorf("maxnumber = %d, want default %d", ch.MaxNumber, DefaultMaxNumber)
	}
	want := "?expires=" + strconv.FormatInt(clk.Now().Add(DefaultExpiry).Unix(), 10) + "&"
	if !strings.HasSuffix(ch.Salt, want) {
		t.Errorf("salt %q does not end with default expiry %q", ch.Salt, want)
	}
	if err := s.Verify(context.Background(), mustSolve(t, ch)); err != nil {
		t.Errorf("Verify at default settings: %v", err)
	}
}

func TestNewRejectsShortKey(t *testing.T) {
	for _, key := range [][]byte{nil, {}, []byte("short")} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%q) did not panic", key)
				}
			}()
			New(key, Options{})
		}()
	}
}

func TestNewCopiesKey(t *testing.T) {
	key := append([]byte(nil), testKey...)
	s := New(key, Options{MaxNumber: 1000})
	ch := mustChallenge(t, s)
	for i := range key {
		key[i] = 0
	}
	if err := s.Verify(context.Background(), mustSolve(t, ch)); err != nil {
		t.Errorf("changing the caller's key slice broke verification: %v", err)
	}
}

func TestTamperedRejected(t *testing.T) {
	clk := newFakeClock()
	s := newTestService(t, clk)

	cases := map[string]func(m map[string]any){
		"number+1": func(m map[string]any) {
			m["number"] = numberOf(t, m) + 1
		},
		"negative number": func(m map[string]any) {
			m["number"] = -numberOf(t, m) - 1
		},
		"number as string": func(m map[string]any) {
			m["number"] = strconv.FormatInt(numberOf(t, m), 10)
		},
		"fractional number": func(m map[string]any) {
			m["number"] = json.Number(strconv.FormatInt(numberOf(t, m), 10) + ".5")
		},
		"number missing": func(m map[string]any) {
			delete(m, "number")
		},
		"salt random part": func(m map[string]any) {
			salt := m["salt"].(string)
			m["salt"] = flipHex(salt[:32]) + salt[32:]
		},
		"salt expiry pushed": func(m map[string]any) {
			m["salt"] = strings.Replace(m["salt"].(string), "?expires=", "?expires=9", 1)
		},
		"salt without terminator": func(m map[string]any) {
			m["salt"] = strings.TrimSuffix(m["salt"].(string), "&")
		},
		"salt extra parameter": func(m map[string]any) {
			m["salt"] = m["salt"].(string) + "x=1&"
		},
		"signature flipped": func(m map[string]any) {
			m["signature"] = flipHex(m["signature"].(string))
		},
		"signature upper case": func(m map[string]any) {
			m["signature"] = strings.ToUpper(m["signature"].(string))
		},
		"signature empty": func(m map[string]any) {
			m["signature"] = ""
		},
		"challenge flipped": func(m map[string]any) {
			m["challenge"] = flipHex(m["challenge"].(string))
		},
		"algorithm SHA-512": func(m map[string]any) {
			m["algorithm"] = "SHA-512"
		},
		"algorithm lower case": func(m map[string]any) {
			m["algorithm"] = "sha-256"
		},
		"algorithm missing": func(m map[string]any) {
			delete(m, "algorithm")
		},
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			p := mustSolve(t, mustChallenge(t, s))
			m := decodeFields(t, p)
			tamper(m)
			if err := s.Verify(context.Background(), encodeFields(t, m)); !errors.Is(err, ErrInvalid) {
				t.Fatalf("tampered payload: err = %v, want ErrInvalid", err)
			}
			// A rejected forgery must not burn the genuine solution.
			if err := s.Verify(context.Background(), p); err != nil {
				t.Fatalf("genuine payload after forgery: %v", err)
			}
		})
	}
}

// flipHex changes the first hex digit so the string stays valid hex.
func flipHex(s string) string {
	c := byte('0')
	if s[0] == '0' {
		c = '1'
	}
	return string(c) + s[1:]
}

// TestSpliceAttackRejected shows why the salt must end in "&": digits moved
// from the number into the expiry leave hash and signature unchanged.
func TestSpliceAttackRejected(t *testing.T) {
	clk := newFakeClock()
	s := newTestService(t, clk)

	// A challenge signed with our key but with an unterminated salt (which
	// NewChallenge never issues), already expired.
	expired := clk.Now().Add(-time.Hour).Unix()
	salt := strings.Repeat("ab", 16) + "?expires=" + strconv.FormatInt(expired, 10)
	number := int64(98765)
	challenge := hashHex(salt, number)
	orig := Challenge{Algorithm: Algorithm, Challenge: challenge, Salt: salt, Signature: s.sign(challenge)}

	// Move "98" into the salt: the expiry becomes about 100 times later.
	spliced := map[string]any{
		"algorithm": Algorithm,
		"challenge": challenge,
		"number":    765,
		"salt":      salt + "98",
		"signature": orig.Signature,
	}
	if hashHex(salt+"98", 765) != challenge {
		t.Fatal("test setup: splice should keep the hash")
	}
	if err := s.Verify(context.Background(), encodeFields(t, spliced)); !errors.Is(err, ErrInvalid) {
		t.Errorf("spliced payload: err = %v, want ErrInvalid", err)
	}
	// Same trick against a real, terminated salt: the digits land after "&".
	for tries := 0; ; tries++ {
		ch := mustChallenge(t, s)
		m := decodeFields(t, mustSolve(t, ch))
		n := strconv.FormatInt(numberOf(t, m), 10)
		if len(n) < 2 || n[1] == '0' { // need a remainder without a leading zero
			if tries > 100 {
				t.Fatal("no suitable challenge drawn")
			}
			continue
		}
		m["salt"] = ch.Salt + n[:1]
		m["number"] = json.Number(n[1:])
		if hashHex(ch.Salt+n[:1], numberOf(t, m)) != ch.Challenge {
			t.Fatal("test setup: splice should keep the hash")
		}
		if err := s.Verify(context.Background(), encodeFields(t, m)); !errors.Is(err, ErrInvalid) {
			t.Errorf("digits moved after the terminator: err = %v, want ErrInvalid", err)
		}
		break
	}
}

func TestWrongKeyRejected(t *testing.T) {
	clk := newFakeClock()
	issuer := newTestService(t, clk)
	other := New([]byte("another-key-0123456789abcdef"), Options{Now: clk.Now})
	p := mustSolve(t, mustChallenge(t, issuer))
	if err := other.Verify(context.Background(), p); !errors.Is(err, ErrInvalid) {
		t.Fatalf("payload signed with another key: err = %v, want ErrInvalid", err)
	}
}

func TestSelfMadeChallengeRejected(t *testing.T) {
	// A bot that invents its own salt and signature must not pass.
	s := newTestService(t, newFakeClock())
	salt := strings.Repeat("cd", 16) + "?expires=9999999999&"
	forged := Challenge{Algorithm: Algorithm, Challenge: hashHex(salt, 1), MaxNumber: 10, Salt: salt, Signature: strings.Repeat("0", 64)}
	if err := s.Verify(context.Background(), mustSolve(t, forged)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("self-made challenge: err = %v, want ErrInvalid", err)
	}
}

func TestExpiredRejected(t *testing.T) {
	clk := newFakeClock()
	s := newTestService(t, clk)

	early := mustSolve(t, mustChallenge(t, s))
	late := mustSolve(t, mustChallenge(t, s))

	clk.Advance(10*time.Minute - time.Second)
	if err := s.Verify(context.Background(), early); err != nil {
		t.Fatalf("one second before expiry: %v", err)
	}
	clk.Advance(time.Second)
	if err := s.Verify(context.Background(), late); !errors.Is(err, ErrExpired) {
		t.Fatalf("at expiry: err = %v, want ErrExpired", err)
	}
	clk.Advance(time.Hour)
	if err := s.Verify(context.Background(), late); !errors.Is(err, ErrExpired) {
		t.Fatalf("long after expiry: err = %v, want ErrExpired", err)
	}
}

func TestReplayRejected(t *testing.T) {
	clk := newFakeClock()
	s := newTestService(t, clk)
	p := mustSolve(t, mustChallenge(t, s))
	if err := s.Verify(context.Background(), p); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := s.Verify(context.Background(), p); !errors.Is(err, ErrReplayed) {
		t.Fatalf("second use: err = %v, want ErrReplayed", err)
	}
	// Surrounding whitespace (as a sloppy client might add) is the same payload.
	if err := s.Verify(context.Background(), " "+p+"\n"); !errors.Is(err, ErrReplayed) {
		t.Fatalf("padded second use: err = %v, want ErrReplayed", err)
	}
	// Once expired, the store may forget it, and the expiry check refuses it.
	clk.Advance(11 * time.Minute)
	if err := s.Verify(context.Background(), p); !errors.Is(err, ErrExpired) {
		t.Fatalf("replay after expiry: err = %v, want ErrExpired", err)
	}
}

func TestReplayConcurrent(t *testing.T) {
	s := newTestService(t, newFakeClock())
	p := mustSolve(t, mustChallenge(t, s))
	var ok, replayed atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch err := s.Verify(context.Background(), p); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, ErrReplayed):
				replayed.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || replayed.Load() != 31 {
		t.Fatalf("ok=%d replayed=%d, want exactly one success", ok.Load(), replayed.Load())
	}
}

func TestSpentStorePrunedAndBounded(t *testing.T) {
	clk := newFakeClock()
	s := New(testKey, Options{MaxNumber: 1000, Expiry: 10 * time.Minute, MaxSpent: 3, Now: clk.Now})

	var payloads []string
	for i := 0; i < 5; i++ {
		payloads = append(payloads, mustSolve(t, mustChallenge(t, s)))
		clk.Advance(time.Second) // later challenges expire later
	}
	for i, p := range payloads {
		if err := s.Verify(context.Background(), p); err != nil {
			t.Fatalf("payload %d: %v", i, err)
		}
	}
	if n := s.spent.len(); n != 3 {
		t.Fatalf("spent store holds %d entries, want the bound 3", n)
	}
	// The newest ones (latest expiry) are the ones kept.
	for _, p := range payloads[2:] {
		if err := s.Verify(context.Background(), p); !errors.Is(err, ErrReplayed) {
			t.Errorf("recent payload: err = %v, want ErrReplayed", err)
		}
	}

	// After everything expires, the next verification empties the store.
	clk.Advance(time.Hour)
	fresh := mustSolve(t, mustChallenge(t, s))
	if err := s.Verify(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	if n := s.spent.len(); n != 1 {
		t.Fatalf("after expiry the store holds %d entries, want 1", n)
	}
}

func TestGarbageRejected(t *testing.T) {
	s := newTestService(t, newFakeClock())
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := map[string]string{
		"not base64":     "!!!not base64!!!",
		"base64 of text": b64("hello"),
		"JSON array":     b64("[]"),
		"JSON null":      b64("null"),
		"empty object":   b64("{}"),
		"truncated JSON": b64(`{"algorithm":"SHA-256","challenge":"`),
		"wrong types":    b64(`{"algorithm":1,"challenge":[],"number":{},"salt":null,"signature":true}`),
		"huge number":    b64(`{"algorithm":"SHA-256","number":1e400}`),
		"too long":       b64(strings.Repeat("x", 4000)),
	}
	for name, p := range cases {
		if err := s.Verify(context.Background(), p); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestEmptyIsMissing(t *testing.T) {
	s := newTestService(t, newFakeClock())
	for _, p := range []string{"", " ", "\t\r\n"} {
		if err := s.Verify(context.Background(), p); !errors.Is(err, ErrMissing) {
			t.Errorf("Verify(%q) = %v, want ErrMissing", p, err)
		}
	}
}

func TestErrorsAreDistinct(t *testing.T) {
	all := []error{ErrMissing, ErrInvalid, ErrExpired, ErrReplayed}
	for i, a := range all {
		for j, b := range all {
			if i != j && errors.Is(a, b) {
				t.Errorf("%v matches %v", a, b)
			}
		}
	}
}

func TestChallengeHandler(t *testing.T) {
	clk := newFakeClock()
	s := newTestService(t, clk)
	srv := httptest.NewServer(s.ChallengeHandler())
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/captcha/challenge")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("handler must not allow cross-origin reads")
	}

	// Read it the way the widget does: as loose JSON with these fields.
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if got["algorithm"] != "SHA-256" {
		t.Errorf("algorithm = %v", got["algorithm"])
	}
	if c, _ := got["challenge"].(string); len(c) < 40 {
		t.Errorf("challenge %q shorter than the widget's minimum of 40", c)
	}
	if salt, _ := got["salt"].(string); len(salt) < 10 || !strings.Contains(salt, "?expires=") {
		t.Errorf("salt %q lacks the expires parameter the widget reads", salt)
	}
	if sig, _ := got["signature"].(string); sig == "" {
		t.Errorf("signature missing")
	}
	if mx, _ := got["maxnumber"].(float64); mx != 5000 {
		t.Errorf("maxnumber = %v, want 5000", got["maxnumber"])
	}

	// And the served challenge must be solvable and verifiable.
	ch := Challenge{
		Algorithm: got["algorithm"].(string),
		Challenge: got["challenge"].(string),
		MaxNumber: int64(got["maxnumber"].(float64)),
		Salt:      got["salt"].(string),
		Signature: got["signature"].(string),
	}
	if err := s.Verify(context.Background(), mustSolve(t, ch)); err != nil {
		t.Errorf("served challenge does not verify: %v", err)
	}
}

func TestChallengeHandlerMethods(t *testing.T) {
	s := newTestService(t, newFakeClock())
	h := s.ChallengeHandler()
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(m, "/captcha/challenge", nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d, want 405", m, rec.Code)
		}
		if rec.Header().Get("Allow") == "" {
			t.Errorf("%s: no Allow header", m)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/captcha/challenge", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, body %d bytes", rec.Code, rec.Body.Len())
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("HEAD: Cache-Control = %q", rec.Header().Get("Cache-Control"))
	}
}

func TestSolveErrors(t *testing.T) {
	s := newTestService(t, newFakeClock())
	ch := mustChallenge(t, s)

	bad := ch
	bad.Algorithm = "SHA-512"
	if _, err := Solve(bad); err == nil {
		t.Error("Solve accepted an unsupported algorithm")
	}
	bad = ch
	bad.Challenge = "zz"
	if _, err := Solve(bad); err == nil {
		t.Error("Solve accepted a non-hex challenge")
	}
	// A hash no number in range produces.
	bad = ch
	bad.Challenge = hashHex(ch.Salt, ch.MaxNumber+1)
	if _, err := Solve(bad); err == nil {
		t.Error("Solve found a solution outside [0, maxnumber]")
	}
}

func TestSolvePayloadShape(t *testing.T) {
	// The payload must look like the widget's, so Verify is exercised on
	// the same input shape browsers send.
	s := newTestService(t, newFakeClock())
	m := decodeFields(t, mustSolve(t, mustChallenge(t, s)))
	for _, k := range []string{"algorithm", "challenge", "number", "salt", "signature", "took"} {
		if _, ok := m[k]; !ok {
			t.Errorf("payload lacks %q", k)
		}
	}
}

// FuzzVerify feeds arbitrary form values to Verify: it must never panic and
// must classify every failure as one of the four sentinel errors.
func FuzzVerify(f *testing.F) {
	clk := newFakeClock()
	s := New(testKey, Options{MaxNumber: 500, Now: clk.Now})
	for i := 0; i < 3; i++ {
		ch, err := s.NewChallenge()
		if err != nil {
			f.Fatal(err)
		}
		p, err := Solve(ch)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p)
		raw, _ := base64.StdEncoding.DecodeString(p)
		f.Add(string(raw))
	}
	f.Add("")
	f.Add("e30=")
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"algorithm":"SHA-256","number":-1}`)))
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"algorithm":"SHA-256","challenge":"` + strings.Repeat("a", 64) + `","number":0,"salt":"` + strings.Repeat("a", 32) + `?expires=&","signature":"` + strings.Repeat("a", 64) + `"}`)))

	f.Fuzz(func(t *testing.T, p string) {
		err := s.Verify(context.Background(), p)
		if err == nil {
			return
		}
		n := 0
		for _, sentinel := range []error{ErrMissing, ErrInvalid, ErrExpired, ErrReplayed} {
			if errors.Is(err, sentinel) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("Verify(%q) = %v, which matches %d sentinels, want 1", p, err, n)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	s := New(testKey, Options{MaxNumber: 100, MaxSpent: 1 << 20})
	payloads := make([]string, b.N)
	for i := range payloads {
		ch, err := s.NewChallenge()
		if err != nil {
			b.Fatal(err)
		}
		if payloads[i], err = Solve(ch); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Verify(context.Background(), payloads[i]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSolveDefault(b *testing.B) {
	s := New(testKey, Options{})
	for i := 0; i < b.N; i++ {
		ch, err := s.NewChallenge()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Solve(ch); err != nil {
			b.Fatal(err)
		}
	}
}
