package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/surel-id/surel/internal/sop"
)

// The tables the reports read besides the requests and their history (migration 21):
// the daily step counts, the registry of the mailboxes the finished requests made, its
// hourly event counts and the mail server's daily figures. The app writes each with
// what it counts; here they are what the seeded rows would have made, computed from
// the same pure functions of the row index.

// seedZone is the default tenant's (the kominfo preset's) time zone: its days are
// the daily counts' days.
var seedZone = time.FixedZone("WIB", 7*3600)

// stepHours is the duration in hours of finished history row k (0-based), 1 to 20.
func stepHours(k int) int { return int(1 + mix(uint64(k))%20) }

// closedAt is when finished or refused request i closed.
func (s *shape) closedAt(i int) time.Time {
	return s.created(i).Add(time.Duration(s.Steps) * 6 * time.Hour)
}

type stepCountKey struct {
	day          int
	key, role    string
	minutes      int
	closedPerSOP bool
}

type stepCount struct{ n, in int64 }

type accountKey struct{ hour int64 }

// reportCounts adds up the step counts and the account events of the seed.
func (s *shape) reportCounts() ([]stepCountKey, map[stepCountKey]stepCount, []int64, map[int64]int64) {
	steps := map[stepCountKey]stepCount{}
	accounts := map[int64]int64{}
	for i := 1; i <= s.Requests; i++ {
		total, over, measured := 0, false, 0
		for seq := 1; seq <= s.Steps; seq++ {
			tpl, status := s.stepOf(i, seq)
			if status == "open" || status == "paused" || tpl.kind == "submit" || tpl.kind == "correction" {
				continue
			}
			k := (i-1)*s.Steps + seq - 1
			h := stepHours(k)
			end := s.created(i).Add(time.Duration(seq-1)*6*time.Hour + time.Duration(h)*time.Hour)
			in := mix(uint64(k)*3)%10 != 0
			key := stepCountKey{day: sop.DateOf(end.In(seedZone)).Num(), key: tpl.key, role: tpl.role, minutes: sop.WorkBucket(h * 60)}
			c := steps[key]
			c.n++
			if in {
				c.in++
			}
			steps[key] = c
			total, measured = total+h*60, measured+1
			over = over || !in
		}
		if st := s.status[i]; st == stDone || st == stRefused {
			key := stepCountKey{day: sop.DateOf(s.closedAt(i).In(seedZone)).Num(), key: "*", role: "", minutes: sop.WorkBucket(total), closedPerSOP: true}
			c := steps[key]
			c.n++
			if !over && measured > 0 {
				c.in++
			}
			steps[key] = c
			if st == stDone {
				accounts[s.closedAt(i).Unix()/3600]++
			}
		}
	}
	keys := make([]stepCountKey, 0, len(steps))
	for k := range steps {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return fmt.Sprint(keys[a]) < fmt.Sprint(keys[b]) })
	hours := make([]int64, 0, len(accounts))
	for h := range accounts {
		hours = append(hours, h)
	}
	sort.Slice(hours, func(a, b int) bool { return hours[a] < hours[b] })
	return keys, steps, hours, accounts
}

func (s *shape) reportTables() []table {
	keys, steps, hours, accounts := s.reportCounts()
	statSteps := table{name: "stat_steps", n: len(keys),
		cols: []string{"tenant_id", "day", "service", "step_key", "role", "minutes", "n", "in_sla"},
		row: func(k int, d []any) {
			key := keys[k]
			c := steps[key]
			d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = s.Tenant, int64(key.day), "email", key.key, key.role, int64(key.minutes), c.n, c.in
		}}
	statAccounts := table{name: "stat_accounts", n: len(hours),
		cols: []string{"tenant_id", "hour", "service", "kind", "event", "n"},
		row: func(k int, d []any) {
			d[0], d[1], d[2], d[3], d[4], d[5] = s.Tenant, hours[k], "email", "perorangan", "created", accounts[hours[k]]
		}}
	registry := table{name: "registry", n: len(s.finished),
		cols: []string{"id", "tenant_id", "address", "kind", "status", "source", "owner_id", "nip", "name", "instansi", "unit",
			"request_id", "quota_bytes", "created_at", "updated_at"},
		row: func(k int, d []any) {
			i := int(s.finished[k])
			u := int(s.userOf(i) - s.UserBase)
			at := s.closedAt(i)
			d[0], d[1], d[2], d[3], d[4], d[5] = int64(k+1), s.Tenant, s.mailbox(i)+"@"+s.Domain, "perorangan", "aktif", "surel"
			d[6], d[7], d[8] = s.userOf(i), fmt.Sprintf("1985%014d", i), firstNames[u%len(firstNames)]+" "+lastNames[(u/len(firstNames))%len(lastNames)]
			d[9], d[10], d[11], d[12], d[13], d[14] = instansis[u%len(instansis)], "Bidang Aplikasi Informatika", int64(i), int64(1<<30), at, at
		}}
	days := 3 * 365
	capacity := table{name: "capacity_days", n: days,
		cols: []string{"tenant_id", "day", "at", "accounts", "max_accounts", "quota_allocated", "quota_used", "total_quota"},
		row: func(k int, d []any) {
			at := s.Now.AddDate(0, 0, k-days+1)
			n := int64(len(s.finished)) * int64(k+1) / int64(days)
			d[0], d[1], d[2], d[3], d[4] = s.Tenant, int64(sop.DateOf(at.In(seedZone)).Num()), at, n, int64(2_000_000)
			d[5], d[6], d[7] = n<<30, n<<28, int64(4_000_000)<<30
		}}
	if s.Registry > 0 {
		// The registry phase's registry, its words, counts and account events instead.
		return append([]table{statSteps}, append(s.registryTables(), capacity)...)
	}
	return []table{statSteps, statAccounts, registry, capacity}
}
