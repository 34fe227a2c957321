package printout

import (
	"time"

	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/sop"
)

// Official starts the letter of document d, issued by a tenant with settings set whose
// time zone is loc: the kop surat, the number, the place and date in words, the
// signer, the verification code with the link its QR code holds (baseURL +
// /verifikasi/CODE), and the footer saying when the system issued it, in the office's
// zone. The caller adds the title or subject, the addressee and the body.
func Official(set letter.Settings, d letter.Document, loc *time.Location, baseURL string) Letter {
	url := VerifyURL(baseURL, d.Code)
	return Letter{Head: set.Letterhead, Number: d.Number, PlaceDate: letter.PlaceDate(set.Place, d.IssuedAt.In(loc)), Signer: set.Signer,
		Code: letter.ShowCode(d.Code), URL: url, Created: d.IssuedAt,
		Footer: "Diterbitkan oleh sistem surel pada " + sop.Stamp(d.IssuedAt, loc) + ". Keaslian dokumen dapat diperiksa di " + url + "."}
}

// VerifyURL is the public page of a verification code.
func VerifyURL(baseURL, code string) string { return baseURL + "/verifikasi/" + code }
