package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/passwd"
)

func newApp(t *testing.T, env map[string]string) *app.App {
	t.Helper()
	return newAppLog(t, env, io.Discard)
}

// newAppLog is newApp logging to w.
func newAppLog(t *testing.T, env map[string]string, w io.Writer) *app.App {
	t.Helper()
	e := map[string]string{"SUREL_DATA_DIR": t.TempDir(), "SUREL_SECRET_KEY": strings.Repeat("k", 40), "SUREL_ADDR": "127.0.0.1:0"}
	for k, v := range env {
		e[k] = v
	}
	cfg, err := config.Load(func(k string) string { return e[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(w, nil)),
		app.Options{Hash: &passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Serve answers /metrics on SUREL_METRICS_ADDR; a taken address stops the start with
// the variable's name.
func TestServeMetricsListener(t *testing.T) {
	addr := freeAddr(t)
	a := newApp(t, map[string]string{"SUREL_METRICS_ADDR": addr})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	var body string
	for i := 0; i < 100; i++ {
		r, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			body = string(b)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(body, "surel_jobs") || !strings.Contains(body, "go_info") {
		t.Fatalf("metrics listener: %q", body[:min(len(body), 200)])
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b := newApp(t, map[string]string{"SUREL_METRICS_ADDR": l.Addr().String()})
	if err := b.Serve(context.Background()); err == nil || !strings.Contains(err.Error(), "SUREL_METRICS_ADDR") {
		t.Fatalf("taken metrics address: %v", err)
	}
}
