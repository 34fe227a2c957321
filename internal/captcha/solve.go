package captcha

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// widgetDefaultMaxNumber is where the widget stops searching when a challenge
// carries no maxnumber; Solve mirrors it so it fails where the widget would.
const widgetDefaultMaxNumber = 1_000_000

// Solve does what the widget does in the browser: it searches 0..MaxNumber
// for the number whose hash matches ch.Challenge and returns the base64
// payload to post in the "altcha" form field.
//
// It exists for tests, benchmarks and load scripts, so that they pass the
// captcha honestly (doing the same work a browser does) instead of the server
// growing a bypass switch that could be left on in production. It checks
// nothing about the signature or expiry; Verify does that. At
// DefaultMaxNumber it takes about 7 ms on average on one core (twice that at
// worst), against about a second in a phone's browser.
func Solve(ch Challenge) (string, error) {
	if ch.Algorithm != Algorithm {
		return "", fmt.Errorf("captcha: cannot solve algorithm %q", ch.Algorithm)
	}
	target, err := hex.DecodeString(ch.Challenge)
	if err != nil || len(target) != sha256.Size {
		return "", errors.New("captcha: challenge is not a hex SHA-256 digest")
	}
	limit := ch.MaxNumber
	if limit <= 0 {
		limit = widgetDefaultMaxNumber
	}
	start := time.Now()
	buf := make([]byte, 0, len(ch.Salt)+20)
	buf = append(buf, ch.Salt...)
	for n := int64(0); n <= limit; n++ {
		buf = strconv.AppendInt(buf[:len(ch.Salt)], n, 10)
		sum := sha256.Sum256(buf)
		if string(sum[:]) != string(target) {
			continue
		}
		p := payload{
			Algorithm: ch.Algorithm,
			Challenge: ch.Challenge,
			Number:    &n,
			Salt:      ch.Salt,
			Signature: ch.Signature,
			Took:      time.Since(start).Milliseconds(),
		}
		raw, err := json.Marshal(p)
		if err != nil {
			return "", fmt.Errorf("captcha: encoding payload: %w", err)
		}
		return base64.StdEncoding.EncodeToString(raw), nil
	}
	return "", fmt.Errorf("captcha: no solution up to %d", limit)
}
