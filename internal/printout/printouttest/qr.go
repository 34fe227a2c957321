package printouttest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// QRTools skips the test (fails it with CI=true) unless Debian's poppler-utils
// (pdftoppm) and zbar-tools (zbarimg) are installed: .ci/run installs them.
func QRTools(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s missing (apt-get install poppler-utils zbar-tools); mandatory in CI", tool)
			}
			t.Skipf("%s missing: apt-get install poppler-utils zbar-tools", tool)
		}
	}
}

// QRCodes renders each page of pdf to a PNG as a printer would (pdftoppm, 150 dpi) and
// decodes the QR codes on it as a phone's scanner would (zbarimg): what a recipient's
// scan of the printed document reads, page by page in order. The PNGs stay in dir,
// for a person to look at.
func QRCodes(pdf []byte, dir string) ([]string, error) {
	in := filepath.Join(dir, "document.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		return nil, err
	}
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pdftoppm: %v: %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	sort.Strings(pages)
	var codes []string
	for _, p := range pages {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", p)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		// zbarimg exits 4 when a page has no code: not an error here.
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 4 {
				return nil, fmt.Errorf("zbarimg %s: %v: %s", p, err, stderr.String())
			}
		}
		for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			if l != "" {
				codes = append(codes, l)
			}
		}
	}
	return codes, nil
}
