package sop

import "time"

// WorkingDaysBetween is the working time from a to b in working days, as AddWorking
// counts them: the whole days n for which AddWorking(a, n days) is not after b, and the
// share of the next such day already worked. So b is within a standard of n days
// exactly when the result is at most n, whatever the office's hours (a short Friday
// counts as a whole day, as it does for a due time). Zero when b is not after a.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) float64 {
	if !b.After(a) {
		return 0
	}
	k := 0
	lo := c.AddWorking(a, Duration{})
	if !lo.Before(b) {
		return 0
	}
	for k < searchDays {
		next := c.AddWorking(a, WorkingDays(k+1))
		if next.After(b) {
			whole := c.WorkingBetween(lo, next)
			if whole <= 0 {
				return float64(k)
			}
			return float64(k) + float64(c.WorkingBetween(lo, b))/float64(whole)
		}
		k++
		lo = next
	}
	return float64(k)
}
