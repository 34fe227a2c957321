// Package upload judges and keeps the documents applicants upload (scans of Kartu Pegawai,
// SK Pengangkatan). A file is judged by its bytes only: its signature must be an allowed
// kind, an image must decode and a PDF must parse, and a file that could also be read as
// something else (a polyglot) or that carries active content is refused. Refused files are
// never written to disk. The package serves nothing over HTTP: deciding who may download a
// file is the caller's job.
package upload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/surel-id/surel/internal/errs"
)

// Size units for Rule.MaxBytes. They are binary (1 KB = 1024 bytes) so that a file the
// uploader's computer shows as "250 KB" is not refused for being a few bytes over.
const (
	KB int64 = 1 << 10
	MB int64 = 1 << 20
)

// Limits on an image's dimensions. Decoding allocates memory for every pixel whatever the
// file's size, so a small file declaring a huge canvas (a decompression bomb) is refused
// before it is decoded. An A4 page scanned at 600 dpi is about 35 megapixels.
const (
	MaxSide   = 12000
	MaxPixels = 60_000_000
)

// The rules a refused upload breaks: an errs.Field's Rule, translated as "rule."+Rule with
// the field's label followed by the Args noted here.
const (
	// RuleEmpty: the file has no bytes. No args.
	RuleEmpty = "upload_empty"
	// RuleTooBig: the file is over Rule.MaxBytes. Args: the limit as text ("250 KB").
	RuleTooBig = "upload_too_big"
	// RuleType: the bytes are none of the allowed kinds, whatever the name says. Args:
	// the allowed kinds as text ("JPG, PNG, GIF, PDF").
	RuleType = "upload_type"
	// RuleCorrupt: the bytes start like an allowed kind but do not decode or parse. No args.
	RuleCorrupt = "upload_corrupt"
	// RuleDimensions: an image too large to decode safely. Args: MaxSide (pixels) and
	// MaxPixels in megapixels, both int.
	RuleDimensions = "upload_dimensions"
	// RuleEncrypted: a password-protected PDF, which staff could not read. No args.
	RuleEncrypted = "upload_encrypted"
	// RulePolyglot: a valid file that also carries another format (an appended archive,
	// HTML or script, a PDF header inside an image). No args.
	RulePolyglot = "upload_polyglot"
	// RuleActiveContent: a PDF with JavaScript, launch actions, embedded files or forms
	// that submit, none of which a scanned document needs. No args.
	RuleActiveContent = "upload_active_content"
)

// Rule is what one document field accepts. The forms' rules are: a PNS Umum scan of the
// Kartu Pegawai or SK Pengangkatan, ScanKinds up to 10 MB; a Perangkat Desa SK, ScanKinds
// up to 250 KB.
type Rule struct {
	// Kinds are the kinds accepted; the message for any other names them in this order.
	Kinds []Kind
	// MaxBytes is the largest size accepted, written with KB or MB as the form states it,
	// since the message repeats it through FormatSize.
	MaxBytes int64
}

// ScanKinds are the kinds a scanned document may be uploaded as. It returns a new slice
// each time, so no caller can change another's rule.
func ScanKinds() []Kind { return []Kind{JPEG, PNG, GIF, PDF} }

func (r Rule) allows(k Kind) bool {
	for _, a := range r.Kinds {
		if a == k {
			return true
		}
	}
	return false
}

// valid reports a rule that cannot accept anything, which is a programming error rather
// than the uploader's.
func (r Rule) valid() error {
	if r.MaxBytes <= 0 {
		return errors.New("upload: rule has no MaxBytes")
	}
	if len(r.Kinds) == 0 {
		return errors.New("upload: rule allows no kind")
	}
	for _, k := range r.Kinds {
		if k.ContentType() == "application/octet-stream" {
			return fmt.Errorf("upload: rule allows unknown kind %q", k)
		}
	}
	return nil
}

// kindsLabel names the allowed kinds for an "upload_type" message.
func (r Rule) kindsLabel() string {
	s := make([]string, len(r.Kinds))
	for i, k := range r.Kinds {
		s[i] = k.label()
	}
	return strings.Join(s, ", ")
}

// Checked describes a file that passed Check.
type Checked struct {
	Kind Kind
	Size int64
	// SHA256 is the hex digest of the bytes, for spotting the same document uploaded twice
	// and for proving later that the stored file is the one that was checked.
	SHA256 string
	// Width and Height are an image's size in pixels, 0 for a PDF.
	Width, Height int
	// Pages is a PDF's page count, 0 for an image.
	Pages int
}

// refusal is an internal verdict: the rule broken and its message args.
type refusal struct {
	rule string
	args []any
}

func (r *refusal) Error() string { return "upload: " + r.rule }

func refuse(rule string, args ...any) *refusal { return &refusal{rule: rule, args: args} }

// fieldErr turns a refusal into the *errs.Error the web layer shows next to field.
func (r *refusal) fieldErr(field string) error {
	var fs errs.Fields
	fs.Add(field, r.rule, r.args...)
	return fs.Err()
}

// Check reads one upload from r and judges it against rule. A refused file gives an
// *errs.Error of code Invalid naming field and one of the Rule* constants; any other error
// is a failure to read r. Check reads at most rule.MaxBytes+1 bytes, so an oversize upload
// is refused without reading the rest, and holds the file in memory: the PDF and polyglot
// checks need to see its end as well as its start.
//
// Decoding an image of MaxPixels takes a few hundred megabytes at worst; a server that
// accepts many uploads at once should bound how many Checks run together.
func Check(field string, r io.Reader, rule Rule) (Checked, error) {
	data, err := read(r, rule)
	if err != nil {
		return Checked{}, asFieldErr(field, err)
	}
	c, err := judge(data, rule)
	return c, asFieldErr(field, err)
}

