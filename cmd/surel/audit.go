package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/store"
)

// auditCmd is `surel audit verify`, which checks every tenant's hash chain and fails on
// the first broken link, and `surel audit show OBJECT`, which prints an object's trail.
func auditCmd(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	const usage = "usage: surel audit [verify | show OBJECT]"
	if len(args) == 0 || !(args[0] == "verify" && len(args) == 1 || args[0] == "show" && len(args) == 2) {
		return errors.New(usage)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "verify" {
		return auditVerify(ctx, st, w)
	}
	return auditShow(ctx, st, args[1], w)
}

// auditVerify prints the head of every chain, which an operator can keep elsewhere: the
// chain shows edits, deletions and insertions, but only a head kept outside the
// database shows that the newest entries were cut off.
func auditVerify(ctx context.Context, st *store.Store, w io.Writer) error {
	rep, err := st.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if b := rep.Break; b != nil {
		return fmt.Errorf("audit: broken link at tenant %s seq %d (id %d): %s", tenantName(ctx, st, b.TenantID), b.Seq, b.ID, b)
	}
	fmt.Fprintf(w, "audit: %d entries in %d %s, chain intact\n", rep.Entries, len(rep.Heads), plural(len(rep.Heads), "tenant", "tenants"))
	for _, h := range rep.Heads {
		fmt.Fprintf(w, "  %s: head seq %d hash %s\n", tenantName(ctx, st, h.TenantID), h.Seq, h.Hash)
	}
	return nil
}

func auditShow(ctx context.Context, st *store.Store, object string, w io.Writer) error {
	trail, err := st.AuditTrail(ctx, object)
	if err != nil {
		return err
	}
	if len(trail) == 0 {
		fmt.Fprintf(w, "audit: no entries about %s\n", printable(object))
		return nil
	}
	for _, e := range trail {
		who := e.Actor
		if e.ActorName != "" {
			who += " " + e.ActorName
		}
		if e.Role != "" {
			who += " (" + e.Role + ")"
		}
		fmt.Fprintf(w, "%6d  %s  %-16s  %s", e.Seq, e.At.Format(time.RFC3339), printable(e.Action), printable(who))
		if e.IP != "" {
			fmt.Fprintf(w, "  from %s", printable(e.IP))
		}
		if e.Detail != "" {
			fmt.Fprintf(w, "  %s", printable(e.Detail))
		}
		fmt.Fprintln(w)
	}
	return nil
}

// tenantName gives a tenant's slug, or its id if the tenant row is gone.
func tenantName(ctx context.Context, st *store.Store, id int64) string {
	slug, err := st.TenantSlug(ctx, id)
	if err != nil {
		return "#" + strconv.FormatInt(id, 10)
	}
	return slug
}

// printable quotes a value holding control characters: names and details come from
// users, and must not drive the operator's terminal.
func printable(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.Quote(s)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
