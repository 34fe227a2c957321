// Command roster measures the roster import against its requirement: 4.3 million rows
// (the national ASN count), NIP index built, in under a minute, and within 2× of the
// sqlite3 CLI's own `.import` of the same CSV into a bare table, measured in the same
// run.
//
// It generates a realistic CSV (valid NIPs in no order, Indonesian names with titles,
// instansi and units; about 62 bytes a row, 266 MB for 4.3 million) into -dir, or reuses
// it, then runs -rounds rounds of, alternately:
//
//	(a) sqlite3 FILE.db: CREATE TABLE with the six columns, `.import --csv --skip 1`;
//	(b) surel: store.Open on a fresh SQLite file, EnsureTenant, roster.Import of the CSV:
//	    the code path of `surel roster import`, primary-key index included; then the
//	    same file once more over it, which is the replace path;
//	(c) the same on PostgreSQL when SUREL_TEST_POSTGRES is set (a throwaway schema).
//
// Each import runs in a child process of this one, so its peak RSS is its own. The
// verdicts use the medians of the rounds.
//
//	go run ./bench/roster -rows 4300000
//	go run ./bench/roster -rows 4300000 -out bench/RESULTS-roster.md
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/rostersync"
	"github.com/surel-id/surel/internal/store"
)

type options struct {
	Rows       int
	Dir        string
	Rounds     int
	Out        string
	Sqlite3    string
	Postgres   string
	CPUProfile string
	Keep       bool
	RunBytes   int

	child string // internal: "surel" runs one import in this process
	db    string // internal: the database URL of a child
	csv   string // internal: the CSV of a child
}

func main() {
	var o options
	flag.IntVar(&o.Rows, "rows", 4300000, "rows in the generated roster")
	flag.StringVar(&o.Dir, "dir", filepath.Join(os.TempDir(), "surel-roster-bench"), "directory for the CSV (reused) and the databases")
	flag.IntVar(&o.Rounds, "rounds", 3, "rounds of (sqlite3 CLI, surel), run alternately")
	flag.StringVar(&o.Out, "out", "", "write the results as markdown to this file")
	flag.StringVar(&o.Sqlite3, "sqlite3", "sqlite3", "the sqlite3 CLI")
	flag.StringVar(&o.Postgres, "postgres", os.Getenv("SUREL_TEST_POSTGRES"), "PostgreSQL server URL (default $SUREL_TEST_POSTGRES); empty skips PostgreSQL")
	flag.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of every surel import to PREFIX.<engine><round>.pprof")
	flag.BoolVar(&o.Keep, "keep", false, "keep the databases")
	flag.IntVar(&o.RunBytes, "run-bytes", 0, "roster.Options.RunBytes (0: the default)")
	flag.StringVar(&o.child, "child", "", "internal")
	flag.StringVar(&o.db, "child-db", "", "internal")
	flag.StringVar(&o.csv, "child-csv", "", "internal")
	flag.Parse()

	if o.child != "" {
		if err := child(o); err != nil {
			fmt.Fprintln(os.Stderr, "roster bench child:", err)
			os.Exit(1)
		}
		return
	}
	rep, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "roster bench:", err)
		os.Exit(1)
	}
	rep.Command = harness.CommandLine("./bench/roster")
	fmt.Println()
	rep.text(os.Stdout)
	if o.Out != "" {
		var b bytes.Buffer
		rep.markdown(&b)
		if err := os.WriteFile(o.Out, b.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "roster bench:", err)
			os.Exit(1)
		}
	}
	if !rep.Pass() {
		os.Exit(2)
	}
}

// measure is one timed run of a child process.
type measure struct {
	Wall    time.Duration // the import as the child timed it (the CLI: its whole run)
	Replace time.Duration // surel: the second import, over the first
	User    time.Duration
	Sys     time.Duration
	MaxRSS  int64 // KiB
	Rows    int
	DBBytes int64
}

// result is what a surel child reports on stdout.
type result struct {
	Import  time.Duration
	Replace time.Duration
	Rows    int
	// Previous is the old rows the replace compared with (roster.Summary.Previous).
	Previous int
	DBBytes  int64
}

