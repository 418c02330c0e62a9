package transform

import (
	"context"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	kib = 1 << 10
	mib = 1 << 20
)

func TestPack(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
		want  [][]int
	}{
		{"two that do not fit together", []int{600 * kib, 600 * kib}, [][]int{{0}, {1}}},
		{"one byte over the total", []int{512 * kib, 512*kib + 1}, [][]int{{0}, {1}}},
		{"largest item alone", []int{mib, 1}, [][]int{{0}, {1}}},
		{"nothing", nil, nil},
		{"exactly 1 MiB together", []int{512 * kib, 512 * kib}, [][]int{{0, 1}}},
		{"fill to the byte, then start over", []int{1, mib - 1, 1}, [][]int{{0, 1}, {2}}},
		{"eleven small", slices.Repeat([]int{100}, 11), [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10}}},
		{"twenty-five small", slices.Repeat([]int{1}, 25), [][]int{
			{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, {20, 21, 22, 23, 24}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Pack(tt.sizes)
			assert.Equal(t, tt.want, got)
			checkPacking(t, tt.sizes, got)
		})
	}
}

// TestPackProperties packs random sizes, from tiny to the 1 MiB limit, and
// checks the limits, that every item is sent once in order, and that no
// packing of that order needs fewer calls.
func TestPackProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2026))
	for trial := range 3000 {
		n := rng.IntN(80)
		sizes := make([]int, n)
		for i := range sizes {
			switch rng.IntN(4) {
			case 0:
				sizes[i] = 1 + rng.IntN(kib)
			case 1:
				sizes[i] = 1 + rng.IntN(128*kib)
			case 2:
				sizes[i] = 1 + rng.IntN(mib/2)
			default:
				sizes[i] = mib - rng.IntN(64*kib)
			}
		}
		calls := Pack(sizes)
		if !checkPacking(t, sizes, calls) {
			t.Fatalf("trial %d: sizes %v", trial, sizes)
		}
		if want := fewestCalls(sizes); len(calls) != want {
			t.Fatalf("trial %d: %d calls, the fewest possible is %d; sizes %v", trial, len(calls), want, sizes)
		}
	}
}

func checkPacking(t *testing.T, sizes []int, calls [][]int) bool {
	t.Helper()
	ok := true
	var order []int
	for c, call := range calls {
		total := 0
		for _, i := range call {
			total += sizes[i]
		}
		ok = assert.NotEmpty(t, call, "call %d", c) && ok
		ok = assert.LessOrEqual(t, len(call), sqsmsg.MaxBatchEntries, "call %d entries", c) && ok
		ok = assert.LessOrEqual(t, total, sqsmsg.MaxBatchBytes, "call %d bytes", c) && ok
		order = append(order, call...)
	}
	want := make([]int, len(sizes))
	for i := range want {
		want[i] = i
	}
	if len(want) == 0 {
		want = nil
	}
	return assert.Equal(t, want, order, "every item once, in order") && ok
}

// fewestCalls is the optimum by dynamic programming: best[i] is the fewest
// calls for the first i items, trying every possible last call.
func fewestCalls(sizes []int) int {
	best := make([]int, len(sizes)+1)
	for i := 1; i <= len(sizes); i++ {
		best[i] = len(sizes) + 1
		total := 0
		for j := i - 1; j >= 0 && i-j <= sqsmsg.MaxBatchEntries; j-- {
			total += sizes[j]
			if total > sqsmsg.MaxBatchBytes {
				break
			}
			best[i] = min(best[i], best[j]+1)
		}
	}
	return best[len(sizes)]
}

// TestResultsMapToInputIndex sends random batches with random failures and
// checks every result lands on its own item.
func TestResultsMapToInputIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 2026))
	for trial := range 40 {
		n := 1 + rng.IntN(120)
		rejected := map[string]bool{}
		for i := range n {
			if rng.IntN(5) == 0 {
				rejected[itoa(i)] = true
			}
		}
		q := newFakeQueue()
		q.fail = func(id string, _ int) *types.BatchResultErrorEntry {
			if rejected[id] {
				return &types.BatchResultErrorEntry{Code: aws.String("InvalidParameterValue"), SenderFault: true}
			}
			return nil
		}
		h := newTestHandler(t, q, func(c *testSetup) { c.Concurrency = 1 + rng.IntN(8) })
		resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(n, 1+rng.IntN(2000))))
		require.NoError(t, err)
		want := http.StatusAccepted
		if len(rejected) > 0 {
			want = http.StatusMultiStatus
		}
		require.Equal(t, want, resp.StatusCode, "trial %d", trial)
		results := decodeResponse(t, resp.Body).Results
		require.Len(t, results, n)
		for i, r := range results {
			require.Equal(t, i, r.Index)
			require.Equal(t, "item-"+itoa(i), r.ID)
			if rejected[itoa(i)] {
				require.NotNil(t, r.Error, "trial %d item %d", trial, i)
				require.Empty(t, r.MessageID)
			} else {
				require.Nil(t, r.Error, "trial %d item %d", trial, i)
				require.Equal(t, "msg-"+itoa(i), r.MessageID)
			}
		}
	}
}
