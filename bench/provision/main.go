// Command provision measures mailbox provisioning through the sql driver against real
// Dovecot, and Debian's postfixadmin CLI creating the same number of mailboxes on the same
// engine.
//
// surel's side: a fresh database (SQLite file, or a throwaway PostgreSQL schema when -pg
// or SUREL_TEST_POSTGRES names a server), migrated; Dovecot started from
// docs/mail-server.md (internal/mailbox/dovecottest); then -n mailboxes created with
// sqlmail.Create by -workers goroutines, and each one logged in to over IMAP with
// mailbox.TestLogin (the account test of seed 003 step 4). Creation and logins are timed
// as separate phases. -workers defaults to 8, more than the cores: a login mostly waits
// on Dovecot's processes, and postfixadmin's side on PHP process starts. -phases K first
// logs in to K extra mailboxes one at a time and times the steps of a login (connect and
// greeting, LOGIN, SELECT, LOGOUT), for a first and a second login.
//
// postfixadmin's side (-postfixadmin): `postfixadmin-cli mailbox add` run -pfa-n times by
// the same number of workers, against a fresh PostgreSQL database or SQLite file, with
// BLF-CRYPT cost 10 (postfixadmin 3.3 has no native argon2id); compare it with -scheme
// BLF-CRYPT on surel's side. It writes /etc/postfixadmin/config.local.php for the run and
// puts the previous one back.
//
//	go run ./bench/provision -engine sqlite -n 10000 -phases 50 -postfixadmin
//	go run ./bench/provision -engine postgres -n 10000 -scheme BLF-CRYPT -postfixadmin -pfa-n 1000
package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/dovecottest"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/store"
)

const domain = "bench.go.id"

func main() {
	n := flag.Int("n", 10000, "mailboxes surel creates and logs in to")
	engine := flag.String("engine", "sqlite", "sqlite or postgres")
	pg := flag.String("pg", os.Getenv("SUREL_TEST_POSTGRES"), "PostgreSQL server URL (postgres://…)")
	scheme := flag.String("scheme", "ARGON2ID", "password scheme on surel's side: ARGON2ID (passwd.Default) or BLF-CRYPT (cost 10)")
	workers := flag.Int("workers", 8, "concurrent creates, logins and postfixadmin-cli processes (the work waits on Dovecot and on process starts, so more than GOMAXPROCS)")
	sample := flag.Int("phases", 0, "before the run, time the steps of this many extra logins one at a time (first and second login)")
	pfa := flag.Bool("postfixadmin", false, "also time postfixadmin-cli mailbox add")
	pfaN := flag.Int("pfa-n", 0, "mailboxes postfixadmin creates (0: -n)")
	flag.Parse()
	if *pfaN == 0 {
		*pfaN = *n
	}
	if err := run(*n, *engine, *pg, sqlmail.Scheme(*scheme), *workers, *pfa, *pfaN, *sample); err != nil {
		fmt.Fprintln(os.Stderr, "provision:", err)
		os.Exit(1)
	}
}