func run(o options) (*report, error) {
	rep := &report{Opt: o, Machine: describeMachine(o.Sqlite3), Started: time.Now(), LoadBefore: harness.LoadAvg()}
	fmt.Printf("roster bench: %d rows, %s, %d CPUs, %s, load %s\n", o.Rows, rep.Machine.CPU, rep.Machine.NumCPU, rep.Machine.Go, rep.LoadBefore)
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	csvPath, err := ensureCSV(o.Dir, o.Rows)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(csvPath)
	if err != nil {
		return nil, err
	}
	rep.CSV, rep.CSVBytes = csvPath, st.Size()
	fmt.Printf("csv %s: %.0f MB\n", csvPath, float64(st.Size())/1e6)

	for i := range o.Rounds {
		m, err := runCLI(o, csvPath)
		if err != nil {
			return nil, err
		}
		rep.CLI = append(rep.CLI, m)
		fmt.Printf("round %d sqlite3 .import: %6.2f s  (user %.2f s, sys %.2f s, rss %d MiB)\n", i+1, m.Wall.Seconds(), m.User.Seconds(), m.Sys.Seconds(), m.MaxRSS>>10)

		m, err = runSurel(o, csvPath, "sqlite", i)
		if err != nil {
			return nil, err
		}
		rep.Surel = append(rep.Surel, m)
		fmt.Printf("round %d surel sqlite:    %6.2f s  (user %.2f s, sys %.2f s, rss %d MiB; replace %.2f s)  ratio %.2f\n", i+1, m.Wall.Seconds(), m.User.Seconds(), m.Sys.Seconds(), m.MaxRSS>>10, m.Replace.Seconds(), m.Wall.Seconds()/rep.CLI[i].Wall.Seconds())
	}
	if o.Postgres != "" {
		m, err := runSurel(o, csvPath, "postgres", 0)
		if err != nil {
			return nil, err
		}
		rep.Postgres = &m
		fmt.Printf("surel postgres: %6.2f s  (rss %d MiB; replace %.2f s)\n", m.Wall.Seconds(), m.MaxRSS>>10, m.Replace.Seconds())
	}
	rep.LoadAfter = harness.LoadAvg()
	return rep, nil
}

// ensureCSV generates the roster CSV unless a complete one of that size is there.
func ensureCSV(dir string, rows int) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("roster-%d.csv", rows))
	done := path + ".done"
	if _, err := os.Stat(done); err == nil {
		return path, nil
	}
	fmt.Printf("generating %s …\n", path)
	t := time.Now()
	if err := generate(path, rows, 1); err != nil {
		return "", err
	}
	fmt.Printf("generated in %.1f s\n", time.Since(t).Seconds())
	return path, os.WriteFile(done, nil, 0o644)
}

// runCLI times the sqlite3 CLI importing the CSV into a bare table of a fresh file.
func runCLI(o options, csvPath string) (measure, error) {
	db := filepath.Join(o.Dir, "cli.db")
	removeDB(db)
	defer func() {
		if !o.Keep {
			removeDB(db)
		}
	}()
	script := "CREATE TABLE roster (nip TEXT, name TEXT, instansi TEXT, unit TEXT, status TEXT, active TEXT);\n" +
		".import --csv --skip 1 " + csvPath + " roster\n"
	cmd := exec.Command(o.Sqlite3, db)
	cmd.Stdin = strings.NewReader(script)
	cmd.Stderr = os.Stderr
	t := time.Now()
	if err := cmd.Run(); err != nil {
		return measure{}, fmt.Errorf("sqlite3: %w", err)
	}
	m := usage(cmd.ProcessState)
	m.Wall = time.Since(t)
	out, err := exec.Command(o.Sqlite3, db, "SELECT count(*) FROM roster").Output()
	if err != nil {
		return m, fmt.Errorf("sqlite3 count: %w", err)
	}
	m.Rows, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	if m.Rows != o.Rows {
		return m, fmt.Errorf("sqlite3 imported %d rows, want %d", m.Rows, o.Rows)
	}
	if st, err := os.Stat(db); err == nil {
		m.DBBytes = st.Size()
	}
	return m, nil
}

