package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/surel-id/surel/internal/store"
)

// shape is what the seeder puts in the database: every row is a pure function of its
// index, so the two engines get the same data and a kept database can be described again
// without reading it.
type shape struct {
	Tenant    int64
	Domain    string
	Requests  int
	Steps     int // history rows per request
	Users     int // applicants: Requests/20
	UserBase  int64
	AuditBase int64 // audit_log ids and seqs start after this
	Mailboxes bool  // one mailbox per finished ("selesai") request
	// Registry is the mailboxes of the registry phase's registry (seed_registry.go); 0
	// outside it: then the registry holds the finished requests' mailboxes only, without
	// their search words and counts.
	Registry int
	Now      time.Time
	reg      *regPlan
	status   []byte // per request, one of the st* codes
	live     []int64
	running  []int64 // live requests with a running step (menunggu, diproses)
	finished []int64 // requests with status selesai (mailboxes)
}

// Request status codes of the seed.
const (
	stDone     = iota // selesai
	stRefused         // ditolak
	stWaiting         // menunggu: running step at kepala_seksi
	stWorking         // diproses: running step at kepala_seksi, kepala_bidang or admin_mail
	stReturned        // perbaikan: the last step paused, waiting for the applicant
)

var statusNames = [...]string{"selesai", "ditolak", "menunggu", "diproses", "perbaikan"}

// plan decides every request's status, and adds the registry phase's registry up
// (planRegistry). Requests are numbered in time order over three years; the live ones
// are among the newest 2 % (one in five of them), like a service that closes requests in
// a few days: 0.4 % of all requests live, a tenth of those returned to the applicant,
// 12 % of the closed ones refused.
func (s *shape) plan() error {
	s.status = make([]byte, s.Requests+1)
	recent := s.Requests - max(1, s.Requests/50)
	s.live, s.running, s.finished = nil, nil, nil
	for i := 1; i <= s.Requests; i++ {
		h := mix(uint64(i))
		st := byte(stDone)
		switch {
		case i > recent && h%5 == 0:
			switch (h / 5) % 20 {
			case 0, 1:
				st = stReturned
			case 2, 3, 4, 5, 6, 7, 8:
				st = stWaiting
			default:
				st = stWorking
			}
		case (h/7)%100 < 12:
			st = stRefused
		}
		s.status[i] = st
		switch st {
		case stWaiting, stWorking:
			s.running = append(s.running, int64(i))
			s.live = append(s.live, int64(i))
		case stReturned:
			s.live = append(s.live, int64(i))
		case stDone:
			s.finished = append(s.finished, int64(i))
		}
	}
	if s.Registry > 0 {
		return s.planRegistry()
	}
	return nil
}

// mix is splitmix64: a cheap, deterministic hash of a row index.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

var (
	firstNames = []string{"Budi", "Siti", "Agus", "Dewi", "Rudi", "Sri", "Andi", "Rina", "Hendra", "Yuni", "Eko", "Ratna",
		"Joko", "Wati", "Bambang", "Fitri", "Dedi", "Lestari", "Ahmad", "Nur", "Putu", "Made", "Wayan", "Ketut", "Yohanes",
		"Maria", "Fransiskus", "Theresia", "Hadi", "Indah"}
	lastNames = []string{"Santoso", "Rahayu", "Wijaya", "Kusuma", "Hidayat", "Saputra", "Pratama", "Nugroho", "Setiawan",
		"Lestari", "Siregar", "Nasution", "Harahap", "Simanjuntak", "Sitompul", "Lubis", "Wibowo", "Gunawan", "Susanto",
		"Purnomo", "Suryadi", "Hakim", "Halim", "Manurung", "Pangaribuan", "Tanjung", "Permana", "Ramadhan", "Firmansyah", "Utami"}
	instansis = []string{"Dinas Komunikasi dan Informatika", "Badan Kepegawaian Daerah", "Dinas Pendidikan", "Dinas Kesehatan",
		"Badan Perencanaan Pembangunan Daerah", "Sekretariat Daerah", "Dinas Pekerjaan Umum", "Inspektorat", "Dinas Sosial",
		"Badan Pendapatan Daerah"}
	regions = [][2]string{{"31", "31.71"}, {"32", "32.73"}, {"35", "35.78"}, {"64", "64.72"}, {"11", "11.01"}, {"62", "62.71"}, {"12", "12.71"}}
)

