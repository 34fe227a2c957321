package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/store"
)

const rosterHeader = "nip,nama,instansi,unit_kerja,status,aktif\n"

// importRoster runs an import as `surel roster import` does, with runs small enough that
// even a short file is sorted through several files on disk.
func importRoster(t *testing.T, st *store.Store, tenantID int64, csv string) (int, error) {
	t.Helper()
	return roster.Import(context.Background(), st, tenantID, strings.NewReader(csv),
		roster.Options{TempDir: t.TempDir(), RunBytes: 2048})
}

func tenant(t *testing.T, st *store.Store, slug string) int64 {
	t.Helper()
	id, err := st.EnsureTenant(context.Background(), slug, slug, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// nipN is a valid, distinct NIP for every n < 1000.
func nipN(n int) string { return fmt.Sprintf("19800101200501%d%03d", 1+n/500, 1+n%500) }

// rosterCSV has n entries, nipN(0) … nipN(n-1), written in descending NIP order.
func rosterCSV(n int, name string) string {
	var b strings.Builder
	b.WriteString(rosterHeader)
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "%s,%s %d,Kab. Bogor,Disdik,PNS,1\n", nipN(i), name, i)
	}
	return b.String()
}

func wantEntry(t *testing.T, st *store.Store, tenantID int64, want roster.Entry) {
	t.Helper()
	got, err := st.RosterEntry(context.Background(), tenantID, want.NIP)
	if err != nil {
		t.Fatalf("RosterEntry(%s): %v", want.NIP, err)
	}
	if got != want {
		t.Fatalf("RosterEntry(%s) = %+v, want %+v", want.NIP, got, want)
	}
}

func wantAbsent(t *testing.T, st *store.Store, tenantID int64, nip string) {
	t.Helper()
	if e, err := st.RosterEntry(context.Background(), tenantID, nip); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("RosterEntry(%s) = %+v, %v; want ErrNotFound", nip, e, err)
	}
}

func wantCount(t *testing.T, st *store.Store, tenantID int64, want int) {
	t.Helper()
	if n, err := st.RosterCount(context.Background(), tenantID); err != nil || n != want {
		t.Fatalf("RosterCount = %d, %v; want %d", n, err, want)
	}
}

func TestRosterImportAndLookup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		tid := tenant(t, st, "a")
		wantCount(t, st, tid, 0)
		csv := rosterHeader +
			"198001012005011002,\"Drs. H. Murni, M.Si.\",Kab. Bogor,Dinas Pendidikan,PNS,1\n" +
			"199202022019032001,Siti Aminah,Kota Bandung,\"Bappeda, Bidang \"\"Litbang\"\"\",pppk,ya\n" +
			"012345678901234567,Ujang,Prov. Jawa Barat,Setda,Honorer,tidak\n" +
			"'19750505 200003 1 004,  Budi Santoso  ,Kab. Garut,RSUD,PNS,N\n"
		n, err := importRoster(t, st, tid, csv)
		if err != nil || n != 4 {
			t.Fatalf("import = %d, %v", n, err)
		}
		wantCount(t, st, tid, 4)
		wantEntry(t, st, tid, roster.Entry{NIP: "198001012005011002", Name: "Drs. H. Murni, M.Si.", Instansi: "Kab. Bogor",
			Unit: "Dinas Pendidikan", Status: roster.PNS, Active: true})
		wantEntry(t, st, tid, roster.Entry{NIP: "199202022019032001", Name: "Siti Aminah", Instansi: "Kota Bandung",
			Unit: `Bappeda, Bidang "Litbang"`, Status: roster.PPPK, Active: true})
		// A leading zero survives the numeric key.
		wantEntry(t, st, tid, roster.Entry{NIP: "012345678901234567", Name: "Ujang", Instansi: "Prov. Jawa Barat",
			Unit: "Setda", Status: roster.Honorer, Active: false})
		wantEntry(t, st, tid, roster.Entry{NIP: "197505052000031004", Name: "Budi Santoso", Instansi: "Kab. Garut",
			Unit: "RSUD", Status: roster.PNS, Active: false})
		wantAbsent(t, st, tid, "198001012005011003")
		wantAbsent(t, st, tid, "not-a-nip")
		wantAbsent(t, st, tenant(t, st, "b"), "198001012005011002")

		// The request check on a looked-up entry.
		e, err := st.RosterEntry(context.Background(), tid, "198001012005011002")
		if err != nil {
			t.Fatal(err)
		}
		if m := roster.Check(&e, true, "MURNI", roster.Policy{}); len(m) != 0 {
			t.Fatalf("Check = %v, want no mismatch", m)
		}
	})
}

