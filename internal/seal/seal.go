// Package seal keeps short secrets (a new mailbox's first password) encrypted at rest
// with AES-256-GCM until they are handed over, so a copy of the database alone does not
// give them away.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// Box seals and opens with one key. The zero Box is not usable: build it with New.
type Box struct{ aead cipher.AEAD }

// New is a Box for a 32-byte key (for example app.Subkey(secret, "credentials")).
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("seal: key must be 32 bytes, got %d", len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	return &Box{aead: g}, nil
}

// Seal encrypts plain, binding it to context (for example "request:42"), so a sealed
// value copied onto another row does not open there.
func (b *Box) Seal(plain, context string) string {
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce)
	out := b.aead.Seal(nonce, nonce, []byte(plain), []byte(context))
	return base64.RawStdEncoding.EncodeToString(out)
}

// ErrOpen is returned for a value that was not sealed with this key and context.
var ErrOpen = errors.New("seal: cannot open value")

// Open decrypts a value made by Seal with the same context.
func (b *Box) Open(sealed, context string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", ErrOpen
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}
