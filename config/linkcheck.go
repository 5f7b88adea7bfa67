package config

import (
	"fmt"
	"strings"
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
	// LinkCheckMaxPerSweep caps the links one sweep checks.
	LinkCheckMaxPerSweep int `env:"ATLAS_LINKCHECK_MAX_PER_SWEEP" envDefault:"500" json:"linkcheck_max_per_sweep"`
	// LinkCheckSweepEvery is how often the sweep runs; each takes its share
	// of the links, so this changes how the work is sliced, not how often a
	// link is checked.
	LinkCheckSweepEvery time.Duration `env:"ATLAS_LINKCHECK_SWEEP_EVERY" envDefault:"1m" json:"linkcheck_sweep_every"`
}

// linkCheckFloors are the shortest interval and confirmation gap allowed:
// in production a link is checked at most hourly and a change confirmed
// at least a minute later; development (the browser end-to-end test)
// may go down to seconds to watch a link die.
func (c *Config) linkCheckFloors() (interval, confirm time.Duration, in string) {
	if c.Env == EnvDevelopment {
		return 10 * time.Second, time.Second, " in development"
	}
	return time.Hour, time.Minute, ""
}

// short prints d without zero units ("1h", not "1h0m0s").
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func (c *Config) validateLinkCheck() error {
	l := c.LinkCheck
	minInterval, minConfirm, in := c.linkCheckFloors()
	if l.LinkCheckInterval != 0 && (l.LinkCheckInterval < minInterval || l.LinkCheckInterval > 365*24*time.Hour) {
		return fmt.Errorf("ATLAS_LINKCHECK_INTERVAL: must be 0 (off) or between %s and 8760h%s, got %s", short(minInterval), in, l.LinkCheckInterval)
	}
	if l.LinkCheckConfirmAfter < minConfirm || l.LinkCheckConfirmAfter > 30*24*time.Hour {
		return fmt.Errorf("ATLAS_LINKCHECK_CONFIRM_AFTER: must be between %s and 720h%s, got %s", short(minConfirm), in, l.LinkCheckConfirmAfter)
	}
	if l.LinkCheckSweepEvery < time.Second || l.LinkCheckSweepEvery > time.Hour {
		return fmt.Errorf("ATLAS_LINKCHECK_SWEEP_EVERY: must be between 1s and 1h, got %s", l.LinkCheckSweepEvery)
	}
	if l.LinkCheckInterval != 0 && l.LinkCheckSweepEvery > l.LinkCheckInterval {
		return fmt.Errorf("ATLAS_LINKCHECK_SWEEP_EVERY: must not be longer than ATLAS_LINKCHECK_INTERVAL (%s), got %s", l.LinkCheckInterval, l.LinkCheckSweepEvery)
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
