package harness

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var xs []time.Duration
	for i := 1; i <= 100; i++ {
		xs = append(xs, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{0: 1, 50: 50, 90: 90, 99: 99, 99.5: 100, 100: 100} {
		if got := Percentile(xs, p); got != want {
			t.Errorf("percentile(1..100, %v) = %v, want %v", p, got, want)
		}
	}
	if Percentile(nil, 99) != 0 {
		t.Error("percentile of nothing")
	}
}
