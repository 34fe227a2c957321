package report

import (
	"context"

	"github.com/surel-id/surel/internal/chart"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/sop"
)

// capacity is the capacity report: per period the mail server's accounts and quota as
// last read in it (the back office reads them at every capacity check, create and
// report step, and once a day), against the tenant's limits then.
func (s *Service) capacity(ctx context.Context, sc scope, r *Report) error {
	T := func(k string, a ...any) string { return i18n.T(r.Lang, k, a...) }
	days, err := s.Store.CapacityDays(ctx, sc.q)
	if err != nil {
		return err
	}
	last := map[sop.Date]CapacityDay{}
	for _, d := range days {
		last[periodOf(sc.f.Group, sop.DateOfNum(d.Day))] = d // in day order: the period's last wins
	}
	tbl := Table{Name: "kapasitas", Title: T("report.capacity_by_period"), Columns: []Column{{Label: T("report.period"), Kind: Date},
		{Label: T("report.accounts"), Kind: Count}, {Label: T("report.max_accounts"), Kind: Count}, {Label: T("report.accounts_share"), Kind: Percent, Unit: "%"},
		{Label: T("report.quota_allocated"), Kind: Bytes, Unit: "GB"}, {Label: T("report.quota_used"), Kind: Bytes, Unit: "GB"},
		{Label: T("report.total_quota"), Kind: Bytes, Unit: "GB"}, {Label: T("report.quota_share"), Kind: Percent, Unit: "%"}}}
	var labels []string
	var acc, quota []float64
	var maxAcc, maxQuota int64
	for _, p := range sc.f.periods() {
		d, ok := last[p]
		if !ok {
			continue
		}
		used := Value{Kind: Bytes, N: float64(d.QuotaUsed), Missing: d.QuotaUsed < 0}
		tbl.Rows = append(tbl.Rows, []Value{DateV(p.String()), CountV(d.Accounts), limitV(d.MaxAccounts), sharePct(d.Accounts, d.MaxAccounts),
			BytesV(d.QuotaAllocated), used, limitBytes(d.TotalQuota), sharePct(d.QuotaAllocated, d.TotalQuota)})
		labels = append(labels, periodLabel(sc.f.Group, p, r.Lang))
		acc, quota = append(acc, float64(d.Accounts)), append(quota, float64(d.QuotaAllocated)/(1<<30))
		maxAcc, maxQuota = d.MaxAccounts, d.TotalQuota
	}
	ac := chart.Chart{Kind: chart.Lines, Title: T("report.chart_capacity_accounts"), Labels: labels, Unit: T("report.unit_accounts"),
		Series: []chart.Series{{Name: T("report.accounts"), Values: acc}}}
	if maxAcc > 0 {
		ac.Limits = []chart.Limit{{Name: T("report.max_accounts"), Value: float64(maxAcc)}}
	}
	qc := chart.Chart{Kind: chart.Lines, Title: T("report.chart_capacity_quota"), Labels: labels, Unit: " GB",
		Series: []chart.Series{{Name: T("report.quota_allocated"), Values: quota}}}
	if maxQuota > 0 {
		qc.Limits = []chart.Limit{{Name: T("report.total_quota"), Value: float64(maxQuota) / (1 << 30)}}
	}
	r.Charts = []chart.Chart{ac, qc}
	r.Tables = []Table{tbl}
	if s.Capacity != nil {
		v := s.Capacity(ctx, sc.t.ID)
		if v.Err == nil {
			r.Figures = []Figure{{T("report.accounts_now"), CountV(int64(v.Now.Accounts))}, {T("report.max_accounts"), limitV(int64(v.Limits.MaxAccounts))},
				{T("report.quota_allocated"), BytesV(v.Now.QuotaAllocated)}, {T("report.total_quota"), limitBytes(v.Limits.TotalQuota)}}
		}
	}
	r.Notes = append(r.Notes, T("report.note_capacity"))
	return nil
}

// limitV is a limit, missing when there is none (0).
func limitV(n int64) Value { return Value{Kind: Count, N: float64(n), Missing: n <= 0} }

func limitBytes(n int64) Value { return Value{Kind: Bytes, N: float64(n), Missing: n <= 0} }

// sharePct is part of a limit in per cent, missing without a limit.
func sharePct(part, limit int64) Value {
	if limit <= 0 {
		return Value{Kind: Percent, Missing: true}
	}
	return PercentV(part, limit)
}

// KeepCapacity keeps a reading of a tenant's mail server as its day's figures (the
// day's last reading wins), for the capacity report.
func (s *Service) KeepCapacity(ctx context.Context, tenantID int64, v CapacityView) error {
	t, ok := s.Tenant(tenantID)
	if !ok || v.Err != nil {
		return v.Err
	}
	def, _, err := s.Book.Workflow(ctx, t.SOPRef())
	if err != nil {
		return err
	}
	loc, err := def.Location()
	if err != nil {
		return err
	}
	return s.Store.PutCapacityDay(ctx, tenantID, CapacityDay{Day: sop.DateOf(v.At.In(loc)).Num(), At: v.At, Accounts: int64(v.Now.Accounts),
		MaxAccounts: int64(v.Limits.MaxAccounts), QuotaAllocated: v.Now.QuotaAllocated, QuotaUsed: v.Now.UsedBytes, TotalQuota: v.Limits.TotalQuota})
}
