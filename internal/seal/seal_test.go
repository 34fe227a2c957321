package seal

import (
	"bytes"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s := b.Seal("Rahasia-123", "request:1")
	if strings.Contains(s, "Rahasia") {
		t.Fatal("sealed value shows the plain text")
	}
	if got, err := b.Open(s, "request:1"); err != nil || got != "Rahasia-123" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(s, "request:2"); err != ErrOpen {
		t.Fatalf("other context: %v, want ErrOpen", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(s, "request:1"); err != ErrOpen {
		t.Fatalf("other key: %v, want ErrOpen", err)
	}
	if s2 := b.Seal("Rahasia-123", "request:1"); s2 == s {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}
