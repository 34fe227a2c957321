package staff

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"image/png"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/surel-id/surel/internal/errs"
)

// The TOTP parameters every authenticator app understands (RFC 6238 defaults).
const (
	period = 30
	digits = otp.DigitsSix
	// skew is how many steps either side of now a code is accepted, for clocks a little
	// off.
	skew = 1
)

// RecoveryCodes is how many single-use recovery codes an enrolment gives.
const RecoveryCodes = 10

// Enrollment is what the enrolment page shows: the secret as text (for typing into an
// app), the otpauth:// URL and that URL as a QR code (a PNG data: URI).
type Enrollment struct {
	Secret string
	URL    string
	QR     string
}

// BeginEnroll prepares the second factor of a member who has none yet: a new secret, or
// the one prepared earlier and not yet confirmed (so a reload shows the QR code already
// scanned). issuer names the service in the app ("Diskominfo …"); account is the login
// shown beside it. A member already enrolled gets errs.Conflict "mfa.enrolled".
func (s *Service) BeginEnroll(ctx context.Context, userID int64, issuer, account string) (Enrollment, error) {
	m, err := s.Store.MFA(ctx, userID)
	switch {
	case err == nil && !m.EnabledAt.IsZero():
		return Enrollment{}, errs.New(errs.Conflict, "mfa.enrolled")
	case err != nil && !errors.Is(err, ErrNotFound):
		return Enrollment{}, fmt.Errorf("begin enrol: %w", err)
	}
	var secret string
	if err == nil {
		if secret, err = s.open(userID, m.SecretEnc); err != nil {
			return Enrollment{}, fmt.Errorf("begin enrol: %w", err)
		}
	} else {
		k, err := totp.Generate(totp.GenerateOpts{Issuer: "surel", AccountName: "x", Period: period, Digits: digits})
		if err != nil {
			return Enrollment{}, fmt.Errorf("begin enrol: %w", err)
		}
		secret = k.Secret()
		sealed, err := s.seal(userID, secret)
		if err != nil {
			return Enrollment{}, fmt.Errorf("begin enrol: %w", err)
		}
		if err := s.Store.SaveMFA(ctx, MFA{UserID: userID, SecretEnc: sealed, CreatedAt: s.now()}); err != nil {
			return Enrollment{}, fmt.Errorf("begin enrol: %w", err)
		}
	}
	if issuer == "" {
		issuer = "surel"
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: period, Digits: digits,
		Secret: rawSecret(secret)})
	if err != nil {
		return Enrollment{}, fmt.Errorf("begin enrol: %w", err)
	}
	img, err := k.Image(240, 240)
	if err != nil {
		return Enrollment{}, fmt.Errorf("begin enrol: qr: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return Enrollment{}, fmt.Errorf("begin enrol: qr: %w", err)
	}
	return Enrollment{Secret: secret, URL: k.URL(), QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())}, nil
}

