// Package errs holds the few kinds of domain error that every adapter maps in one place:
// the web layer turns a Code into an HTTP status and a Key into a translated message.
package errs

import (
	"errors"
	"strings"
	"time"
)

// Code classifies an error for the adapters.
type Code string

// The codes. Anything else is an internal error.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Forbidden    Code = "forbidden"
	Conflict     Code = "conflict"
	TooMany      Code = "too_many"
	Unauthorized Code = "unauthorized"
	// Unavailable is a request turned away for lack of capacity (503 with Retry-After), or
	// one the database could not serve for a moment (a session behind a held lock).
	Unavailable Code = "unavailable"
)

// Field is one invalid input: the form field's name and the rule it broke. The message is
// the translation of "rule."+Rule with the field's label and Args.
type Field struct {
	Name string
	Rule string
	Args []any
}

// Error is a domain error with a translatable message key.
type Error struct {
	Code Code
	// Key is the message key ("login.failed"); Args fill it.
	Key  string
	Args []any
	// Fields lists the invalid inputs of an Invalid error.
	Fields []Field
	// RetryAfter says how long to wait, for TooMany and Unavailable.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Key != "" {
		b.WriteString(": " + e.Key)
	}
	for _, f := range e.Fields {
		b.WriteString(" " + f.Name + "=" + f.Rule)
	}
	return b.String()
}

// New makes an error of a code with a message key.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Fields collects field errors; Err gives nil when there are none.
type Fields []Field

// Add records that field broke rule.
func (fs *Fields) Add(field, rule string, args ...any) {
	*fs = append(*fs, Field{Name: field, Rule: rule, Args: args})
}

// Has tells whether field already has an error, so a field reports only its first rule.
func (fs Fields) Has(field string) bool {
	for _, f := range fs {
		if f.Name == field {
			return true
		}
	}
	return false
}

// Err returns an Invalid error listing the fields, or nil.
func (fs Fields) Err() error {
	if len(fs) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Key: "form.invalid", Fields: fs}
}

// As finds the *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf gives err's code, or "" for an internal error.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return ""
}

// ErrNotFound is returned by a store when a query for one row finds none.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned by a store when a write breaks a unique constraint.
var ErrConflict = errors.New("conflict")
