package upload

import (
	"bytes"
	"strings"
)

// Kind is a file type the portal accepts, named by the extension it is stored under. It is
// always learnt from the file's bytes, never from the name or the Content-Type the browser
// sent, because both are chosen by the uploader.
type Kind string

// The kinds a document scan may be. Their values are the stored files' extensions.
const (
	JPEG Kind = "jpg"
	PNG  Kind = "png"
	GIF  Kind = "gif"
	PDF  Kind = "pdf"
)

// ContentType is the media type to serve the file with. A download handler must send this
// rather than anything stored from the upload, so that a browser never renders the bytes
// as something else.
func (k Kind) ContentType() string {
	switch k {
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	case GIF:
		return "image/gif"
	case PDF:
		return "application/pdf"
	}
	return "application/octet-stream"
}

// Ext is the extension, with its dot, that Store gives a file of this kind.
func (k Kind) Ext() string {
	if k == "" {
		return ""
	}
	return "." + string(k)
}

// label is how a kind is named to a user in an "upload_type" message: "JPG", "PDF".
func (k Kind) label() string { return strings.ToUpper(string(k)) }

// sniff names the kind whose signature data starts with, or "" for none. A PDF must start
// with its header at offset 0: readers that accept a header further in are what makes
// PDF polyglots possible, so such a file is not a PDF here.
func sniff(data []byte) Kind {
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return JPEG
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return GIF
	case pdfVersion(data) != "":
		return PDF
	}
	return ""
}

// pdfVersion gives the version of a "%PDF-1.x" or "%PDF-2.0" header at offset 0, or "".
func pdfVersion(data []byte) string {
	if len(data) < 8 || !bytes.HasPrefix(data, []byte("%PDF-")) {
		return ""
	}
	v := string(data[5:8])
	switch {
	case v[0] == '1' && v[1] == '.' && v[2] >= '0' && v[2] <= '7':
		return v
	case v == "2.0":
		return v
	}
	return ""
}
