package brokertest

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/events/broker"
)

// EnvSecure names the environment variable holding the directory of the
// secured broker (`scripts/kafka secure-start DIR`); ./scripts/test starts
// one and sets it, so the tests that need it run in CI.
const EnvSecure = "ATLAS_TEST_KAFKA_SECURE"

// SecureBroker is a running broker with a SASL_SSL listener (PLAIN and
// unsecured OAUTHBEARER), as scripts/kafka secure-start describes it in
// DIR/secure.env.
type SecureBroker struct {
	// Brokers is the SASL_SSL bootstrap address.
	Brokers string
	// CAFile signed the broker's certificate; OtherCAFile signed nothing.
	CAFile, OtherCAFile string
	// Username and Password are a PLAIN user's.
	Username, Password string
}

// Plain is the security of a client that logs in as the PLAIN user.
func (s SecureBroker) Plain() broker.Security {
	return broker.Security{Protocol: broker.ProtocolSASLSSL, Mechanism: broker.MechanismPlain,
		Username: s.Username, Password: s.Password, CAFile: s.CAFile}
}

// Secure returns the secured broker named by ATLAS_TEST_KAFKA_SECURE, and
// skips the test when the variable is unset (run ./scripts/test, or
// scripts/kafka secure-start DIR and export ATLAS_TEST_KAFKA_SECURE=DIR).
// A variable set to a directory without the broker's settings fails it.
func Secure(t testing.TB) SecureBroker {
	t.Helper()
	dir := os.Getenv(EnvSecure)
	if dir == "" {
		t.Skipf("%s is unset: no secured broker (scripts/kafka secure-start DIR; ./scripts/test sets it)", EnvSecure)
	}
	f, err := os.Open(filepath.Join(dir, "secure.env")) //nolint:gosec // the test's own directory, named by the test environment
	require.NoError(t, err, "%s=%s: is the secured broker running? (scripts/kafka secure-start %s)", EnvSecure, dir, dir)
	defer func() { _ = f.Close() }()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vars[k] = v
		}
	}
	require.NoError(t, sc.Err())
	s := SecureBroker{
		Brokers:     vars["ATLAS_TEST_KAFKA_SECURE_BROKERS"],
		CAFile:      vars["ATLAS_TEST_KAFKA_SECURE_CA_FILE"],
		OtherCAFile: vars["ATLAS_TEST_KAFKA_SECURE_OTHER_CA_FILE"],
		Username:    vars["ATLAS_TEST_KAFKA_SECURE_USERNAME"],
		Password:    vars["ATLAS_TEST_KAFKA_SECURE_PASSWORD"],
	}
	require.NotEmpty(t, s.Brokers, "%s/secure.env names no brokers", dir)
	require.NotEmpty(t, s.Password, "%s/secure.env has no password", dir)
	return s
}
