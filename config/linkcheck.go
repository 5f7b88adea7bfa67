package config

import (
	"fmt"
	"time"
)

// LinkCheck configures the link checker a worker runs (package linkcheck).
type LinkCheck struct {
	// LinkCheckInterval is how often each item's link is re-checked (the
	// work is spread over it); 0 turns the checker off.
	LinkCheckInterval time.Duration `env:"ATLAS_LINKCHECK_INTERVAL" envDefault:"168h" json:"linkcheck_interval"`
	// LinkCheckConfirmAfter is how long after a link first shows a new
	// status the check that confirms it comes.
	LinkCheckConfirmAfter time.Duration `env:"ATLAS_LINKCHECK_CONFIRM_AFTER" envDefault:"24h" json:"linkcheck_confirm_after"`
	// LinkCheckTimeout bounds one check, redirects included.
	LinkCheckTimeout time.Duration `env:"ATLAS_LINKCHECK_TIMEOUT" envDefault:"10s" json:"linkcheck_timeout"`
	// LinkCheckHostInterval is the least time between two requests to one host.
	LinkCheckHostInterval time.Duration `env:"ATLAS_LINKCHECK_HOST_INTERVAL" envDefault:"1s" json:"linkcheck_host_interval"`
	// LinkCheckConcurrency is how many requests a worker's checker has in
	// flight at once, over all hosts.
	LinkCheckConcurrency int `env:"ATLAS_LINKCHECK_CONCURRENCY" envDefault:"8" json:"linkcheck_concurrency"`
	// LinkCheckMaxPerSweep caps the links one sweep (one a minute) checks.
	LinkCheckMaxPerSweep int `env:"ATLAS_LINKCHECK_MAX_PER_SWEEP" envDefault:"500" json:"linkcheck_max_per_sweep"`
}

func (c *Config) validateLinkCheck() error {
	l := c.LinkCheck
	if l.LinkCheckInterval != 0 && (l.LinkCheckInterval < time.Hour || l.LinkCheckInterval > 365*24*time.Hour) {
		return fmt.Errorf("ATLAS_LINKCHECK_INTERVAL: must be 0 (off) or between 1h and 8760h, got %s", l.LinkCheckInterval)
	}
	if l.LinkCheckConfirmAfter < time.Minute || l.LinkCheckConfirmAfter > 30*24*time.Hour {
		return fmt.Errorf("ATLAS_LINKCHECK_CONFIRM_AFTER: must be between 1m and 720h, got %s", l.LinkCheckConfirmAfter)
	}
	if l.LinkCheckTimeout < time.Second || l.LinkCheckTimeout > 2*time.Minute {
		return fmt.Errorf("ATLAS_LINKCHECK_TIMEOUT: must be between 1s and 2m, got %s", l.LinkCheckTimeout)
	}
	if l.LinkCheckHostInterval < 0 || l.LinkCheckHostInterval > time.Hour {
		return fmt.Errorf("ATLAS_LINKCHECK_HOST_INTERVAL: must be between 0s and 1h, got %s", l.LinkCheckHostInterval)
	}
	if l.LinkCheckConcurrency < 1 || l.LinkCheckConcurrency > 256 {
		return fmt.Errorf("ATLAS_LINKCHECK_CONCURRENCY: must be between 1 and 256, got %d", l.LinkCheckConcurrency)
	}
	if l.LinkCheckMaxPerSweep < 1 || l.LinkCheckMaxPerSweep > 100000 {
		return fmt.Errorf("ATLAS_LINKCHECK_MAX_PER_SWEEP: must be between 1 and 100000, got %d", l.LinkCheckMaxPerSweep)
	}
	return nil
}