func asFieldErr(field string, err error) error {
	var r *refusal
	if errors.As(err, &r) {
		return r.fieldErr(field)
	}
	return err
}

// read takes the upload into memory, stopping one byte past the limit.
func read(r io.Reader, rule Rule) ([]byte, error) {
	if err := rule.valid(); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, rule.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("upload: read: %w", err)
	}
	switch {
	case len(data) == 0:
		return nil, refuse(RuleEmpty)
	case int64(len(data)) > rule.MaxBytes:
		return nil, refuse(RuleTooBig, FormatSize(rule.MaxBytes))
	}
	return data, nil
}

// inspection is what a kind's checker learnt: the sizes, and the parts of the file that
// hold no compressed data, where markers of another format would be meaningful.
type inspection struct {
	width, height, pages int
	plain                [][]byte
}

// judge applies every check to a whole file already in memory.
func judge(data []byte, rule Rule) (Checked, error) {
	if err := rule.valid(); err != nil {
		return Checked{}, err
	}
	switch {
	case len(data) == 0:
		return Checked{}, refuse(RuleEmpty)
	case int64(len(data)) > rule.MaxBytes:
		return Checked{}, refuse(RuleTooBig, FormatSize(rule.MaxBytes))
	}
	kind := sniff(data)
	if kind == "" || !rule.allows(kind) {
		return Checked{}, refuse(RuleType, rule.kindsLabel())
	}
	var (
		in  inspection
		err error
	)
	switch kind {
	case PDF:
		in, err = inspectPDF(data)
	default:
		in, err = inspectImage(kind, data)
	}
	if err != nil {
		return Checked{}, err
	}
	if polyglot(kind, data, in.plain) {
		return Checked{}, refuse(RulePolyglot)
	}
	sum := sha256.Sum256(data)
	return Checked{
		Kind:   kind,
		Size:   int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]),
		Width:  in.width,
		Height: in.height,
		Pages:  in.pages,
	}, nil
}

// FormatSize writes a byte limit the way the forms state it ("250 KB", "10 MB"), in the
// largest unit that divides it, so that the message repeats the rule exactly. The units
// are the same in Indonesian and English.
func FormatSize(n int64) string {
	switch {
	case n >= MB && n%MB == 0:
		return strconv.FormatInt(n/MB, 10) + " MB"
	case n >= KB && n%KB == 0:
		return strconv.FormatInt(n/KB, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// edge is how much of each end of a file is searched whole for another format's markers:
// PDF readers look for their header in the first kilobyte, and HTML sniffers read the
// start of a file.
const edge = 1024

// polyglot tells whether data, valid as kind, also carries markers of another format: a
// ZIP directory closing the file (ZIP readers start from the end), a PDF header inside an
// image, or HTML, SVG or PHP markup. It searches the file's two ends and the plain
// (uncompressed, non-pixel) parts the kind's checker found, not the compressed data,
// where any short byte string turns up by chance.
func polyglot(kind Kind, data []byte, plain [][]byte) bool {
	if zipAtEnd(data) {
		return true
	}
	regions := append([][]byte{data[:min(len(data), edge)], data[max(0, len(data)-edge):]}, plain...)
	for _, r := range regions {
		if kind != PDF && bytes.Contains(r, []byte("%PDF-")) {
			return true
		}
		if hasMarkup(r) {
			return true
		}
	}
	return false
}

// markup are the openings of HTML, SVG and PHP that a browser or server would act on.
// Each must be followed by a delimiter (see hasMarkup), which keeps chance matches in
// binary metadata rare.
var markup = [][]byte{
	[]byte("<script"), []byte("<html"), []byte("<?php"), []byte("<svg"),
	[]byte("<!doctype html"), []byte("<iframe"), []byte("<body"), []byte("<object"),
	[]byte("<embed"), []byte("<meta"),
}

// hasMarkup finds any markup opening in b, ignoring case.
func hasMarkup(b []byte) bool {
	for i := bytes.IndexByte(b, '<'); i >= 0; {
		rest := b[i:]
		for _, m := range markup {
			if len(rest) > len(m) && bytes.EqualFold(rest[:len(m)], m) && markupEnd(rest[len(m)]) {
				return true
			}
		}
		j := bytes.IndexByte(rest[1:], '<')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

func markupEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', '>', '/':
		return true
	}
	return false
}

// zipAtEnd tells whether data ends with a ZIP end-of-central-directory record, which is
// all a ZIP (or JAR, DOCX, APK) reader needs to open a file whatever comes before it.
// The record is 22 bytes plus a comment of the length it states; only a record whose
// comment reaches exactly the end counts, so a chance "PK\x05\x06" in pixels does not.
func zipAtEnd(data []byte) bool {
	from := max(0, len(data)-22-0xFFFF)
	sig := []byte("PK\x05\x06")
	// A record starts at least 22 bytes before the end; each pass looks strictly before
	// the previous candidate.
	for end := len(data) - 18; end-from >= len(sig); {
		i := bytes.LastIndex(data[from:end], sig)
		if i < 0 {
			return false
		}
		i += from
		comment := int(data[i+20]) | int(data[i+21])<<8
		if i+22+comment == len(data) {
			return true
		}
		end = i + len(sig) - 1
	}
	return false
}

// plainTrailer tells whether bytes after a format's end marker are harmless: a few bytes
// of slack some encoders leave, or padding of zeros and white space of any length.
func plainTrailer(t []byte) bool {
	if len(t) <= 16 {
		return true
	}
	for _, c := range t {
		switch c {
		case 0, ' ', '\t', '\r', '\n', '\f':
		default:
			return false
		}
	}
	return true
}
