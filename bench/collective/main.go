// Command collective measures the speed targets of collective requests (issue 19):
//
//   - validate: a 5,000-row list is parsed, checked row by row (NIP, roster, one account
//     per NIP, the address rule and its availability, the other rows) and stored with its
//     report by collective.Service.Upload, the call behind the upload page, on a fresh
//     SQLite database and on a throwaway PostgreSQL schema, each holding a roster of the
//     list's employees and -existing live requests the addresses are checked against.
//     Target: under 5 s on each engine, for the XLSX and the CSV form of the list.
//
//   - create: the list's mailboxes made through the sql driver (sqlmail.Create, the
//     create step's call, argon2id at passwd.Default) by -workers goroutines, each
//     followed by a verification of the new password (the account test's login, which
//     Dovecot answers by one more hash): two hashes a mailbox. Side by side, the same
//     workers compute raw hash and verify pairs with the same parameters: the two-hash
//     limit. Target: creation at (close to) that limit.
//
//     go run ./bench/collective                         # both engines when SUREL_TEST_POSTGRES is set
//     go run ./bench/collective -rows 5000 -create 5000 -workers 2
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/surel-id/surel/bench/internal/harness"
	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/collective"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/wilayah"
)

const domain = "bench.go.id"

func main() {
	rows := flag.Int("rows", 5000, "employees in the list")
	existing := flag.Int("existing", 20000, "live requests already in the database")
	create := flag.Int("create", 5000, "mailboxes created in the create phase (0: none)")
	workers := flag.Int("workers", runtime.GOMAXPROCS(0), "goroutines creating mailboxes, and computing raw hashes")
	pg := flag.String("pg", os.Getenv("SUREL_TEST_POSTGRES"), "PostgreSQL server URL; empty runs SQLite only")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "collective:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*rows, *existing, *create, *workers, *pg); err != nil {
		fmt.Fprintln(os.Stderr, "collective:", err)
		os.Exit(1)
	}
}

func run(rows, existing, create, workers int, pg string) error {
	dir, err := os.MkdirTemp("", "bench-collective")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	engines := []string{"sqlite:" + filepath.Join(dir, "surel.db")}
	if pg != "" {
		u, drop, err := harness.PGSchema(pg)
		if err != nil {
			return err
		}
		defer drop()
		engines = append(engines, u)
	}
	csvList, xlsxList, err := lists(rows)
	if err != nil {
		return err
	}
	fmt.Printf("machine: %d CPUs (GOMAXPROCS %d); list of %d rows: CSV %d KB, XLSX %d KB\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), rows,
		len(csvList)>>10, len(xlsxList)>>10)
	for i, dbURL := range engines {
		st, err := store.Open(context.Background(), dbURL)
		if err != nil {
			return err
		}
		name := map[int]string{0: "SQLite", 1: "PostgreSQL"}[i]
		if err := validate(st, name, rows, existing, csvList, xlsxList); err != nil {
			st.Close()
			return err
		}
		if create > 0 {
			if err := creates(st, name, create, workers); err != nil {
				st.Close()
				return err
			}
		}
		st.Close()
	}
	return nil
}

func nipOf(i int) string {
	return fmt.Sprintf("198%d%02d%02d200501%d%03d", i/100000%10, 1+i%12, 1+i%28, 1+i/1000%2, i%1000)
}

// lists is the list of n employees as CSV and XLSX; every tenth row proposes no address
// (surel proposes one), every fiftieth asks for an address a live request holds.
func lists(n int) ([]byte, []byte, error) {
	var b bytes.Buffer
	b.WriteString(strings.Join(collective.Columns, ",") + "\n")
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, nil, err
	}
	head := make([]any, len(collective.Columns))
	for i, c := range collective.Columns {
		head[i] = c
	}
	sw.SetRow("A1", head)
	for i := 0; i < n; i++ {
		mb := fmt.Sprintf("pegawai.%d", i)
		switch {
		case i%10 == 0:
			mb = ""
		case i%50 == 1:
			mb = fmt.Sprintf("lama.%d", i)
		}
		row := []string{nipOf(i), fmt.Sprintf("Pegawai Nomor %d", i), "Pranata Komputer", "Bidang Aplikasi", "081234567890",
			fmt.Sprintf("pegawai%d@gmail.com", i), mb}
		b.WriteString(strings.Join(row, ",") + "\n")
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return nil, nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, nil, err
	}
	x, err := f.WriteToBuffer()
	if err != nil {
		return nil, nil, err
	}
	return b.Bytes(), x.Bytes(), nil
}

