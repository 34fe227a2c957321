package letter_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
)

var wita = time.FixedZone("WITA", 8*3600)

func service(st *store.Store) *letter.Service {
	return &letter.Service{Store: st, Audit: &audit.Recorder{Store: st}}
}

var settings = letter.Settings{Office: "DISKOMINFO", Place: "Samarinda"}

// aRequest makes a sent request to hang documents on.
func aRequest(t *testing.T, st *store.Store, tenantID int64, n int) int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	u := account.User{TenantID: tenantID, Username: fmt.Sprintf("u%d", n), Email: fmt.Sprintf("u%d@example.com", n), FirstName: "U",
		Phone: "0812", Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
	if err := st.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	r := request.Request{TenantID: tenantID, UserID: u.ID, Service: "email", Kind: "pns", Status: request.Draft, Domain: "x.go.id",
		CreatedAt: now, UpdatedAt: now}
	if err := st.CreateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// Numbers follow each other in a series, restart with the year, and never meet: two
// kinds with the same pattern but their own codes count apart.
func TestIssueNumbers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, _ := st.EnsureTenant(ctx, "kaltim", "Kaltim", time.Now())
		s := service(st)
		issue := func(k letter.Kind, at time.Time) letter.Document {
			t.Helper()
			d := letter.Document{TenantID: tid, Kind: k, IssuedAt: at.UTC(), Subject: "Siti"}
			if err := s.Issue(ctx, settings, wita, audit.System, &d); err != nil {
				t.Fatal(err)
			}
			return d
		}
		dec := time.Date(2026, 12, 6, 9, 0, 0, 0, wita)
		var got []string
		for i := 0; i < 3; i++ {
			got = append(got, issue(letter.KindReceipt, dec).Number)
		}
		got = append(got, issue(letter.KindReport, dec).Number)
		// 31 December, 23:30 in Samarinda is 15:30 UTC: still 2026 for the office.
		got = append(got, issue(letter.KindReceipt, time.Date(2026, 12, 31, 23, 30, 0, 0, wita)).Number)
		got = append(got, issue(letter.KindReceipt, time.Date(2027, 1, 4, 8, 0, 0, 0, wita)).Number)
		want := []string{"1/TT/DISKOMINFO/XII/2026", "2/TT/DISKOMINFO/XII/2026", "3/TT/DISKOMINFO/XII/2026",
			"1/LAP/DISKOMINFO/XII/2026", "4/TT/DISKOMINFO/XII/2026", "1/TT/DISKOMINFO/I/2027"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("numbers\n got %v\nwant %v", got, want)
		}
		// Issuing is in the audit trail.
		if n, err := st.AuditTrail(ctx, "document:1"); err != nil || len(n) != 1 || n[0].Action != "document.issue" {
			t.Errorf("trail of document 1: %v %v", n, err)
		}
	})
}

// Several processes on one database (two stores here, each with its own connections)
// issuing at once take every number once, without a gap; a document rolled back gives
// its number back instead of leaving a hole or a duplicate.
func TestIssueConcurrent(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := dbtest.URL(t, d)
			var stores []*store.Store
			for range 2 {
				st, err := store.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				stores = append(stores, st)
			}
			tid, _ := stores[0].EnsureTenant(ctx, "kaltim", "Kaltim", time.Now())
			at := time.Date(2026, 12, 6, 9, 0, 0, 0, wita).UTC()
			// One rolled back first.
			errBoom := errors.New("boom")
			err := stores[0].Tx(ctx, func(ctx context.Context) error {
				d := letter.Document{TenantID: tid, Kind: letter.KindReceipt, IssuedAt: at}
				if err := service(stores[0]).Issue(ctx, settings, wita, audit.System, &d); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatal(err)
			}
			const each = 25
			var mu sync.Mutex
			var numbers []string
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := service(stores[w%2])
					for range each {
						d := letter.Document{TenantID: tid, Kind: letter.KindReceipt, IssuedAt: at}
						if err := s.Issue(ctx, settings, wita, audit.System, &d); err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						numbers = append(numbers, d.Number)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			sort.Slice(numbers, func(i, j int) bool {
				return len(numbers[i]) < len(numbers[j]) || len(numbers[i]) == len(numbers[j]) && numbers[i] < numbers[j]
			})
			for i, n := range numbers {
				if want := fmt.Sprintf("%d/TT/DISKOMINFO/XII/2026", i+1); n != want {
					t.Fatalf("number %d is %q, want %q (all: %v)", i, n, want, numbers)
				}
			}
			if len(numbers) != 8*each {
				t.Fatalf("%d numbers", len(numbers))
			}
		})
	}
}

// A request's receipt is issued once: printed again, or by two people at the same
// moment, it keeps its number; its code opens it however it is typed.
func TestOnceAndVerify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, _ := st.EnsureTenant(ctx, "kaltim", "Kaltim", time.Now())
		rid := aRequest(t, st, tid, 1)
		s := service(st)
		var wg sync.WaitGroup
		docs := make([]letter.Document, 6)
		for i := range docs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := s.Once(ctx, settings, wita, audit.System, letter.Document{TenantID: tid, Kind: letter.KindReceipt, RequestID: rid,
					IssuedAt: time.Now().UTC(), Subject: "Siti Rahma", Mailbox: "siti.rahma@kaltimprov.go.id",
					Facts: []letter.Fact{{Label: "Nomor permohonan", Value: "SRL-2026-000001"}}})
				if err != nil {
					t.Error(err)
				}
				docs[i] = d
			}()
		}
		wg.Wait()
		for _, d := range docs[1:] {
			if d.ID != docs[0].ID || d.Number != docs[0].Number || d.Code != docs[0].Code {
				t.Fatalf("two receipts for one request: %+v %+v", docs[0], d)
			}
		}
		typed := strings.ToLower(letter.ShowCode(docs[0].Code))
		got, err := s.Verify(ctx, typed)
		if err != nil || got.ID != docs[0].ID || got.Subject != "Siti Rahma" || got.Mailbox != "siti.rahma@kaltimprov.go.id" ||
			len(got.Facts) != 1 || got.Facts[0].Value != "SRL-2026-000001" {
			t.Fatalf("verify %q: %+v %v", typed, got, err)
		}
		for _, bad := range []string{"", "0000-0000-0000", "nope", "%00"} {
			if _, err := s.Verify(ctx, bad); !errors.Is(err, letter.ErrUnknownCode) {
				t.Errorf("verify %q: %v", bad, err)
			}
		}
		// Another tenant's staff cannot read it by id.
		other, _ := st.EnsureTenant(ctx, "lain", "Lain", time.Now())
		if _, err := s.Get(ctx, other, docs[0].ID); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("another tenant's document: %v", err)
		}
		list, err := s.Of(ctx, rid)
		if err != nil || len(list) != 1 {
			t.Fatalf("documents of the request: %v %v", list, err)
		}
		if err := st.ArchiveDocuments(ctx, rid, time.Now()); err != nil {
			t.Fatal(err)
		}
		if d, _ := s.Get(ctx, tid, docs[0].ID); d.ArchivedAt.IsZero() {
			t.Error("archived document without its time")
		}
	})
}
