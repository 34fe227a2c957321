package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed static/*
var staticFS embed.FS

// assets serves the static files under /static/<hash>/, where hash fingerprints the whole
// tree: URLs change with any content, so browsers on slow links may cache them forever,
// and files that load each other by relative URL (the captcha widget and its worker)
// keep working.
type assets struct {
	hash  string
	files http.Handler
	// gz holds the gzip-compressed copy of each text file (CSS, JavaScript, SVG) that
	// compresses by at least a tenth, made once at start: the captcha widget's script
	// is 100 KB as written and about a third of that compressed.
	gz map[string][]byte
}

func newAssets() (*assets, error) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	var names []string
	fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(sub, n)
		if err != nil {
			return nil, err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	a := &assets{hash: hex.EncodeToString(h.Sum(nil))[:12], gz: map[string][]byte{}}
	for _, n := range names {
		switch path.Ext(n) {
		case ".css", ".js", ".svg":
			b, _ := fs.ReadFile(sub, n)
			if z := gzipped(b); z != nil {
				a.gz[n] = z
			}
		}
	}
	a.files = http.StripPrefix("/static/"+a.hash+"/", http.FileServerFS(sub))
	return a, nil
}

// URL is the fingerprinted address of a static file.
func (a *assets) URL(name string) string { return "/static/" + a.hash + "/" + name }

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/static/"+a.hash+"/") || strings.HasSuffix(r.URL.Path, "/") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	name := strings.TrimPrefix(r.URL.Path, "/static/"+a.hash+"/")
	if z, ok := a.gz[name]; ok {
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			// Whole, never a byte range: the files are small and cached forever.
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(len(z)))
			w.Write(z)
			return
		}
	}
	a.files.ServeHTTP(w, r)
}
