package workflow

import (
	"context"
	"sync"
	"time"

	"github.com/surel-id/surel/internal/mailbox"
)

// CapacityView is a tenant's mail server capacity as staff see it at the capacity check
// (seed 004 step 3): the server's figures against the tenant's limits, as of At.
type CapacityView struct {
	Now          mailbox.Capacity
	Limits       mailbox.Limits
	DefaultQuota int64
	At           time.Time
	Err          error
}

// Full reports whether one more mailbox would pass a limit.
func (c CapacityView) Full() bool {
	return c.Err == nil && c.Limits.Check(c.Now, c.DefaultQuota) != nil
}

// capacityTTL is how old a shown capacity may be. Counting a national domain's
// mailboxes takes about a second (bench/RESULTS-backoffice.md), too long for every page
// view; the provisioning job checks the limits against fresh figures.
const capacityTTL = time.Minute

type capacityCache struct {
	mu      sync.Mutex
	views   map[int64]CapacityView
	loading map[int64]bool
}

// Capacity gives the tenant's capacity for display: a figure at most a minute old is
// served from memory, an older one is served while a fresh one is read in the
// background, and only the very first read waits for the server.
func (e *Engine) Capacity(ctx context.Context, tenantID int64) CapacityView {
	c := &e.capacity
	c.mu.Lock()
	v, ok := c.views[tenantID]
	stale := !ok || e.now().Sub(v.At) > capacityTTL
	start := stale && !c.loading[tenantID]
	if start {
		if c.loading == nil {
			c.loading, c.views = map[int64]bool{}, map[int64]CapacityView{}
		}
		c.loading[tenantID] = true
	}
	c.mu.Unlock()
	switch {
	case !ok:
		// Nothing to show yet: read now (a second caller meanwhile reads too, rather than
		// wait on the first).
		return e.readCapacity(context.WithoutCancel(ctx), tenantID, start)
	case start:
		go e.readCapacity(context.WithoutCancel(ctx), tenantID, true)
	}
	return v
}

func (e *Engine) readCapacity(ctx context.Context, tenantID int64, store bool) CapacityView {
	v := CapacityView{At: e.now()}
	ms, err := e.Mailboxes(tenantID)
	if err == nil {
		v.Limits, v.DefaultQuota = ms.Limits, ms.DefaultQuota
		if t, ok := e.Tenant(tenantID); ok {
			v.Now, err = ms.Server.Capacity(ctx, t.MailDomain)
		}
	}
	v.Err = err
	if err == nil && e.OnCapacity != nil {
		e.OnCapacity(ctx, tenantID, v)
	}
	if store {
		c := &e.capacity
		c.mu.Lock()
		c.views[tenantID] = v
		delete(c.loading, tenantID)
		c.mu.Unlock()
	}
	return v
}
