package upload

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/surel-id/surel/internal/errs"
)

// FuzzCheck feeds the sniffer and the image and PDF checks arbitrary bytes, starting from
// valid files and known polyglots. Whatever the input, Check must not panic, must refuse
// with one of its rules, must never accept more than MaxBytes, and must judge an accepted
// file the same way twice.
func FuzzCheck(f *testing.F) {
	seeds := [][]byte{
		jpegSample(f), pngSample(f), gifSample(f), pdfSample(), pdfCompressed(f, ""),
		mpfJPEG(f), append(jpegSample(f), samsungSEF()...),
		pdfUpdate(pdfSample(), map[int]string{3: "<< /Type /Page /Parent 2 0 R >>"}),
		pdfDoc(onePage(" /OpenAction << /S /JavaScript /JS (x) >>"), ""),
		gifWithComment(gifSample(f), "%PDF-1.4"),
		append(pngSample(f), zipSample(f)...),
		bombPNG(100_000, 100_000),
	}
	files, _ := filepath.Glob("testdata/pdf/*.pdf")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			seeds = append(seeds, b)
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	known := map[string]bool{
		RuleEmpty: true, RuleTooBig: true, RuleType: true, RuleCorrupt: true, RuleDimensions: true,
		RuleEncrypted: true, RulePolyglot: true, RuleActiveContent: true,
	}
	rule := Rule{Kinds: ScanKinds(), MaxBytes: 64 * KB}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Check("f", bytes.NewReader(data), rule)
		if err != nil {
			e, ok := err.(*errs.Error)
			if !ok || e.Code != errs.Invalid || len(e.Fields) != 1 || !known[e.Fields[0].Rule] {
				t.Fatalf("refusal is not one field error with a known rule: %#v", err)
			}
			if int64(len(data)) > rule.MaxBytes && e.Fields[0].Rule != RuleTooBig {
				t.Fatalf("oversize input refused as %s", e.Fields[0].Rule)
			}
			return
		}
		if len(data) == 0 || int64(len(data)) > rule.MaxBytes {
			t.Fatalf("accepted %d bytes with a limit of %d", len(data), rule.MaxBytes)
		}
		if c.Size != int64(len(data)) || c.Kind != sniff(data) || len(c.SHA256) != 64 {
			t.Fatalf("accepted as %+v", c)
		}
		if c.Kind == PDF && c.Pages < 1 || c.Kind != PDF && (c.Width < 1 || c.Height < 1 || c.Width > MaxSide || c.Height > MaxSide) {
			t.Fatalf("accepted as %+v", c)
		}
		again, err := Check("f", bytes.NewReader(data), rule)
		if err != nil || again != c {
			t.Fatalf("second check gave %+v, %v; first %+v", again, err, c)
		}
		tight := Rule{Kinds: rule.Kinds, MaxBytes: int64(len(data)) - 1}
		if len(data) > 1 {
			if _, err := Check("f", bytes.NewReader(data), tight); err == nil {
				t.Fatalf("accepted %d bytes with a limit of %d", len(data), tight.MaxBytes)
			}
		}
	})
}
