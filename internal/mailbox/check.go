package mailbox

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
)

// ErrLoginRefused is returned by TestLogin when the server answers the login with NO:
// wrong password, locked or absent mailbox.
var ErrLoginRefused = errors.New("mailbox: the IMAP server refused the login")

// ErrPasswordChangePending is returned by TestLogin and TestDelivery when the server
// checked the password, found it right, and refuses a session only because the owner
// must change it first: Zimbra, while zimbraPasswordMustChange is TRUE, answers LOGIN
// with "NO [ALERT] password must be changed before IMAP login permitted" after the
// password check (imap/ImapHandler.java:1738-1741, account/ldap/LdapProvisioning.java:
// 5460-5492). It is a pass with a note, not a failure: the credentials work and the
// first login asks for a new password; what needs a session (the inbox, a delivered
// test message) could not be looked at.
var ErrPasswordChangePending = errors.New("mailbox: the password is right; the server asks for a new one before the first session")

// ErrNotDelivered is returned by TestDelivery when the test message was refused or did
// not arrive in the inbox in time.
var ErrNotDelivered = errors.New("mailbox: the test message was not delivered")

// TestLogin logs in to the mailbox over IMAP and opens its inbox: the account test of seed
// 003 step 4. imapAddr is "imaps://host:993" (TLS), "imap://host:143" or "host:port"
// (plain, upgraded with STARTTLS when the server offers it; port 993 means TLS).
// It gives up after 30 seconds, or sooner when ctx ends.
func TestLogin(ctx context.Context, imapAddr, address, password string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := imapLogin(ctx, imapAddr, address, password)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return fmt.Errorf("imap %s: select INBOX: %w", address, err)
	}
	c.Logout().Wait()
	return nil
}

// Greet connects to the IMAP server and reads its greeting (over TLS on 993 or imaps://),
// without logging in: the first-run page's connection test when no test mailbox is
// given. It gives up after 15 seconds, or sooner when ctx ends.
func Greet(ctx context.Context, imapAddr string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	host, implicitTLS, err := imapTarget(imapAddr)
	if err != nil {
		return err
	}
	serverName, _, _ := net.SplitHostPort(host)
	conn, err := dial(ctx, "tcp", host)
	if err != nil {
		return fmt.Errorf("imap %s: %w", host, err)
	}
	if implicitTLS {
		tc := tls.Client(conn, &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("imap %s: %w", host, err)
		}
		conn = tc
	}
	c := imapclient.New(conn, nil)
	defer c.Close()
	if err := c.WaitGreeting(); err != nil {
		return fmt.Errorf("imap %s: greeting: %w", host, err)
	}
	c.Logout().Wait()
	return nil
}

// TestDelivery hands a test message for address to the server's LMTP service (lmtpAddr is
// "host:port" or the path of a unix socket), then logs in over IMAP and looks for it in
// the inbox, waiting up to 10 seconds or ctx's deadline. The message is deleted once
// found, so the owner's first look at the inbox is not a test. When the server asks for
// a new password first (ErrPasswordChangePending), the message was accepted but stays
// in the inbox unseen.
func TestDelivery(ctx context.Context, lmtpAddr, imapAddr, address, password string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	token := make([]byte, 12)
	rand.Read(token)
	subject := "surel account test " + hex.EncodeToString(token)
	if err := lmtpSend(ctx, lmtpAddr, address, subject); err != nil {
		return err
	}
	c, err := imapLogin(ctx, imapAddr, address, password)
	if err != nil {
		return err
	}
	defer c.Close()
	wait := time.NewTimer(10 * time.Second)
	defer wait.Stop()
	for {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			return fmt.Errorf("imap %s: select INBOX: %w", address, err)
		}
		found, err := c.UIDSearch(&imap.SearchCriteria{
			Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}},
		}, nil).Wait()
		if err != nil {
			return fmt.Errorf("imap %s: search: %w", address, err)
		}
		if uids := found.AllUIDs(); len(uids) > 0 {
			set := imap.UIDSetNum(uids...)
			if _, err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect(); err != nil {
				return fmt.Errorf("imap %s: delete the test message: %w", address, err)
			}
			if _, err := c.UIDExpunge(set).Collect(); err != nil {
				return fmt.Errorf("imap %s: delete the test message: %w", address, err)
			}
			c.Logout().Wait()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %s not in the inbox of %s: %v", ErrNotDelivered, subject, address, ctx.Err())
		case <-wait.C:
			return fmt.Errorf("%w: %s not in the inbox of %s after 10 s", ErrNotDelivered, subject, address)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func imapLogin(ctx context.Context, imapAddr, address, password string) (*imapclient.Client, error) {
	host, implicitTLS, err := imapTarget(imapAddr)
	if err != nil {
		return nil, err
	}
	serverName, _, _ := net.SplitHostPort(host)
	opts := &imapclient.Options{TLSConfig: &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}}
	conn, err := dial(ctx, "tcp", host)
	if err != nil {
		return nil, fmt.Errorf("imap %s: %w", host, err)
	}
	var c *imapclient.Client
	if implicitTLS {
		tc := tls.Client(conn, opts.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("imap %s: %w", host, err)
		}
		c = imapclient.New(tc, opts)
	} else {
		c = imapclient.New(conn, opts)
		if err := c.WaitGreeting(); err != nil {
			c.Close()
			return nil, fmt.Errorf("imap %s: greeting: %w", host, err)
		}
		if c.Caps().Has(imap.CapStartTLS) {
			// The client upgrades only on a fresh connection, so greet again.
			c.Close()
			if conn, err = dial(ctx, "tcp", host); err != nil {
				return nil, fmt.Errorf("imap %s: %w", host, err)
			}
			if c, err = imapclient.NewStartTLS(conn, opts); err != nil {
				return nil, fmt.Errorf("imap %s: starttls: %w", host, err)
			}
		}
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("imap %s: greeting: %w", host, err)
	}
	if err := c.Login(address, password).Wait(); err != nil {
		c.Close()
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo && changePending(ie) {
			return nil, fmt.Errorf("%w: %s: %s", ErrPasswordChangePending, address, ie.Text)
		}
		if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
			return nil, fmt.Errorf("%w: %s: %s", ErrLoginRefused, address, ie.Text)
		}
		return nil, fmt.Errorf("imap %s: login %s: %w", host, address, err)
	}
	return c, nil
}