// A bigger file: every entry arrives, through several sorted runs and INSERT batches.
func TestRosterImportMany(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		tid := tenant(t, st, "a")
		if n, err := importRoster(t, st, tid, rosterCSV(1000, "Orang")); err != nil || n != 1000 {
			t.Fatalf("import = %d, %v", n, err)
		}
		wantCount(t, st, tid, 1000)
		for _, i := range []int{0, 1, 255, 256, 257, 511, 999} {
			wantEntry(t, st, tid, roster.Entry{NIP: nipN(i), Name: fmt.Sprintf("Orang %d", i), Instansi: "Kab. Bogor",
				Unit: "Disdik", Status: roster.PNS, Active: true})
		}
	})
}

// A new import replaces the tenant's roster and no other: both the tenant alone in the
// table (SQLite clears the table) and beside another one.
func TestRosterReplace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		a, b := tenant(t, st, "a"), tenant(t, st, "b")
		for _, name := range []string{"Lama", "Lama"} {
			if _, err := importRoster(t, st, a, rosterCSV(300, name)); err != nil {
				t.Fatal(err)
			}
		}
		wantCount(t, st, a, 300)
		if _, err := importRoster(t, st, b, rosterCSV(10, "Tetangga")); err != nil {
			t.Fatal(err)
		}
		csv := rosterHeader +
			nipN(299) + ",Baru,Kota Medan,Dinkes,PPPK,0\n" +
			nipN(400) + ",Paling Baru,Kota Medan,Dinkes,PNS,1\n"
		if n, err := importRoster(t, st, a, csv); err != nil || n != 2 {
			t.Fatalf("replace = %d, %v", n, err)
		}
		wantCount(t, st, a, 2)
		wantAbsent(t, st, a, nipN(0))
		wantAbsent(t, st, a, nipN(298))
		wantEntry(t, st, a, roster.Entry{NIP: nipN(299), Name: "Baru", Instansi: "Kota Medan", Unit: "Dinkes", Status: roster.PPPK})
		wantEntry(t, st, a, roster.Entry{NIP: nipN(400), Name: "Paling Baru", Instansi: "Kota Medan", Unit: "Dinkes",
			Status: roster.PNS, Active: true})
		// The other tenant's roster, with the same NIPs, is untouched.
		wantCount(t, st, b, 10)
		wantEntry(t, st, b, roster.Entry{NIP: nipN(9), Name: "Tetangga 9", Instansi: "Kab. Bogor", Unit: "Disdik",
			Status: roster.PNS, Active: true})
	})
}

// A file with bad rows is refused whole, with the lines, and the roster in place stays.
func TestRosterBadFileKeepsOld(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		tid := tenant(t, st, "a")
		if _, err := importRoster(t, st, tid, rosterCSV(50, "Lama")); err != nil {
			t.Fatal(err)
		}
		csv := rosterHeader +
			nipN(1) + ",Satu,I,U,PNS,1\n" + // line 2
			"19800101200501100,Dua,I,U,PNS,1\n" + // line 3: 17 digits
			nipN(3) + ",Tiga,I,U,CPNS,1\n" + // line 4: status
			nipN(4) + ",Empat,I,U,PNS,mungkin\n" + // line 5: aktif
			nipN(5) + ", ,I,U,PNS,1\n" + // line 6: no name
			nipN(6) + ",Enam,I\n" // line 7: too few fields
		_, err := importRoster(t, st, tid, csv)
		var fe *roster.FileError
		if !errors.As(err, &fe) {
			t.Fatalf("import = %v, want a *roster.FileError", err)
		}
		var got []string
		for _, p := range fe.Problems {
			got = append(got, fmt.Sprintf("%d:%s", p.Line, p.Reason))
		}
		if want := "3:nip 4:status 5:active 6:name 7:fields"; strings.Join(got, " ") != want || fe.Total != 5 {
			t.Fatalf("problems %v (total %d), want %s", got, fe.Total, want)
		}
		if !strings.Contains(err.Error(), "line 3: nip: NIP must be 18 digits") {
			t.Fatalf("message %q", err)
		}
		wantCount(t, st, tid, 50)
		wantEntry(t, st, tid, roster.Entry{NIP: nipN(1), Name: "Lama 1", Instansi: "Kab. Bogor", Unit: "Disdik",
			Status: roster.PNS, Active: true})
	})
}

// A NIP twice is refused with both lines, even when it turns up late in the merge, after
// rows have been written: the transaction is rolled back.
func TestRosterDuplicateNIP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		tid := tenant(t, st, "a")
		if _, err := importRoster(t, st, tid, rosterCSV(20, "Lama")); err != nil {
			t.Fatal(err)
		}
		// nipN(999) sorts last, after 999 rows have gone to the database; the file
		// lists it on line 2 and again on line 1002.
		csv := rosterCSV(1000, "Baru") + nipN(999) + ",Kembar,I,U,PNS,1\n"
		_, err := importRoster(t, st, tid, csv)
		var fe *roster.FileError
		if !errors.As(err, &fe) || len(fe.Problems) != 1 {
			t.Fatalf("import = %v, want one duplicate", err)
		}
		if p := fe.Problems[0]; p.Reason != "duplicate" || p.Line != 1002 || p.Other != 2 || p.Value != nipN(999) {
			t.Fatalf("problem %+v", p)
		}
		wantCount(t, st, tid, 20)
		wantAbsent(t, st, tid, nipN(500))
		wantEntry(t, st, tid, roster.Entry{NIP: nipN(0), Name: "Lama 0", Instansi: "Kab. Bogor", Unit: "Disdik",
			Status: roster.PNS, Active: true})
	})
}

