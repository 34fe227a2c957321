package upload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/errs"
)

var scanRule = Rule{Kinds: ScanKinds(), MaxBytes: 10 * MB}

func TestCheckAccepts(t *testing.T) {
	tests := []struct {
		name          string
		data          []byte
		kind          Kind
		width, height int
		pages         int
	}{
		{"jpeg", jpegSample(t), JPEG, 40, 30, 0},
		{"png", pngSample(t), PNG, 40, 30, 0},
		{"gif", gifSample(t), GIF, 40, 30, 0},
		{"pdf with xref table", pdfSample(), PDF, 0, 0, 1},
		{"pdf with xref and object streams", pdfCompressed(t, ""), PDF, 0, 0, 1},
		{"pdf with two pages in a nested tree", pdfDoc([]string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
			"<< /Type /Pages /Parent 2 0 R /Kids [5 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 595 842] >>",
		}, ""), PDF, 0, 0, 2},
		{"jpeg with an MPF gain map appended", mpfJPEG(t), JPEG, 40, 30, 0},
		{"jpeg with a Samsung trailer", append(jpegSample(t), samsungSEF()...), JPEG, 40, 30, 0},
		{"png padded with zeros", append(pngSample(t), make([]byte, 100)...), PNG, 40, 30, 0},
		{"pdf ending in a newline pair", append(pdfSample(), "\r\n"...), PDF, 0, 0, 1},
		{"pdf with an incremental update", pdfUpdate(pdfSample(), map[int]string{
			3: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] >>",
		}), PDF, 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Check("scan", bytes.NewReader(tt.data), scanRule)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			sum := sha256.Sum256(tt.data)
			want := Checked{Kind: tt.kind, Size: int64(len(tt.data)), SHA256: hex.EncodeToString(sum[:]),
				Width: tt.width, Height: tt.height, Pages: tt.pages}
			if c != want {
				t.Fatalf("got %+v, want %+v", c, want)
			}
		})
	}
}

// TestCheckRealPDFs runs PDFs written by real tools, kept in testdata (see
// testdata/README.md for how each was made).
func TestCheckRealPDFs(t *testing.T) {
	files, _ := filepath.Glob("testdata/pdf/*.pdf")
	if len(files) == 0 {
		t.Fatal("no PDFs in testdata/pdf")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// "ok-N-…" is accepted with N pages; "RULE-…" is refused with upload_RULE.
			parts := strings.SplitN(filepath.Base(f), "-", 3)
			want := parts[0]
			c, err := Check("scan", bytes.NewReader(data), scanRule)
			if want == "ok" {
				if err != nil || strconv.Itoa(c.Pages) != parts[1] {
					t.Fatalf("got %+v, %v; want accepted with %s pages", c, err, parts[1])
				}
				return
			}
			if got := ruleOf(t, err); got != "upload_"+want {
				t.Fatalf("rule %q, want %q", got, "upload_"+want)
			}
		})
	}
}