func validate(st *store.Store, engine string, rows, existing int, csvList, xlsxList []byte) error {
	ctx := context.Background()
	tid, err := st.EnsureTenant(ctx, "bench", "Bench", time.Now())
	if err != nil {
		return err
	}
	t := account.Tenant{ID: tid, Slug: "bench", Name: "Bench", MailDomain: domain, AddressPattern: "firstname.lastname", Institutional: true}
	// The roster holds every employee of the list.
	var rs strings.Builder
	rs.WriteString("nip,nama,instansi,unit,status,aktif\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&rs, "%s,Pegawai Nomor %d,Pemkab Bench,Umum,PNS,1\n", nipOf(i), i)
	}
	if _, err := roster.Import(ctx, st, tid, strings.NewReader(rs.String()), roster.Options{}); err != nil {
		return err
	}
	if err := seedRequests(ctx, st, tid, existing, rows); err != nil {
		return err
	}
	u := account.User{TenantID: tid, Username: "loket", Email: "loket@bench.go.id", FirstName: "Loket", PasswordHash: "x",
		Status: account.StatusActive, Lang: "id", CreatedAt: time.Now(), PasswordChangedAt: time.Now()}
	if err := st.CreateUser(ctx, &u); err != nil {
		return err
	}
	m := staff.Member{UserID: u.ID, TenantID: tid, Name: "Loket", Roles: []sop.Role{sop.RoleFrontDesk}}
	look := &countingLookup{Store: st, n: map[string]int{}, took: map[string]time.Duration{}}
	svc := &collective.Service{Store: st, Look: look, Users: st, Regions: wilayah.MustLoad()}
	letter := &request.File{Field: request.ScanField.Name, Name: "surat", OriginalName: "surat.pdf", Kind: "pdf", Size: 1, SHA256: "x"}
	for _, l := range []struct {
		name string
		data []byte
	}{{"CSV", csvList}, {"XLSX", xlsxList}} {
		look.reset()
		cpu0 := cpuTime()
		start := time.Now()
		c, err := svc.Upload(ctx, t, m, collective.Input{Instansi: "Dinas Bench", Province: "61", Regency: "61.05", Letter: letter, FileName: "daftar", Data: l.data})
		if err != nil {
			return fmt.Errorf("%s %s: %w", engine, l.name, err)
		}
		took := time.Since(start)
		cpu := cpuTime() - cpu0
		n := c.Count()
		verdict := "PASS"
		if took > 5*time.Second {
			verdict = "FAIL"
		}
		fmt.Printf("validate %-10s %-4s %d rows (%d valid, %d with problems) checked and stored in %6.2f s  [target < 5 s: %s]\n",
			engine, l.name, len(c.Rows), n.Valid, n.Invalid, took.Seconds(), verdict)
		fmt.Printf("         surel's CPU (user+sys) %.2f s; load average %s; the check's reads: %s\n", cpu.Seconds(), harness.LoadAvg(), look)
	}
	return nil
}

// seedRequests inserts n live requests (addresses lama.<i>, NIPs outside the list's) so
// that the availability checks read a populated table.
func seedRequests(ctx context.Context, st *store.Store, tid int64, n, offset int) error {
	u := account.User{TenantID: tid, Username: "seed", Email: "seed@bench.go.id", FirstName: "Seed", PasswordHash: "x",
		Status: account.StatusActive, Lang: "id", CreatedAt: time.Now(), PasswordChangedAt: time.Now()}
	if err := st.CreateUser(ctx, &u); err != nil {
		return err
	}
	return st.Tx(ctx, func(ctx context.Context) error {
		for i := 0; i < n; i++ {
			now := time.Now().UTC()
			r := request.Request{TenantID: tid, UserID: u.ID, Service: "email", Kind: "pns", Status: request.Draft, Domain: domain,
				Values: map[string]string{}, CreatedAt: now, UpdatedAt: now, Mailbox: fmt.Sprintf("lama.%d", i), PersonKey: "nip:" + nipOf(offset+i)}
			if err := st.CreateRequest(ctx, &r); err != nil {
				return err
			}
			if err := st.SaveDraft(ctx, r); err != nil {
				return err
			}
			r.Status, r.Number, r.SubmittedAt = request.Waiting, fmt.Sprintf("B-%06d", i), now
			if err := st.SubmitRequest(ctx, &r); err != nil {
				return err
			}
		}
		return nil
	})
}

