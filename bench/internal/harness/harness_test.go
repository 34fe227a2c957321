package harness

import (
	"bytes"
	"os"
	"syscall"
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

// ProcsCPU finds this very process by its command line and sees it use CPU.
func TestProcsCPU(t *testing.T) {
	cmd, err := os.ReadFile("/proc/self/cmdline")
	if err != nil {
		t.Skip("no /proc")
	}
	me := string(bytes.SplitN(cmd, []byte{0}, 2)[0])
	before := ProcsCPU(me)
	if _, ok := before[os.Getpid()]; !ok {
		t.Fatalf("this process (%q) not found: %v", me, before)
	}
	// Spin until getrusage says 300 ms of CPU were used (however loaded the machine).
	used := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	for start := used(); used()-start < 300*time.Millisecond; {
	}
	if d := ProcsCPUSince(me, before); d < 250*time.Millisecond {
		t.Fatalf("300 ms of CPU counted as %s", d)
	}
}
