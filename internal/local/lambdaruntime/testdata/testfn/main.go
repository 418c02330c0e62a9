// Command testfn is the runtime tests' Lambda function. TESTFN_INIT
// chooses how its init phase goes: "" (normal), "exit" (exits before asking
// for an event), "init-error" (reports /init/error as a runtime would),
// "slow:<duration>" (sleeps first).
package main

import (
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime/internal/testfn"
)

func main() {
	switch init := os.Getenv("TESTFN_INIT"); {
	case init == "exit":
		os.Exit(3)
	case init == "init-error":
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		req, _ := http.NewRequest(http.MethodPost, url,
			strings.NewReader(`{"errorMessage":"config missing: QUEUE_URL","errorType":"Runtime.ConfigError"}`))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigError")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		os.Exit(1)
	case strings.HasPrefix(init, "slow:"):
		d, _ := time.ParseDuration(strings.TrimPrefix(init, "slow:"))
		time.Sleep(d)
	}
	h := &testfn.Handler{}
	lambda.Start(h.Handle)
}
