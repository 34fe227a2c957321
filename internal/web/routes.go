package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// The routes, by area. A screen's handler is in the file named after its URL (the path
// with / and - as _, parameters left out: /kantor/permohonan/{id} is
// kantor_permohonan.go), its template in templates/ under the same name, and each
// handler's doc comment starts with its route. README.md ("Where things are") maps the
// areas to their domain packages.

// routes registers handlers on a mux, each through Server.serve and its middleware.
type routes struct {
	s   *Server
	mux *http.ServeMux
}

// handle registers fn for pattern, wrapped in mw (the first is outermost).
func (rt routes) handle(pattern string, fn handlerFunc, mw ...func(handlerFunc) handlerFunc) {
	for i := len(mw) - 1; i >= 0; i-- {
		fn = mw[i](fn)
	}
	rt.mux.Handle(pattern, rt.s.serve(pattern, fn))
}

// Handler returns the whole HTTP interface: the four areas, the operations' routes and
// the static files, behind request ids, security headers and cross-origin protection.
func (s *Server) Handler() http.Handler {
	rt := routes{s: s, mux: http.NewServeMux()}
	s.publicRoutes(rt)
	s.portalRoutes(rt)
	s.backOfficeRoutes(rt)
	s.tenantAdminRoutes(rt)
	s.operationsRoutes(rt)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(s.serve("cross-origin", func(w http.ResponseWriter, r *http.Request) error {
		return errs.New(errs.Forbidden, "error.cross_origin")
	}))
	return s.requestID(s.securityHeaders(cop.Handler(rt.mux)))
}

// publicRoutes are the pages anyone may open: home, registration and activation,
// sign-in with its second factor, password reset, the service's published flow and
// standard (page, JSON, printed), the region lists, the language switch and the
// verification of a printed document.
func (s *Server) publicRoutes(rt routes) {
	h, limited := rt.handle, s.rateLimited
	h("GET /{$}", s.home)
	h("GET /daftar", s.registerForm)
	h("POST /daftar", s.register, limited)
	h("GET /daftar/periksa-email", s.registerDone)
	h("GET /aktivasi/{token}", s.activate)
	h("GET /aktivasi", s.resendForm)
	h("POST /aktivasi", s.resend, limited)
	h("GET /masuk", s.loginForm)
	h("POST /masuk", s.login, limited)
	h("POST /keluar", s.logout)
	h("GET /masuk/verifikasi", s.mfaVerifyForm)
	h("POST /masuk/verifikasi", s.mfaVerify, limited)
	h("GET /masuk/aktifkan-2fa", s.mfaEnrollForm)
	h("POST /masuk/aktifkan-2fa", s.mfaEnroll, limited)
	h("GET /lupa-password", s.forgotForm)
	h("POST /lupa-password", s.forgot, limited)
	h("GET /lupa-password/{token}", s.resetForm)
	h("POST /lupa-password/{token}", s.reset, limited)
	h("GET /alur-layanan", s.publicFlow)
	h("GET /alur-layanan.svg", s.publicFlowSVG)
	h("GET /standar-pelayanan", s.publicStandard)
	h("GET /standar-pelayanan.json", s.publicStandardJSON)
	h("GET /standar-pelayanan.pdf", s.publicStandardPDF)
	// Complaints (pengaduan): anyone files one (the public with the captcha) and tracks
	// it by number and contact.
	h("GET /pengaduan", s.complaintNew)
	h("POST /pengaduan", s.complaintFile, limited)
	h("GET /pengaduan/terkirim", s.complaintSent)
	h("GET /pengaduan/lacak", s.complaintTrackForm)
	h("POST /pengaduan/lacak", s.complaintTrack, limited)
	h("GET /wilayah", s.regionChildren)
	h("GET /wilayah/cari", s.regionSearch)
	h("GET /bahasa/{lang}", s.setLang)
	h("GET /verifikasi", s.verifyForm)
	h("GET /verifikasi/{code}", s.verify)
}