// changePending recognises Zimbra's answer to a right password that must be changed
// (imap/ImapHandler.java:1740-1741). Only that text counts: RFC 5530's EXPIRED does
// not say the password was right.
func changePending(e *imap.Error) bool {
	return e.Code == imap.ResponseCodeAlert && strings.Contains(strings.ToLower(e.Text), "password must be changed")
}

// imapTarget reads an imap_addr setting.
func imapTarget(addr string) (hostport string, implicitTLS bool, err error) {
	switch {
	case strings.HasPrefix(addr, "imaps://"):
		hostport, implicitTLS = strings.TrimPrefix(addr, "imaps://"), true
	case strings.HasPrefix(addr, "imap://"):
		hostport = strings.TrimPrefix(addr, "imap://")
	default:
		hostport = addr
	}
	hostport = strings.TrimSuffix(hostport, "/")
	_, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return "", false, fmt.Errorf("imap address %q: want host:port, imap://host:port or imaps://host:port", addr)
	}
	return hostport, implicitTLS || port == "993", nil
}

// dial connects with ctx and closes the connection when ctx ends, so a server that stops
// answering cannot hold the caller longer than ctx allows (the IMAP client sets its own
// read deadlines, so a deadline on the connection would not last).
func dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	return &ctxConn{Conn: conn, stop: context.AfterFunc(ctx, func() { conn.Close() })}, nil
}

type ctxConn struct {
	net.Conn
	stop func() bool
}

func (c *ctxConn) Close() error {
	c.stop()
	return c.Conn.Close()
}

func lmtpSend(ctx context.Context, lmtpAddr, address, subject string) error {
	network := "tcp"
	if strings.HasPrefix(lmtpAddr, "/") || strings.HasPrefix(lmtpAddr, "unix:") {
		network, lmtpAddr = "unix", strings.TrimPrefix(lmtpAddr, "unix:")
	}
	conn, err := dial(ctx, network, lmtpAddr)
	if err != nil {
		return fmt.Errorf("lmtp %s: %w", lmtpAddr, err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("surel.invalid"); err != nil {
		return fmt.Errorf("lmtp %s: %w", lmtpAddr, err)
	}
	_, domain, _ := strings.Cut(address, "@")
	from := "postmaster@" + domain
	if err := c.Mail(from, nil); err != nil {
		return fmt.Errorf("lmtp %s: MAIL FROM: %w", lmtpAddr, err)
	}
	if err := c.Rcpt(address, nil); err != nil {
		return fmt.Errorf("%w: lmtp %s: RCPT TO %s: %v", ErrNotDelivered, lmtpAddr, address, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("lmtp %s: DATA: %w", lmtpAddr, err)
	}
	msg := "From: <" + from + ">\r\n" +
		"To: <" + address + ">\r\n" +
		"Subject: " + subject + "\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"Message-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@surel.invalid>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Pesan uji akun email dari surel. Test message from surel; it is deleted once found.\r\n"
	if _, err := w.Write([]byte(msg)); err != nil {
		return fmt.Errorf("lmtp %s: DATA: %w", lmtpAddr, err)
	}
	if _, err := w.CloseWithLMTPResponse(); err != nil {
		return fmt.Errorf("%w: lmtp %s: %v", ErrNotDelivered, lmtpAddr, err)
	}
	c.Quit()
	return nil
}
