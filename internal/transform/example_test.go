package transform_test

import (
	"fmt"

	"github.com/sqsgate/sqsgate/internal/transform"
)

// Pack fills each SendMessageBatch call in order until the next message
// would break the 10-entry or 1 MiB limit.
func ExamplePack() {
	const kib = 1 << 10
	sizes := []int{600 * kib, 300 * kib, 200 * kib, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	for _, call := range transform.Pack(sizes) {
		fmt.Println(call)
	}
	// Output:
	// [0 1]
	// [2 3 4 5 6 7 8 9 10 11]
	// [12]
}
