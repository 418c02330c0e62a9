// Package lambdaruntime runs Lambda functions locally the way AWS Lambda
// runs a provided.al2023 function: each execution environment is one process
// of the function's real bootstrap executable, talking to its own Lambda
// Runtime API server (2018-06-01) on a loopback port named by
// AWS_LAMBDA_RUNTIME_API.
//
// What is emulated, and how:
//   - Who may connect: only processes of the user running the runtime reach
//     an environment's Runtime API (internal/local/peercred; Linux), so
//     another local user cannot take an invocation from /next and answer
//     it. Options.AllowOtherUsers lifts the check.
//   - Runtime API: GET /runtime/invocation/next (request id, deadline,
//     function ARN, trace id, client context and Cognito identity headers),
//     POST /runtime/invocation/{id}/response and /error, POST
//     /runtime/init/error, with Lambda's status codes (202 accepted, 400
//     InvalidRequestID, 403 InvalidStateTransition, 413 RequestEntityTooLarge).
//   - Environment: a clean process environment, as Lambda gives. Only PATH is
//     taken from the host (so a bootstrap can find helper programs); HOME and
//     everything else stays behind, so host credentials and shared AWS config
//     never leak into a function. Lambda's reserved variables
//     (AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
//     AWS_LAMBDA_FUNCTION_VERSION=$LATEST, AWS_LAMBDA_LOG_GROUP_NAME,
//     AWS_LAMBDA_LOG_STREAM_NAME, AWS_LAMBDA_INITIALIZATION_TYPE, AWS_REGION,
//     AWS_DEFAULT_REGION, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR, _HANDLER,
//     AWS_LAMBDA_RUNTIME_API) are set by the runtime and win over
//     Function.Environment (a warning is logged), as Lambda refuses to let a
//     function set them. TZ=:UTC and LANG=en_US.UTF-8 are defaults a function
//     may override. AWS_EXECUTION_ENV is not set: Lambda sets it only for
//     managed language runtimes, not for OS-only runtimes.
//   - Warm reuse: an environment serves one invocation at a time and is
//     reused while healthy; a function has at most MaxConcurrency
//     environments (default 10), further invocations wait for one, bounded by
//     their context. An invocation whose caller gives up (its context ends)
//     still runs to its end, as in Lambda, and keeps its environment busy
//     until then.
//   - Timeout: at the deadline the process group is killed and the
//     invocation answers {"errorType":"Sandbox.Timedout","errorMessage":
//     "RequestId: … Error: Task timed out after N.NN seconds"}.
//   - Crash: a process that exits during an invocation answers
//     Runtime.ExitError ("Runtime exited with error: exit status 2"), also
//     during init. A function's own /error body is passed through unchanged.
//     /init/error answers with the body the runtime posted.
//   - Memory: the process's resident set (VmRSS, Linux /proc) is polled and
//     the process group killed when it exceeds MemoryMB, answering
//     Runtime.OutOfMemory. Max Memory Used is the process's peak RSS (VmHWM).
//     Only the bootstrap process is measured, not its children. On systems
//     without /proc memory is neither enforced nor reported.
//   - Payload limits: 6 MB request (6291456 bytes, ErrRequestTooLarge) and
//     response (6291556 bytes, Function.ResponseSizeTooLarge), as Lambda.
//   - Logs: the function's stdout and stderr go to Options.LogOutput line by
//     line and unchanged (JSON logs pass through), framed by START, END and
//     REPORT lines as CloudWatch shows them, or, when the function's
//     AWS_LAMBDA_LOG_FORMAT is JSON (the template's LoggingConfig), by
//     Lambda's platform.start, platform.runtimeDone and platform.report
//     records.
//   - The Lambda Invoke API (POST /2015-03-31/functions/{name}/invocations),
//     so `aws lambda invoke --endpoint-url` works as with
//     `sam local start-lambda`.
//
// Not emulated: freezing a process between invocations, extensions, the
// asynchronous invocation retries and destinations, provisioned concurrency,
// and SnapStart. Init is bounded by InitTimeout (Lambda's 10 s) and the
// handler by the function's Timeout, separately. Billed Duration includes the
// init duration, as Lambda bills the init phase of on-demand functions.
package lambdaruntime