func run(n int, engine, pg string, scheme sqlmail.Scheme, workers int, pfa bool, pfaN, sample int) error {
	if err := dovecottest.Installed(); err != nil {
		return err
	}
	dir, err := dovecottest.ScratchDir()
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db := dovecottest.DB{Dialect: store.Dialect(engine)}
	var dbURL string
	switch db.Dialect {
	case store.SQLite:
		db.SQLitePath = filepath.Join(dir, "surel.db")
		dbURL = "sqlite:" + db.SQLitePath
	case store.Postgres:
		if pg == "" {
			return errors.New("-engine postgres needs -pg or SUREL_TEST_POSTGRES")
		}
		schema, drop, err := harness.PGSchema(pg)
		if err != nil {
			return err
		}
		defer drop()
		u, err := url.Parse(schema)
		if err != nil {
			return err
		}
		db.Postgres, dbURL = u, schema
	default:
		return fmt.Errorf("unknown engine %q", engine)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := sqlmail.New(st.DB(), st.Dialect(), sqlmail.Options{Scheme: scheme, BcryptCost: 10, Hasher: passwd.New(passwd.Default)})
	if err != nil {
		return err
	}
	if err := s.AddDomain(ctx, domain); err != nil {
		return err
	}
	dv, err := dovecottest.Start(dir, db)
	if err != nil {
		return err
	}
	defer dv.Stop()

	fmt.Printf("machine: %d CPUs, GOMAXPROCS %d, load %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), harness.LoadAvg())
	fmt.Printf("surel: %s, %s, %d mailboxes, %d workers\n", engine, scheme, n, workers)
	password := func(i int) string { return fmt.Sprintf("Bench%06dPw", i) }
	addr := func(i int) string { return fmt.Sprintf("u%06d@%s", i, domain) }
	if sample > 0 {
		var addrs []string
		for i := range sample {
			a := fmt.Sprintf("s%06d@%s", i, domain)
			if err := s.Create(ctx, mailbox.New{Address: a, Name: "Sampel", Password: "Sample" + a, Owner: "bench:sample"}); err != nil {
				return err
			}
			addrs = append(addrs, a)
		}
		if err := loginPhases(ctx, dv.IMAP, addrs, func(a string) string { return "Sample" + a }); err != nil {
			return fmt.Errorf("phases: %w\n%s", err, tail(dv.Log(), 2000))
		}
	}

	create, err := parallel(n, workers, func(i int) error {
		return s.Create(ctx, mailbox.New{Address: addr(i), Name: fmt.Sprintf("Pengguna %d", i), Password: password(i), Owner: fmt.Sprintf("bench:%d", i)})
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	report("surel create", n, create)
	login, err := parallel(n, workers, func(i int) error {
		return mailbox.TestLogin(ctx, dv.IMAP, addr(i), password(i))
	})
	if err != nil {
		return fmt.Errorf("login: %w\n%s", err, tail(dv.Log(), 2000))
	}
	report("surel IMAP login", n, login)
	report("surel create+login", n, append(create, login...))
	if c, err := s.Capacity(ctx, domain); err != nil || c.Accounts != n+sample {
		return fmt.Errorf("capacity after the run: %+v %v", c, err)
	}
	if !pfa {
		return nil
	}
	return postfixadmin(engine, pg, dir, pfaN, workers)
}

// parallel runs fn(0…n-1) on workers goroutines and returns each call's duration; the
// wall time of the whole phase is their last element.
func parallel(n, workers int, fn func(i int) error) ([]time.Duration, error) {
	durs := make([]time.Duration, n)
	var next, done atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || firstErr.Load() != nil {
					return
				}
				t := time.Now()
				if err := fn(i); err != nil {
					err = fmt.Errorf("#%d: %w", i, err)
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				durs[i] = time.Since(t)
				if d := done.Add(1); d%1000 == 0 && int(d) < n {
					// Progress, so that a run stopped early still leaves a rate.
					el := time.Since(start)
					fmt.Fprintf(os.Stderr, "  … %d of %d in %.1f s = %.1f/s\n", d, n, el.Seconds(), float64(d)/el.Seconds())
				}
			}
		})
	}
	wg.Wait()
	if p := firstErr.Load(); p != nil {
		return nil, *p
	}
	return append(durs, time.Since(start)), nil
}

func report(name string, n int, durs []time.Duration) {
	if len(durs) == 0 {
		return
	}
	var wall time.Duration
	var each []time.Duration
	if len(durs) == n+1 {
		wall, each = durs[n], slices.Clone(durs[:n])
	} else { // two phases joined: sum their walls
		wall = durs[n] + durs[len(durs)-1]
		each = append(slices.Clone(durs[:n]), durs[n+1:len(durs)-1]...)
	}
	slices.Sort(each)
	q := func(p float64) time.Duration { return each[int(p*float64(len(each)-1))].Round(10 * time.Microsecond) }
	fmt.Printf("%-22s %6d in %8.1f s = %7.1f/s   p50 %v  p99 %v  max %v\n", name, n, wall.Seconds(), float64(n)/wall.Seconds(), q(0.5), q(0.99), each[len(each)-1].Round(10*time.Microsecond))
}

const pfaConfig = "/etc/postfixadmin/config.local.php"

// postfixadmin times `postfixadmin-cli mailbox add` n times on a fresh database of the
// engine: a database on the PostgreSQL server, or a SQLite file in dir.
func postfixadmin(engine, pg, dir string, n, workers int) error {
	if _, err := exec.LookPath("postfixadmin-cli"); err != nil {
		return errors.New("postfixadmin-cli not installed (apt-get install postfixadmin php8.2-pgsql php8.2-sqlite3)")
	}
	var dbConf string
	switch engine {
	case "postgres":
		u, _ := url.Parse(pg)
		name := "pfa_bench_" + hex.EncodeToString([]byte(time.Now().Format("150405")))
		admin, err := sql.Open("pgx", pg)
		if err != nil {
			return err
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			return err
		}
		defer admin.Exec("DROP DATABASE " + name)
		pass, _ := u.User.Password()
		dbConf = fmt.Sprintf("$CONF['database_type'] = 'pgsql';\n$CONF['database_host'] = '%s';\n$CONF['database_user'] = '%s';\n$CONF['database_password'] = '%s';\n$CONF['database_name'] = '%s';\n",
			u.Hostname(), u.User.Username(), pass, name)
	default:
		path := filepath.Join(dir, "postfixadmin.db")
		// postfixadmin opens, but does not create, the file.
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			return err
		}
		dbConf = fmt.Sprintf("$CONF['database_type'] = 'sqlite';\n$CONF['database_name'] = '%s';\n", path)
	}
	old, oldErr := os.ReadFile(pfaConfig)
	defer func() {
		if oldErr == nil {
			os.WriteFile(pfaConfig, old, 0o644)
		} else {
			os.Remove(pfaConfig)
		}
	}()
	conf := "<?php\n// Written by surel's bench/provision for one run.\n$CONF['configured'] = true;\n" + dbConf +
		"$CONF['encrypt'] = 'php_crypt:BLOWFISH:10:{BLF-CRYPT}';\n$CONF['emailcheck_resolve_domain'] = 'NO';\n$CONF['password_validation'] = array();\n$CONF['welcome_text'] = '';\n"
	if err := os.WriteFile(pfaConfig, []byte(conf), 0o644); err != nil {
		return err
	}
	if out, err := exec.Command("php", "/usr/share/postfixadmin/public/upgrade.php").CombinedOutput(); err != nil {
		return fmt.Errorf("postfixadmin schema: %w: %s", err, tail(string(out), 500))
	}
	if err := pfaCLI("domain", "add", domain, "--aliases", "0", "--mailboxes", "0", "--active", "1", "--default-aliases", "0", "--description", "bench"); err != nil {
		return err
	}
	fmt.Printf("postfixadmin-cli: %s, BLF-CRYPT cost 10, %d mailboxes, %d workers\n", engine, n, workers)
	durs, err := parallel(n, workers, func(i int) error {
		pw := fmt.Sprintf("Bench%06dPw", i)
		return pfaCLI("mailbox", "add", fmt.Sprintf("u%06d@%s", i, domain), "--password", pw, "--password2", pw,
			"--name", fmt.Sprintf("Pengguna %d", i), "--quota", "0", "--active", "1", "--welcome-mail", "0")
	})
	if err != nil {
		return fmt.Errorf("postfixadmin: %w", err)
	}
	report("postfixadmin create", n, durs)
	return nil
}

// pfaCLI runs postfixadmin-cli, which exits 0 even when it refuses: its "Error:" lines
// are the failure.
func pfaCLI(args ...string) error {
	cmd := exec.Command("postfixadmin-cli", args...)
	cmd.Dir = os.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "Error:") {
		return fmt.Errorf("postfixadmin-cli %s: %v %s", strings.Join(args[:3], " "), err, tail(string(out), 300))
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