// portalRoutes are the signed-in applicant's: Akun Saya, the requests (Tambah
// Permohonan, the form, the summary and Kirim, the request page, its documents, receipt
// and result letter), the new mailbox's password, the satisfaction survey of an ended
// request, the notifications, their complaints, and an OPD operator's collective lists.
func (s *Server) portalRoutes(rt routes) {
	h, in, limited := rt.handle, s.signedIn, s.rateLimited
	h("GET /akun", s.profileForm, in)
	h("POST /akun", s.profile, in)
	h("POST /akun/password", s.changePassword, in, limited)
	h("GET /permohonan", s.requestList, in)
	h("GET /tambah-permohonan", s.catalog, in)
	h("GET /tambah-permohonan/{service}", s.chooseKind, in)
	h("POST /tambah-permohonan/{service}", s.startDraft, in)
	h("GET /permohonan/alamat", s.mailboxCheck, in)
	h("GET /permohonan/{id}/nama-desa", s.desaIDCheck, in)
	h("GET /permohonan/{id}", s.requestView, in)
	h("GET /permohonan/{id}/ubah", s.editForm, in)
	h("POST /permohonan/{id}/ubah", s.edit, in)
	h("POST /permohonan/{id}/hapus", s.discard, in)
	h("GET /permohonan/{id}/ringkasan", s.summary, in)
	h("POST /permohonan/{id}/kirim", s.submit, in)
	h("GET /permohonan/{id}/berkas/{file}", s.download, in)
	h("GET /permohonan/{id}/tanda-terima", s.receipt, in)
	h("GET /permohonan/{id}/surat-hasil", s.resultLetter, in)
	h("POST /permohonan/{id}/password", s.reveal, in)
	h("GET /permohonan/{id}/password-email", s.mailboxPasswordForm, in)
	h("POST /permohonan/{id}/password-email", s.mailboxPassword, in, limited)
	h("GET /permohonan/{id}/survei", s.surveyPage, in)
	h("POST /permohonan/{id}/survei", s.surveyAnswer, in)
	h("GET /notifikasi", s.notifications, in)
	h("GET /pengaduan/saya", s.complaintsMine, in)
	h("GET /pengaduan/saya/{id}", s.complaintMine, in)
	// An OPD's operator enters their OPD's collective lists (collective.Service.Operator
	// checks the mark; anyone else is forbidden).
	h("GET /kolektif", s.operatorCollectives, in)
	h("POST /kolektif", s.operatorCollectiveNew, in)
	h("GET /kolektif/templat.xlsx", s.operatorTemplateXLSX, in)
	h("GET /kolektif/templat.csv", s.operatorTemplateCSV, in)
	h("GET /kolektif/{id}", s.operatorCollective, in)
	h("POST /kolektif/{id}", s.operatorCollectiveReupload, in)
	h("POST /kolektif/{id}/kirim", s.operatorCollectiveSubmit, in)
}

// backOfficeRoutes are staff's (/kantor): the inbox, the request page with its actions,
// documents, receipt, account and result letters, the front desk's walk-in requests and their
// corrections, the SOP's flow, the tenant's mailboxes (database akun email), the archive
// and the domain names (database domain).
func (s *Server) backOfficeRoutes(rt routes) {
	h, staff := rt.handle, s.staffOnly
	h("GET /kantor", s.inbox, staff)
	h("GET /kantor/permohonan/{id}", s.caseView, staff)
	h("POST /kantor/permohonan/{id}/tindak", s.caseAct, staff)
	h("GET /kantor/permohonan/{id}/berkas/{file}", s.caseFile, staff)
	h("GET /kantor/permohonan/{id}/tanda-terima", s.caseReceipt, staff)
	h("GET /kantor/permohonan/{id}/surat-hasil", s.caseResultLetter, staff)
	h("POST /kantor/permohonan/{id}/surat", s.letter, s.staffWith(sop.RoleFrontDesk, sop.RoleAdminMail))
	loket := s.staffWith(sop.RoleFrontDesk)
	h("GET /kantor/loket", s.loketForm, loket)
	h("POST /kantor/loket", s.loket, loket)
	h("GET /kantor/loket/{id}", s.loketDone, loket)
	h("GET /kantor/permohonan/{id}/perbaikan", s.loketFixForm, loket)
	h("POST /kantor/permohonan/{id}/perbaikan", s.loketFix, loket)
	// Collective requests: staff see them; the front desk uploads, sends and invites
	// (checked again by collective.Service).
	h("GET /kantor/kolektif", s.collectives, staff)
	h("POST /kantor/kolektif", s.collectiveNew, loket)
	h("GET /kantor/kolektif/templat.xlsx", s.collectiveTemplateXLSX, staff)
	h("GET /kantor/kolektif/templat.csv", s.collectiveTemplateCSV, staff)
	h("GET /kantor/kolektif/{id}", s.collectiveView, staff)
	h("POST /kantor/kolektif/{id}", s.collectiveReupload, loket)
	h("POST /kantor/kolektif/{id}/kirim", s.collectiveSubmit, loket)
	h("POST /kantor/kolektif/{id}/tindak", s.collectiveAct, staff)
	h("POST /kantor/kolektif/{id}/undang", s.collectiveInvite, loket)
	h("GET /kantor/kolektif/{id}/surat", s.collectiveLetterFile, staff)
	h("GET /kantor/kolektif/{id}/surat-hasil", s.collectiveResultLetter, staff)
	h("GET /kantor/alur", s.kantorFlow, staff)
	h("GET /kantor/akun", s.accounts, staff)
	h("GET /kantor/akun.csv", s.accountsCSV, staff)
	h("GET /kantor/akun/{id}", s.account, staff)
	// Owners a sync of the mail server proposed by name: the tenant admin and the mail
	// admin review them.
	review := s.staffWith(sop.RoleTenantAdmin, sop.RoleAdminMail)
	h("GET /kantor/akun/tinjau", s.accountsReview, review)
	h("POST /kantor/akun/{id}/tinjau", s.accountReview, review)
	h("POST /kantor/akun/{id}/layanan", s.accountService, s.staffWith(request.Starters...))
	// An OPD's letter listing several people for a password reset: one request each.
	h("GET /kantor/akun/reset-surat", s.resetLetterForm, s.staffWith(request.Starters...))
	h("POST /kantor/akun/reset-surat", s.resetLetter, s.staffWith(request.Starters...))
	h("GET /kantor/akun/reset-surat/hasil", s.resetLetterResult, s.staffWith(request.Starters...))
	h("GET /kantor/domain", s.kantorDomains, staff)
	h("GET /kantor/dokumen/{id}", s.kantorDocument, staff)
	h("GET /kantor/arsip", s.kantorArchive, staff)
	// Complaints: the complaints role handles all, another role those forwarded to it
	// (checked per complaint by complaint.Service).
	h("GET /kantor/pengaduan", s.kantorComplaints, staff)
	h("GET /kantor/pengaduan/{id}", s.kantorComplaint, staff)
	h("POST /kantor/pengaduan/{id}/tindak", s.kantorComplaintAct, staff)
	// Reports and the documents they issue: the heads and the tenant admin.
	// The complaints role reads the complaints report only (report.Readable).
	heads, readers := s.staffWith(report.Readers...), s.staffWith(append(report.Readers, sop.RolePengaduan)...)
	h("GET /kantor/laporan", s.kantorReports, readers)
	h("GET /kantor/laporan/{kind}", s.kantorReport, readers)
	h("GET /kantor/laporan/{kind}/{table}", s.kantorReportCSV, readers)
	h("POST /kantor/laporan/{kind}/pdf", s.kantorReportPDF, heads)
}

