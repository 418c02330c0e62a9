package secrets

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/fakeclock"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// fakeSM is a Secrets Manager stand-in: a function type, as the SDK's unit
// testing guide suggests, wrapped to count calls.
type fakeSM struct {
	calls int
	get   func() (string, error)
}

func (f *fakeSM) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.calls++
	v, err := f.get()
	if err != nil {
		return nil, err
	}
	return &secretsmanager.GetSecretValueOutput{ARN: in.SecretId, SecretString: aws.String(v)}, nil
}

const arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:github-AbCdEf"

func TestNew(t *testing.T) {
	_, err := New(Options{ARN: arn})
	assert.ErrorIs(t, err, ErrNoClient)

	empty, err := New(Options{})
	require.NoError(t, err)
	assert.Nil(t, empty.Secrets(context.Background()), "nothing configured means no secrets")

	sm := &fakeSM{get: func() (string, error) { t.Fatal("a literal value must win over the ARN"); return "", nil }}
	literal, err := New(Options{Value: " new , old,,", ARN: arn, Client: sm})
	require.NoError(t, err)
	require.NoError(t, literal.Load(context.Background()))
	assert.Equal(t, []string{"new", "old"}, literal.Secrets(context.Background()))
	_, changed := literal.RefreshAfterMismatch(context.Background())
	assert.False(t, changed)
	assert.Zero(t, sm.calls)
}

func TestSplit(t *testing.T) {
	assert.Nil(t, Split(""))
	assert.Nil(t, Split(" , ,"))
	assert.Equal(t, []string{"a"}, Split("a"))
	assert.Equal(t, []string{"a b", "c"}, Split(" a b ,c "))
}