// creates times n sqlmail.Create calls each with a verification of the new password,
// beside raw hash-and-verify pairs on the same workers.
func creates(st *store.Store, engine string, n, workers int) error {
	ctx := context.Background()
	h := passwd.New(passwd.Default)
	s, err := sqlmail.New(st.DB(), st.Dialect(), sqlmail.Options{Scheme: sqlmail.Argon2ID, Hasher: h})
	if err != nil {
		return err
	}
	if err := s.AddDomain(ctx, domain); err != nil {
		return err
	}
	stored, err := h.Hash(ctx, "Sementara-12345")
	if err != nil {
		return err
	}
	raw := parallel(n/2, workers, func(i int) error {
		if _, err := h.Hash(ctx, "Sementara-12345"); err != nil {
			return err
		}
		_, _, err := h.Verify(ctx, stored, "Sementara-12345")
		return err
	})
	if raw.err != nil {
		return raw.err
	}
	made := parallel(n, workers, func(i int) error {
		addr := fmt.Sprintf("kolektif.%d@%s", i, domain)
		if err := s.Create(ctx, mailbox.New{Address: addr, Name: "Pegawai", Password: "Sementara-12345", Owner: fmt.Sprintf("request:%d", i), MustChange: true}); err != nil {
			return err
		}
		// The account test's login: Dovecot reads the row's password and verifies it.
		var enc string
		q := `SELECT password FROM mailboxes WHERE address = ?`
		if st.Dialect() == store.Postgres {
			q = `SELECT password FROM mailboxes WHERE address = $1`
		}
		if err := st.DB().QueryRowContext(ctx, q, addr).Scan(&enc); err != nil {
			return err
		}
		ok, _, err := h.Verify(ctx, strings.TrimPrefix(enc, "{ARGON2ID}"), "Sementara-12345")
		if err == nil && !ok {
			err = fmt.Errorf("%s: the password does not verify", addr)
		}
		return err
	})
	if made.err != nil {
		return made.err
	}
	limit := raw.rate
	fmt.Printf("create   %-10s %d mailboxes in %6.1f s = %6.1f/s; two-hash limit (hash + verify pairs, same workers) %6.1f/s; ratio %.2f\n",
		engine, n, made.took.Seconds(), made.rate, limit, made.rate/limit)
	return nil
}

type phase struct {
	took time.Duration
	rate float64
	err  error
}

func parallel(n, workers int, fn func(i int) error) phase {
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	return phase{took: took, rate: float64(n) / took.Seconds(), err: first}
}

// countingLookup counts the check's reads of the database and their time, by method: the
// profile of a run whose time is spent waiting for the database, not on the CPU.
type countingLookup struct {
	*store.Store
	n    map[string]int
	took map[string]time.Duration
}

func (c *countingLookup) reset() { clear(c.n); clear(c.took) }

func (c *countingLookup) count(name string, start time.Time) {
	c.n[name]++
	c.took[name] += time.Since(start)
}

func (c *countingLookup) String() string {
	var parts []string
	for _, k := range []string{"RosterCount", "RosterEntry", "PersonBusy", "MailboxTaken", "RosterEntries", "BusyPersons", "TakenMailboxes"} {
		if c.n[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d× %.2f s", k, c.n[k], c.took[k].Seconds()))
		}
	}
	return strings.Join(parts, ", ")
}

func (c *countingLookup) RosterCount(ctx context.Context, tenantID int64) (int, error) {
	defer c.count("RosterCount", time.Now())
	return c.Store.RosterCount(ctx, tenantID)
}

func (c *countingLookup) RosterEntry(ctx context.Context, tenantID int64, nip string) (roster.Entry, error) {
	defer c.count("RosterEntry", time.Now())
	return c.Store.RosterEntry(ctx, tenantID, nip)
}

func (c *countingLookup) PersonBusy(ctx context.Context, tenantID int64, domain, key string) (request.Request, error) {
	defer c.count("PersonBusy", time.Now())
	return c.Store.PersonBusy(ctx, tenantID, domain, key)
}

func (c *countingLookup) MailboxTaken(ctx context.Context, tenantID int64, domain, local string, except int64) (bool, error) {
	defer c.count("MailboxTaken", time.Now())
	return c.Store.MailboxTaken(ctx, tenantID, domain, local, except)
}

func (c *countingLookup) RosterEntries(ctx context.Context, tenantID int64, nips []string) (map[string]roster.Entry, error) {
	defer c.count("RosterEntries", time.Now())
	return c.Store.RosterEntries(ctx, tenantID, nips)
}

func (c *countingLookup) BusyPersons(ctx context.Context, tenantID int64, domain string, keys []string) (map[string]string, error) {
	defer c.count("BusyPersons", time.Now())
	return c.Store.BusyPersons(ctx, tenantID, domain, keys)
}

func (c *countingLookup) TakenMailboxes(ctx context.Context, tenantID int64, domain string, locals []string) (map[string]bool, error) {
	defer c.count("TakenMailboxes", time.Now())
	return c.Store.TakenMailboxes(ctx, tenantID, domain, locals)
}

// cpuTime is the process's CPU time so far, user and system: on a shared machine the
// figure that does not count other processes' turns (the database server's is not in it).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
