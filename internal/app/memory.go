package app

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// GCPercent is the garbage collector's target (GOGC) surel serves with when the
// environment sets none. A page allocates tens of kilobytes and the live heap is small
// (about 12 MiB after start), so at Go's default of 100 a busy server collects dozens of
// times a second, and the requests that run during a collection's mark phase wait for
// it. At 400 it collects four times less often; the heap stays about five times the
// live data (tens of MiB), which even a small server has.
const GCPercent = 400

// Memory is how the runtime's memory settings were chosen, for the start-up log.
type Memory struct {
	GCPercent int    // the collector's target in force
	Limit     int64  // the soft memory limit in bytes; 0: none
	Source    string // "environment" or "surel default"
}

// TuneMemory applies surel's defaults for the collector when the environment leaves
// them to it: GOGC=GCPercent, and a soft memory limit (GOMEMLIMIT) of half the memory
// the process may use (the machine's, or its cgroup's when that is smaller). The limit
// keeps the larger heap of GCPercent from ever taking more than half of a small
// machine: when the live data grows, collections come more often instead. A GOGC or
// GOMEMLIMIT set in the environment is left as the runtime read it.
func TuneMemory(getenv func(string) string) Memory {
	m := Memory{Source: "surel default"}
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		m.Source = "environment"
		m.GCPercent = debug.SetGCPercent(-1)
		debug.SetGCPercent(m.GCPercent)
		if l := debug.SetMemoryLimit(-1); l != 1<<63-1 {
			m.Limit = l
		}
		return m
	}
	m.GCPercent = GCPercent
	debug.SetGCPercent(GCPercent)
	if avail := availableMemory(os.ReadFile); avail > 0 {
		m.Limit = avail / 2
		debug.SetMemoryLimit(m.Limit)
	}
	return m
}

// String is the settings as one log value.
func (m Memory) String() string {
	limit := "none"
	if m.Limit > 0 {
		limit = fmt.Sprintf("%d MiB", m.Limit>>20)
	}
	return fmt.Sprintf("GOGC=%d, memory limit %s (%s)", m.GCPercent, limit, m.Source)
}

// availableMemory is the memory this process may use in bytes: the machine's
// (MemTotal in /proc/meminfo), or its cgroup v2 limit (memory.max) when that is
// smaller; 0 when neither can be read (not Linux).
func availableMemory(read func(string) ([]byte, error)) int64 {
	var total int64
	if b, err := read("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			// "MemTotal:       24634720 kB"
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "MemTotal:" && f[2] == "kB" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					total = kb << 10
				}
				break
			}
		}
	}
	if b, err := read("/sys/fs/cgroup/memory.max"); err == nil {
		// "max" (no limit) or a number of bytes.
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}