// stepTpl is one SOP step of the kominfo preset, the default tenant's.
type stepTpl struct{ key, name, role, jabatan, kind string }

var (
	tplSubmit  = stepTpl{"pengajuan", "Mengajukan permohonan Pendaftaran Akun mail.go.id secara daring melalui layanan.kominfo.go.id", "pemohon", "PNS / Perangkat Desa", "submit"}
	tplVerify  = stepTpl{"verifikasi", "Memverifikasi data pemohon dan dokumen persyaratan (apabila tidak lengkap, permohonan dikembalikan kepada pemohon)", "kepala_seksi", "Verifikator Layanan mail.go.id", "manual"}
	tplFix     = stepTpl{"verifikasi", "Perbaikan oleh pemohon", "pemohon", "PNS / Perangkat Desa", "correction"}
	tplApprove = stepTpl{"persetujuan", "Menyetujui atau menolak permohonan", "kepala_bidang", "Pejabat Penyetuju Layanan mail.go.id", "manual"}
	tplCreate  = stepTpl{"pembuatan_akun", "Membuat akun mail.go.id dengan alamat email dan password untuk pemohon", "admin_mail", "Admin Mail Server mail.go.id", "provision"}
)

// runningRole is the role of a live request's running step: menunggu waits for the
// verifier (kepala_seksi); diproses is spread over the three staff steps.
func (s *shape) runningRole(i int) stepTpl {
	if s.status[i] == stWaiting {
		return tplVerify
	}
	switch mix(uint64(i)*31) % 3 {
	case 0:
		return tplVerify
	case 1:
		return tplApprove
	}
	return tplCreate
}

// stepOf is the template of history row seq (1-based) of request i: the submission,
// rounds of verification returned for correction, then the last steps, which depend on
// how the request stands.
func (s *shape) stepOf(i, seq int) (stepTpl, string) {
	n := s.Steps
	st := s.status[i]
	if seq == 1 {
		return tplSubmit, "done"
	}
	if seq == n {
		switch st {
		case stWaiting, stWorking:
			return s.runningRole(i), "open"
		case stReturned:
			return tplVerify, "paused"
		case stRefused:
			return tplApprove, "refused"
		}
		return tplCreate, "done"
	}
	// The two steps before the last of a finished request: verification and approval.
	if st == stDone && seq == n-1 {
		return tplApprove, "done"
	}
	if (st == stDone && seq == n-2) || (st == stRefused && seq == n-1) {
		return tplVerify, "done"
	}
	if seq%2 == 0 {
		return tplVerify, "returned"
	}
	return tplFix, "returned"
}

// created is when request i was made: ids run in time order over three years; the live
// requests, among the newest, are a few days old.
func (s *shape) created(i int) time.Time {
	span := 3 * 365 * 24 * time.Hour
	return s.Now.Add(-span + time.Duration(float64(span)*float64(i-1)/float64(s.Requests))).Add(-10 * 24 * time.Hour).Truncate(time.Second)
}

func (s *shape) userOf(i int) int64 { return s.UserBase + 1 + int64((i-1)%s.Users) }

func (s *shape) number(i int) string {
	return fmt.Sprintf("SRL-%d-%07d", s.created(i).Year(), i)
}

// mailbox is request i's mailbox local part.
func (s *shape) mailbox(i int) string {
	u := int(s.userOf(i) - s.UserBase)
	return strings.ToLower(firstNames[u%len(firstNames)] + "." + lastNames[(u/len(firstNames))%len(lastNames)] + strconv.Itoa(i))
}

// table is one table to fill: n rows, row k written into dst (len(cols) values).
type table struct {
	name string
	cols []string
	n    int
	row  func(k int, dst []any)
}

