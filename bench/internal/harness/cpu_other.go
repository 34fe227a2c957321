//go:build !linux

package harness

import "time"

type cpuSample struct {
	ok          bool
	machineBusy time.Duration
	steal       time.Duration
	self        time.Duration
}

// sampleCPU is only implemented on Linux; elsewhere the CPU columns stay empty.
func sampleCPU() cpuSample { return cpuSample{} }
