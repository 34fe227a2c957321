package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/registry"
)

// The registry phase's data (-registry): a tenant's mailbox registry of -registry-mailboxes
// rows as the running service holds them. The first rows are the mailboxes surel made for
// the seed's finished requests (their applicants the owners, the requests linked, the
// addresses the requests name); the others, up to the number asked, are the mailboxes a
// sync adopted from the server before surel ran: personal ones whose owner the roster's
// NIP gave (most), or not found yet (some waiting in the review queue), and one in 33 an
// institutional mailbox of a unit of one of the 40 OPD, a few of them waiting for a
// handover. Each row is a pure function of its index (like the rest of the seed), with
// the search words (registry_terms, registry.Terms of the row), the counts by status
// (registry_counts) and the account events by hour (stat_accounts) the store's writes
// keep beside it; checkRegistrySeed compares a sample with what PutMailbox writes.

// regPlan is what the registry rows add up to, computed once from the rows.
type regPlan struct {
	made   int     // rows made for requests: ids 1..made
	terms  []int32 // row k's search words are registry_terms rows terms[k]..terms[k+1]-1
	counts map[registry.Status]int
	events map[accountEvent]int64
	first  string // the smallest address: the first page's first row
}

// accountEvent is one row of stat_accounts.
type accountEvent struct {
	hour                 int64
	service, kind, event string
}

