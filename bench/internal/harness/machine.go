package harness

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// CPUText is "self / other" CPUs (cores) of a phase: what this process used and what
// every other process on the machine used meanwhile.
func CPUText(r Result) string {
	if math.IsNaN(r.SelfCPU) {
		return "?"
	}
	if r.StealCPU >= 0.01 {
		return fmt.Sprintf("%.2f / %.2f (steal %.2f)", r.SelfCPU, r.OtherCPU, r.StealCPU)
	}
	return fmt.Sprintf("%.2f / %.2f", r.SelfCPU, r.OtherCPU)
}

// WaitQuiet waits, up to maxWait, until the other processes on the machine have used
// less than threshold CPUs over a 2-second span, so that a phase does not start in the
// middle of somebody else's build. The first time it finds the machine busy it calls
// waiting with the CPUs the others used (each program words that line its own way); when
// it gives up it says so on out. It reports whether the machine became quiet.
func WaitQuiet(ctx context.Context, threshold float64, maxWait time.Duration, out io.Writer, waiting func(other float64)) bool {
	if threshold <= 0 {
		return true
	}
	deadline := time.Now().Add(maxWait)
	said := false
	for {
		a := sampleCPU()
		select {
		case <-ctx.Done():
			return false
		case <-time.After(2 * time.Second):
		}
		b := sampleCPU()
		if !a.ok || !b.ok {
			return true
		}
		other := ((b.machineBusy - a.machineBusy) - (b.self - a.self)).Seconds() / 2
		if other < threshold {
			return true
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(out, "machine still busy (other processes %.2f CPUs) after %s; measuring anyway\n", other, maxWait)
			return false
		}
		if !said {
			waiting(other)
			said = true
		}
	}
}

// LoadAvg is the 1-, 5- and 15-minute load averages from /proc/loadavg, "?" where
// unknown.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
