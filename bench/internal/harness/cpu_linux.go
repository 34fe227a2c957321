package harness

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuSample is the machine's busy CPU time and this process's CPU time at one instant.
type cpuSample struct {
	ok          bool
	machineBusy time.Duration // all CPUs, every process (from /proc/stat), steal included
	steal       time.Duration // time the hypervisor ran something else on our virtual CPUs
	self        time.Duration // this process (getrusage)
}

// ticks of /proc/stat are USER_HZ, 100 on every Linux architecture Go supports.
const userHZ = 100

func sampleCPU() cpuSample {
	var s cpuSample
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return s
	}
	var busy int64
	// user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
	for i, v := range f[1:9] {
		if i == 3 || i == 4 {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s
		}
		busy += n
		if i == 7 {
			s.steal = time.Duration(n) * time.Second / userHZ
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return s
	}
	s.machineBusy = time.Duration(busy) * time.Second / userHZ
	s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	s.ok = true
	return s
}
