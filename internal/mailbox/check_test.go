package mailbox

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		p := GeneratePassword()
		if len(p) != 16 || seen[p] {
			t.Fatalf("%q: wrong length or repeated", p)
		}
		seen[p] = true
		if strings.ContainsAny(p, "0OoIl1iSs5") {
			t.Fatalf("%q has a look-alike character", p)
		}
		if !strings.ContainsAny(p, "abcdefghjkmnpqrtuvwxyz") || !strings.ContainsAny(p, "ABCDEFGHJKLMNPQRTUVWXYZ") || !strings.ContainsAny(p, "2346789") {
			t.Fatalf("%q lacks a class", p)
		}
	}
}

func TestIMAPTarget(t *testing.T) {
	for in, want := range map[string]struct {
		host string
		tls  bool
	}{
		"imaps://mail.go.id:993":  {"mail.go.id:993", true},
		"imaps://mail.go.id:1993": {"mail.go.id:1993", true},
		"imap://mail.go.id:143":   {"mail.go.id:143", false},
		"mail.go.id:993":          {"mail.go.id:993", true},
		"127.0.0.1:1143":          {"127.0.0.1:1143", false},
	} {
		h, tls, err := imapTarget(in)
		if err != nil || h != want.host || tls != want.tls {
			t.Errorf("%s: %s %v %v", in, h, tls, err)
		}
	}
	if _, _, err := imapTarget("mail.go.id"); err == nil {
		t.Error("no port accepted")
	}
}

func TestSplit(t *testing.T) {
	l, d, err := Split("budi.santoso@kaltimprov.go.id")
	if err != nil || l != "budi.santoso" || d != "kaltimprov.go.id" {
		t.Fatal(l, d, err)
	}
	for _, a := range []string{"", "x", "x@", "@x.id", "X@x.id", "a@localhost", "a b@x.id", "a@b@x.id", "é@x.id", "a\"b@x.id", strings.Repeat("a", 65) + "@x.id"} {
		if _, _, err := Split(a); !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("%q accepted", a)
		}
	}
}

// A server that accepts and never answers must not hold the check beyond ctx.
func TestLoginHonoursContext(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := TestLogin(ctx, l.Addr().String(), "a@x.id", "pw"); err == nil {
		t.Fatal("login to a silent server succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}
