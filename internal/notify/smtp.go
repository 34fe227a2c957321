package notify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/surel-id/surel/internal/jobs"
)

// SMTP delivers mail to a submission server given as smtp://user:pass@host:port
// (STARTTLS when the server offers it) or smtps://… (TLS from the start).
type SMTP struct {
	opts []mail.Option
	host string
}

// NewSMTP parses the server URL.
func NewSMTP(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	port := 25
	if u.Scheme == "smtps" {
		port = 465
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("smtp url: port: %w", err)
		}
	}
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(30 * time.Second)}
	if u.Scheme == "smtps" {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(user), mail.WithPassword(pass))
	}
	return &SMTP{opts: opts, host: u.Hostname()}, nil
}

// Deliver sends one message. A permanent refusal (5xx) is not retried.
func (s *SMTP) Deliver(ctx context.Context, from string, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(from); err != nil {
		return jobs.Permanent(fmt.Errorf("from %q: %w", from, err))
	}
	if err := msg.To(m.To); err != nil {
		return jobs.Permanent(fmt.Errorf("to: %w", err))
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(fmt.Sprintf("surel-outbox-%d@%s", m.ID, s.host))
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	err = c.DialAndSendWithContext(ctx, msg)
	var se *mail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
		return jobs.Permanent(err)
	}
	return err
}
