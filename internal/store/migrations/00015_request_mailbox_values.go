//go:build ignore

// Migration 15 is Go code: store/migrate_mailbox.go removes the second copy of the
// proposed mailbox from the form values (the engines edit JSON differently). This file
// only holds the number in this directory, where goose pairs it with that registered
// migration.
package migrations