func TestCheckRefuses(t *testing.T) {
	jpg, pn, gf, pdf := jpegSample(t), pngSample(t), gifSample(t), pdfSample()
	desa := Rule{Kinds: ScanKinds(), MaxBytes: 250 * KB}
	imagesOnly := Rule{Kinds: []Kind{JPEG, PNG}, MaxBytes: MB}
	big := noisePNG(t, 300, 260)
	if len(big) < 300_000 {
		t.Fatalf("noise PNG is %d bytes, want over 300 KB", len(big))
	}
	zipEOCDInChunk := func() []byte {
		z := zipSample(t)
		// The archive's comment length is set to cover the chunk's CRC and IEND after it.
		z[len(z)-2], z[len(z)-1] = 16, 0
		return insertPNGChunk(pn, pngChunk("zzZz", z))
	}

	tests := []struct {
		name string
		data []byte
		rule Rule
		want string
		args []any
	}{
		{"empty", nil, scanRule, RuleEmpty, nil},
		{"oversize for Perangkat Desa", big, desa, RuleTooBig, []any{"250 KB"}},
		{"oversize for PNS Umum", bytes.Repeat([]byte{0}, int(10*MB)+1), scanRule, RuleTooBig, []any{"10 MB"}},
		{"html named .pdf", []byte("<!DOCTYPE html><html><body><script>alert(1)</script>"), scanRule, RuleType, []any{"JPG, PNG, GIF, PDF"}},
		{"svg named .jpg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), scanRule, RuleType, []any{"JPG, PNG, GIF, PDF"}},
		{"zip named .pdf", zipSample(t), scanRule, RuleType, []any{"JPG, PNG, GIF, PDF"}},
		{"exe named .jpg", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 200)...), scanRule, RuleType, []any{"JPG, PNG, GIF, PDF"}},
		{"ole office file", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 200)...), scanRule, RuleType, []any{"JPG, PNG, GIF, PDF"}},
		{"pdf header not at offset 0", append([]byte("\n"), pdf...), scanRule, RuleType, []any{"JPG, PNG, GIF, PDF"}},
		{"pdf where only images are allowed", pdf, imagesOnly, RuleType, []any{"JPG, PNG"}},
		{"truncated jpeg", jpg[:len(jpg)/2], scanRule, RuleCorrupt, nil},
		{"jpeg without EOI", jpg[:len(jpg)-2], scanRule, RuleCorrupt, nil},
		{"png with a bad CRC", flip(pn, 40), scanRule, RuleCorrupt, nil},
		{"truncated gif", gf[:len(gf)-5], scanRule, RuleCorrupt, nil},
		{"png bomb", bombPNG(100_000, 100_000), scanRule, RuleDimensions, []any{12000, 60}},
		{"png too wide", bombPNG(12_001, 1), scanRule, RuleDimensions, []any{12000, 60}},
		{"png over 60 megapixels", bombPNG(8_000, 8_000), scanRule, RuleDimensions, []any{12000, 60}},
		{"png with an appended zip", append(append([]byte{}, pn...), zipSample(t)...), scanRule, RulePolyglot, nil},
		{"png hiding a zip in a private chunk", zipEOCDInChunk(), scanRule, RulePolyglot, nil},
		{"png with html in a text chunk", insertPNGChunk(pn, pngChunk("tEXt", []byte("Comment\x00<html><script>x</script>"))), scanRule, RulePolyglot, nil},
		{"jpeg with a script appended", append(append([]byte{}, jpg...), "<script>alert(1)</script>"...), scanRule, RulePolyglot, nil},
		{"jpeg with data appended", append(append([]byte{}, jpg...), bytes.Repeat([]byte("A"), 100)...), scanRule, RulePolyglot, nil},
		{"jpeg with svg in a comment", withJPEGSegment(jpg, 0xFE, []byte("<svg onload=alert(1)>")), scanRule, RulePolyglot, nil},
		{"jpeg with a pdf header in a comment", withJPEGSegment(jpg, 0xFE, []byte("%PDF-1.4 1 0 obj")), scanRule, RulePolyglot, nil},
		{"jpeg with a JPEG appended but no MPF", append(append([]byte{}, jpg...), jpg...), scanRule, RulePolyglot, nil},
		{"jpeg with a big Samsung trailer (motion photo)", append(append([]byte{}, jpg...), bigSEF()...), scanRule, RulePolyglot, nil},
		{"gif+pdf polyglot", gifWithComment(gf, "%PDF-1.4\n1 0 obj << >> endobj"), scanRule, RulePolyglot, nil},
		{"gif with a pdf appended", append(append([]byte{}, gf...), pdf...), scanRule, RulePolyglot, nil},
		{"pdf with /Encrypt", pdfDoc(append(onePage(""), "<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>"), " /Encrypt 6 0 R /ID [<01> <01>]"), scanRule, RuleEncrypted, nil},
		{"pdf with /JavaScript open action", pdfDoc(onePage(" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), ""), scanRule, RuleActiveContent, nil},
		{"pdf with an escaped /JavaScript name", pdfDoc(onePage(" /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"), ""), scanRule, RuleActiveContent, nil},
		{"pdf with /Launch", pdfDoc(onePage(" /OpenAction << /S /Launch /F (cmd.exe) >>"), ""), scanRule, RuleActiveContent, nil},
		{"pdf with an embedded file", pdfDoc(append(onePage(" /Names << /EmbeddedFiles 6 0 R >>"), "<< /Names [(a.exe) << /Type /Filespec /F (a.exe) >>] >>"), ""), scanRule, RuleActiveContent, nil},
		{"pdf with JavaScript in an object stream", pdfCompressed(t, " /AA << /O << /S /JavaScript /JS (x) >> >>"), scanRule, RuleActiveContent, nil},
		{"pdf with JavaScript in an orphan object", orphanJS(pdf), scanRule, RuleActiveContent, nil},
		{"pdf with JavaScript listed inside a stream", jsInStream(), scanRule, RuleActiveContent, nil},
		{"pdf whose listed object does not parse", beforeXref(pdfDoc(append(onePage(""), "<< /A [ >>"), ""), ""), scanRule, RuleCorrupt, nil},
		{"pdf whose earlier revision had JavaScript", pdfUpdate(pdfDoc(onePage(" /OpenAction << /S /JavaScript /JS (x) >>"), ""), map[int]string{
			1: "<< /Type /Catalog /Pages 2 0 R >>",
		}), scanRule, RuleActiveContent, nil},
		{"pdf with an incremental update pointing back at itself", pdfUpdate(pdf, nil, true), scanRule, RuleCorrupt, nil},
		{"garbage after the pdf header", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("garbage \x00\xff"), 100)...), scanRule, RuleCorrupt, nil},
		{"pdf with no pages", pdfDoc([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"}, ""), scanRule, RuleCorrupt, nil},
		{"pdf with a wrong xref offset", bytes.Replace(pdf, []byte("startxref\n"), []byte("startxref\n1"), 1), scanRule, RuleCorrupt, nil},
		{"pdf with a page-tree cycle", pdfDoc([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R] /Count 1 >>"}, ""), scanRule, RuleCorrupt, nil},
		{"pdf with html appended", append(append([]byte{}, pdf...), "<html><script>alert(1)</script></html>"...), scanRule, RulePolyglot, nil},
		{"pdf with a zip appended", append(append([]byte{}, pdf...), zipSample(t)...), scanRule, RulePolyglot, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Check("scan", bytes.NewReader(tt.data), tt.rule)
			if err == nil {
				t.Fatalf("accepted as %+v, want %s", c, tt.want)
			}
			e, ok := err.(*errs.Error)
			if !ok {
				t.Fatalf("error %T %v, want *errs.Error", err, err)
			}
			if e.Code != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != "scan" {
				t.Fatalf("error %+v, want one Invalid field named scan", e)
			}
			f := e.Fields[0]
			if f.Rule != tt.want {
				t.Fatalf("rule %q, want %q", f.Rule, tt.want)
			}
			if tt.args != nil && !equalArgs(f.Args, tt.args) {
				t.Fatalf("args %v, want %v", f.Args, tt.args)
			}
			if c != (Checked{}) {
				t.Fatalf("refused but returned %+v", c)
			}
		})
	}
}

// TestCheckReadsNoMoreThanNeeded proves an oversize upload is refused after MaxBytes+1
// bytes, not after reading everything the client sends.
func TestCheckReadsNoMoreThanNeeded(t *testing.T) {
	r := &countingReader{}
	_, err := Check("scan", r, Rule{Kinds: ScanKinds(), MaxBytes: 250 * KB})
	if ruleOf(t, err) != RuleTooBig {
		t.Fatalf("got %v, want %s", err, RuleTooBig)
	}
	if r.n > 250*KB+1+32*KB { // io.ReadAll reads in chunks
		t.Fatalf("read %d bytes of an endless upload", r.n)
	}
}

// TestCheckPDFQuadratic feeds a PDF full of object openings whose strings never close:
// each is lexed to the end of the file, so without a budget this takes many minutes. The
// bound leaves room for the race detector and a busy machine (normally 0.3 s).
func TestCheckPDFQuadratic(t *testing.T) {
	pdf := beforeXref(pdfSample(), strings.Repeat("1 0 obj (", 900_000))
	start := time.Now()
	_, err := Check("scan", bytes.NewReader(pdf), scanRule)
	if ruleOf(t, err) != RuleCorrupt {
		t.Fatalf("got %v, want %s", err, RuleCorrupt)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("took %v", d)
	}
}

// TestCheckShortImages proves an image declaring more pixels than its data could fill is
// refused before the decoder allocates them.
func TestCheckShortImages(t *testing.T) {
	// Found by FuzzCheck: without the check, decoding it takes a quarter of a second.
	j, err := os.ReadFile("testdata/img/short-6167x5144.jpg")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"jpeg of 32 MP in 2 KB": j,
		"png of 49 MP in 1 KB":  bombPNG(7000, 7000),
	} {
		start := time.Now()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		_, err := Check("scan", bytes.NewReader(data), scanRule)
		runtime.ReadMemStats(&m1)
		if ruleOf(t, err) != RuleCorrupt {
			t.Errorf("%s: got %v, want %s", name, err, RuleCorrupt)
		}
		if a := m1.TotalAlloc - m0.TotalAlloc; a > 16<<20 {
			t.Errorf("%s: allocated %d MB", name, a>>20)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("%s: took %v", name, d)
		}
	}
}

func TestCheckReadError(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := Check("scan", io.MultiReader(bytes.NewReader(pngSample(t)[:10]), errReader{boom}), scanRule)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the read error wrapped", err)
	}
	if _, ok := errs.As(err); ok {
		t.Fatalf("a read error must not look like a refusal: %v", err)
	}
}

func TestCheckBadRule(t *testing.T) {
	for _, r := range []Rule{{Kinds: ScanKinds()}, {MaxBytes: MB}, {Kinds: []Kind{"exe"}, MaxBytes: MB}} {
		if _, err := Check("scan", bytes.NewReader(pngSample(t)), r); err == nil {
			t.Errorf("rule %+v accepted a file", r)
		} else if _, ok := errs.As(err); ok {
			t.Errorf("rule %+v: a programming error looks like a refusal: %v", r, err)
		}
	}
}

func TestKind(t *testing.T) {
	for k, want := range map[Kind][2]string{
		JPEG: {"image/jpeg", ".jpg"}, PNG: {"image/png", ".png"}, GIF: {"image/gif", ".gif"},
		PDF: {"application/pdf", ".pdf"},
	} {
		if k.ContentType() != want[0] || k.Ext() != want[1] {
			t.Errorf("%s: %s %s, want %v", k, k.ContentType(), k.Ext(), want)
		}
	}
	if Kind("html").ContentType() != "application/octet-stream" {
		t.Error("an unknown kind must not get a renderable type")
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{250 * KB: "250 KB", 10 * MB: "10 MB", 1536 * KB: "1536 KB", 1000: "1000 B"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestSamplesAreRealPDFs has an independent reader confirm that the hand-written PDFs
// the tests accept are valid and those they refuse as broken are not, when qpdf is
// installed.
func TestSamplesAreRealPDFs(t *testing.T) {
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Skip("qpdf not installed")
	}
	for name, data := range map[string][]byte{
		"table":   pdfSample(),
		"streams": pdfCompressed(t, ""),
		"update":  pdfUpdate(pdfSample(), map[int]string{3: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] >>"}),
	} {
		f := filepath.Join(t.TempDir(), name+".pdf")
		os.WriteFile(f, data, 0o600)
		if out, err := exec.Command("qpdf", "--check", f).CombinedOutput(); err != nil {
			t.Errorf("%s: qpdf --check: %v\n%s", name, err, out)
		}
	}
}

func ruleOf(t *testing.T, err error) string {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || len(e.Fields) != 1 {
		return ""
	}
	return e.Fields[0].Rule
}

func equalArgs(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0xFF
	return c
}

type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	r.n += int64(len(p))
	for i := range p {
		p[i] = 0
	}
	return len(p), nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// pdfUpdate appends an incremental update replacing objects, as a signing or annotating
// tool does. loop makes its /Prev point at itself.
func pdfUpdate(pdf []byte, objs map[int]string, loop ...bool) []byte {
	b := bytes.NewBuffer(append([]byte{}, pdf...))
	j := bytes.LastIndex(pdf, []byte("startxref\n")) + len("startxref\n")
	prev := string(pdf[j : j+bytes.IndexByte(pdf[j:], '\n')])
	offs := map[int]int{}
	for n, o := range objs {
		offs[n] = b.Len()
		fmt.Fprintf(b, "%d 0 obj\n%s\nendobj\n", n, o)
	}
	xref := b.Len()
	if len(loop) > 0 {
		prev = strconv.Itoa(xref)
	}
	b.WriteString("xref\n")
	for n, off := range offs {
		fmt.Fprintf(b, "%d 1\n%010d 00000 n\r\n", n, off)
	}
	fmt.Fprintf(b, "trailer\n<< /Size 6 /Root 1 0 R /Prev %s >>\nstartxref\n%d\n%%%%EOF\n", prev, xref)
	return b.Bytes()
}

// orphanJS inserts, before the cross-reference, an object the cross-reference does not
// list: a repairing reader may still find it.
func orphanJS(pdf []byte) []byte {
	return beforeXref(pdf, "99 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n")
}

// beforeXref inserts text between the last object and the cross-reference table; only
// startxref moves.
func beforeXref(pdf []byte, text string) []byte {
	i := bytes.Index(pdf, []byte("xref\n"))
	out := append(append(append([]byte{}, pdf[:i]...), text...), pdf[i:]...)
	j := bytes.LastIndex(out, []byte("startxref\n")) + len("startxref\n")
	k := bytes.IndexByte(out[j:], '\n')
	return append(append(append([]byte{}, out[:j]...), []byte(itoa(i+len(text)))...), out[j+k:]...)
}

// jsInStream lists in the cross-reference an object that lies inside another object's
// stream, where a scan of the file for objects does not look.
func jsInStream() []byte {
	hidden := "7 0 obj << /S /JavaScript /JS (x) >> endobj"
	objs := append(onePage(""), pdfStreamObj("", hidden), "null")
	pdf := pdfDoc(objs, "")
	at := bytes.Index(pdf, []byte(hidden))
	entry := bytes.Index(pdf, []byte("xref\n")) + len("xref\n0 8\n") + 7*20
	copy(pdf[entry:], fmt.Sprintf("%010d", at))
	return pdf
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

// mpfJPEG is a primary JPEG declaring Multi-Picture data, with a second JPEG appended as
// phones append an HDR gain map.
func mpfJPEG(t testing.TB) []byte {
	j := jpegSample(t)
	primary := withJPEGSegment(j, 0xE2, []byte("MPF\x00II*\x00\x08\x00\x00\x00"))
	return append(primary, j...)
}

// samsungSEF is a small SEF trailer: one record and its directory.
func samsungSEF() []byte {
	rec := []byte("\x00\x00\x01\x0a\x0e\x00\x00\x00Image_UTC_Data1700000000000")
	dir := []byte("SEFH\x6a\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01\x0a\x2b\x00\x00\x00\x23\x00\x00\x00")
	out := append(append([]byte{}, rec...), dir...)
	out = append(out, byte(len(dir)), 0, 0, 0)
	return append(out, "SEFT"...)
}

// bigSEF is an SEF trailer carrying a video, as a motion photo does.
func bigSEF() []byte {
	video := append([]byte("\x00\x00\x00\x18ftypmp42"), make([]byte, 100_000)...)
	s := samsungSEF()
	return append(video, s...)
}
