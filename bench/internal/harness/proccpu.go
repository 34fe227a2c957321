package harness

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// ProcsCPU is the CPU time (user and system) that the processes whose command line
// contains match have used so far, by process id: on Linux, from /proc/<pid>/stat. It
// finds, for instance, the PostgreSQL backends serving one database ("postgres:
// postgres bench_backoffice 127.0.0.1(…) idle"), so that a load program can put the
// database's CPU per page beside its own.
func ProcsCPU(match string) map[int]time.Duration {
	out := map[int]time.Duration{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(cmd, []byte(match)) {
			continue
		}
		if d, ok := PidCPU(pid); ok {
			out[pid] = d
		}
	}
	return out
}

// PidCPU is the CPU time (user and system) process pid has used so far, from
// /proc/<pid>/stat; false when it cannot be read (no such process, not Linux). A load
// program measures the surel processes it started with it.
func PidCPU(pid int) (time.Duration, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The fields after the command name, which is in parentheses and may hold spaces:
	// utime and stime are the 14th and 15th of the line, the 12th and 13th here.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * time.Second / userHZ, true
}

// ProcsCPUSince is the CPU time the matching processes used since before was taken
// (ProcsCPU), counting a process that started since in full. A process that ended in
// between is not counted.
func ProcsCPUSince(match string, before map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, t := range ProcsCPU(match) {
		d += t - before[pid]
	}
	return d
}