func TestFailsClosed(t *testing.T) {
	var logs bytes.Buffer
	c := fakeclock.New(time.Unix(1_700_000_000, 0))
	sm := &fakeSM{get: func() (string, error) { return "", errors.New("AccessDeniedException: not authorized") }}
	s, err := New(Options{Name: "github", ARN: arn, Client: sm, Now: c.Now, RefreshInterval: time.Minute, RetryInterval: 10 * time.Second,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	require.NoError(t, err)

	assert.Error(t, s.Load(context.Background()))
	assert.Nil(t, s.Secrets(context.Background()), "a failed fetch leaves no secrets")
	assert.Equal(t, 1, sm.calls, "no second fetch inside the retry interval")
	c.Advance(10 * time.Second)
	assert.Nil(t, s.Secrets(context.Background()))
	assert.Equal(t, 2, sm.calls, "retried after the retry interval")

	sm.get = func() (string, error) { return "", nil }
	c.Advance(10 * time.Second)
	assert.Nil(t, s.Secrets(context.Background()), "an empty secret string is no secret")
	assert.Contains(t, logs.String(), ErrEmptySecret.Error())
}

func TestRefresh(t *testing.T) {
	var logs bytes.Buffer
	c := fakeclock.New(time.Unix(1_700_000_000, 0))
	value := "s3cr3t-one"
	sm := &fakeSM{get: func() (string, error) { return value, nil }}
	s, err := New(Options{Name: "paddle", ARN: arn, Client: sm, Now: c.Now, RefreshInterval: 5 * time.Minute,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	require.NoError(t, err)
	ctx := context.Background()

	require.NoError(t, s.Load(ctx))
	assert.Equal(t, []string{"s3cr3t-one"}, s.Secrets(ctx))
	c.Advance(4 * time.Minute)
	assert.Equal(t, []string{"s3cr3t-one"}, s.Secrets(ctx))
	assert.Equal(t, 1, sm.calls, "cached inside the refresh interval")

	// Rotated in Secrets Manager: the first mismatch picks it up at once...
	value = "s3cr3t-two,s3cr3t-one"
	got, changed := s.RefreshAfterMismatch(ctx)
	assert.True(t, changed)
	assert.Equal(t, []string{"s3cr3t-two", "s3cr3t-one"}, got)
	assert.Equal(t, 2, sm.calls)
	// ...and further mismatches (forgeries) do not fetch again this interval.
	for range 100 {
		_, changed = s.RefreshAfterMismatch(ctx)
		assert.False(t, changed)
	}
	assert.Equal(t, 2, sm.calls)

	// Lazy refresh once the interval has passed since the last fetch.
	value = "s3cr3t-two"
	c.Advance(5 * time.Minute)
	assert.Equal(t, []string{"s3cr3t-two"}, s.Secrets(ctx))
	assert.Equal(t, 3, sm.calls)

	// A failed refresh keeps the secrets already fetched.
	sm.get = func() (string, error) { return "", errors.New("throttled") }
	c.Advance(5 * time.Minute)
	assert.Equal(t, []string{"s3cr3t-two"}, s.Secrets(ctx))
	assert.Equal(t, 4, sm.calls)
	_, changed = s.RefreshAfterMismatch(ctx)
	assert.False(t, changed)

	assert.NotContains(t, logs.String(), "s3cr3t", "secret values never reach the logs")
	assert.Contains(t, logs.String(), "fetched webhook secret")
}

// TestSecretsManagerMoto runs the source against moto_server's Secrets
// Manager through the real SDK client.
func TestSecretsManagerMoto(t *testing.T) {
	moto := testpeer.StartMoto(t)
	testpeer.SetAWSEnv(t, moto.URL)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	require.NoError(t, err)
	client := secretsmanager.NewFromConfig(cfg)
	created, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("sqsgate/github"), SecretString: aws.String("first")})
	require.NoError(t, err)

	c := fakeclock.New(time.Unix(1_700_000_000, 0))
	s, err := New(Options{Name: "github", ARN: aws.ToString(created.ARN), Client: client, Now: c.Now})
	require.NoError(t, err)
	require.NoError(t, s.Load(ctx))
	assert.Equal(t, []string{"first"}, s.Secrets(ctx))

	_, err = client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: created.ARN, SecretString: aws.String("second,first")})
	require.NoError(t, err)
	got, changed := s.RefreshAfterMismatch(ctx)
	assert.True(t, changed)
	assert.Equal(t, []string{"second", "first"}, got)

	missing, err := New(Options{Name: "paddle", ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:absent-AbCdEf", Client: client, Now: c.Now})
	require.NoError(t, err)
	assert.Error(t, missing.Load(ctx))
	assert.Nil(t, missing.Secrets(ctx))
}

// TestDefaults: zero intervals take the documented defaults, and a retry
// interval never exceeds the refresh interval.
func TestDefaults(t *testing.T) {
	ctx := context.Background()
	t.Run("refresh every 5 minutes, retry every 10 s", func(t *testing.T) {
		c := fakeclock.New(time.Unix(1_700_000_000, 0))
		fail := false
		sm := &fakeSM{get: func() (string, error) {
			if fail {
				return "", errors.New("throttled")
			}
			return "v", nil
		}}
		s, err := New(Options{ARN: arn, Client: sm, Now: c.Now})
		require.NoError(t, err)
		require.NoError(t, s.Load(ctx))
		c.Advance(DefaultRefreshInterval - time.Nanosecond)
		s.Secrets(ctx)
		assert.Equal(t, 1, sm.calls, "cached for just under the default refresh interval")
		c.Advance(time.Nanosecond)
		fail = true
		s.Secrets(ctx)
		assert.Equal(t, 2, sm.calls, "fetched again at the default refresh interval")
		c.Advance(DefaultRetryInterval - time.Nanosecond)
		s.Secrets(ctx)
		assert.Equal(t, 2, sm.calls, "no retry before the default retry interval")
		c.Advance(time.Nanosecond)
		s.Secrets(ctx)
		assert.Equal(t, 3, sm.calls, "retried at the default retry interval")
	})
	t.Run("a given refresh interval is kept", func(t *testing.T) {
		c := fakeclock.New(time.Unix(1_700_000_000, 0))
		sm := &fakeSM{get: func() (string, error) { return "v", nil }}
		s, err := New(Options{ARN: arn, Client: sm, Now: c.Now, RefreshInterval: time.Minute, RetryInterval: time.Second})
		require.NoError(t, err)
		require.NoError(t, s.Load(ctx))
		c.Advance(time.Minute)
		s.Secrets(ctx)
		assert.Equal(t, 2, sm.calls)
	})
	t.Run("the retry interval is capped by a shorter refresh interval", func(t *testing.T) {
		c := fakeclock.New(time.Unix(1_700_000_000, 0))
		sm := &fakeSM{get: func() (string, error) { return "", errors.New("throttled") }}
		s, err := New(Options{ARN: arn, Client: sm, Now: c.Now, RefreshInterval: 2 * time.Second})
		require.NoError(t, err)
		assert.Error(t, s.Load(ctx))
		c.Advance(2*time.Second - time.Nanosecond)
		s.Secrets(ctx)
		assert.Equal(t, 1, sm.calls)
		c.Advance(time.Nanosecond)
		s.Secrets(ctx)
		assert.Equal(t, 2, sm.calls, "retried after the 2 s refresh interval, not the 10 s default")
	})
	t.Run("a given retry interval is kept", func(t *testing.T) {
		c := fakeclock.New(time.Unix(1_700_000_000, 0))
		sm := &fakeSM{get: func() (string, error) { return "", errors.New("throttled") }}
		s, err := New(Options{ARN: arn, Client: sm, Now: c.Now, RetryInterval: time.Second})
		require.NoError(t, err)
		assert.Error(t, s.Load(ctx))
		c.Advance(time.Second)
		s.Secrets(ctx)
		assert.Equal(t, 2, sm.calls)
	})
}

// TestForcedRefreshOncePerInterval: a mismatch may force a fetch again
// exactly one refresh interval after the last forced one, not before.
func TestForcedRefreshOncePerInterval(t *testing.T) {
	ctx := context.Background()
	c := fakeclock.New(time.Unix(1_700_000_000, 0))
	value := "one"
	sm := &fakeSM{get: func() (string, error) { return value, nil }}
	s, err := New(Options{ARN: arn, Client: sm, Now: c.Now, RefreshInterval: time.Minute})
	require.NoError(t, err)
	require.NoError(t, s.Load(ctx))
	value = "two"
	_, changed := s.RefreshAfterMismatch(ctx)
	require.True(t, changed)
	value = "three"
	c.Advance(time.Minute - time.Nanosecond)
	_, changed = s.RefreshAfterMismatch(ctx)
	assert.False(t, changed, "inside the interval")
	c.Advance(time.Nanosecond)
	got, changed := s.RefreshAfterMismatch(ctx)
	assert.True(t, changed, "at the interval")
	assert.Equal(t, []string{"three"}, got)
}

// TestFailureLogSaysWhetherCachedSecretsStay: the log line of a failed
// fetch tells an operator whether deliveries are still verified.
func TestFailureLogSaysWhetherCachedSecretsStay(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	c := fakeclock.New(time.Unix(1_700_000_000, 0))
	fail := true
	sm := &fakeSM{get: func() (string, error) {
		if fail {
			return "", errors.New("throttled")
		}
		return "v", nil
	}}
	s, err := New(Options{ARN: arn, Client: sm, Now: c.Now, RefreshInterval: time.Minute, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	require.NoError(t, err)
	assert.Error(t, s.Load(ctx))
	assert.Contains(t, logs.String(), `"keeping_cached":false`)
	fail = false
	c.Advance(time.Minute)
	s.Secrets(ctx)
	fail = true
	logs.Reset()
	c.Advance(time.Minute)
	assert.Equal(t, []string{"v"}, s.Secrets(ctx))
	assert.Contains(t, logs.String(), `"keeping_cached":true`)
}
