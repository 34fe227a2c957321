package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// patchedGo is the oldest Go release without a known standard-library
// vulnerability reachable from surel's code (govulncheck, docs/dependencies.md).
// go1.26.8 had 14 of them (html/template escaping, Range headers, MIME header
// limits, an HTTP/1 desync); go1.26.10 fixed them and go1.26.11 is the current
// patch release. Raise it when govulncheck reports a newer standard-library fix.
const patchedGo = "go1.26.11"

// TestToolchainIsPatched checks that go.mod makes the go command build surel
// with a patched toolchain (its toolchain line: with GOTOOLCHAIN=auto, the
// default, an older go command fetches that release from the module proxy) and
// that the README states the same version to operators building by hand.
func TestToolchainIsPatched(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^toolchain (go\S+)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatalf("go.mod has no toolchain line: builds use whatever go command is installed (want at least %s)", patchedGo)
	}
	toolchain := string(m[1])
	if goVersionLess(toolchain, patchedGo) {
		t.Fatalf("go.mod's toolchain %s is older than %s", toolchain, patchedGo)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Go " + strings.TrimPrefix(toolchain, "go"); !strings.Contains(string(readme), want) {
		t.Errorf("README does not state %q (go.mod's toolchain line)", want)
	}
}

func TestGoVersionLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"go1.26.8", "go1.26.11", true},
		{"go1.26.11", "go1.26.11", false},
		{"go1.26.12", "go1.26.11", false},
		{"go1.27.0", "go1.26.11", false},
		{"go1.25.20", "go1.26.11", true},
		{"go1.27rc1", "go1.26.11", false},
	} {
		if got := goVersionLess(c.a, c.b); got != c.want {
			t.Errorf("goVersionLess(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

// goVersionLess compares two Go release names (go1.26.8) numerically, so that
// go1.26.8 comes before go1.26.11; a pre-release suffix (rc1) is ignored.
func goVersionLess(a, b string) bool {
	pa, pb := goVersionParts(a), goVersionParts(b)
	for i := range pa {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return false
}

func goVersionParts(v string) [3]int {
	var p [3]int
	for i, s := range strings.SplitN(strings.TrimPrefix(v, "go"), ".", 3) {
		if j := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 {
			s = s[:j]
		}
		p[i], _ = strconv.Atoi(s)
	}
	return p
}
