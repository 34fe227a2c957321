package passwd

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
)

var fast = Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := New(fast)
	enc, err := h.Hash(ctx, "rahasia123")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", enc)
	}
	if strings.Contains(enc, "rahasia123") {
		t.Fatal("hash contains the password")
	}
	ok, rehash, err := h.Verify(ctx, enc, "rahasia123")
	if err != nil || !ok || rehash {
		t.Fatalf("Verify(right) = %v, %v, %v", ok, rehash, err)
	}
	ok, _, err = h.Verify(ctx, enc, "rahasia124")
	if err != nil || ok {
		t.Fatalf("Verify(wrong) = %v, %v", ok, err)
	}
	enc2, _ := h.Hash(ctx, "rahasia123")
	if enc2 == enc {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	_, rehash, _ = New(Params{Memory: 128, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}).Verify(ctx, enc, "rahasia123")
	if !rehash {
		t.Fatal("changed parameters should ask for a rehash")
	}
}

// A hash made by the reference argon2 CLI (Debian package argon2: echo -n password |
// argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e): Dovecot and surel must agree on the format.
func TestVerifyReferenceVector(t *testing.T) {
	const ref = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"
	ok, _, err := New(fast).Verify(context.Background(), ref, "password")
	if err != nil || !ok {
		t.Fatalf("reference vector: ok=%v err=%v", ok, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, s := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA"} {
		if _, _, _, err := Decode(s); err == nil {
			t.Errorf("Decode(%q) accepted", s)
		}
	}
}

// Admission: slots+queue requests are let in, the next is turned away at once with
// ErrBusy, and a released ticket (released twice by mistake, too) lets exactly one more in.
func TestAdmit(t *testing.T) {
	h := NewSized(fast, 2, 1)
	if s, q := h.Capacity(); s != 2 || q != 1 {
		t.Fatalf("Capacity() = %d, %d; want 2, 1", s, q)
	}
	var held []func()
	for i := range 3 {
		release, err := h.Admit()
		if err != nil {
			t.Fatalf("ticket %d: %v", i+1, err)
		}
		held = append(held, release)
	}
	if _, err := h.Admit(); !errors.Is(err, ErrBusy) {
		t.Fatalf("4th ticket with 2 slots and a queue of 1: %v, want ErrBusy", err)
	}
	// Admitted requests still hash: admission is in front of the slots, not instead.
	if _, err := h.Hash(context.Background(), "rahasia123"); err != nil {
		t.Fatal(err)
	}
	held[0]()
	held[0]()
	release, err := h.Admit()
	if err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if _, err := h.Admit(); !errors.Is(err, ErrBusy) {
		t.Fatalf("a double release gave two tickets back: %v", err)
	}
	release()
	if s, q := New(fast).Capacity(); s != max(runtime.GOMAXPROCS(0)-1, 1) || q != s {
		t.Fatalf("New: %d slots, queue %d; want GOMAXPROCS-1 (at least 1, GOMAXPROCS %d) each", s, q, runtime.GOMAXPROCS(0))
	}
}
