package app

import (
	"errors"
	"io/fs"
	"os"
	"runtime/debug"
	"testing"
)

func TestAvailableMemory(t *testing.T) {
	meminfo := []byte("MemTotal:        2048000 kB\nMemFree:          100000 kB\n")
	files := func(m map[string]string) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if v, ok := m[name]; ok {
				return []byte(v), nil
			}
			return nil, fs.ErrNotExist
		}
	}
	for _, c := range []struct {
		name  string
		files map[string]string
		want  int64
	}{
		{"machine only", map[string]string{"/proc/meminfo": string(meminfo)}, 2048000 << 10},
		{"cgroup without limit", map[string]string{"/proc/meminfo": string(meminfo), "/sys/fs/cgroup/memory.max": "max\n"}, 2048000 << 10},
		{"cgroup smaller", map[string]string{"/proc/meminfo": string(meminfo), "/sys/fs/cgroup/memory.max": "536870912\n"}, 512 << 20},
		{"cgroup larger than the machine", map[string]string{"/proc/meminfo": string(meminfo), "/sys/fs/cgroup/memory.max": "99999999999999\n"}, 2048000 << 10},
		{"cgroup only", map[string]string{"/sys/fs/cgroup/memory.max": "1073741824"}, 1 << 30},
		{"nothing readable", nil, 0},
		{"garbage", map[string]string{"/proc/meminfo": "MemTotal: lots", "/sys/fs/cgroup/memory.max": "x"}, 0},
	} {
		if got := availableMemory(files(c.files)); got != c.want {
			t.Errorf("%s: availableMemory = %d, want %d", c.name, got, c.want)
		}
	}
	if _, err := files(nil)("/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("fake file system")
	}
}

func TestTuneMemory(t *testing.T) {
	oldPercent, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(1<<63-1)
	t.Cleanup(func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) })

	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	m := TuneMemory(env(nil))
	if m.GCPercent != GCPercent || m.Source != "surel default" {
		t.Fatalf("no environment: %+v, want GOGC %d from surel's default", m, GCPercent)
	}
	if got := debug.SetGCPercent(GCPercent); got != GCPercent {
		t.Errorf("runtime GOGC = %d after TuneMemory, want %d", got, GCPercent)
	}
	if avail := availableMemory(os.ReadFile); avail > 0 {
		if got := debug.SetMemoryLimit(-1); got != avail/2 || m.Limit != avail/2 {
			t.Errorf("memory limit = %d (reported %d), want half of %d", got, m.Limit, avail)
		}
	}

	// An operator's GOGC wins: the runtime's settings are reported, not changed.
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(1<<63 - 1)
	m = TuneMemory(env(map[string]string{"GOGC": "150"}))
	if m.GCPercent != 150 || m.Source != "environment" || m.Limit != 0 {
		t.Fatalf("GOGC=150 in the environment: %+v", m)
	}
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("runtime GOGC = %d, want the environment's 150 kept", got)
	}
	if s := m.String(); s != "GOGC=150, memory limit none (environment)" {
		t.Errorf("String() = %q", s)
	}
}
