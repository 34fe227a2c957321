package audit

import (
	"context"
	"strconv"
)

// Writer appends to the trail in the caller's transaction: a domain service records a
// change with the change, never after it. Recorder is the one implementation.
type Writer interface {
	Record(ctx context.Context, e Entry) error
}

// Actor is who acted, as the trail and a request's history name them: a staff member, an
// applicant, the system (a job, a timer) or the operator at the command line. Every
// service builds its entries from an Actor, so "staff:7" is written in one place.
type Actor struct {
	// Ref is the stable reference of the trail's Actor column: "staff:7", "user:12",
	// "system" or "operator".
	Ref string
	// ID is the user's id (staff members are users too); 0 for the system and the
	// operator.
	ID int64
	// Name is the display name at the time: names change, the trail keeps the old one.
	Name string
	// Role is the roles held at the time ("kepala_seksi,admin_mail"), or "pemohon" for an
	// applicant; empty for the system and the operator.
	Role string
	// IP is the address the action came from; empty when it did not come over HTTP.
	IP string
}

// RolePemohon is the trail's role of an applicant acting for themselves.
const RolePemohon = "pemohon"

// Staff is a staff member acting with the given roles (as staff.RoleList writes them).
func Staff(userID int64, name, roles string) Actor {
	return Actor{Ref: "staff:" + strconv.FormatInt(userID, 10), ID: userID, Name: name, Role: roles}
}

// User is an applicant acting on their own account or request.
func User(userID int64, name string) Actor {
	return Actor{Ref: "user:" + strconv.FormatInt(userID, 10), ID: userID, Name: name, Role: RolePemohon}
}

// System is surel itself: a job, a reminder, an automatic step. Its name is the one the
// history table shows.
var System = Actor{Ref: "system", Name: "Sistem"}

// Operator is whoever runs surel's command line (surel staff add …).
var Operator = Actor{Ref: "operator", Name: "surel (command line)"}

// From is a with the client address the action came from.
func (a Actor) From(ip string) Actor {
	a.IP = ip
	return a
}

// Entry is the trail's line for a's action on object in a tenant's chain.
func (a Actor) Entry(tenantID int64, action, object, detail string) Entry {
	return Entry{TenantID: tenantID, Actor: a.Ref, ActorName: a.Name, Role: a.Role, Action: action, Object: object, Detail: detail, IP: a.IP}
}

// Object is the trail's name of a thing of a kind ("request", "user", "tenant"):
// "request:42". A request's trail is every entry with its Object.
func Object(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }
