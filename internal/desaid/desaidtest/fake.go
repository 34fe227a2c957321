// Package desaidtest is a registrar for tests that behaves as the .id registry's
// documented process does: an application is checked for the registry's documents,
// refused when the name is registered already, filed once per request (a repeated submit
// gives the first filing's reference), and stays pending until the registry decides,
// which here is Approve or Reject, or AutoActivate after a number of status reads.
package desaidtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/surel-id/surel/internal/desaid"
)

// Registrar is the fake. The zero value has no name registered; use it by pointer.
type Registrar struct {
	// AutoActivate, when > 0, activates a pending application at its AutoActivate-th
	// status read (the registry working on its own time).
	AutoActivate int
	// Down makes every call fail as an unreachable registry does (a retry cures it).
	Down bool

	mu       sync.Mutex
	names    map[string]string // name → reference, registered or filed
	filings  map[string]string // request ref → reference
	apps     map[string]*filing
	sequence int
}

type filing struct {
	app    desaid.Application
	status desaid.Status
	reads  int
}

// ErrDown is the unreachable registry.
var ErrDown = errors.New("desaidtest: registry unreachable")

// Register marks name as registered already (another village's).
func (f *Registrar) Register(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	f.names[name] = "existing"
}

func (f *Registrar) init() {
	if f.names == nil {
		f.names, f.filings, f.apps = map[string]string{}, map[string]string{}, map[string]*filing{}
	}
}

// Available tells whether name is neither registered nor filed.
func (f *Registrar) Available(ctx context.Context, name string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Down {
		return false, ErrDown
	}
	f.init()
	_, taken := f.names[name]
	return !taken, nil
}

// Submit files a: the documents of desaid.Documents must all be there; a name registered
// by someone else is desaid.ErrTaken; the same ref again gives its first reference.
func (f *Registrar) Submit(ctx context.Context, ref string, a desaid.Application) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Down {
		return "", ErrDown
	}
	f.init()
	if r, ok := f.filings[ref]; ok {
		return r, nil
	}
	if desaid.Check(a.Name) != "" {
		return "", fmt.Errorf("desaidtest: name %q breaks the registry's rules", a.Name)
	}
	if _, taken := f.names[a.Name]; taken {
		return "", desaid.ErrTaken
	}
	for _, d := range desaid.Documents {
		if _, ok := a.Files[d]; !ok {
			return "", fmt.Errorf("desaidtest: document %s missing", d)
		}
	}
	f.sequence++
	reference := fmt.Sprintf("PANDI-DESA-%06d", f.sequence)
	f.filings[ref] = reference
	f.names[a.Name] = reference
	f.apps[reference] = &filing{app: a, status: desaid.Status{State: desaid.Pending, Reference: reference}}
	return reference, nil
}

// Status reads a filing's state.
func (f *Registrar) Status(ctx context.Context, reference string) (desaid.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Down {
		return desaid.Status{}, ErrDown
	}
	f.init()
	a, ok := f.apps[reference]
	if !ok {
		return desaid.Status{}, fmt.Errorf("desaidtest: no application %s", reference)
	}
	a.reads++
	if a.status.State == desaid.Pending && f.AutoActivate > 0 && a.reads >= f.AutoActivate {
		f.activate(a)
	}
	return a.status, nil
}

func (f *Registrar) activate(a *filing) {
	a.status.State = desaid.Active
	a.status.Expires = time.Now().UTC().AddDate(1, 0, 0).Truncate(24 * time.Hour)
}

// Approve activates the filing of reference.
func (f *Registrar) Approve(reference string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.apps[reference]; ok {
		f.activate(a)
	}
}

// Reject refuses the filing of reference with reason; the name is free again.
func (f *Registrar) Reject(reference, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.apps[reference]; ok {
		a.status.State, a.status.Reason = desaid.Rejected, reason
		delete(f.names, a.app.Name)
	}
}

// Filed lists the names filed, in order.
func (f *Registrar) Filed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, a := range f.apps {
		out = append(out, a.app.Name)
	}
	slices.Sort(out)
	return out
}

var _ desaid.Registrar = (*Registrar)(nil)