// runSurel runs one surel import in a child process.
func runSurel(o options, csvPath, engine string, round int) (measure, error) {
	var dbURL string
	switch engine {
	case "sqlite":
		path := filepath.Join(o.Dir, "surel.db")
		removeDB(path)
		defer func() {
			if !o.Keep {
				removeDB(path)
			}
		}()
		dbURL = "sqlite:" + path
	case "postgres":
		u, drop, err := harness.PGSchema(o.Postgres)
		if err != nil {
			return measure{}, err
		}
		defer drop()
		dbURL = u
	}
	exe, err := os.Executable()
	if err != nil {
		return measure{}, err
	}
	args := []string{"-child", "surel", "-child-db", dbURL, "-child-csv", csvPath, "-rows", strconv.Itoa(o.Rows),
		"-dir", o.Dir, "-run-bytes", strconv.Itoa(o.RunBytes)}
	if o.CPUProfile != "" {
		args = append(args, "-cpuprofile", fmt.Sprintf("%s.%s%d.pprof", o.CPUProfile, engine, round+1))
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return measure{}, fmt.Errorf("surel %s import: %w", engine, err)
	}
	var r result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return measure{}, fmt.Errorf("surel %s import: %w (%q)", engine, err, out.String())
	}
	m := usage(cmd.ProcessState)
	m.Wall, m.Replace, m.Rows, m.DBBytes = r.Import, r.Replace, r.Rows, r.DBBytes
	if m.Rows != o.Rows {
		return m, fmt.Errorf("surel %s imported %d rows, want %d", engine, m.Rows, o.Rows)
	}
	return m, nil
}

// child imports the CSV twice into the database: once into an empty roster, once over
// it (with the diff against the roster it replaces), through rostersync.Service.Import as
// `surel roster import` does.
func child(o options) error {
	ctx := context.Background()
	st, err := store.Open(ctx, o.db)
	if err != nil {
		return err
	}
	defer st.Close()
	tid, err := st.EnsureTenant(ctx, "bench", "Bench", time.Now())
	if err != nil {
		return err
	}
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	opt := roster.Options{TempDir: o.Dir, RunBytes: o.RunBytes}
	svc := &rostersync.Service{Store: st, Options: opt}
	var r result
	imp := func() (time.Duration, error) {
		f, err := os.Open(o.csv)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		t := time.Now()
		// As `surel roster import` does: the import compares the new roster with the one
		// it replaces in the same pass (the replace below is the diff of 4.3 million rows
		// against the previous import) and records its run.
		run, err := svc.Import(ctx, tid, audit.Operator, "bench", f)
		r.Rows = run.Summary.Entries
		r.Previous = run.Summary.Previous
		return time.Since(t), err
	}
	if r.Import, err = imp(); err != nil {
		return err
	}
	if r.Replace, err = imp(); err != nil {
		return err
	}
	if r.Previous != o.Rows {
		return fmt.Errorf("the replace compared %d old rows, want %d", r.Previous, o.Rows)
	}
	if n, err := st.RosterCount(ctx, tid); err != nil || n != o.Rows {
		return fmt.Errorf("roster count %d, %v; want %d", n, err, o.Rows)
	}
	if p, ok := strings.CutPrefix(o.db, "sqlite:"); ok {
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(p + suffix); err == nil {
				r.DBBytes += fi.Size()
			}
		}
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

func usage(ps *os.ProcessState) measure {
	m := measure{User: ps.UserTime(), Sys: ps.SystemTime()}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		m.MaxRSS = ru.Maxrss
	}
	return m
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}

// machine describes where the run happened.
type machine struct {
	CPU     string
	NumCPU  int
	Go      string
	Sqlite3 string
	SQLite  string // modernc.org/sqlite version
	OS      string
}

func describeMachine(sqlite3 string) machine {
	m := machine{NumCPU: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if out, err := exec.Command(sqlite3, "--version").Output(); err == nil {
		m.Sqlite3 = strings.Join(strings.Fields(string(out))[:min(2, len(strings.Fields(string(out))))], " ")
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "modernc.org/sqlite" {
				m.SQLite = d.Version
			}
		}
	}
	return m
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
