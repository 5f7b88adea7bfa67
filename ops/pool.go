package ops

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// PoolStater is what the pool collector reads; *pgxpool.Pool implements it.
type PoolStater interface {
	Stat() *pgxpool.Stat
}

// poolCollector exports a pgxpool's statistics, read at scrape time.
type poolCollector struct {
	pool PoolStater

	conns, maxConns                           *prometheus.Desc
	acquires, acquireSeconds, emptyAcquires   *prometheus.Desc
	emptyAcquireWaitSeconds, canceledAcquires *prometheus.Desc
	newConns, destroyedConns                  *prometheus.Desc
}

// NewPoolCollector returns a collector of the pool's statistics; register
// it on the process's registry:
//
//	atlas_db_pool_connections{state="acquired|idle|constructing"}
//	atlas_db_pool_max_connections
//	atlas_db_pool_acquires_total
//	atlas_db_pool_acquire_duration_seconds_total
//	atlas_db_pool_empty_acquires_total  (had to wait for a connection)
//	atlas_db_pool_empty_acquire_wait_seconds_total
//	atlas_db_pool_canceled_acquires_total
//	atlas_db_pool_new_connections_total
//	atlas_db_pool_destroyed_connections_total{reason="max_lifetime|max_idle_time"}
func NewPoolCollector(pool PoolStater) prometheus.Collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "db_pool", name), help, labels, nil)
	}
	return &poolCollector{
		pool:                    pool,
		conns:                   d("connections", "Connections in the Postgres pool, by state.", "state"),
		maxConns:                d("max_connections", "Most connections the Postgres pool may open."),
		acquires:                d("acquires_total", "Connections acquired from the pool."),
		acquireSeconds:          d("acquire_duration_seconds_total", "Total time spent acquiring connections."),
		emptyAcquires:           d("empty_acquires_total", "Acquires that had to wait because no idle connection was available."),
		emptyAcquireWaitSeconds: d("empty_acquire_wait_seconds_total", "Total time acquires waited for a connection to become available."),
		canceledAcquires:        d("canceled_acquires_total", "Acquires cancelled by their context before a connection was available."),
		newConns:                d("new_connections_total", "Connections opened by the pool."),
		destroyedConns:          d("destroyed_connections_total", "Connections closed by the pool for age or idleness.", "reason"),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conns, c.maxConns, c.acquires, c.acquireSeconds, c.emptyAcquires,
		c.emptyAcquireWaitSeconds, c.canceledAcquires, c.newConns, c.destroyedConns} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge(c.conns, float64(s.AcquiredConns()), "acquired")
	gauge(c.conns, float64(s.IdleConns()), "idle")
	gauge(c.conns, float64(s.ConstructingConns()), "constructing")
	gauge(c.maxConns, float64(s.MaxConns()))
	counter(c.acquires, float64(s.AcquireCount()))
	counter(c.acquireSeconds, s.AcquireDuration().Seconds())
	counter(c.emptyAcquires, float64(s.EmptyAcquireCount()))
	counter(c.emptyAcquireWaitSeconds, s.EmptyAcquireWaitTime().Seconds())
	counter(c.canceledAcquires, float64(s.CanceledAcquireCount()))
	counter(c.newConns, float64(s.NewConnsCount()))
	counter(c.destroyedConns, float64(s.MaxLifetimeDestroyCount()), "max_lifetime")
	counter(c.destroyedConns, float64(s.MaxIdleDestroyCount()), "max_idle_time")
}