// ConfirmEnroll turns on the prepared second factor once code shows the member's app
// holds the secret, and returns the recovery codes, which are shown once and kept only
// hashed.
func (s *Service) ConfirmEnroll(ctx context.Context, userID int64, code string) ([]string, error) {
	var codes []string
	err := s.attempt(ctx, userID, func() (bool, error) {
		m, err := s.Store.MFA(ctx, userID)
		if errors.Is(err, ErrNotFound) {
			return false, errs.New(errs.Conflict, "mfa.not_started")
		}
		if err != nil {
			return false, err
		}
		if !m.EnabledAt.IsZero() {
			return false, errs.New(errs.Conflict, "mfa.enrolled")
		}
		secret, err := s.open(userID, m.SecretEnc)
		if err != nil {
			return false, err
		}
		step, ok := matchStep(secret, normCode(code), s.now(), 0)
		if !ok {
			return false, nil
		}
		codes = newRecoveryCodes()
		hashes := make([]string, len(codes))
		for i, c := range codes {
			hashes[i] = hashCode(c)
		}
		m.EnabledAt, m.LastStep = s.now(), step
		return true, s.Store.Tx(ctx, func(ctx context.Context) error {
			if err := s.Store.SaveMFA(ctx, m); err != nil {
				return err
			}
			return s.Store.SetRecoveryCodes(ctx, userID, hashes)
		})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// Verify checks a second-factor code of an enrolled member: a TOTP code of the current
// step or one either side, never one of a step already used, or an unused recovery
// code, which it spends. Wrong codes count towards the lockout (errs.TooMany
// "mfa.locked").
func (s *Service) Verify(ctx context.Context, userID int64, code string) error {
	return s.attempt(ctx, userID, func() (bool, error) {
		m, err := s.Store.MFA(ctx, userID)
		if errors.Is(err, ErrNotFound) || (err == nil && m.EnabledAt.IsZero()) {
			return false, errs.New(errs.Conflict, "mfa.not_enrolled")
		}
		if err != nil {
			return false, err
		}
		c := normCode(code)
		if len(c) == int(digits) && isDigits(c) {
			secret, err := s.open(userID, m.SecretEnc)
			if err != nil {
				return false, err
			}
			step, ok := matchStep(secret, c, s.now(), m.LastStep)
			if !ok {
				return false, nil
			}
			// Two requests with the same code: only one moves last_step.
			return s.Store.UseTOTPStep(ctx, userID, step)
		}
		if len(c) != recoveryLen {
			return false, nil
		}
		return s.Store.UseRecoveryCode(ctx, userID, hashCode(c), s.now())
	})
}

// matchStep finds the newest step within skew of now, after last, whose code is code.
func matchStep(secret, code string, now time.Time, last int64) (int64, bool) {
	if len(code) != int(digits) || !isDigits(code) {
		return 0, false
	}
	cur := now.Unix() / period
	for step := cur + skew; step >= cur-skew; step-- {
		if step <= last {
			break
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: digits, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// Recovery codes are ten characters of Crockford's base32 (no i, l, o, u), shown as
// "xxxxx-xxxxx": 50 bits each, against a handful of guesses before the lockout.
const (
	recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	recoveryLen      = 10
)

func newRecoveryCodes() []string {
	out := make([]string, RecoveryCodes)
	b := make([]byte, recoveryLen)
	for i := range out {
		rand.Read(b)
		var c strings.Builder
		for j, x := range b {
			if j == recoveryLen/2 {
				c.WriteByte('-')
			}
			c.WriteByte(recoveryAlphabet[x&31])
		}
		out[i] = c.String()
	}
	return out
}

// normCode is a typed code as compared: spaces and hyphens dropped, lower case, and the
// letters people confuse with digits read as Crockford's base32 does.
func normCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case ' ', '-', '\t':
		case 'i', 'l':
			b.WriteByte('1')
		case 'o':
			b.WriteByte('0')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(normCode(code)))
	return hex.EncodeToString(sum[:])
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// seal encrypts a TOTP secret with AES-GCM under Key, bound to the member's id so a
// sealed secret copied to another row does not open.
func (s *Service) seal(userID int64, secret string) (string, error) {
	g, err := s.gcm()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, g.NonceSize())
	rand.Read(nonce)
	ct := g.Seal(nonce, nonce, []byte(secret), aad(userID))
	return base64.StdEncoding.EncodeToString(ct), nil
}

func (s *Service) open(userID int64, sealed string) (string, error) {
	g, err := s.gcm()
	if err != nil {
		return "", err
	}
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(b) < g.NonceSize() {
		return "", errors.New("staff: sealed TOTP secret unreadable")
	}
	pt, err := g.Open(nil, b[:g.NonceSize()], b[g.NonceSize():], aad(userID))
	if err != nil {
		return "", errors.New("staff: TOTP secret does not open (was the secret key changed?)")
	}
	return string(pt), nil
}

func (s *Service) gcm() (cipher.AEAD, error) {
	if len(s.Key) != 32 {
		return nil, errors.New("staff: Key must be 32 bytes")
	}
	b, err := aes.NewCipher(s.Key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// rawSecret decodes a base32 secret that Generate made.
func rawSecret(secret string) []byte {
	b, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	return b
}

func aad(userID int64) []byte { return []byte("surel/staff-totp/" + strconv.FormatInt(userID, 10)) }
