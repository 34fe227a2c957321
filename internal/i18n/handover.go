package i18n

// The words of institutional mailboxes' handover and of OPD operators (issue 19), kept
// apart from the main catalogues and added to them once at start.
var idHandover = map[string]string{
	"registry.handover.nonaktif":    "akun pribadi penanggung jawab dinonaktifkan",
	"registry.handover.keluar":      "penanggung jawab tidak ada lagi dalam data kepegawaian",
	"registry.handover.tidak_aktif": "penanggung jawab tidak aktif lagi menurut data kepegawaian",
	"registry.handover.pindah":      "penanggung jawab pindah unit atau instansi menurut data kepegawaian",
	"notif.done_serah_terima":       "Permohonan %s selesai: Anda sekarang penanggung jawab akun email instansi; ambil password barunya.",
	"akun.handover":                 "Perlu serah terima",
	"akun.handover_filter":          "Hanya yang perlu serah terima",
	"akun.handover_task":            "%d akun email instansi perlu serah terima kepada penanggung jawab baru.",
	"akun.handover_note":            "Akun ini perlu serah terima sejak %s: %s. Akun tetap aktif di server; tunjuk penanggung jawab baru dengan layanan Serah Terima Email Instansi di bawah. Reset password tidak dapat diajukan sampai serah terima selesai.",
	"field.nama_pj":                 "Nama penanggung jawab baru",
	"rule.mailbox_handover":         "%s menunggu serah terima kepada penanggung jawab baru: kata sandi baru diberikan kepada penanggung jawab baru melalui serah terima.",
	"rule.handover_same":            "%s: PNS ini sudah penanggung jawab akun ini; tunjuk PNS lain.",
	"operator.title":                "Operator OPD",
	"operator.intro":                "Akun portal yang ditandai sebagai operator OPD dapat mengunggah daftar permohonan kolektif untuk OPD-nya dari portal. Satu akun untuk satu OPD.",
	"operator.email":                "Email akun portal",
	"operator.instansi":             "OPD (instansi)",
	"operator.add":                  "Tandai sebagai operator",
	"operator.remove":               "Cabut",
	"operator.none":                 "Belum ada operator OPD.",
	"operator.since":                "Sejak",
	"flash.operator_added":          "%s sekarang operator OPD.",
	"flash.operator_removed":        "Tanda operator OPD dicabut.",
	"operator.account":              "Akun",
	"rule.operator_unknown":         "Tidak ada akun portal aktif dengan email ini di layanan ini.",
	"portal.kolektif":               "Permohonan Kolektif OPD",
	"portal.kolektif_intro":         "Sebagai operator %s, Anda dapat mengunggah daftar pegawai (CSV atau XLSX) dengan surat kepala OPD. Setiap baris diperiksa sebelum dikirim.",
}

var enHandover = map[string]string{
	"registry.handover.nonaktif":    "the responsible person's own mailbox was deactivated",
	"registry.handover.keluar":      "the responsible person is no longer in the roster",
	"registry.handover.tidak_aktif": "the roster lists the responsible person as no longer active",
	"registry.handover.pindah":      "the roster lists the responsible person in another unit or agency",
	"notif.done_serah_terima":       "Request %s is done: you are now responsible for the institutional mailbox; collect its new password.",
	"akun.handover":                 "Needs handover",
	"akun.handover_filter":          "Only those needing handover",
	"akun.handover_task":            "%d institutional mailboxes need a handover to a new responsible person.",
	"akun.handover_note":            "This mailbox has needed a handover since %s: %s. It stays active on the server; name the new responsible person with the Institutional mailbox handover service below. A password reset cannot be asked for until the handover is done.",
	"field.nama_pj":                 "Name of the new responsible civil servant",
	"rule.mailbox_handover":         "%s waits for a handover to a new responsible person: the handover gives the new person a new password.",
	"rule.handover_same":            "%s: this civil servant is the mailbox's responsible person already; name another one.",
	"operator.title":                "OPD operators",
	"operator.intro":                "A portal account marked as an OPD's operator may upload collective request lists for that OPD from the portal. One OPD per account.",
	"operator.email":                "Portal account e-mail",
	"operator.instansi":             "OPD (agency)",
	"operator.add":                  "Mark as operator",
	"operator.remove":               "Revoke",
	"operator.none":                 "No OPD operators yet.",
	"operator.since":                "Since",
	"flash.operator_added":          "%s is now an OPD operator.",
	"flash.operator_removed":        "The OPD operator mark was revoked.",
	"operator.account":              "Account",
	"rule.operator_unknown":         "No active portal account with this e-mail in this service.",
	"portal.kolektif":               "OPD collective request",
	"portal.kolektif_intro":         "As the operator of %s, you may upload a list of employees (CSV or XLSX) with the OPD head's letter. Every row is checked before it is sent.",
}

func init() {
	for k, v := range idHandover {
		id[k] = v
	}
	for k, v := range enHandover {
		en[k] = v
	}
}
