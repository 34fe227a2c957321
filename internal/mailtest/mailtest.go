// Package mailtest is a real SMTP server on a loopback port for tests: surel delivers to
// it over TCP exactly as to a production relay, and the test reads what arrived.
package mailtest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one delivered message.
type Message struct {
	From    string
	To      []string
	Subject string
	Text    string // the text/plain part
	HTML    string // the text/html part, if any
	Raw     []byte
	Header  mail.Header
}

// Server captures mail.
type Server struct {
	srv  *smtp.Server
	addr string

	mu     sync.Mutex
	msgs   []Message
	notify chan struct{}
	// Reject makes RCPT fail with this code (e.g. 450 temporary, 550 permanent) while
	// set, to test retries.
	reject int
}

// Start listens on 127.0.0.1 and stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{notify: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "mailtest.local"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go s.srv.Serve(l)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// URL is the value for SUREL_SMTP_URL.
func (s *Server) URL() string { return "smtp://" + s.addr }

// Reject makes the next deliveries fail with code (0 accepts again).
func (s *Server) Reject(code int) {
	s.mu.Lock()
	s.reject = code
	s.mu.Unlock()
}

// Messages returns what has arrived so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns the n-th (1-based) message to addr, waiting up to timeout for it.
func (s *Server) Wait(t testing.TB, to string, n int, timeout time.Duration) Message {
	t.Helper()
	deadline := time.After(timeout)
	for {
		var got []Message
		for _, m := range s.Messages() {
			for _, r := range m.To {
				if strings.EqualFold(r, to) {
					got = append(got, m)
				}
			}
		}
		if len(got) >= n {
			return got[n-1]
		}
		select {
		case <-s.notify:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("mailtest: message %d to %s did not arrive within %v (have %d)", n, to, timeout, len(got))
		}
	}
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// Link returns the first URL in the message text containing substr.
func (m Message) Link(substr string) string {
	for _, u := range linkRE.FindAllString(m.Text, -1) {
		if strings.Contains(u, substr) {
			return u
		}
	}
	return ""
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) AuthPlain(username, password string) error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	code := x.s.reject
	x.s.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, Message: "mailtest: rejected on purpose"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		return err
	}
	m.From, m.To = x.from, x.to
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	select {
	case x.s.notify <- struct{}{}:
	default:
	}
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func parse(raw []byte) (Message, error) {
	pm, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(pm.Header.Get("Subject"))
	if err != nil {
		subj = pm.Header.Get("Subject")
	}
	m := Message{Subject: subj, Raw: raw, Header: pm.Header}
	if err := walk(pm.Header.Get("Content-Type"), pm.Header.Get("Content-Transfer-Encoding"), pm.Body, &m); err != nil {
		return m, err
	}
	return m, nil
}

func walk(ctype, cte string, body io.Reader, m *Message) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, m); err != nil {
				return err
			}
		}
	}
	b, err := io.ReadAll(decode(cte, body))
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text = strings.ReplaceAll(string(b), "\r\n", "\n")
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}