func (s *shape) tables() []table {
	hash := "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hiZW5jaGJlbmNoMQ$unusable-seeded-applicant-password-hash-00"
	pwdChanged := s.Now.Add(-4 * 365 * 24 * time.Hour)
	users := table{name: "users", n: s.Users,
		cols: []string{"id", "tenant_id", "username", "email", "first_name", "last_name", "phone", "password_hash", "status", "lang",
			"full_name", "nip", "jabatan", "instansi", "satuan_kerja", "address", "created_at", "activated_at", "password_changed_at"},
		row: func(k int, d []any) {
			u := k + 1
			fn, ln := firstNames[u%len(firstNames)], lastNames[(u/len(firstNames))%len(lastNames)]
			name := fmt.Sprintf("pemohon%07d", u)
			d[0], d[1], d[2], d[3], d[4], d[5] = s.UserBase+int64(u), s.Tenant, name, name+"@contoh.go.id", fn, ln
			d[6], d[7], d[8], d[9] = fmt.Sprintf("08%010d", u), hash, "active", "id"
			d[10], d[11], d[12] = fn+" "+ln, fmt.Sprintf("19800101%010d", u), "Pranata Komputer Ahli Pertama"
			d[13], d[14], d[15] = instansis[u%len(instansis)], "Bidang Aplikasi Informatika", "Jl. Merdeka No. "+strconv.Itoa(u%300+1)
			d[16], d[17], d[18] = pwdChanged, pwdChanged, pwdChanged
		}}
	requests := table{name: "requests", n: s.Requests,
		cols: []string{"id", "tenant_id", "user_id", "number", "service", "kind", "status", "person_key", "domain", "mailbox",
			"vals", "flags", "note", "channel", "created_at", "submitted_at", "updated_at", "closed_at", "instansi", "unit", "filed_at"},
		row: func(k int, d []any) {
			i := k + 1
			st := s.status[i]
			created := s.created(i)
			submitted := created.Add(15 * time.Minute)
			updated := created.Add(time.Duration(s.Steps) * 6 * time.Hour)
			var closed any
			if st == stDone || st == stRefused {
				closed = updated
			}
			u := int(s.userOf(i) - s.UserBase)
			nip := fmt.Sprintf("1985%014d", i)
			reg := regions[u%len(regions)]
			addr := s.mailbox(i)
			vals, _ := json.Marshal(map[string]string{"nip": nip, "instansi": instansis[u%len(instansis)], "province": reg[0],
				"regency": reg[1], "satuan_kerja": "Bidang Aplikasi Informatika", "phone": fmt.Sprintf("08%010d", u)})
			flags := "[]"
			if mix(uint64(i)*7)%10 == 0 {
				flags = `[{"reason":"roster_name","detail":"nama berbeda dengan data kepegawaian"}]`
			}
			note := ""
			if st == stRefused {
				note = "Dokumen kepegawaian tidak sesuai."
			}
			d[0], d[1], d[2], d[3], d[4], d[5] = int64(i), s.Tenant, s.userOf(i), s.number(i), "email", "pns"
			d[6], d[7], d[8], d[9] = statusNames[st], "nip:"+nip, s.Domain, addr
			d[10], d[11], d[12], d[13] = string(vals), flags, note, "portal"
			d[14], d[15], d[16], d[17] = created, submitted, updated, closed
			// The report copies of the form's instansi and unit, and the archive's filed
			// time (migration 21), as the app writes them.
			d[18], d[19], d[20] = instansis[u%len(instansis)], "Bidang Aplikasi Informatika", closed
		}}
	steps := table{name: "request_steps", n: s.Requests * s.Steps,
		cols: []string{"id", "request_id", "tenant_id", "seq", "step_key", "name", "role", "kind", "jabatan", "actor", "actor_id",
			"started_at", "due_at", "finished_at", "paused_at", "status", "sla", "note", "work_minutes"},
		row: func(k int, d []any) {
			i, seq := k/s.Steps+1, k%s.Steps+1
			tpl, status := s.stepOf(i, seq)
			start := s.created(i).Add(time.Duration(seq-1) * 6 * time.Hour)
			due := start.Add(24 * time.Hour)
			var finished, paused, work any
			actor, sla, note := "", "", ""
			switch status {
			case "open":
				// Due from three days ago to three days ahead: some overdue (?batas=over).
				due = s.Now.Add(time.Duration(int64(mix(uint64(i)*13)%(6*24*3600))-3*24*3600) * time.Second).Truncate(time.Second)
				start = due.Add(-24 * time.Hour)
			case "paused":
				paused = start.Add(2 * time.Hour)
			default:
				h := stepHours(k)
				finished, work = start.Add(time.Duration(h)*time.Hour), int64(h*60)
				actor, sla = "Petugas "+tpl.jabatan, "in"
				if mix(uint64(k)*3)%10 == 0 {
					sla = "over"
				}
				if status == "returned" && tpl.kind != "correction" {
					note = "Scan SK kurang jelas, mohon unggah ulang."
				}
			}
			var dueAt any = due
			if tpl.kind == "submit" {
				dueAt = start.Add(15 * time.Minute)
			}
			d[0], d[1], d[2], d[3], d[4], d[5] = int64(k+1), int64(i), s.Tenant, int64(seq), tpl.key, tpl.name
			d[6], d[7], d[8], d[9], d[10] = tpl.role, tpl.kind, tpl.jabatan, actor, int64(0)
			d[11], d[12], d[13], d[14], d[15], d[16], d[17], d[18] = start, dueAt, finished, paused, status, sla, note, work
		}}
	// The audit trail of the live requests: five entries each (the page reads it by
	// object). The hash chain is not computed: `surel audit verify` fails on this data.
	actions := []string{"request.submit", "step.return", "request.resubmit", "step.forward", "step.forward"}
	audit := table{name: "audit_log", n: len(s.live) * len(actions),
		cols: []string{"id", "tenant_id", "seq", "at", "actor", "actor_name", "role", "action", "object", "detail", "ip", "prev_hash", "hash"},
		row: func(k int, d []any) {
			i := int(s.live[k/len(actions)])
			a := actions[k%len(actions)]
			actor, name, role := fmt.Sprintf("user:%d", s.userOf(i)), "Pemohon", "pemohon"
			if strings.HasPrefix(a, "step.") {
				actor, name, role = "staff:1", "Petugas Verifikasi", "kepala_seksi"
			}
			seq := s.AuditBase + int64(k+1)
			h := sha256.Sum256([]byte(strconv.FormatInt(seq, 10)))
			p := sha256.Sum256([]byte(strconv.FormatInt(seq-1, 10)))
			d[0], d[1], d[2], d[3], d[4], d[5], d[6] = seq, s.Tenant, seq, s.created(i).Add(time.Duration(k%len(actions))*time.Hour), actor, name, role
			d[7], d[8], d[9], d[10], d[11], d[12] = a, fmt.Sprintf("request:%d", i), s.number(i)+" "+s.mailbox(i)+"@"+s.Domain, "10.1.2.3",
				hex.EncodeToString(p[:]), hex.EncodeToString(h[:])
		}}
	files := table{name: "request_files", n: len(s.live),
		cols: []string{"id", "request_id", "field", "name", "original_name", "kind", "size", "sha256", "created_at"},
		row: func(k int, d []any) {
			i := int(s.live[k])
			d[0], d[1], d[2], d[3], d[4] = int64(k+1), int64(i), "doc_kepegawaian", fmt.Sprintf("bench-%08d.pdf", i), "SK_PNS.pdf"
			d[5], d[6], d[7], d[8] = "pdf", int64(200_000+i%50_000), strings.Repeat("ab", 32), s.created(i)
		}}
	out := []table{users, requests, steps, audit, files}
	out = append(out, s.reportTables()...)
	if s.Mailboxes {
		out = append(out, table{name: "mailboxes", n: len(s.finished),
			cols: []string{"address", "local_part", "domain", "name", "password", "quota_bytes", "active", "must_change", "owner", "created_at", "updated_at"},
			row: func(k int, d []any) {
				i := int(s.finished[k])
				lp := s.mailbox(i)
				at := s.created(i).Add(time.Duration(s.Steps) * 6 * time.Hour)
				d[0], d[1], d[2], d[3], d[4] = lp+"@"+s.Domain, lp, s.Domain, "Pemohon", "{ARGON2ID}"+hash
				d[5], d[6], d[7], d[8], d[9], d[10] = int64(1<<30), true, false, fmt.Sprintf("request:%d", i), at, at
			}})
	}
	return out
}

