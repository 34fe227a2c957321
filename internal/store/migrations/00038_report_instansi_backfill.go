//go:build ignore

// Migration 38 is Go code: store/report_instansi_backfill.go fills migration 37's counts
// from the history and the registry already there (the days are computed in Go). This
// file only holds the number in this directory.
package migrations
