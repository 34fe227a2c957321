// Command surel serves the portal and back office, and holds the operator's commands.
//
//	surel                  serve (the default)
//	surel outbox [list]    list the newest outgoing mail
//	surel outbox show ID   print one message, links included (mail kept without SMTP)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "surel:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg, stderr)
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		a, err := app.New(ctx, cfg, log, app.Options{})
		if err != nil {
			return err
		}
		defer a.Close()
		return a.Serve(ctx)
	case "outbox":
		st, err := store.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer st.Close()
		return outbox(ctx, st, args, stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: surel [serve | outbox [list | show ID]]")
		return nil
	}
	return fmt.Errorf("unknown command %q (try: surel help)", cmd)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func outbox(ctx context.Context, st *store.Store, args []string, w io.Writer) error {
	if len(args) == 0 || args[0] == "list" {
		ms, err := st.Messages(ctx, "", 50)
		if err != nil {
			return err
		}
		for _, m := range ms {
			fmt.Fprintf(w, "%6d  %s  %-7s  %-30s  %s\n", m.ID, m.CreatedAt.Local().Format("2006-01-02 15:04"), m.Status, m.To, m.Subject)
		}
		return nil
	}
	if args[0] != "show" || len(args) != 2 {
		return errors.New("usage: surel outbox [list | show ID]")
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		return fmt.Errorf("outbox show: %q is not a message id", args[1])
	}
	m, err := st.Message(ctx, id)
	if err != nil {
		return fmt.Errorf("outbox show %d: %w", id, err)
	}
	fmt.Fprintf(w, "To: %s\nSubject: %s\nStatus: %s\n", m.To, m.Subject, m.Status)
	if m.Error != "" {
		fmt.Fprintf(w, "Last error: %s\n", m.Error)
	}
	fmt.Fprintf(w, "\n%s\n", m.Text)
	return nil
}
