package audit

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// memStore chains entries the way the SQL store does, in memory.
type memStore struct{ log []Entry }

func (m *memStore) AppendAudit(_ context.Context, e *Entry) error {
	e.Normalize()
	var last Head
	for _, x := range m.log {
		if x.TenantID == e.TenantID {
			last = Head{TenantID: x.TenantID, Seq: x.Seq, Hash: x.Hash}
		}
	}
	e.ID = int64(len(m.log) + 1)
	e.Seq, e.PrevHash = last.Seq+1, last.Hash
	e.Hash = e.ComputeHash(e.PrevHash)
	m.log = append(m.log, *e)
	return nil
}

func (m *memStore) AuditTrail(context.Context, string) ([]Entry, error) { return nil, nil }

func (m *memStore) VerifyAudit(ctx context.Context) (Report, error) {
	return Verify(ctx, m.walk(m.log))
}

// walk gives the entries ordered by tenant, then seq, like the store's walk.
func (m *memStore) walk(log []Entry) Walk {
	return func(_ context.Context, fn func(Entry) error) error {
		var tenants []int64
		for _, e := range log {
			if !slices.Contains(tenants, e.TenantID) {
				tenants = append(tenants, e.TenantID)
			}
		}
		slices.Sort(tenants)
		for _, t := range tenants {
			for _, e := range log {
				if e.TenantID == t {
					if err := fn(e); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
}

func TestHashCoversEveryFieldUnambiguously(t *testing.T) {
	base := Entry{TenantID: 1, Seq: 3, At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Actor: "staff:7",
		ActorName: "Budi", Role: "kepala_seksi", Action: "step.forward", Object: "request:42", Detail: "ok", IP: "10.0.0.1"}
	h := base.ComputeHash("p")
	if len(h) != 64 || h != base.ComputeHash("p") {
		t.Fatalf("hash %q is not a stable hex sha256", h)
	}
	if base.ComputeHash("q") == h {
		t.Fatal("the previous hash is not covered")
	}
	for name, change := range map[string]func(*Entry){
		"tenant": func(e *Entry) { e.TenantID = 2 },
		"seq":    func(e *Entry) { e.Seq = 4 },
		"at":     func(e *Entry) { e.At = e.At.Add(time.Microsecond) },
		"actor":  func(e *Entry) { e.Actor = "staff:8" },
		"name":   func(e *Entry) { e.ActorName = "Budi " },
		"role":   func(e *Entry) { e.Role = "" },
		"action": func(e *Entry) { e.Action = "step.return" },
		"object": func(e *Entry) { e.Object = "request:43" },
		"detail": func(e *Entry) { e.Detail = "ok." },
		"ip":     func(e *Entry) { e.IP = "10.0.0.2" },
		// Moving bytes from one field to the next keeps their concatenation: the length
		// prefixes must still tell the two apart.
		"boundary": func(e *Entry) { e.ActorName, e.Role = "Budikepala", "_seksi" },
	} {
		e := base
		change(&e)
		if e.ComputeHash("p") == h {
			t.Errorf("changing %s keeps the hash", name)
		}
	}
	// The zone of At does not matter, only the instant.
	e := base
	e.At = e.At.In(time.FixedZone("WIB", 7*3600))
	if e.ComputeHash("p") != h {
		t.Error("the hash depends on At's time zone")
	}
}

func TestRecorder(t *testing.T) {
	ctx := context.Background()
	st := &memStore{}
	now := time.Date(2026, 5, 1, 8, 0, 0, 123456789, time.FixedZone("WIB", 7*3600))
	r := Recorder{Store: st, Now: func() time.Time { return now }}
	if err := r.Record(ctx, Entry{TenantID: 1, Actor: "user:1", Action: "request.submit", Object: "request:1",
		Detail: "bad \xff utf-8 and \x00 nul"}); err != nil {
		t.Fatal(err)
	}
	e := st.log[0]
	if !e.At.Equal(now.Truncate(time.Microsecond)) || e.At.Location() != time.UTC {
		t.Fatalf("At = %v, want now in UTC to the microsecond", e.At)
	}
	if e.Detail != "bad \uFFFD utf-8 and \uFFFD nul" {
		t.Fatalf("detail not cleaned: %q", e.Detail)
	}
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := r.Record(ctx, Entry{TenantID: 1, Actor: "system", Action: "request.expire", At: at}); err != nil {
		t.Fatal(err)
	}
	if !st.log[1].At.Equal(at) || st.log[1].Seq != 2 || st.log[1].PrevHash != e.Hash {
		t.Fatalf("second entry: %+v", st.log[1])
	}
	for _, bad := range []Entry{{Actor: "system", Action: "x"}, {TenantID: 1, Action: "x"}, {TenantID: 1, Actor: "system"}} {
		if err := r.Record(ctx, bad); err == nil {
			t.Errorf("recorded %+v", bad)
		}
	}
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	st := &memStore{}
	r := Recorder{Store: st}
	for i := range 10 {
		if err := r.Record(ctx, Entry{TenantID: int64(1 + i%2), Actor: "system", Action: "a", Detail: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := st.VerifyAudit(ctx)
	if err != nil || rep.Break != nil || rep.Entries != 10 || len(rep.Heads) != 2 || rep.Heads[1].Seq != 5 {
		t.Fatalf("intact log: %+v %v", rep, err)
	}
	// Tenant 1 holds log[0], [2], [4], [6], [8] as seq 1 to 5.
	cases := []struct {
		name   string
		tamper func(log []Entry) []Entry
		tenant int64
		seq    int64
		want   Problem
	}{
		{"edited", func(l []Entry) []Entry { l[4].Detail = "z"; return l }, 1, 3, ProblemHash},
		{"edited, hash recomputed", func(l []Entry) []Entry {
			l[4].Detail = "z"
			l[4].Hash = l[4].ComputeHash(l[4].PrevHash)
			return l
		}, 1, 4, ProblemPrev},
		{"deleted", func(l []Entry) []Entry { return append(l[:4:4], l[5:]...) }, 1, 4, ProblemGap},
		{"first deleted", func(l []Entry) []Entry { return l[1:] }, 1, 2, ProblemGap},
		{"inserted", func(l []Entry) []Entry {
			x := l[4]
			x.Detail = "forged"
			x.Hash = x.ComputeHash(x.PrevHash)
			return append(l[:5:5], append([]Entry{x}, l[5:]...)...)
		}, 1, 3, ProblemSeq},
		{"other tenant", func(l []Entry) []Entry { l[9].IP = "1.2.3.4"; return l }, 2, 5, ProblemHash},
	}
	for _, c := range cases {
		log := c.tamper(append([]Entry(nil), st.log...))
		rep, err := Verify(ctx, st.walk(log))
		if err != nil {
			t.Fatal(err)
		}
		if b := rep.Break; b == nil || b.TenantID != c.tenant || b.Seq != c.seq || b.Problem != c.want {
			t.Errorf("%s: break %+v, want tenant %d seq %d: %s", c.name, rep.Break, c.tenant, c.seq, c.want)
		}
	}
	gap := Break{Seq: 4, Want: 3, Problem: ProblemGap}
	if gap.String() != "entries missing before it (seq 3)" {
		t.Errorf("one missing: %s", gap)
	}
	gap.Seq = 6
	if gap.String() != "entries missing before it (seq 3 to 5)" {
		t.Errorf("three missing: %s", gap)
	}
	// A failing read is an error, not a verdict.
	boom := errors.New("boom")
	if _, err := Verify(ctx, func(context.Context, func(Entry) error) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("read error: %v", err)
	}
}
