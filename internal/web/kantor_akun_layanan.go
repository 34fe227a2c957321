package web

import "net/http"

// POST /kantor/akun/{id}/layanan starts a service (reset, deactivation, reactivation,
// quota, an institutional mailbox's handover) on the mailbox as a request in its owner's name, which then follows the
// service's SOP steps; a form error shows the page again with what was typed.
func (s *Server) accountService(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "akun.detail")
	if err := parseForm(w, r); err != nil {
		return err
	}
	p.Form = r.PostForm
	id := parseID(r.PathValue("id"))
	mb, err := s.Registry.Get(r.Context(), *staffOf(r), id)
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range []string{"keterangan", "alasan", "kuota_mb", "nip", "nama_pj"} {
		if v := r.PostForm.Get(k); v != "" {
			values[k] = v
		}
	}
	rq, err := s.Requests.StaffStart(r.Context(), p.Tenant, *staffOf(r), s.clientIP(r), mb, r.PostForm.Get("layanan"), r.PostForm.Get("jenis"), values)
	if err != nil {
		status, ok := formError(p, err)
		if !ok {
			return err
		}
		if err := s.accountPage(r, p, id); err != nil {
			return err
		}
		return s.render(w, r, status, "kantor_akun_detail", p)
	}
	s.setFlash(w, "flash.service_started", rq.Number)
	return redirect(w, r, "/kantor/permohonan/"+itoa(rq.ID))
}
