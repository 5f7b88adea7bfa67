package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every endpoint secret, as Standard Webhooks
// libraries expect: the rest is the base64 of the signing key.
const SecretPrefix = "whsec_"

// secretBytes is the signing key's length (the specification asks for
// 24 to 64 bytes).
const secretBytes = 32

// newSecret returns a fresh random endpoint secret.
func newSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// errBadSecret means a stored secret is not whsec_<base64>.
var errBadSecret = errors.New("webhook: malformed secret")

// sign returns the "v1,<signature>" of one message for secret.
func sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || !strings.HasPrefix(secret, SecretPrefix) {
		return "", errBadSecret
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// signatureHeader is the webhook-signature header: the signature with each
// secret, space-separated (the current one first, then the previous one
// during a rotation's overlap).
func signatureHeader(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := sign(s, msgID, ts, body)
		if err != nil {
			return "", err
		}
		sigs = append(sigs, sig)
	}
	return strings.Join(sigs, " "), nil
}
