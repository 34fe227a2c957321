// Package e2e holds surel's browser tests: the journeys of PRODUCT.md clicked through
// in headless Chromium against the whole application started in-process, on every
// database engine, with mail delivered over SMTP to internal/mailtest.
//
// The tests run where /usr/bin/chromium (or $SUREL_CHROMIUM) exists and are skipped
// elsewhere, except with CI=true, where a missing browser fails the suite. They skip
// under -short. Each step leaves a full-page screenshot in
// $SUREL_SCREENSHOTS/<engine>/, or internal/e2e/testdata/screenshots/<engine>/ when the
// variable is unset; a failure adds FAILED-*.png there and prints the page's URL and
// visible text.
//
//	SUREL_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	  go test ./internal/e2e/ -v -count=1
package e2e
