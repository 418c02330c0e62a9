package transform

import "github.com/sqsgate/sqsgate/internal/sqsmsg"

// Pack splits messages, by size and in order, into SendMessageBatch calls of
// at most sqsmsg.MaxBatchEntries entries and sqsmsg.MaxBatchBytes in total.
// It returns each call's indexes into sizes. Filling each call greedily
// before starting the next gives the fewest calls for that order: any
// packing's k-th call ends no later than the greedy k-th call does.
// Every size must be at most sqsmsg.MaxMessageBytes; larger ones are
// rejected before packing.
func Pack(sizes []int) [][]int {
	var calls [][]int
	var cur []int
	curBytes := 0
	for i, size := range sizes {
		if len(cur) == sqsmsg.MaxBatchEntries || (len(cur) > 0 && curBytes+size > sqsmsg.MaxBatchBytes) {
			calls = append(calls, cur)
			cur, curBytes = nil, 0
		}
		cur = append(cur, i)
		curBytes += size
	}
	if len(cur) > 0 {
		calls = append(calls, cur)
	}
	return calls
}
