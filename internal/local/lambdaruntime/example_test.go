package lambdaruntime_test

import (
	"fmt"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
)

// A cold invocation's REPORT line, as Lambda writes it to CloudWatch Logs.
func ExampleReport_String() {
	r := lambdaruntime.Report{
		RequestID:       "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
		Duration:        2150 * time.Microsecond,
		InitDuration:    48320 * time.Microsecond,
		BilledDuration:  51 * time.Millisecond,
		MemorySizeMB:    128,
		MaxMemoryUsedMB: 19,
	}
	fmt.Println(r)
	// Output: REPORT RequestId: 8476a536-e9f4-11e8-9739-2dfe598c3fcd	Duration: 2.15 ms	Billed Duration: 51 ms	Memory Size: 128 MB	Max Memory Used: 19 MB	Init Duration: 48.32 ms
}
