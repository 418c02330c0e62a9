package deadline

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFor(t *testing.T) {
	now := time.Date(2026, 11, 22, 1, 2, 3, 0, time.UTC)
	tests := []struct {
		name      string
		remaining time.Duration
		want      time.Duration // after now
	}{
		{"long timeout: 90 % of what remains", 30 * time.Second, 27 * time.Second},
		{"short timeout: 500 ms kept back", 3 * time.Second, 2500 * time.Millisecond},
		{"5 s: both rules give 4.5 s", 5 * time.Second, 4500 * time.Millisecond},
		{"one second", time.Second, 500 * time.Millisecond},
		{"less than the reserve: already over", 300 * time.Millisecond, -200 * time.Millisecond},
		{"past the deadline", -time.Second, -1500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, now.Add(tt.want), For(now, now.Add(tt.remaining)))
		})
	}
}

func TestWithMargin(t *testing.T) {
	t.Run("no deadline: unchanged", func(t *testing.T) {
		parent := context.Background()
		ctx, cancel := WithMargin(parent)
		defer cancel()
		assert.Equal(t, parent, ctx)
	})
	t.Run("deadline: moved earlier, bounded by the rule", func(t *testing.T) {
		end := time.Now().Add(time.Hour)
		parent, cancelParent := context.WithDeadline(context.Background(), end)
		defer cancelParent()
		before := time.Now()
		ctx, cancel := WithMargin(parent)
		after := time.Now()
		got, ok := ctx.Deadline()
		require.True(t, ok)
		// now was read between before and after.
		assert.False(t, got.Before(For(before, end)), "got %v", got)
		assert.False(t, got.After(For(after, end)), "got %v", got)
		cancel()
		assert.ErrorIs(t, ctx.Err(), context.Canceled, "cancel releases the derived context")
		assert.NoError(t, parent.Err(), "and not the parent")
	})
}
