//go:build ignore

// Migration 17 is Go code: store/registry_backfill.go fills the mailbox registry with
// the mailboxes created before it existed (their search words are folded in Go, which
// portable SQL cannot do). This file only holds the number in this directory, where
// goose finds it and pairs it with that registered migration, so the next SQL
// migration takes 00018.
package migrations
