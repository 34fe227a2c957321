package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Conns are keep-alive HTTP/1.1 connections of a lean load generator, one per client:
// each client writes a request prepared once as bytes and reads the answer's status line
// and headers, then skips its body. It does on one goroutine, with two system calls,
// what net/http's client does with three goroutines and their hand-offs, so on a machine
// where the load generator shares the server's cores it takes far less of them. It
// speaks only what the load programs need: GET, Content-Length or chunked bodies,
// keep-alive, and a new connection after an error or "Connection: close".
type Conns struct {
	addr  string
	conns []*conn
	reqs  []prepared // each client's last request, reused while it asks for the same page
}

type prepared struct {
	path, cookie string
	bytes        []byte
}

type conn struct {
	c  net.Conn
	br *bufio.Reader
}

// NewConns prepares clients connections to addr (host:port); each is dialled on first use.
func NewConns(addr string, clients int) *Conns {
	return &Conns{addr: addr, conns: make([]*conn, clients), reqs: make([]prepared, clients)}
}

// Get sends GET path, with the cookie when one is given, on client's connection and
// reads the answer to its end; it returns the status.
func (cs *Conns) Get(ctx context.Context, client int, path, cookie string) (int, error) {
	r := &cs.reqs[client]
	if r.bytes == nil || r.path != path || r.cookie != cookie {
		*r = prepared{path, cookie, request(cs.addr, path, cookie)}
	}
	status, _, err := cs.do(ctx, client, r.bytes)
	return status, err
}

// request is a GET request for path on host, with a cookie when one is given, as the
// bytes to send.
func request(host, path, cookie string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: surel-bench\r\nAccept: text/html\r\n", path, host)
	if cookie != "" {
		fmt.Fprintf(&b, "Cookie: %s\r\n", cookie)
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// do sends req on client's connection and reads the answer to its end; it returns the
// status and the body's length.
func (cs *Conns) do(ctx context.Context, client int, req []byte) (status, size int, err error) {
	c := cs.conns[client]
	if c == nil {
		d := net.Dialer{Timeout: 10 * time.Second}
		nc, err := d.DialContext(ctx, "tcp", cs.addr)
		if err != nil {
			return 0, 0, err
		}
		c = &conn{c: nc, br: bufio.NewReaderSize(nc, 64<<10)}
		cs.conns[client] = c
	}
	status, size, keep, err := c.roundTrip(req)
	if err != nil || !keep {
		c.c.Close()
		cs.conns[client] = nil
	}
	return status, size, err
}

// Close closes every open connection.
func (cs *Conns) Close() {
	for i, c := range cs.conns {
		if c != nil {
			c.c.Close()
			cs.conns[i] = nil
		}
	}
}

var errMalformed = errors.New("malformed HTTP answer")

func (c *conn) roundTrip(req []byte) (status, size int, keep bool, err error) {
	c.c.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := c.c.Write(req); err != nil {
		return 0, 0, false, err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, 0, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, 0, false, errMalformed
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, 0, false, errMalformed
	}
	length, chunked, keep := -1, false, true
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return status, 0, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return status, 0, false, errMalformed
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return status, 0, false, errMalformed
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case chunked:
		size, err = c.chunks()
		return status, size, keep && err == nil, err
	case length >= 0:
		n, err := c.br.Discard(length)
		return status, n, keep && err == nil, err
	default: // the body runs to the end of the connection
		n, err := io.Copy(io.Discard, c.br)
		return status, int(n), false, err
	}
}

// chunks skips a chunked body and its trailer; it returns the body's length.
func (c *conn) chunks() (int, error) {
	size := 0
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return size, err
		}
		hex, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseUint(string(bytes.TrimSpace(hex)), 16, 31)
		if err != nil {
			return size, errMalformed
		}
		if n == 0 {
			for { // trailer, up to the empty line
				line, err := c.br.ReadSlice('\n')
				if err != nil {
					return size, err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return size, nil
				}
			}
		}
		if _, err := c.br.Discard(int(n)); err != nil {
			return size, err
		}
		size += int(n)
		if _, err := c.br.Discard(2); err != nil { // CRLF after the chunk
			return size, err
		}
	}
}

// Getter is one GET of path, with a cookie header value when one is given, by client c
// of a load program; it returns the answer's status.
type Getter func(ctx context.Context, c int, path, cookie string) (status int, err error)

// NewGetter makes a load program's GETs to base (http://host:port) with its -driver:
// "conn", the lean client above with one connection per client; "go", net/http's
// client. done closes what the getter opened.
func NewGetter(driver string, client *http.Client, base string, clients int) (get Getter, done func()) {
	if driver == "conn" {
		cs := NewConns(strings.TrimPrefix(base, "http://"), clients)
		return cs.Get, cs.Close
	}
	return func(ctx context.Context, _ int, path, cookie string) (int, error) {
		return Get(ctx, client, base+path, cookie, nil)
	}, func() {}
}