// pausing is a source that stops after some entries until released, so a test can look
// at the roster in the middle of an import.
type pausing struct {
	roster.Source
	after   int
	n       int
	paused  chan struct{}
	release chan struct{}
}

func (p *pausing) Next() (roster.Entry, int, error) {
	if p.n == p.after {
		close(p.paused)
		<-p.release
	}
	p.n++
	return p.Source.Next()
}

// During an import, readers see the old roster; after it, the new one; never a mix.
func TestRosterReadersSeeOldOrNew(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid := tenant(t, st, "a")
		if _, err := importRoster(t, st, tid, rosterCSV(10, "Lama")); err != nil {
			t.Fatal(err)
		}
		rd, err := roster.NewReader(strings.NewReader(rosterCSV(900, "Baru")))
		if err != nil {
			t.Fatal(err)
		}
		src := &pausing{Source: rd, after: 800, paused: make(chan struct{}), release: make(chan struct{})}
		var wg sync.WaitGroup
		var n int
		var importErr error
		wg.Go(func() { n, importErr = st.ImportRoster(ctx, tid, src) })
		<-src.paused
		time.Sleep(100 * time.Millisecond) // let the first batches reach the database
		wantCount(t, st, tid, 10)
		wantEntry(t, st, tid, roster.Entry{NIP: nipN(5), Name: "Lama 5", Instansi: "Kab. Bogor", Unit: "Disdik",
			Status: roster.PNS, Active: true})
		wantAbsent(t, st, tid, nipN(899))
		close(src.release)
		wg.Wait()
		if importErr != nil || n != 900 {
			t.Fatalf("import = %d, %v", n, importErr)
		}
		wantCount(t, st, tid, 900)
		wantEntry(t, st, tid, roster.Entry{NIP: nipN(5), Name: "Baru 5", Instansi: "Kab. Bogor", Unit: "Disdik",
			Status: roster.PNS, Active: true})
	})
}

// failing is a source that breaks after some entries.
type failing struct {
	roster.Source
	after int
}

var errBroken = errors.New("disk on fire")

func (f *failing) Next() (roster.Entry, int, error) {
	if f.after == 0 {
		return roster.Entry{}, 0, errBroken
	}
	f.after--
	return f.Source.Next()
}

func TestRosterSourceErrorKeepsOld(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		tid := tenant(t, st, "a")
		if _, err := importRoster(t, st, tid, rosterCSV(10, "Lama")); err != nil {
			t.Fatal(err)
		}
		rd, err := roster.NewReader(strings.NewReader(rosterCSV(900, "Baru")))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ImportRoster(context.Background(), tid, &failing{Source: rd, after: 700}); !errors.Is(err, errBroken) {
			t.Fatalf("import = %v, want %v", err, errBroken)
		}
		wantCount(t, st, tid, 10)
		wantAbsent(t, st, tid, nipN(899))
		// The connection went back to the pool out of the transaction: the next import
		// on it works.
		if _, err := importRoster(t, st, tid, rosterCSV(5, "Lagi")); err != nil {
			t.Fatal(err)
		}
		wantCount(t, st, tid, 5)
	})
}

func TestRosterUnknownTenant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		if _, err := importRoster(t, st, 4242, rosterCSV(3, "X")); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("import = %v, want ErrNotFound", err)
		}
	})
}

// Unsorted input still loads (only more slowly), and a NIP twice then breaks the key.
func TestRosterUnsortedSource(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		tid := tenant(t, st, "a")
		rd, err := roster.NewReader(strings.NewReader(rosterCSV(600, "Acak")))
		if err != nil {
			t.Fatal(err)
		}
		if n, err := st.ImportRoster(context.Background(), tid, rd); err != nil || n != 600 {
			t.Fatalf("import = %d, %v", n, err)
		}
		wantCount(t, st, tid, 600)
		rd, err = roster.NewReader(strings.NewReader(rosterCSV(3, "A") + nipN(1) + ",B,I,U,PNS,1\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ImportRoster(context.Background(), tid, rd); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("import = %v, want ErrConflict", err)
		}
		wantCount(t, st, tid, 600)
	})
}

func TestRosterNotInTx(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		tid := tenant(t, st, "a")
		err := st.Tx(context.Background(), func(ctx context.Context) error {
			rd, err := roster.NewReader(strings.NewReader(rosterCSV(3, "X")))
			if err != nil {
				return err
			}
			_, err = st.ImportRoster(ctx, tid, rd)
			return err
		})
		if err == nil {
			t.Fatal("import inside Tx succeeded")
		}
	})
}
