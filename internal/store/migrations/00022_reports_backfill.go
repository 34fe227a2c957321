//go:build ignore

// Migration 22 is Go code: store/report_backfill.go fills what migration 21 added from
// the rows already there (the form values are JSON, and the days are the tenants' own,
// which portable SQL cannot compute). This file only holds the number in this directory.
package migrations