// seedDB fills the tables of s on a database the app has migrated, then refreshes the
// planner's statistics. It returns the time per table.
func seedDB(ctx context.Context, st *store.Store, pgURL string, s *shape, out io.Writer) (map[string]time.Duration, error) {
	db := st.DB()
	if _, err := db.ExecContext(ctx, rebind(st.Dialect(), `INSERT INTO mail_domains (domain, active, created_at) VALUES (?, TRUE, ?) ON CONFLICT (domain) DO NOTHING`), s.Domain, s.Now); err != nil {
		return nil, fmt.Errorf("mail domain: %w", err)
	}
	took := map[string]time.Duration{}
	var restore func() error
	if s.Registry > 0 {
		// The registry's and its words' secondary indexes are dropped for the load and
		// built again after it: a sort each, not millions of random inserts into B-trees
		// larger than the cache.
		var err error
		if restore, err = dropIndexes(ctx, db, st.Dialect(), "registry", "registry_terms"); err != nil {
			return nil, err
		}
	}
	for _, t := range s.tables() {
		t0 := time.Now()
		var err error
		if st.Dialect() == store.Postgres {
			err = copyPostgres(ctx, pgURL, t)
		} else {
			err = insertSQLite(ctx, db, t)
		}
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", t.name, err)
		}
		took[t.name] = time.Since(t0)
		fmt.Fprintf(out, "  %-14s %9d rows in %s\n", t.name, t.n, took[t.name].Round(time.Millisecond))
	}
	if restore != nil {
		t0 := time.Now()
		if err := restore(); err != nil {
			return nil, fmt.Errorf("indexes: %w", err)
		}
		took["indexes"] = time.Since(t0)
		fmt.Fprintf(out, "  %-14s %9s      in %s\n", "indexes", "", took["indexes"].Round(time.Millisecond))
	}
	// The inbox search text of the running steps, as store.AddStep writes it (migration
	// 00009).
	if _, err := db.ExecContext(ctx, `UPDATE request_steps SET search = (
		SELECT LOWER(COALESCE(r.number, '') || ' ' || r.mailbox || ' ' || u.full_name || ' ' || u.first_name || ' ' || u.last_name)
		FROM requests r JOIN users u ON u.id = r.user_id WHERE r.id = request_steps.request_id) WHERE finished_at IS NULL`); err != nil {
		return nil, fmt.Errorf("search text: %w", err)
	}
	// The inbox's counters of the running steps, as migration 42 fills them (the store
	// keeps them with every step it writes; the seed wrote the steps behind its back).
	for _, q := range []string{`DELETE FROM inbox_counts`, `INSERT INTO inbox_counts (tenant_id, role, n)
		SELECT tenant_id, role, COUNT(*) FROM request_steps WHERE finished_at IS NULL AND paused_at IS NULL GROUP BY tenant_id, role`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("inbox counts: %w", err)
		}
	}
	// The reports' counts per instansi, of sent requests and of returns and refusals
	// (migration 37) are what migration 38 makes of the seeded rows: its record
	// removed, it alone runs again over them (its days are WIB's, the seed's zone),
	// whatever migrations came after it.
	t0 := time.Now()
	if _, err := db.ExecContext(ctx, `DELETE FROM goose_db_version WHERE version_id = 38`); err != nil {
		return nil, fmt.Errorf("migration 38: %w", err)
	}
	if err := st.ApplyMigration(ctx, 38); err != nil {
		return nil, fmt.Errorf("migration 38: %w", err)
	}
	took["counts (migration 38)"] = time.Since(t0)
	fmt.Fprintf(out, "  %-14s %9s      in %s\n", "counts (migration 38)", "", took["counts (migration 38)"].Round(time.Millisecond))
	t0 = time.Now()
	if st.Dialect() == store.Postgres {
		for _, t := range []string{"users", "requests", "request_steps", "audit_log", "request_files", "registry"} {
			q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))`, t, t)
			if _, err := db.ExecContext(ctx, q); err != nil {
				return nil, fmt.Errorf("sequence of %s: %w", t, err)
			}
		}
		// A database that has run for a while has been vacuumed: visibility map set, so
		// index-only scans need no heap visits.
		if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE)`); err != nil {
			return nil, fmt.Errorf("vacuum analyze: %w", err)
		}
	} else if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	took["analyze"] = time.Since(t0)
	fmt.Fprintf(out, "  %-14s %9s      in %s\n", map[bool]string{true: "VACUUM ANALYZE", false: "ANALYZE"}[st.Dialect() == store.Postgres], "", took["analyze"].Round(time.Millisecond))
	return took, nil
}

