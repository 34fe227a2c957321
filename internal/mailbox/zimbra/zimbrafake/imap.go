package zimbrafake

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// StartIMAP listens for IMAP on 127.0.0.1 and answers LOGIN as Zimbra's ImapHandler
// does for the fake's accounts (imap/ImapHandler.java:1714-1748 and the checks of
// LdapProvisioning.authAccount, 5460-5492): the status first (maintenance gets its own
// alert, any other status but active and lockout a plain failure), then the password,
// then the must-change mark, which answers
//
//	NO [ALERT] password must be changed before IMAP login permitted
//
// after the password was found right. A session then supports SELECT, NOOP and
// LOGOUT. It returns host:port; the listener closes with the test.
func (s *Server) StartIMAP(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.imapSession(c)
		}
	}()
	return l.Addr().String()
}

func (s *Server) imapSession(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	send := func(format string, args ...any) {
		fmt.Fprintf(w, format+"\r\n", args...)
		w.Flush()
	}
	send("* OK [CAPABILITY IMAP4rev1 ID LITERAL+ SASL-IR] fake Zimbra IMAP4rev1 server ready")
	authed := false
	for {
		tag, cmd, args, err := readCommand(r, w)
		if err != nil {
			return
		}
		switch strings.ToUpper(cmd) {
		case "CAPABILITY":
			send("* CAPABILITY IMAP4rev1 ID LITERAL+ SASL-IR")
			send("%s OK CAPABILITY completed", tag)
		case "NOOP":
			send("%s OK NOOP completed", tag)
		case "ID":
			send(`* ID ("NAME" "Zimbra")`)
			send("%s OK ID completed", tag)
		case "LOGIN":
			if len(args) != 2 {
				send("%s BAD invalid LOGIN", tag)
				continue
			}
			switch s.imapLogin(args[0], args[1]) {
			case loginOK:
				authed = true
				send("%s OK [CAPABILITY IMAP4rev1 ID LITERAL+] LOGIN completed", tag)
			case loginMustChange:
				send("%s NO [ALERT] password must be changed before IMAP login permitted", tag)
			case loginMaintenance:
				send("%s NO [ALERT] account undergoing maintenance; please try again later", tag)
			case loginNoIMAP:
				send("%s NO account does not have IMAP access enabled", tag)
			default:
				send("%s NO LOGIN failed", tag)
			}
		case "SELECT", "EXAMINE":
			if !authed {
				send("%s BAD must be in AUTHENTICATED state", tag)
				continue
			}
			send("* 0 EXISTS")
			send("* 0 RECENT")
			send("* OK [UIDVALIDITY 1] UIDs valid")
			send("* OK [UIDNEXT 1] next UID")
			send(`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`)
			send("%s OK [READ-WRITE] %s completed", tag, strings.ToUpper(cmd))
		case "LOGOUT":
			send("* BYE Zimbra IMAP4rev1 server terminating connection")
			send("%s OK LOGOUT completed", tag)
			return
		default:
			send("%s BAD unknown command", tag)
		}
	}
}

type loginResult int

const (
	loginFailed loginResult = iota
	loginOK
	loginMustChange
	loginMaintenance
	loginNoIMAP
)

func (s *Server) imapLogin(name, password string) loginResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.lookup(strings.ToLower(name))
	if a == nil {
		return loginFailed
	}
	switch a.Attrs["zimbraAccountStatus"] {
	case "maintenance":
		return loginMaintenance
	case "active", "lockout":
	default:
		return loginFailed
	}
	if a.Attrs["zimbraAccountStatus"] == "lockout" || a.Password != password {
		return loginFailed
	}
	if strings.EqualFold(a.Attrs["zimbraPasswordMustChange"], "TRUE") {
		return loginMustChange
	}
	if strings.EqualFold(s.st.effective(a, "zimbraImapEnabled"), "FALSE") {
		return loginNoIMAP
	}
	return loginOK
}

// readCommand reads one command line: a tag, a command and its arguments as atoms,
// quoted strings or literals ({n} with a continuation, {n+} without).
func readCommand(r *bufio.Reader, w *bufio.Writer) (tag, cmd string, args []string, err error) {
	var fields []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", "", nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		rest := line
		for rest != "" {
			rest = strings.TrimLeft(rest, " ")
			switch {
			case rest == "":
			case rest[0] == '"':
				var b strings.Builder
				i := 1
				for ; i < len(rest) && rest[i] != '"'; i++ {
					if rest[i] == '\\' && i+1 < len(rest) {
						i++
					}
					b.WriteByte(rest[i])
				}
				fields = append(fields, b.String())
				rest = rest[min(i+1, len(rest)):]
			case rest[0] == '{' && strings.HasSuffix(rest, "}"):
				spec := strings.TrimSuffix(rest[1:], "}")
				plus := strings.HasSuffix(spec, "+")
				n, err := strconv.Atoi(strings.TrimSuffix(spec, "+"))
				if err != nil || n > 1<<16 {
					return "", "", nil, fmt.Errorf("bad literal %q", rest)
				}
				if !plus {
					w.WriteString("+ send literal\r\n")
					w.Flush()
				}
				buf := make([]byte, n)
				if _, err := io.ReadFull(r, buf); err != nil {
					return "", "", nil, err
				}
				fields = append(fields, string(buf))
				rest = ""
				// The command continues on the rest of the line after the literal.
				line, err = r.ReadString('\n')
				if err != nil {
					return "", "", nil, err
				}
				rest = strings.TrimRight(line, "\r\n")
				if rest == "" {
					goto done
				}
			default:
				end := strings.IndexByte(rest, ' ')
				if end < 0 {
					end = len(rest)
				}
				fields = append(fields, rest[:end])
				rest = rest[end:]
			}
		}
		break
	}
done:
	if len(fields) < 2 {
		return "", "", nil, fmt.Errorf("short command %q", fields)
	}
	return fields[0], fields[1], fields[2:], nil
}
