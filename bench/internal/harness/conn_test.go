package harness

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestConns checks the lean client against net/http's server: fixed-length, chunked and
// empty bodies, statuses, cookies sent, keep-alive kept, and a new connection after the
// server closes one.
func TestConns(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fixed":
			w.Header().Set("Content-Length", "5")
			w.Write([]byte("hello"))
		case "/chunked":
			for i := 0; i < 3; i++ {
				w.Write([]byte(strings.Repeat("x", 1000)))
				w.(http.Flusher).Flush()
			}
		case "/cookie":
			if c, err := r.Cookie("k"); err != nil || c.Value != "v" {
				http.Error(w, "no cookie", http.StatusForbidden)
				return
			}
			w.Write([]byte("ok"))
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		case "/redirect":
			http.Redirect(w, r, "/fixed", http.StatusSeeOther)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	cs := NewConns(host, 1)
	defer cs.Close()
	ctx := context.Background()
	for _, c := range []struct {
		path, cookie string
		status, size int
		conns        int32 // connections opened so far, after the request
	}{
		{"/fixed", "", 200, 5, 1},
		{"/chunked", "", 200, 3000, 1},
		{"/cookie", "k=v", 200, 2, 1},
		{"/cookie", "", 403, len("no cookie\n"), 1},
		{"/redirect", "", 303, -1, 1},
		{"/close", "", 200, 3, 1},
		{"/fixed", "", 200, 5, 2}, // the server closed the connection: a new one
	} {
		status, size, err := cs.do(ctx, 0, request(host, c.path, c.cookie))
		if err != nil || status != c.status || (c.size >= 0 && size != c.size) {
			t.Errorf("GET %s: status %d, %d bytes, err %v; want %d, %d bytes", c.path, status, size, err, c.status, c.size)
		}
		if n := conns.Load(); n != c.conns {
			t.Errorf("after GET %s: %d connections opened, want %d", c.path, n, c.conns)
		}
	}
}

// TestConnsMalformed: an answer that is not HTTP is an error, and the connection is
// dropped rather than reused.
func TestConnsMalformed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if line == "\r\n" {
						c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n\r\n"))
					}
				}
			}()
		}
	}()
	cs := NewConns(ln.Addr().String(), 1)
	defer cs.Close()
	if _, err := cs.Get(context.Background(), 0, "/", ""); err == nil {
		t.Fatal("a non-HTTP answer was accepted")
	}
	if cs.conns[0] != nil {
		t.Error("the connection that gave a malformed answer is kept for reuse")
	}
}
