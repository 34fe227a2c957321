package survey

import (
	"math"
	"testing"
)

// The regulation's Krejcie–Morgan table, at the populations it lists.
func TestMinSample(t *testing.T) {
	for n, want := range map[int]int{10: 10, 15: 14, 20: 19, 50: 44, 100: 80, 200: 132, 500: 217, 1000: 278, 2000: 322, 10000: 370, 75000: 382} {
		if got := MinSample(n); got != want {
			t.Errorf("MinSample(%d) = %d, want %d", n, got, want)
		}
	}
	if MinSample(0) != 0 {
		t.Error("no users, no sample")
	}
}

// The grade's bounds are the converted index to two decimals.
func TestGrades(t *testing.T) {
	for _, c := range []struct {
		sum   int // the same total for every element, of 10 answers
		conv  float64
		grade string
	}{
		{40, 100, "A"},
		{36, 90, "A"},
		{35, 87.5, "B"},
		{31, 77.5, "B"},
		{30, 75, "C"},
		{26, 65, "C"},
		{25, 62.5, "D"},
		{10, 25, "D"},
	} {
		tt := Totals{N: 10}
		for i := range tt.Sum {
			tt.Sum[i] = c.sum
		}
		x, ok := Compute(tt)
		if !ok || math.Abs(x.Converted-c.conv) > 1e-9 || x.Grade != c.grade {
			t.Errorf("sum %d: %v %s, want %v %s", c.sum, x.Converted, x.Grade, c.conv, c.grade)
		}
	}
	if _, ok := Compute(Totals{}); ok {
		t.Error("an index of no answers")
	}
}
