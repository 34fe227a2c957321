package web

import (
	"strconv"

	"github.com/surel-id/surel/internal/errs"
)

func codeOf(err error) errs.Code { return errs.CodeOf(err) }

func parseID(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
