// Package linkcheck re-checks the links people saved, over and over, so a
// library tells which of its links went dead or moved.
//
// A periodic River job (the sweep, every ATLAS_LINKCHECK_SWEEP_EVERY, a
// minute by default, on one worker) takes the
// links that are due, as many as spread one check of every link over
// ATLAS_LINKCHECK_INTERVAL (a week by default), and checks them: HEAD
// first, then a GET of the first 4 KiB when HEAD is refused or the page is
// HTML (to tell a "not found" page answered with 200: a soft 404, recorded
// but ok), with the previous answer's ETag and Last-Modified so an
// unchanged page answers 304. Every request goes through the SSRF guard
// of package enrich, hop by hop: a redirect to a private address is
// refused before a packet is sent. Redirect loops, too many redirects,
// hosts that hang or answer byte by byte end as unreachable within the
// check's timeout.
//
// Politeness: one request at a time per host and ATLAS_LINKCHECK_HOST_INTERVAL
// apart, every request counted (a HEAD and its GET, each hop of a
// redirect, and hops from other hosts' links that redirect there); the
// wait for a host's turn does not count against the check's timeout. A
// 429, or a 503 with Retry-After, puts the host's links off for as long as
// asked, without recording anything; a host whose links fail three times
// in a row (for everyone: it is the host that is down) is backed off, from
// 15 minutes doubling up to a day. This state is kept per worker process.
//
// What a check finds is recorded through item.Service.RecordLinkCheck:
// each check goes into the item's short history, but its status changes
// only when the same new status is seen twice in a row, the second check
// ATLAS_LINKCHECK_CONFIRM_AFTER after the first (a day by default): a
// link that flaps between up and down changes nothing and emits nothing;
// a confirmed change emits ItemLinkStatusChanged (audit trail, search
// index, webhooks) in the same transaction.
package linkcheck
