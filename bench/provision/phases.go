package main

import (
	"context"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// loginPhases logs in to each address one at a time, with nothing else running, and
// times the steps of mailbox.TestLogin separately: connect and greeting, LOGIN (Dovecot's
// passdb and userdb lookups and the hash verification), SELECT INBOX (on a first login
// the maildir and its index are made) and LOGOUT. It does it twice per address, so the
// second round shows a login to a mailbox that already exists on disk.
func loginPhases(ctx context.Context, imapAddr string, addrs []string, password func(string) string) error {
	names := []string{"connect+greeting", "LOGIN", "SELECT INBOX", "LOGOUT", "whole login"}
	for _, label := range []string{"first login (new maildir)", "second login (maildir exists)"} {
		times := make([][]time.Duration, len(names))
		for _, a := range addrs {
			d, err := onePhased(ctx, imapAddr, a, password(a))
			if err != nil {
				return err
			}
			for i := range d {
				times[i] = append(times[i], d[i])
			}
		}
		fmt.Printf("login phases, %s, %d mailboxes one at a time:\n", label, len(addrs))
		for i, name := range names {
			slices.Sort(times[i])
			var sum time.Duration
			for _, t := range times[i] {
				sum += t
			}
			fmt.Printf("  %-18s mean %8v  p50 %8v  max %8v\n", name, (sum / time.Duration(len(times[i]))).Round(10*time.Microsecond),
				times[i][len(times[i])/2].Round(10*time.Microsecond), times[i][len(times[i])-1].Round(10*time.Microsecond))
		}
	}
	return nil
}

func onePhased(ctx context.Context, imapAddr, address, password string) ([]time.Duration, error) {
	t0 := time.Now()
	conn, err := net.Dial("tcp", imapAddr)
	if err != nil {
		return nil, err
	}
	c := imapclient.New(conn, nil)
	defer c.Close()
	if err := c.WaitGreeting(); err != nil {
		return nil, err
	}
	if c.Caps().Has(imap.CapStartTLS) {
		return nil, fmt.Errorf("the server offers STARTTLS; the phases measure plain IMAP")
	}
	t1 := time.Now()
	if err := c.Login(address, password).Wait(); err != nil {
		return nil, fmt.Errorf("login %s: %w", address, err)
	}
	t2 := time.Now()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return nil, fmt.Errorf("select %s: %w", address, err)
	}
	t3 := time.Now()
	c.Logout().Wait()
	t4 := time.Now()
	return []time.Duration{t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3), t4.Sub(t0)}, nil
}
