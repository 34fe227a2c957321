package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"sort"
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
	a := &assets{hash: hex.EncodeToString(h.Sum(nil))[:12]}
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
	a.files.ServeHTTP(w, r)
}