var (
	regFirst = []string{"Budi", "Siti", "Agus", "Dewi", "Rudi", "Sri", "Andi", "Rina", "Hendra", "Yuni", "Eko", "Ratna", "Joko",
		"Wati", "Bambang", "Fitri", "Dedi", "Lestari", "Ahmad", "Nurul", "Putu", "Made", "Wayan", "Ketut", "Yohanes", "Maria",
		"Fransiskus", "Theresia", "Hadi", "Indah", "Muhammad", "Aisyah", "Rizky", "Dian", "Fajar", "Ayu", "Teguh", "Wulan",
		"Slamet", "Endang", "Asep", "Euis", "Ujang", "Neneng", "Iwan", "Yanti", "Arief", "Kartika", "Bayu", "Novita", "Imam",
		"Rahmawati", "Heru", "Sulastri", "Darmawan", "Mega", "Gilang", "Intan", "Hasan", "Zainal"}
	regMiddle = []string{"Dwi", "Tri", "Eka", "Nur", "Adi", "Puspita", "Sari", "Hari", "Wahyu", "Ratih"}
	regLast   = []string{"Santoso", "Rahayu", "Wijaya", "Kusuma", "Hidayat", "Saputra", "Pratama", "Nugroho", "Setiawan", "Lestari",
		"Siregar", "Nasution", "Harahap", "Simanjuntak", "Sitompul", "Lubis", "Wibowo", "Gunawan", "Susanto", "Purnomo", "Suryadi",
		"Hakim", "Halim", "Manurung", "Pangaribuan", "Tanjung", "Permana", "Ramadhan", "Firmansyah", "Utami", "Kurniawan",
		"Hartono", "Sutrisno", "Wahyudi", "Hermawan", "Syahputra", "Anggraini", "Maharani", "Puspitasari", "Handayani",
		"Rachman", "Fauzi", "Sembiring", "Ginting", "Tarigan", "Sinaga", "Panjaitan", "Hutapea", "Situmorang", "Matondang",
		"Pohan", "Daulay", "Batubara", "Koto", "Chaniago", "Piliang", "Caniago", "Mappanyukki", "Pakaya",
		"Lamato", "Rumbiak", "Wenda", "Tuasikal", "Latuconsina", "Pattimura", "Wattimena", "Mandagi", "Lumban", "Sumual",
		"Kaunang", "Rondonuwu", "Dewantara", "Suparman", "Sudirman", "Mulyadi", "Iskandar", "Yulianto", "Prasetyo", "Baskoro"}
	// regOPD are the OPD of the seed's instansi, with the word their institutional
	// mailboxes start with.
	regOPD = [][2]string{{"Dinas Komunikasi dan Informatika", "diskominfo"}, {"Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "bkpsdm"},
		{"Dinas Pendidikan", "disdik"}, {"Dinas Kesehatan", "dinkes"}, {"Badan Perencanaan Pembangunan Daerah", "bappeda"},
		{"Sekretariat Daerah", "setda"}, {"Sekretariat DPRD", "setwan"}, {"Dinas Pekerjaan Umum dan Penataan Ruang", "dpupr"},
		{"Inspektorat", "inspektorat"}, {"Dinas Sosial", "dinsos"}, {"Badan Pendapatan Daerah", "bapenda"},
		{"Badan Pengelolaan Keuangan dan Aset Daerah", "bpkad"}, {"Dinas Kependudukan dan Pencatatan Sipil", "disdukcapil"},
		{"Dinas Perhubungan", "dishub"}, {"Dinas Lingkungan Hidup", "dlh"}, {"Dinas Pertanian", "distan"}, {"Dinas Perikanan", "diskan"},
		{"Dinas Perindustrian dan Perdagangan", "disperindag"}, {"Dinas Koperasi dan Usaha Mikro", "diskumkm"}, {"Dinas Tenaga Kerja", "disnaker"},
		{"Dinas Pariwisata dan Kebudayaan", "disparbud"}, {"Dinas Pemuda dan Olahraga", "dispora"},
		{"Dinas Perumahan dan Kawasan Permukiman", "disperkim"}, {"Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "dpmptsp"},
		{"Dinas Pemberdayaan Masyarakat dan Desa", "dpmd"}, {"Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "dp3a"},
		{"Dinas Pengendalian Penduduk dan Keluarga Berencana", "dppkb"}, {"Dinas Ketahanan Pangan", "dkp"},
		{"Dinas Perpustakaan dan Kearsipan", "dispusip"}, {"Satuan Polisi Pamong Praja", "satpolpp"},
		{"Badan Penanggulangan Bencana Daerah", "bpbd"}, {"Badan Kesatuan Bangsa dan Politik", "kesbangpol"},
		{"Dinas Pemadam Kebakaran", "damkar"}, {"Rumah Sakit Umum Daerah", "rsud"}, {"Kecamatan Kota Utara", "kec-utara"},
		{"Kecamatan Kota Selatan", "kec-selatan"}, {"Kecamatan Kota Barat", "kec-barat"}, {"Kecamatan Kota Timur", "kec-timur"},
		{"Kecamatan Kota Tengah", "kec-tengah"}, {"Badan Riset dan Inovasi Daerah", "brida"}}
	// regUnits are the units of every OPD, with the word of their institutional mailboxes.
	regUnits = [][2]string{{"Sekretariat", "sekretariat"}, {"Subbagian Umum dan Kepegawaian", "umum"}, {"Subbagian Keuangan", "keuangan"},
		{"Subbagian Perencanaan", "perencanaan"}, {"Bidang Pelayanan", "pelayanan"}, {"Bidang Data dan Informasi", "data"},
		{"Bidang Aplikasi Informatika", "aptika"}, {"Unit Pelaksana Teknis Daerah", "upt"}}
)

// regInstitutionalEvery: one adopted row in this many is an institutional mailbox.
const regInstitutionalEvery = 33

// regMailbox is registry row k (0-based; id k+1) as the service would hold it.
func (s *shape) regMailbox(k int) registry.Mailbox {
	h := mix(uint64(k)*0x9e37 + 17)
	m := registry.Mailbox{ID: int64(k + 1), TenantID: s.Tenant, Kind: registry.Personal, UsedBytes: -1, Version: 1}
	synced := s.Now.Add(-time.Duration(2+h%20) * time.Hour) // last night's sync
	if k < s.reg.made {
		// Made by surel for finished request i, its applicant the owner (the old seed's
		// row of the reports, statuses and use added).
		i := int(s.finished[k])
		u := int(s.userOf(i) - s.UserBase)
		m.Address, m.Source, m.OwnerID, m.RequestID = s.mailbox(i)+"@"+s.Domain, registry.FromRequest, s.userOf(i), int64(i)
		m.NIP, m.Name = fmt.Sprintf("1985%014d", i), firstNames[u%len(firstNames)]+" "+lastNames[(u/len(firstNames))%len(lastNames)]
		m.Instansi, m.Unit, m.QuotaBytes = instansis[u%len(instansis)], "Bidang Aplikasi Informatika", 1<<30
		m.CreatedAt = s.closedAt(i)
	} else {
		s.adopted(&m, k-s.reg.made, h)
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = m.CreatedAt
	}
	if h%10 != 0 {
		m.SyncedAt, m.ServerStatus = synced, "active"
		if (h/10)%100 < 95 {
			quota := m.QuotaBytes
			if quota == 0 {
				quota = 1 << 30
			}
			m.UsedBytes, m.UsageAt = int64(float64(quota)*float64((h>>20)%1000)/1000), synced
		}
	}
	// Statuses: 92 % aktif, 2 % dikunci, 4 % nonaktif, 2 % dihapus (those with the
	// retention period behind them), changed since the row was written; a few gone from
	// the server behind surel's back.
	base, retention := m.UpdatedAt, 90*24*time.Hour
	life := s.Now.Sub(base)
	switch x := (h >> 8) % 100; {
	case x < 92:
		m.Status = registry.Active
	case x < 94:
		m.Status, m.ServerStatus = registry.Locked, "locked"
		m.UpdatedAt, m.Version = base.Add(life/2).Truncate(time.Second), m.Version+1
	case x < 98 || life < 2*retention:
		m.Status, m.ServerStatus = registry.Inactive, "deactivated"
		m.DeactivatedAt = base.Add(time.Duration(float64(life) * float64(50+(h>>32)%50) / 100)).Truncate(time.Second)
		m.PurgeAfter, m.UpdatedAt, m.Version = m.DeactivatedAt.Add(retention), m.DeactivatedAt, m.Version+1
	default:
		m.Status, m.ServerStatus = registry.Removed, "deactivated"
		m.DeactivatedAt = base.Add(time.Duration(float64(life-2*retention) * float64((h>>32)%100) / 100)).Truncate(time.Second)
		m.PurgeAfter = m.DeactivatedAt.Add(retention)
		m.UpdatedAt, m.Version = m.PurgeAfter.Add(24*time.Hour), m.Version+2
		m.UsedBytes, m.UsageAt, m.SyncedAt = -1, time.Time{}, time.Time{}
	}
	if m.Status != registry.Removed && (h>>40)%1000 < 3 {
		m.GoneAt = synced
	}
	return m
}

// adopted fills m as the a-th (0-based) mailbox a sync adopted from the server: every
// address is unique and unlike those surel made (first.last123): first.last,
// firstlast12, first_last12, or an institutional unit.opd12.
func (s *shape) adopted(m *registry.Mailbox, a int, h uint64) {
	m.Source, m.OwnerMatch = registry.Adopted, registry.MatchNone
	// The server held them before surel: created over the eight years before the seed's
	// three, adopted by the first sync.
	adoptedAt := s.Now.Add(-3 * 365 * 24 * time.Hour).Add(-20 * 24 * time.Hour)
	m.CreatedAt = adoptedAt.Add(-time.Duration(h%(8*365*24*3600)) * time.Second).Truncate(time.Second)
	m.UpdatedAt = adoptedAt
	opd := regOPD[(h>>12)%uint64(len(regOPD))]
	unit := regUnits[(h>>18)%uint64(len(regUnits))]
	m.Instansi, m.Unit = opd[0], unit[0]
	switch {
	case a%regInstitutionalEvery == 0:
		j := a / regInstitutionalEvery
		opd, unit = regOPD[j%len(regOPD)], regUnits[(j/len(regOPD))%len(regUnits)]
		local := unit[1] + "." + opd[1]
		if n := j / (len(regOPD) * len(regUnits)); n > 0 {
			local += strconv.Itoa(n)
		}
		m.Address, m.Kind, m.Instansi, m.Unit, m.QuotaBytes = local+"@"+s.Domain, registry.Institutional, opd[0], unit[0], 5<<30
		// Its responsible PNS, from the roster.
		m.Name, m.NIP, m.OwnerMatch = s.personName(h>>24), nipOf(h>>3), registry.MatchNIP
		if (h>>44)%100 < 4 {
			m.Handover, m.HandoverAt = registry.HandoverLeft, s.Now.Add(-time.Duration(1+(h>>50)%30)*24*time.Hour).Truncate(time.Second)
		}
	default:
		nf, nl := len(regFirst), len(regLast)
		c, r := a%(nf*nl), a/(nf*nl)
		first, last := regFirst[c%nf], regLast[c/nf]
		f, l := strings.ToLower(first), strings.ToLower(last)
		var local string
		switch {
		case r == 0:
			local = f + "." + l
		case r%2 == 1:
			local = f + l + strconv.Itoa((r+1)/2)
		default:
			local = f + "_" + l + strconv.Itoa(r/2)
		}
		m.Address = local + "@" + s.Domain
		m.QuotaBytes = []int64{1 << 30, 1 << 30, 1 << 30, 1 << 30, 2 << 30, 0}[(h>>26)%6]
		m.Name = first + " " + last
		if (h>>30)%4 == 0 {
			m.Name = first + " " + regMiddle[(h>>33)%uint64(len(regMiddle))] + " " + last
		}
		switch x := (h >> 36) % 100; {
		case x < 70:
			// The server's owner attribute held a NIP of the roster: its name and unit.
			m.NIP, m.OwnerMatch = nipOf(h>>3), registry.MatchNIP
		case x < 78:
			// A name the roster has: proposed, waiting for staff in the review queue.
			m.CandidateNIP, m.CandidateScore, m.Review = nipOf(h>>3), registry.ScoreName, registry.ReviewPending
			m.Instansi, m.Unit = "", ""
		default:
			// No owner known: the server's display name only, or none.
			m.Instansi, m.Unit = "", ""
			if x >= 90 {
				m.Name = ""
			}
		}
	}
}

// personName is a name of the lists, from a hash.
func (s *shape) personName(h uint64) string {
	return regFirst[h%uint64(len(regFirst))] + " " + regLast[(h/64)%uint64(len(regLast))]
}

// nipOf is an 18-digit NIP from a hash: birth date, appointment month, sex, number.
func nipOf(h uint64) string {
	birth := time.Date(1965+int(h%36), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int((h>>8)%365))
	appointed := birth.Year() + 22 + int((h>>17)%10)
	return fmt.Sprintf("%s%04d%02d%d%03d", birth.Format("20060102"), appointed, 1+(h>>21)%12, 1+(h>>25)%2, 1+(h>>26)%999)
}

// planRegistry adds the registry's rows up: their search words, counts and account
// events, and the first address.
func (s *shape) planRegistry() error {
	if s.Registry < len(s.finished) {
		return fmt.Errorf("-registry-mailboxes %d: the %d finished requests' mailboxes do not fit; raise it or lower -requests", s.Registry, len(s.finished))
	}
	s.reg = &regPlan{made: len(s.finished), terms: make([]int32, s.Registry+1), counts: map[registry.Status]int{},
		events: map[accountEvent]int64{}}
	for k := range s.Registry {
		m := s.regMailbox(k)
		s.reg.terms[k+1] = s.reg.terms[k] + int32(len(registry.Terms(m.Address, m.Name, m.NIP)))
		s.reg.counts[m.Status]++
		if s.reg.first == "" || m.Address < s.reg.first {
			s.reg.first = m.Address
		}
		// The events migration 38 counts per instansi and the store per hour: made or
		// adopted when created, deactivated when no longer live.
		service, event := "", "adopted"
		if m.Source == registry.FromRequest {
			service, event = "email", "created"
		}
		s.reg.events[accountEvent{m.CreatedAt.Unix() / 3600, service, string(m.Kind), event}]++
		if m.Status == registry.Inactive || m.Status == registry.Removed {
			s.reg.events[accountEvent{m.DeactivatedAt.Unix() / 3600, service, string(m.Kind), "deactivated"}]++
		}
	}
	return nil
}

func nullTimeOf(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func nullIDOf(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// registryTables are the registry, its search words, its counts and the account
// events, in the columns the store writes (PutMailbox, addTerms, countMailbox,
// countAccount).
func (s *shape) registryTables() []table {
	reg := table{name: "registry", n: s.Registry,
		cols: []string{"id", "tenant_id", "address", "kind", "status", "source", "owner_id", "owner_match", "nip", "name", "instansi", "unit",
			"request_id", "quota_bytes", "used_bytes", "usage_at", "search", "created_at", "updated_at", "synced_at", "gone_at",
			"deactivated_at", "purge_after", "server_status", "version", "candidate_nip", "candidate_score", "review", "handover", "handover_at"},
		row: func(k int, d []any) {
			m := s.regMailbox(k)
			d[0], d[1], d[2], d[3], d[4], d[5] = m.ID, m.TenantID, m.Address, string(m.Kind), string(m.Status), string(m.Source)
			d[6], d[7], d[8], d[9], d[10], d[11] = nullIDOf(m.OwnerID), m.OwnerMatch, m.NIP, m.Name, m.Instansi, m.Unit
			d[12], d[13], d[14], d[15], d[16] = nullIDOf(m.RequestID), m.QuotaBytes, m.UsedBytes, nullTimeOf(m.UsageAt), registry.SearchText(m.Address, m.Name, m.NIP)
			d[17], d[18], d[19], d[20] = m.CreatedAt, m.UpdatedAt, nullTimeOf(m.SyncedAt), nullTimeOf(m.GoneAt)
			d[21], d[22], d[23], d[24] = nullTimeOf(m.DeactivatedAt), nullTimeOf(m.PurgeAfter), m.ServerStatus, m.Version
			d[25], d[26], d[27], d[28], d[29] = m.CandidateNIP, int64(m.CandidateScore), m.Review, m.Handover, nullTimeOf(m.HandoverAt)
		}}
	// The search words, each with its mailbox's search text (migration 43), are read in
	// row order: the row of the last word is kept.
	cur, words := -1, []string(nil)
	var addr, search string
	terms := table{name: "registry_terms", n: int(s.reg.terms[s.Registry]),
		cols: []string{"tenant_id", "term", "address", "mailbox_id", "search"},
		row: func(k int, d []any) {
			if cur < 0 || k < int(s.reg.terms[cur]) || k >= int(s.reg.terms[cur+1]) {
				cur = sort.Search(s.Registry, func(i int) bool { return int(s.reg.terms[i+1]) > k })
				m := s.regMailbox(cur)
				words, addr, search = registry.Terms(m.Address, m.Name, m.NIP), m.Address, registry.SearchText(m.Address, m.Name, m.NIP)
			}
			d[0], d[1], d[2], d[3], d[4] = s.Tenant, words[k-int(s.reg.terms[cur])], addr, int64(cur+1), search
		}}
	statuses := slices.Sorted(maps.Keys(s.reg.counts))
	counts := table{name: "registry_counts", n: len(statuses), cols: []string{"tenant_id", "status", "n"},
		row: func(k int, d []any) {
			d[0], d[1], d[2] = s.Tenant, string(statuses[k]), int64(s.reg.counts[statuses[k]])
		}}
	keys := slices.SortedFunc(maps.Keys(s.reg.events), func(a, b accountEvent) int {
		return cmp.Or(cmp.Compare(a.hour, b.hour), cmp.Compare(a.service, b.service), cmp.Compare(a.kind, b.kind), cmp.Compare(a.event, b.event))
	})
	events := table{name: "stat_accounts", n: len(keys),
		cols: []string{"tenant_id", "hour", "service", "kind", "event", "n"},
		row: func(k int, d []any) {
			e := keys[k]
			d[0], d[1], d[2], d[3], d[4], d[5] = s.Tenant, e.hour, e.service, e.kind, e.event, s.reg.events[e]
		}}
	return []table{reg, terms, counts, events}
}

// checkRegistrySeed compares a sample of the seeded rows with what the store itself
// writes for them: each sampled mailbox is read (store.Mailbox) and written back with
// PutMailbox, which replaces its search words and search text by its own; the row read
// again must be the same but for its version, and the words the same. The counts by
// status must be a count of the rows. It runs right after seeding (the sampled rows move
// on one version).
func (e *env) checkRegistrySeed(ctx context.Context, sample int) (string, error) {
	st, s := e.app.Store, e.shape
	db := st.DB()
	d := st.Dialect()
	termsOf := func(id int64) ([]string, string, error) {
		rows, err := db.QueryContext(ctx, rebind(d, `SELECT term || ' ' || search FROM registry_terms WHERE mailbox_id = ? ORDER BY term`), id)
		if err != nil {
			return nil, "", err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				return nil, "", err
			}
			out = append(out, t)
		}
		var search string
		if err := db.QueryRowContext(ctx, rebind(d, `SELECT search FROM registry WHERE id = ?`), id).Scan(&search); err != nil {
			return nil, "", err
		}
		return out, search, rows.Err()
	}
	checked, words := 0, 0
	step := max(1, s.Registry/sample)
	for k := 0; k < s.Registry && checked < sample; k += step {
		want := s.regMailbox(k)
		if !want.GoneAt.IsZero() {
			continue // PutMailbox would bring it back
		}
		seeded, err := st.Mailbox(ctx, want.ID)
		if err != nil {
			return "", fmt.Errorf("seed check: mailbox %d: %w", want.ID, err)
		}
		t0, s0, err := termsOf(want.ID)
		if err != nil {
			return "", fmt.Errorf("seed check: %w", err)
		}
		put := seeded
		put.ID, put.Version = 0, 0
		if err := st.PutMailbox(ctx, &put); err != nil {
			return "", fmt.Errorf("seed check: put %s: %w", seeded.Address, err)
		}
		again, err := st.Mailbox(ctx, want.ID)
		if err != nil {
			return "", fmt.Errorf("seed check: mailbox %d: %w", want.ID, err)
		}
		t1, s1, err := termsOf(want.ID)
		if err != nil {
			return "", fmt.Errorf("seed check: %w", err)
		}
		again.Version = seeded.Version
		if fmt.Sprint(again) != fmt.Sprint(seeded) {
			return "", fmt.Errorf("seed check: mailbox %d seeded as\n%+v\nreads after PutMailbox\n%+v", want.ID, seeded, again)
		}
		if !slices.Equal(t0, t1) || s0 != s1 {
			return "", fmt.Errorf("seed check: %s: seeded words %q, search %q; PutMailbox writes %q, %q", seeded.Address, t0, s0, t1, s1)
		}
		if seeded.Address != want.Address || seeded.Status != want.Status || seeded.Name != want.Name || seeded.NIP != want.NIP {
			return "", fmt.Errorf("seed check: row %d holds %s %s %q %s, the seed made %s %s %q %s", want.ID, seeded.Address, seeded.Status,
				seeded.Name, seeded.NIP, want.Address, want.Status, want.Name, want.NIP)
		}
		checked++
		words += len(t0)
	}
	counts, err := st.MailboxCounts(ctx, s.Tenant)
	if err != nil {
		return "", err
	}
	rows, err := db.QueryContext(ctx, rebind(d, `SELECT status, COUNT(*) FROM registry WHERE tenant_id = ? GROUP BY status`), s.Tenant)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var status string
		var c int
		if err := rows.Scan(&status, &c); err != nil {
			return "", err
		}
		if counts[registry.Status(status)] != c {
			return "", fmt.Errorf("seed check: registry_counts says %d %s, the rows %d", counts[registry.Status(status)], status, c)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if n != len(counts) {
		return "", fmt.Errorf("seed check: registry_counts has %d statuses, the rows %d", len(counts), n)
	}
	return fmt.Sprintf("%d sampled mailboxes (%d search words) equal to what PutMailbox writes for them; registry_counts equal a count of the rows", checked, words), nil
}