// dropIndexes drops the secondary indexes of the tables (not those of a primary key or a
// unique constraint) and returns the func that creates them again from the definitions
// the database gave for them.
func dropIndexes(ctx context.Context, db *sql.DB, d store.Dialect, tables ...string) (func() error, error) {
	var names, defs []string
	for _, t := range tables {
		q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`
		if d == store.Postgres {
			q = `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
				WHERE x.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`
		}
		rows, err := db.QueryContext(ctx, q, t)
		if err != nil {
			return nil, fmt.Errorf("indexes of %s: %w", t, err)
		}
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				rows.Close()
				return nil, fmt.Errorf("indexes of %s: %w", t, err)
			}
			names, defs = append(names, name), append(defs, def)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("indexes of %s: %w", t, err)
		}
	}
	for _, n := range names {
		if _, err := db.ExecContext(ctx, `DROP INDEX `+n); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", n, err)
		}
	}
	return func() error {
		for _, def := range defs {
			if _, err := db.ExecContext(ctx, def); err != nil {
				return fmt.Errorf("%s: %w", def, err)
			}
		}
		return nil
	}, nil
}

func rebind(d store.Dialect, q string) string {
	if d != store.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// sqliteTxRows rows go in one transaction.
const sqliteTxRows = 100_000

// insertSQLite writes t with prepared multi-row INSERTs on one driver connection (as
// internal/store's roster import does), one transaction per sqliteTxRows rows, with
// synchronous=OFF and a larger page cache during the load only.
func insertSQLite(ctx context.Context, db *sql.DB, t table) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, p := range []string{"PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	defer func() {
		conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous=NORMAL")
		conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size=-2000")
	}()
	nc := len(t.cols)
	batch := min(500, 32000/nc)
	insert := func(rows int) string {
		var b strings.Builder
		b.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
		one := "(" + strings.Repeat("?, ", nc-1) + "?)"
		for r := range rows {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
		}
		return b.String()
	}
	return conn.Raw(func(dc any) error {
		c := dc.(interface {
			driver.ConnPrepareContext
			driver.ExecerContext
		})
		full, err := c.PrepareContext(ctx, insert(batch))
		if err != nil {
			return err
		}
		defer full.Close()
		args := make([]driver.NamedValue, batch*nc)
		vals := make([]any, nc)
		for i := range args {
			args[i].Ordinal = i + 1
		}
		inTx := 0
		for k := 0; k < t.n; {
			if inTx == 0 {
				if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE", nil); err != nil {
					return err
				}
			}
			n := min(batch, t.n-k)
			for r := range n {
				t.row(k+r, vals)
				for j, v := range vals {
					args[r*nc+j].Value = v
				}
			}
			stmt := full
			if n < batch {
				if stmt, err = c.PrepareContext(ctx, insert(n)); err != nil {
					return err
				}
			}
			_, err := stmt.(driver.StmtExecContext).ExecContext(ctx, args[:n*nc])
			if stmt != full {
				stmt.Close()
			}
			if err != nil {
				c.ExecContext(ctx, "ROLLBACK", nil)
				return err
			}
			k += n
			inTx += n
			if inTx >= sqliteTxRows || k == t.n {
				if _, err := c.ExecContext(ctx, "COMMIT", nil); err != nil {
					return err
				}
				inTx = 0
			}
		}
		return nil
	})
}

// copyPostgres writes t with COPY (pgx.Conn.CopyFrom) on a connection of its own.
func copyPostgres(ctx context.Context, url string, t table) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "SET synchronous_commit = off"); err != nil {
		return err
	}
	src := &tableSource{t: t, k: -1, row: make([]any, len(t.cols))}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, src)
	if err != nil {
		return err
	}
	if int(n) != t.n {
		return fmt.Errorf("copied %d rows, want %d", n, t.n)
	}
	return nil
}

// tableSource is a pgx.CopyFromSource over a table's row function.
type tableSource struct {
	t   table
	k   int
	row []any
}

func (s *tableSource) Next() bool {
	s.k++
	return s.k < s.t.n
}

func (s *tableSource) Values() ([]any, error) {
	s.t.row(s.k, s.row)
	return s.row, nil
}

func (s *tableSource) Err() error { return nil }
