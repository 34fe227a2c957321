package roster

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// readAll reads every entry of a CSV, or the error that ends it.
func readAll(t *testing.T, csv string) ([]Entry, []int, error) {
	t.Helper()
	rd, err := NewReader(strings.NewReader(csv))
	if err != nil {
		return nil, nil, err
	}
	var es []Entry
	var lines []int
	for {
		e, line, err := rd.Next()
		if err == io.EOF {
			return es, lines, nil
		}
		if err != nil {
			return es, lines, err
		}
		es = append(es, e)
		lines = append(lines, line)
	}
}

func TestReaderFormats(t *testing.T) {
	want := []Entry{
		{NIP: "198001012005011002", Name: "Murni", Instansi: "Kab. Bogor", Unit: "Disdik", Status: PNS, Active: true},
		{NIP: "199202022019032001", Name: "Siti, S.Pd.", Instansi: "Kota Bandung", Unit: "Setda", Status: PPPK, Active: false},
	}
	for _, tc := range []struct{ name, csv string }{
		{"header", "nip,nama,instansi,unit_kerja,status,aktif\n" +
			"198001012005011002,Murni,Kab. Bogor,Disdik,PNS,1\n" +
			"199202022019032001,\"Siti, S.Pd.\",Kota Bandung,Setda,PPPK,0\n"},
		{"other names, order and case, extra column, CRLF, BOM", "\uFEFFStatus,Active,Name,NIP,No,Satuan Kerja,INSTANSI\r\n" +
			"pns,TRUE,Murni,198001012005011002,1,Disdik,Kab. Bogor\r\n" +
			"Pppk,false,\"Siti, S.Pd.\",199202022019032001,2,Setda,Kota Bandung\r\n"},
		{"semicolons, ya/tidak, blank lines", "NIP;Nama;Instansi;Unit;Status;Aktif\n\n" +
			"198001012005011002;Murni;Kab. Bogor;Disdik;PNS;Ya\n" +
			"199202022019032001;Siti, S.Pd.;Kota Bandung;Setda;PPPK;TIDAK\n\n"},
		{"no header", "198001012005011002,Murni,Kab. Bogor,Disdik,PNS,Y\n" +
			"199202022019032001,\"Siti, S.Pd.\",Kota Bandung,Setda,PPPK,n"},
		{"spreadsheet NIP, spaces", "nip,nama,instansi,unit,status,aktif\n" +
			"'19800101 200501 1 002, Murni ,Kab. Bogor,Disdik, PNS ,1\n" +
			" 199202022019032001 ,\"Siti, S.Pd.\",Kota Bandung,Setda,PPPK,0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := readAll(t, tc.csv)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestReaderQuotes(t *testing.T) {
	csv := "nip,nama,instansi,unit,status,aktif\n" +
		"198001012005011002,\"Ma'ruf \"\"Haji\"\" Amin\",\"Kab.\nBogor\",,PNS,1\n" + // lines 2-3
		"198001012005011003,Ma\"ruf,I,,PNS,1\n" // line 4: a bare quote is kept
	got, lines, err := readAll(t, csv)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != `Ma'ruf "Haji" Amin` || got[0].Instansi != "Kab.\nBogor" || got[0].Unit != "" ||
		got[1].Name != `Ma"ruf` || lines[0] != 2 || lines[1] != 4 {
		t.Fatalf("got %+v at lines %v", got, lines)
	}
}

func TestReaderOptionalColumns(t *testing.T) {
	got, _, err := readAll(t, "nip,nama,status,aktif\n198001012005011002,Murni,PNS,1\n")
	if err != nil || len(got) != 1 || got[0].Instansi != "" || got[0].Unit != "" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestReaderHeaderErrors(t *testing.T) {
	for _, tc := range []struct{ csv, want string }{
		{"", "empty"},
		{"nip,nama,instansi,unit,status,aktif\n", "no entries"},
		{"nip,nama,instansi,unit\n198001012005011002,Murni,I,U\n", "lacks column(s) status, aktif"},
		{"nip,nama,name,status,aktif\n", "nama appears twice"},
		{"nomor,nama,status,aktif\n", "lacks column(s) nip"},
	} {
		_, _, err := readAll(t, tc.csv)
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want a FileError with %q", tc.csv, err, tc.want)
		}
	}
}

// Every row is checked; the first bad one stops the entries, the file is reported in
// full: the first MaxProblems problems by line, and the count.
func TestReaderProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("nip,nama,instansi,unit,status,aktif\n")
	b.WriteString("198001012005011002,Murni,I,U,PNS,1\n")  // line 2, good
	b.WriteString("1.98001E+17,Excel,I,U,PNS,1\n")         // line 3
	b.WriteString("198001012005011004,Ok,I,U,PNS,1\n")     // line 4, good
	b.WriteString("\"198001012005011005,Open,I,U,PNS,1\n") // line 5: the quote is never closed
	csv := b.String()
	es, _, err := readAll(t, csv)
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("err %v", err)
	}
	if len(es) != 1 {
		t.Fatalf("%d entries before the error, want 1 (none after the first bad row)", len(es))
	}
	if fe.Total != 2 || fe.Problems[0].Line != 3 || fe.Problems[0].Reason != "nip" || fe.Problems[1].Line != 5 ||
		fe.Problems[1].Reason != "csv" {
		t.Fatalf("problems %+v", fe)
	}

	b.Reset()
	b.WriteString("nip,nama,instansi,unit,status,aktif\n")
	for i := range 30 {
		fmt.Fprintf(&b, "19800101200501100%d,Nama,I,U,ASN,1\n", i%10) // bad status
	}
	_, _, err = readAll(t, b.String())
	if !errors.As(err, &fe) || len(fe.Problems) != MaxProblems || fe.Total != 30 || fe.Problems[19].Line != 21 {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(err.Error(), "… and 10 more") || !strings.Contains(err.Error(), `line 2: status: status must be PNS, PPPK or honorer, got "ASN"`) {
		t.Fatalf("message %s", err)
	}
}

func TestReaderLongLine(t *testing.T) {
	name := strings.Repeat("a", 3<<20) // longer than the read buffer
	got, _, err := readAll(t, "nip,nama,status,aktif\n198001012005011002,"+name+",PNS,1\n198001012005011003,B,PNS,1\n")
	if err != nil || len(got) != 2 || got[0].Name != name || got[1].Name != "B" {
		t.Fatalf("%d entries, %v", len(got), err)
	}
}

// Text that is not UTF-8 (a spreadsheet saved as "CSV" in Windows-1252) or holds a NUL
// byte is refused with the line and column, not left for PostgreSQL to refuse
// mid-import.
func TestReaderRefusesNonUTF8(t *testing.T) {
	csv := "nip,nama,instansi,unit,status,aktif\n" +
		"198001012005011002,Murni,I,U,PNS,1\n" +
		"198001012005011003,Jos\xe9,I,U,PNS,1\n" +
		"198001012005011004,Ok,Dinas\x00,U,PNS,1\n"
	_, _, err := readAll(t, csv)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Total != 2 || fe.Problems[0].Line != 3 || fe.Problems[0].Column != "nama" ||
		fe.Problems[1].Line != 4 || fe.Problems[1].Column != "instansi" || fe.Problems[0].Reason != "text" {
		t.Fatalf("err %v (%+v)", err, fe)
	}
	if !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("message %s", err)
	}
}
