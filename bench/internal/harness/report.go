package harness

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
)

// NewLogger builds the app's logger. The server logs one line per request at info
// level; writing that to a terminal would measure the terminal, so mode "text" formats
// every line (the CPU cost production pays) and writes it to io.Discard; "discard" skips
// the formatting too and "stderr" shows the lines.
func NewLogger(mode string) (*slog.Logger, error) {
	switch mode {
	case "discard":
		return slog.New(slog.DiscardHandler), nil
	case "text":
		return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})), nil
	case "stderr":
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})), nil
	}
	return nil, fmt.Errorf("-log: want discard, text or stderr, got %q", mode)
}

// CPUProfile starts a CPU profile written to path, when path is set; the returned func
// stops it. On an error the func does nothing.
func CPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// CommandLine is how this run was started, "go run PKG" and its arguments, for the
// head of a report.
func CommandLine(pkg string) string {
	cmd := "go run " + pkg
	if len(os.Args) > 1 {
		cmd += " " + strings.Join(os.Args[1:], " ")
	}
	return cmd
}

// WriteFile creates the file at path and writes it with write.
func WriteFile(path string, write func(io.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	write(f)
	return f.Close()
}

// MarkdownTable writes a markdown table: the first column left-aligned, the others
// (numbers) right-aligned.
func MarkdownTable(w io.Writer, head []string, rows [][]string) {
	fmt.Fprintf(w, "| %s |\n| :--- |%s\n", strings.Join(head, " | "), strings.Repeat(" ---: |", len(head)-1))
	for _, row := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
}
