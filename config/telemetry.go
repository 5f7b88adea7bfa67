package config

import (
	"fmt"
	"net/url"
	"slices"

	"github.com/atlasapp/atlas/telemetry"
)

// validateTelemetry checks the log format and the trace export settings.
func (c *Config) validateTelemetry() error {
	if !slices.Contains(telemetry.Formats, c.LogFormat) {
		return fmt.Errorf("ATLAS_LOG_FORMAT: must be one of %v, got %q", telemetry.Formats, c.LogFormat)
	}
	if c.OTLPEndpoint != "" {
		u, err := url.Parse(c.OTLPEndpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("ATLAS_OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL of an OTLP/HTTP receiver, e.g. http://otel-collector:4318, got %q", c.OTLPEndpoint)
		}
	}
	if c.OTelSampleRatio < 0 || c.OTelSampleRatio > 1 {
		return fmt.Errorf("ATLAS_OTEL_TRACES_SAMPLER_RATIO: must be between 0 and 1, got %g", c.OTelSampleRatio)
	}
	return nil
}
