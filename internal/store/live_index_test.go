package store

import (
	"context"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/sop"
)

// The store's batch reads name the services the live-request indexes leave out word for
// word (so that the planners use those indexes); the list must hold every service on an
// existing mailbox and be the one the migrations built the indexes with.
func TestLiveIndexServices(t *testing.T) {
	for _, svc := range sop.LifecycleServices {
		if !strings.Contains(liveIndexServices, "'"+svc+"'") {
			t.Errorf("liveIndexServices lacks %q: add it, and rebuild the live indexes in a migration", svc)
		}
	}
	s, err := Open(context.Background(), "sqlite:"+t.TempDir()+"/t.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, ix := range []string{"requests_person_live", "requests_mailbox_live"} {
		var def string
		if err := s.DB().QueryRow(`SELECT sql FROM sqlite_master WHERE name = ?`, ix).Scan(&def); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(def, "service NOT IN "+liveIndexServices) {
			t.Errorf("%s is built with another list than liveIndexServices: %s", ix, def)
		}
	}
}
