package item

import (
	"slices"
	"time"

	"github.com/atlasapp/atlas"
)

// LinkStatus is what the link checker last confirmed about an item's
// source URL.
type LinkStatus string

// Link statuses.
const (
	// LinkUnknown: not checked yet (or the URL changed since).
	LinkUnknown LinkStatus = "unknown"
	// LinkOK: the page answers (a 2xx, a 304, or a page that exists behind
	// a login); a 200 that reads like "not found" is ok with Soft404 set.
	LinkOK LinkStatus = "ok"
	// LinkMoved: the URL redirects permanently to another page (MovedTo).
	LinkMoved LinkStatus = "moved"
	// LinkGone: 404 or 410, seen twice in a row some time apart.
	LinkGone LinkStatus = "gone"
	// LinkServerError: the server answers with an error other than not
	// found (5xx, other 4xx).
	LinkServerError LinkStatus = "server_error"
	// LinkUnreachable: no answer (DNS, refused, timeout, redirect loop, a
	// redirect to an address Atlas may not fetch).
	LinkUnreachable LinkStatus = "unreachable"
)

// LinkStatuses lists every link status.
var LinkStatuses = []LinkStatus{LinkUnknown, LinkOK, LinkMoved, LinkGone, LinkServerError, LinkUnreachable}

// Link status filters that name several statuses.
var linkAliases = map[string][]LinkStatus{
	// dead: the page is not there any more, or not answering.
	"dead": {LinkGone, LinkUnreachable},
	// attention: everything an owner may want to fix.
	"attention": {LinkMoved, LinkGone, LinkServerError, LinkUnreachable},
}

// ParseLinkStatuses turns a link status filter (statuses, or the aliases
// "dead" and "attention") into the statuses it selects, sorted; empty
// selects every item.
func ParseLinkStatuses(in []string) ([]string, error) {
	out := []string{}
	for _, s := range in {
		if alias, ok := linkAliases[s]; ok {
			for _, a := range alias {
				out = append(out, string(a))
			}
			continue
		}
		if !slices.Contains(LinkStatuses, LinkStatus(s)) {
			return nil, atlas.Invalid("link_status", "must be one of unknown, ok, moved, gone, server_error, unreachable, dead, attention")
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// LinkHealth is an item's link status as people see it.
type LinkHealth struct {
	Status LinkStatus `json:"status"`
	// HTTPStatus is the status code of the check that set Status (nil: no
	// answer).
	HTTPStatus *int `json:"http_status"`
	// MovedTo is the new URL of a moved link.
	MovedTo *string `json:"moved_to"`
	// Soft404 marks an ok page that reads like "not found".
	Soft404 bool `json:"soft_404"`
	// Detail says what went wrong, for people (empty when ok).
	Detail string `json:"detail"`
	// CheckedAt is the latest check; ChangedAt when Status was confirmed.
	CheckedAt *time.Time `json:"checked_at"`
	ChangedAt *time.Time `json:"changed_at"`
}

// linkHealthSQL is an item's link health as a JSON object, or NULL when the
// checker knows nothing of its current URL (one primary-key lookup).
const linkHealthSQL = `(SELECT json_build_object('status', c.status, 'http_status', c.http_status,
	'moved_to', c.moved_to, 'soft_404', c.soft_404, 'detail', c.detail, 'checked_at', c.checked_at,
	'changed_at', c.changed_at)
	FROM item_link_checks c WHERE c.item_id = i.id AND c.source_url = i.source_url)`

// LinkCheck is one entry of an item's link history.
type LinkCheck struct {
	CheckedAt  time.Time
	Status     LinkStatus
	HTTPStatus *int
	Detail     string
}

// LinkObservation is what one check of a URL found.
type LinkObservation struct {
	Status     LinkStatus
	HTTPStatus int // 0: no answer
	MovedTo    string
	Soft404    bool
	Detail     string
	// ETag and LastModified are the validators of the answer, for the next
	// check's conditional request.
	ETag, LastModified string
}

// LinkPolicy paces the checks of one link and decides when a new status
// is confirmed.
type LinkPolicy struct {
	// Interval is the time between two checks of a link that is as it was.
	Interval time.Duration
	// ConfirmAfter is how long after first seeing a new status the second
	// check that confirms it comes (a change needs two checks in a row this
	// far apart: a link that flaps between checks changes nothing).
	ConfirmAfter time.Duration
	// Jitter returns a factor in [0.9, 1.1) to spread checks (nil: 1).
	Jitter func() float64
}

// linkState is the part of item_link_checks the confirmation rule reads
// and writes.
type linkState struct {
	Status       LinkStatus
	Pending      *LinkStatus
	PendingCount int
	PendingSince *time.Time
}

// decideLink applies one observation to a link's state: the status
// changes only when the same new status is seen twice in a row, the
// second time at least ConfirmAfter after the first (the first check of a
// link that is ok needs no confirmation, and is not announced). It
// returns the new state, whether the change is to be announced (an event),
// and when to check again.
func decideLink(st linkState, obs LinkStatus, now time.Time, p LinkPolicy) (linkState, bool, time.Time) {
	jitter := 1.0
	if p.Jitter != nil {
		jitter = p.Jitter()
	}
	next := now.Add(time.Duration(float64(p.Interval) * jitter))
	switch {
	case obs == st.Status:
		return linkState{Status: st.Status}, false, next
	case st.Status == LinkUnknown && obs == LinkOK:
		return linkState{Status: LinkOK}, false, next // first sight of a working link: nothing to announce
	}
	if st.Pending != nil && *st.Pending == obs {
		st.PendingCount++
	} else {
		since := now
		st.Pending, st.PendingCount, st.PendingSince = &obs, 1, &since
	}
	if st.PendingCount >= 2 && now.Sub(*st.PendingSince) >= p.ConfirmAfter {
		return linkState{Status: obs}, true, next
	}
	return st, false, now.Add(p.ConfirmAfter)
}