// tenantAdminRoutes are the tenant admin's (/kantor, role tenant_admin): the staff, the
// SOP, the holiday calendar, the sync of the mail server into the registry, the
// roster's imports with their reports, the OPD operators and the published service
// standard's own parts.
func (s *Server) tenantAdminRoutes(rt routes) {
	h, admin := rt.handle, s.staffWith(sop.RoleTenantAdmin)
	h("GET /kantor/staf", s.staffList, admin)
	h("GET /kantor/staf/tambah", s.staffAddForm, admin)
	h("POST /kantor/staf/tambah", s.staffAdd, admin)
	h("GET /kantor/staf/{id}", s.staffEditForm, admin)
	h("POST /kantor/staf/{id}", s.staffEdit, admin)
	h("POST /kantor/staf/{id}/reset-2fa", s.staffResetMFA, admin)
	h("GET /kantor/pengaturan/awal", s.firstRunForm, admin)
	h("POST /kantor/pengaturan/awal", s.firstRun, admin)
	h("GET /kantor/sop", s.kantorSOPForm, admin)
	h("POST /kantor/sop", s.kantorSOP, admin)
	h("GET /kantor/kalender", s.kantorCalendarForm, admin)
	h("POST /kantor/kalender", s.kantorCalendar, admin)
	h("GET /kantor/akun/sinkron", s.accountsSyncPage, admin)
	h("POST /kantor/akun/sinkron", s.accountsSync, admin)
	h("GET /kantor/data-pegawai", s.kantorRoster, admin)
	h("POST /kantor/data-pegawai", s.kantorRosterImport, admin)
	h("GET /kantor/data-pegawai/{id}", s.kantorRosterRun, admin)
	h("POST /kantor/data-pegawai/{id}/usulkan", s.kantorRosterPropose, admin)
	h("GET /kantor/operator-opd", s.kantorOperators, admin)
	h("POST /kantor/operator-opd", s.kantorOperatorMark, admin)
	h("POST /kantor/operator-opd/{id}/cabut", s.kantorOperatorUnmark, admin)
	h("GET /kantor/standar-pelayanan", s.kantorStandardForm, admin)
	h("POST /kantor/standar-pelayanan", s.kantorStandard, admin)
	h("POST /kantor/standar-pelayanan/terbitkan", s.kantorStandardIssue, admin)
}

// operationsRoutes are for machines and the browser's plumbing: health checks, metrics
// (here only behind a token; see MetricsHandler), the captcha's challenges, static files
// and the not-found page.
func (s *Server) operationsRoutes(rt routes) {
	h := rt.handle
	h("GET /healthz", s.healthz)
	h("GET /readyz", s.readyz)
	if s.MetricsToken != "" {
		rt.mux.Handle("GET /metrics", s.bearer(s.MetricsToken, s.Metrics.Handler()))
	}
	h("GET /captcha/challenge", s.captchaChallenge)
	rt.mux.Handle("GET /static/", s.assets)
	rt.mux.Handle("GET /favicon.ico", http.RedirectHandler(s.assets.URL("favicon.svg"), http.StatusMovedPermanently))
	h("/", s.notFound)
}
