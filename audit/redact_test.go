package audit_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/audit"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in, want        string
		masked, secrets []string
	}{
		"nothing to redact": {
			in:   `{"title":"Go","tags":["a","b"],"version":3,"ratio":1.50}`,
			want: `{"title":"Go","tags":["a","b"],"version":3,"ratio":1.50}`,
		},
		"personal field in a create": {
			in:     `{"title":"Go","notes":"call Ada on +44 20"}`,
			want:   `{"title":"Go","notes":"[redacted]"}`,
			masked: []string{"notes"},
		},
		"change keeps its shape and nulls": {
			in:     `{"changes":{"notes":{"before":null,"after":"private"},"title":{"before":"a","after":"b"}},"version":2}`,
			want:   `{"changes":{"notes":{"before":null,"after":"[redacted]"},"title":{"before":"a","after":"b"}},"version":2}`,
			masked: []string{"changes.notes"},
		},
		"secrets at any depth, any case": {
			in:      `{"user":{"Password_Hash":"$argon2id$...","tokens":[{"access_token":"eyJ"}]},"Email":"a@b.c"}`,
			want:    `{"user":{"Password_Hash":"[redacted]","tokens":[{"access_token":"[redacted]"}]},"Email":"[redacted]"}`,
			masked:  []string{"Email", "user.Password_Hash", "user.tokens[0].access_token"},
			secrets: []string{"user.Password_Hash", "user.tokens[0].access_token"},
		},
		"non-string values masked too": {
			in:      `{"token":12345,"phone":["1","2"],"display_name":{"first":"Ada","last":null}}`,
			want:    `{"token":"[redacted]","phone":["[redacted]","[redacted]"],"display_name":{"first":"[redacted]","last":null}}`,
			masked:  []string{"display_name", "phone", "token"},
			secrets: []string{"token"},
		},
		"big numbers pass through exactly": {
			in:     `{"n":12345678901234567890,"email":"x@y.z"}`,
			want:   `{"n":12345678901234567890,"email":"[redacted]"}`,
			masked: []string{"email"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := audit.Redact(json.RawMessage(tc.in))
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(r.Data))
			assert.Equal(t, tc.masked, r.Masked)
			assert.Equal(t, tc.secrets, r.Secrets)
			if len(tc.masked) == 0 {
				assert.Equal(t, tc.in, string(r.Data), "untouched data is passed through byte for byte")
			}
		})
	}
}

func TestRedact_RejectsNonObjects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`[]`, `"x"`, `null`, `{`, ``} {
		_, err := audit.Redact(json.RawMessage(in))
		assert.Error(t, err, "input %q", in)
	}
}

func TestRedactedFields_CoverSecretsAndPersonalData(t *testing.T) {
	t.Parallel()
	fields := audit.RedactedFields()
	for _, secret := range []string{"password", "password_hash", "token", "access_token", "refresh_token"} {
		assert.Equal(t, audit.ReasonSecret, fields[secret], secret)
	}
	for _, personal := range []string{"email", "display_name", "notes"} {
		assert.Equal(t, audit.ReasonPersonal, fields[personal], personal)
	}
	fields["password"] = "changed"
	assert.Equal(t, audit.ReasonSecret, audit.RedactedFields()["password"], "callers get a copy")
}

func TestCanonicalContent_EveryFieldCounts(t *testing.T) {
	t.Parallel()
	base := newEvent(t, eventOpts{Data: map[string]any{"a": 1}})
	base.Seq = 7
	data := `{"a": 1}`
	ref := audit.ChainHash(audit.GenesisHash(), audit.CanonicalContent(base, data))
	assert.Equal(t, ref, audit.ChainHash(audit.GenesisHash(), audit.CanonicalContent(base, data)), "deterministic")

	other := newEvent(t, eventOpts{})
	mutations := map[string]func(e *audit.Event, d *string, prev *[]byte){
		"seq":           func(e *audit.Event, _ *string, _ *[]byte) { e.Seq++ },
		"event_id":      func(e *audit.Event, _ *string, _ *[]byte) { e.EventID = other.EventID },
		"type":          func(e *audit.Event, _ *string, _ *[]byte) { e.Type = "ItemDeleted" },
		"version":       func(e *audit.Event, _ *string, _ *[]byte) { e.Version++ },
		"occurred_at":   func(e *audit.Event, _ *string, _ *[]byte) { e.OccurredAt = e.OccurredAt.Add(1000) },
		"recorded_at":   func(e *audit.Event, _ *string, _ *[]byte) { e.RecordedAt = e.RecordedAt.Add(1000) },
		"actor":         func(e *audit.Event, _ *string, _ *[]byte) { e.ActorUserID = other.ActorUserID },
		"no actor":      func(e *audit.Event, _ *string, _ *[]byte) { e.ActorUserID = nil },
		"entity_type":   func(e *audit.Event, _ *string, _ *[]byte) { e.Entity.Type = "collection" },
		"entity_id":     func(e *audit.Event, _ *string, _ *[]byte) { e.Entity.ID = other.Entity.ID },
		"collection_id": func(e *audit.Event, _ *string, _ *[]byte) { e.Entity.CollectionID = other.Entity.CollectionID },
		"trace_id":      func(e *audit.Event, _ *string, _ *[]byte) { e.TraceID = other.TraceID },
		"request_id":    func(e *audit.Event, _ *string, _ *[]byte) { e.RequestID += "x" },
		"data":          func(_ *audit.Event, d *string, _ *[]byte) { *d = `{"a": 2}` },
		"prev_hash":     func(_ *audit.Event, _ *string, p *[]byte) { *p = ref },
		// Moving bytes between adjacent fields must change the hash.
		"field boundary": func(e *audit.Event, _ *string, _ *[]byte) {
			e.TraceID, e.RequestID = e.TraceID+e.RequestID[:1], e.RequestID[1:]
		},
	}
	for name, mutate := range mutations {
		e, d, prev := base, data, audit.GenesisHash()
		mutate(&e, &d, &prev)
		assert.NotEqual(t, ref, audit.ChainHash(prev, audit.CanonicalContent(e, d)), "changing %s changes the hash", name)
	}
}

func TestGenesisHash_CannotBeChangedByACaller(t *testing.T) {
	t.Parallel()
	h := audit.GenesisHash()
	h[0] = 0xff
	assert.Equal(t, make([]byte, 32), audit.GenesisHash(), "the chain's origin is 32 zero bytes for every caller")
}
