package sop

import "time"

// Working times are kept to the minute on each step, and counted for reports in buckets
// (WorkBucket) that are exact where steps are short and coarser where they are long:
// a median or 90th percentile read from the buckets is off by at most half a bucket,
// under 4 % of the time itself.
//
//	under 2 hours        1 minute
//	2 to 8 hours         5 minutes
//	8 to 40 hours        15 minutes
//	40 hours and more    1 hour

// WorkBucket is the bucket of a working time in minutes: its lower bound.
func WorkBucket(minutes int) int {
	switch m := max(minutes, 0); {
	case m < 120:
		return m
	case m < 480:
		return m - m%5
	case m < 2400:
		return m - m%15
	default:
		return m - m%60
	}
}

// BucketWidth is the width in minutes of the bucket whose lower bound is b.
func BucketWidth(b int) int {
	switch {
	case b < 120:
		return 1
	case b < 480:
		return 5
	case b < 2400:
		return 15
	default:
		return 60
	}
}

// Num is the date as reports key their daily counts: 20261206.
func (d Date) Num() int { return d.Year*10000 + int(d.Month)*100 + d.Day }

// DateOfNum reads a Num back.
func DateOfNum(n int) Date {
	return Date{Year: n / 10000, Month: time.Month(n / 100 % 100), Day: n % 100}
}
