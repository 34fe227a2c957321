package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// BuildSurel builds the real binary (go build ./cmd/surel of this module) into dir and
// returns its path, so that a load program can run surel as a deployment does: one OS
// process each, with a runtime and a collector of its own.
func BuildSurel(ctx context.Context, dir string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("build surel: the module's directory is unknown")
	}
	bin := filepath.Join(dir, "surel")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/surel")
	cmd.Dir = filepath.Join(filepath.Dir(file), "..", "..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/surel: %v\n%s", err, out)
	}
	return bin, nil
}

// Surel is one surel process started by a load program.
type Surel struct {
	Addr    string // its HTTP listener, host:port
	LogPath string // its stdout and stderr ("" when they go to this process's stderr)
	cmd     *exec.Cmd
	done    chan struct{}
	err     error
}

// StartSurel starts `bin serve` on a free loopback port (SUREL_ADDR) with this process's
// environment minus its SUREL_ variables, plus env; its output goes to logPath, or to
// this process's stderr when logPath is "". It returns once the process answers
// /healthz, and stops it if it does not within a minute.
func StartSurel(ctx context.Context, bin string, env map[string]string, logPath string) (*Surel, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Surel{Addr: l.Addr().String(), LogPath: logPath, done: make(chan struct{})}
	l.Close()
	var vars []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SUREL_") {
			vars = append(vars, kv)
		}
	}
	vars = append(vars, "SUREL_ADDR="+s.Addr)
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	var out io.Writer = os.Stderr
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		defer f.Close() // the child holds its own descriptor
		out = f
	}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env, s.cmd.Stdout, s.cmd.Stderr = vars, out, out
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	if err := s.waitHealthy(ctx, time.Minute); err != nil {
		s.Stop(5 * time.Second)
		return nil, err
	}
	return s, nil
}

// Pid is the process's id.
func (s *Surel) Pid() int { return s.cmd.Process.Pid }

// waitHealthy waits for the process's GET /healthz to answer 200.
func (s *Surel) waitHealthy(ctx context.Context, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		select {
		case <-s.done:
			return fmt.Errorf("surel on %s exited: %v\n%s", s.Addr, s.err, s.Tail(30))
		default:
		}
		if r, err := http.Get("http://" + s.Addr + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("surel on %s not healthy within %s\n%s", s.Addr, d, s.Tail(30))
}

// Stop sends SIGTERM to the process (by its pid), waits up to grace for it to end, as
// a deployment allows before SIGKILL, then kills it. It returns how the process ended
// (nil after a clean stop).
func (s *Surel) Stop(grace time.Duration) error {
	select {
	case <-s.done:
		return s.err
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.err
	case <-time.After(grace):
		s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("surel on %s still running %s after SIGTERM: killed", s.Addr, grace)
	}
}

// Tail is the last n lines of the process's log ("" when it logs to stderr).
func (s *Surel) Tail(n int) string {
	if s.LogPath == "" {
		return ""
	}
	b, _ := os.ReadFile(s.LogPath)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
