package harness

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestPGSchema makes a schema on the server of SUREL_TEST_POSTGRES, writes a table through
// the URL it gives (so into the schema), and drops it.
func TestPGSchema(t *testing.T) {
	base := os.Getenv("SUREL_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("SUREL_TEST_POSTGRES is required in CI")
		}
		t.Skip("SUREL_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	u, drop, err := PGSchema(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		drop()
		t.Fatal(err)
	}
	var schema string
	_, err = conn.Exec(ctx, `CREATE TABLE bench_probe (id INT)`)
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT table_schema FROM information_schema.tables WHERE table_name = 'bench_probe'`).Scan(&schema)
	}
	conn.Close(ctx)
	drop()
	if err != nil || len(schema) != len("bench_")+12 || schema[:6] != "bench_" {
		t.Fatalf("table in schema %q: %v", schema, err)
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var left bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = $1)`, schema).Scan(&left); err != nil || left {
		t.Fatalf("schema %s still there after drop: %v %v", schema, left, err)
	}
}
