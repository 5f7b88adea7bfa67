package linkcheck

import "github.com/prometheus/client_golang/prometheus"

// Metrics are what operators see of the link checker.
type Metrics struct {
	checks    *prometheus.CounterVec
	deferred  *prometheus.CounterVec
	changes   prometheus.Counter
	links     prometheus.Gauge
	due       prometheus.Gauge
	backedOff prometheus.Gauge
	duration  prometheus.Histogram
}

// NewMetrics registers the link checker's metrics on reg:
// atlas_linkcheck_checks_total{status} (checks done, by the status
// observed: its rate is the checker's rate), atlas_linkcheck_deferred_total{reason}
// (checks put off: throttled, backed_off), atlas_linkcheck_status_changes_total
// (confirmed changes, each an ItemLinkStatusChanged event),
// atlas_linkcheck_links and atlas_linkcheck_due (all links, and those whose
// check is due: progress), atlas_linkcheck_backed_off_hosts and
// atlas_linkcheck_check_duration_seconds.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atlas_linkcheck_checks_total", Help: "Link checks done, by the status observed.",
		}, []string{"status"}),
		deferred: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atlas_linkcheck_deferred_total", Help: "Link checks put off because the host asked to wait (throttled) or is backed off.",
		}, []string{"reason"}),
		changes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "atlas_linkcheck_status_changes_total", Help: "Confirmed link status changes (ItemLinkStatusChanged events).",
		}),
		links: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "atlas_linkcheck_links", Help: "Items with a link, at the last sweep.",
		}),
		due: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "atlas_linkcheck_due", Help: "Link checks that were due at the last sweep (the backlog).",
		}),
		backedOff: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "atlas_linkcheck_backed_off_hosts", Help: "Hosts this worker is leaving alone for now.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "atlas_linkcheck_check_duration_seconds", Help: "Time one link check took.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}),
	}
	if reg != nil {
		reg.MustRegister(m.checks, m.deferred, m.changes, m.links, m.due, m.backedOff, m.duration)
	}
	return m
}
