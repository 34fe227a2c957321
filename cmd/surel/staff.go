package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

const staffUsage = `usage:
  surel staff add --email E --first NAME [--last NAME] --role ROLE[,ROLE…] [--tenant SLUG] [--password-file F]
                  the password is read from standard input, or from F; when standard
                  input is a terminal or empty, one is generated and printed once
  surel staff list [--tenant SLUG]
  surel staff reset-2fa --email E [--tenant SLUG]
                  remove a member's second factor (lost phone and recovery codes)
roles: ` + "front_desk, kepala_dinas, kepala_bidang, kepala_seksi, admin_mail, pengaduan, tenant_admin"

// staffCmd is `surel staff …`: the operator's way to make the first tenant admin (who
// then manages the staff at /kantor/staf), list the staff, and reset a second factor.
func staffCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdin io.Reader, w io.Writer) error {
	if len(args) == 0 {
		return errors.New(staffUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("staff "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	slug := fs.String("tenant", cfg.Tenants[0].Slug, "tenant slug")
	email := fs.String("email", "", "e-mail of the account")
	first := fs.String("first", "", "first name")
	last := fs.String("last", "", "last name")
	roles := fs.String("role", "", "comma-separated roles")
	pwFile := fs.String("password-file", "", "file holding the password")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return errors.New(staffUsage)
	}
	if !slices.ContainsFunc(cfg.Tenants, func(t config.Tenant) bool { return t.Slug == *slug }) {
		return fmt.Errorf("staff: no tenant %q in the configuration", *slug)
	}
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	// The tenant as the server has it (its links on its own host, its rules).
	t, _ := a.Tenants.BySlug(*slug)

	switch sub {
	case "add":
		var rs []sop.Role
		for _, r := range strings.Split(*roles, ",") {
			if r = strings.TrimSpace(r); r != "" {
				rs = append(rs, sop.Role(r))
			}
		}
		pw, generated, err := staffPassword(stdin, *pwFile)
		if err != nil {
			return err
		}
		u, created, err := a.Staff.Add(ctx, t, staff.AddInput{FirstName: *first, LastName: *last, Email: *email, Roles: rs, Password: pw}, nil)
		if err != nil {
			return fmt.Errorf("staff add: %s", explain(err))
		}
		fmt.Fprintf(w, "%s (%s) is staff of %s: %s\n", u.Username, u.Email, t.Slug, strings.Join(roleNames(rs), ", "))
		switch {
		case !created:
			fmt.Fprintln(w, "The account existed: its password is unchanged.")
		case generated:
			fmt.Fprintf(w, "Password (shown once): %s\n", pw)
		}
		fmt.Fprintln(w, "At the first sign-in (/masuk) they set up two-step verification with an authenticator app.")
		return nil
	case "list":
		ms, err := a.Staff.List(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			mfa := "2fa: not set up"
			if !m.MFASince.IsZero() {
				mfa = "2fa: since " + m.MFASince.Local().Format("2006-01-02")
			}
			fmt.Fprintf(w, "%6d  %-24s %-32s %-40s %s\n", m.UserID, m.Username, m.Email, strings.Join(roleNames(m.Roles), ","), mfa)
		}
		return nil
	case "reset-2fa":
		u, err := a.Store.UserByEmail(ctx, t.ID, account.NormalizeEmail(*email))
		if err != nil {
			return fmt.Errorf("staff reset-2fa: no account %q in %s", *email, t.Slug)
		}
		if err := a.Staff.ResetMFA(ctx, t, u.ID, nil); err != nil {
			return fmt.Errorf("staff reset-2fa: %s", explain(err))
		}
		fmt.Fprintf(w, "Two-step verification of %s removed; they set it up again at their next sign-in.\n", u.Email)
		return nil
	}
	return errors.New(staffUsage)
}

// staffPassword reads the password from the file, else from standard input when that is
// not a terminal; with neither, it makes one.
func staffPassword(stdin io.Reader, file string) (pw string, generated bool, err error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", false, fmt.Errorf("staff add: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), false, nil
	}
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice != 0 {
			stdin = nil
		}
	}
	if stdin != nil {
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", false, fmt.Errorf("staff add: reading the password: %w", err)
		}
		if line = strings.TrimRight(line, "\r\n"); line != "" {
			return line, false, nil
		}
	}
	// 26 base32 characters (130 bits) with a digit guaranteed by the policy's mix rule.
	return rand.Text() + "7", true, nil
}

func roleNames(rs []sop.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// explain words a domain error for the terminal, in English.
func explain(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return err.Error()
	}
	if len(e.Fields) == 0 {
		return i18n.T("en", e.Key, e.Args...)
	}
	var b []string
	for _, f := range e.Fields {
		args := append([]any{"--" + flagOf(f.Name)}, f.Args...)
		b = append(b, i18n.T("en", "rule."+f.Rule, args...))
	}
	return strings.Join(b, " ")
}

func flagOf(field string) string {
	switch field {
	case "first_name":
		return "first"
	case "last_name":
		return "last"
	case "staff_roles":
		return "role"
	}
	return field
}
