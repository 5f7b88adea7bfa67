package linkcheck_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/atlasapp/atlas/linkcheck"
)

func TestSweep_TakesItsShareOfTheLinksForItsPeriod(t *testing.T) {
	t.Parallel()
	// A sweep every half interval takes half the links: every link is
	// checked once per interval however the work is sliced.
	f := setup(t, func(p *linkcheck.Params) { p.Interval, p.SweepEvery = time.Hour, 30*time.Minute })
	s := server(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	for i := range 4 {
		f.save(t, fmt.Sprintf("%s/p%d", s.URL, i))
	}
	assert.Equal(t, 2, f.sweep(t).Checked)
	assert.Equal(t, 2, f.sweep(t).Checked, "the other half")
	assert.Zero(t, f.sweep(t).Checked, "every link is checked until the next interval")
}
