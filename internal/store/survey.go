package store

import (
	"context"
	"fmt"

	"github.com/surel-id/surel/internal/survey"
)

// SurveyAnswered reports whether a request's applicant answered the survey.
func (s *Store) SurveyAnswered(ctx context.Context, requestID int64) (bool, error) {
	var n int
	if err := s.get(ctx, `SELECT COUNT(*) FROM survey_done WHERE request_id = ?`, []any{requestID}, &n); err != nil {
		return false, fmt.Errorf("survey answered: %w", err)
	}
	return n > 0, nil
}

// AddSurveyAnswer marks the request answered and stores the answer without it, in one
// transaction; ErrConflict when the request was answered before.
func (s *Store) AddSurveyAnswer(ctx context.Context, tenantID, requestID int64, service string, day int, a survey.Answer) error {
	return s.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.exec(ctx, `INSERT INTO survey_done (request_id, tenant_id) VALUES (?, ?)`, requestID, tenantID); err != nil {
			return fmt.Errorf("add survey answer: %w", err)
		}
		v := a.Values
		_, err := s.exec(ctx, `INSERT INTO survey_answers (tenant_id, service, day, u1, u2, u3, u4, u5, u6, u7, u8, u9, gender, education, occupation, suggestion)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenantID, service, day, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], a.Gender, a.Education, a.Occupation, a.Suggestion)
		if err != nil {
			return fmt.Errorf("add survey answer: %w", err)
		}
		return nil
	})
}

// SurveyRows adds up a tenant's answers per service and day, for days from…to
// (sop.Date.Num, both included), one service or all ("").
func (s *Store) SurveyRows(ctx context.Context, tenantID int64, from, to int, service string) ([]survey.Row, error) {
	rows, err := s.query(ctx, `SELECT service, day, COUNT(*), SUM(u1), SUM(u2), SUM(u3), SUM(u4), SUM(u5), SUM(u6), SUM(u7), SUM(u8), SUM(u9)
		FROM survey_answers WHERE tenant_id = ? AND day BETWEEN ? AND ? AND (CAST(? AS TEXT) = '' OR service = ?) GROUP BY service, day ORDER BY day, service`,
		tenantID, from, to, service, service)
	if err != nil {
		return nil, fmt.Errorf("survey rows: %w", err)
	}
	defer rows.Close()
	var out []survey.Row
	for rows.Next() {
		var r survey.Row
		sum := &r.Sum
		if err := rows.Scan(&r.Service, &r.Day, &r.N, &sum[0], &sum[1], &sum[2], &sum[3], &sum[4], &sum[5], &sum[6], &sum[7], &sum[8]); err != nil {
			return nil, fmt.Errorf("survey rows: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SurveyProfile counts the respondents of the period by each respondent field's value.
func (s *Store) SurveyProfile(ctx context.Context, tenantID int64, from, to int, service string) ([]survey.Profile, error) {
	var out []survey.Profile
	for _, field := range []string{"gender", "education", "occupation"} {
		rows, err := s.query(ctx, `SELECT `+field+`, COUNT(*) FROM survey_answers WHERE tenant_id = ? AND day BETWEEN ? AND ? AND (CAST(? AS TEXT) = '' OR service = ?)
			GROUP BY `+field+` ORDER BY `+field, tenantID, from, to, service, service)
		if err != nil {
			return nil, fmt.Errorf("survey profile: %w", err)
		}
		for rows.Next() {
			p := survey.Profile{Field: field}
			if err := rows.Scan(&p.Value, &p.N); err != nil {
				rows.Close()
				return nil, fmt.Errorf("survey profile: %w", err)
			}
			out = append(out, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("survey profile: %w", err)
		}
	}
	return out, nil
}

// SurveySuggestions lists the period's suggestions with their month and service only,
// in the order of their months, then of their text (not of their answers), at most
// limit.
func (s *Store) SurveySuggestions(ctx context.Context, tenantID int64, from, to int, service string, limit int) ([]survey.Suggestion, error) {
	rows, err := s.query(ctx, `SELECT day / 100, service, suggestion FROM survey_answers WHERE tenant_id = ? AND day BETWEEN ? AND ? AND (CAST(? AS TEXT) = '' OR service = ?)
		AND suggestion <> '' ORDER BY day / 100, suggestion LIMIT ?`, tenantID, from, to, service, service, limit)
	if err != nil {
		return nil, fmt.Errorf("survey suggestions: %w", err)
	}
	defer rows.Close()
	var out []survey.Suggestion
	for rows.Next() {
		var x survey.Suggestion
		if err := rows.Scan(&x.Month, &x.Service, &x.Text); err != nil {
			return nil, fmt.Errorf("survey suggestions: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
