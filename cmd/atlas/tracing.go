package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// traceOptions configure setupTracing.
type traceOptions struct {
	// Endpoint is the OTLP/HTTP endpoint traces are sent to, e.g.
	// http://otel-collector:4318 (the path /v1/traces is added when the URL
	// has none). Empty turns tracing off.
	Endpoint string
	// ServiceName is the service.name resource attribute; empty means
	// "atlas".
	ServiceName string
	// Process is the Atlas subcommand (serve, worker, audit, ...), recorded
	// as the atlas.process resource attribute.
	Process string
	// Version is service.version.
	Version string
	// SampleRatio is the share of new traces sampled (traces continued
	// from an incoming traceparent follow its sampled flag).
	SampleRatio float64
}

// setupTracing installs the process-wide tracer provider and the W3C trace
// context propagator. With no endpoint it installs only the propagator and
// returns a shutdown that does nothing. The returned shutdown flushes the
// spans still buffered; call it before the process exits.
func setupTracing(ctx context.Context, o traceOptions) (shutdown func(context.Context) error, err error) {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	if o.Endpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("OTLP endpoint %q: must be an http(s) URL", o.Endpoint)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u.String()))
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	name := o.ServiceName
	if name == "" {
		name = "atlas"
	}
	attrs := []attribute.KeyValue{semconv.ServiceName(name), attribute.String("atlas.process", o.Process)}
	if o.Version != "" {
		attrs = append(attrs, semconv.ServiceVersion(o.Version))
	}
	if host, err := os.Hostname(); err == nil {
		attrs = append(attrs, semconv.ServiceInstanceID(host))
	}
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(semconv.SchemaURL, attrs...))
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(o.SampleRatio))),
	)
	otel.SetTracerProvider(tp)
	return func(ctx context.Context) error {
		return errors.Join(tp.ForceFlush(ctx), tp.Shutdown(ctx))
	}, nil
}
