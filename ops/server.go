package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Ops endpoint paths, the same on every process.
const (
	PathHealth  = "/health"
	PathReady   = "/ready"
	PathMetrics = "/metrics"
)

// HandlerParams are what NewHandler serves.
type HandlerParams struct {
	// Gatherer is the process's registry (nil: no /metrics).
	Gatherer prometheus.Gatherer
	// Readiness answers /ready with error details (nil: always ready).
	Readiness *Readiness
	Logger    *slog.Logger
}

// NewHandler serves /health, /ready and /metrics, and 404 elsewhere: the
// handler of a process's ops listener.
func NewHandler(p HandlerParams) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+PathHealth, HealthHandler())
	ready := p.Readiness
	if ready == nil {
		ready = NewReadiness(ReadinessOpts{})
	}
	mux.Handle("GET "+PathReady, ready.Handler(true))
	if p.Gatherer != nil {
		mux.Handle("GET "+PathMetrics, MetricsHandler(p.Gatherer, p.Logger))
	}
	return mux
}

// Server is a process's ops listener.
type Server struct {
	srv *http.Server
	ln  net.Listener
	log *slog.Logger
	err chan error
	// started is set by Start; Shutdown of a server never started only
	// releases the port.
	started bool
}

// Listen binds addr now (so a port in use stops the process at start-up
// with a clear error) and returns a Server ready to Start.
func Listen(addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ops listener on %s: %w", addr, err)
	}
	return &Server{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       60 * time.Second,
		},
		ln: ln, log: log, err: make(chan error, 1),
	}, nil
}

// Addr is the address the server listens on (with the real port when the
// requested one was 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Start serves in the background until Shutdown.
func (s *Server) Start() {
	s.started = true
	go func() {
		err := s.srv.Serve(s.ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.err <- err
	}()
	s.log.Info("ops endpoints serving", slog.String("addr", s.Addr()),
		slog.String("paths", PathHealth+" "+PathReady+" "+PathMetrics))
}

// Shutdown stops accepting, lets requests in flight finish (until ctx
// ends) and returns the serve loop's error, if any.
func (s *Server) Shutdown(ctx context.Context) error {
	if !s.started {
		return s.ln.Close()
	}
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("ops listener shutdown: %w", err)
	}
	return <-s.err
}
