package lambdaruntime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/httplimit"
)

// Defaults Lambda applies when a template leaves a setting out.
const (
	DefaultMemoryMB       = 128
	DefaultTimeout        = 3 * time.Second
	DefaultMaxConcurrency = 10
	// DefaultInitTimeout is Lambda's limit on the init phase of an
	// on-demand environment.
	DefaultInitTimeout   = 10 * time.Second
	DefaultShutdownGrace = time.Second
	defaultRegion        = "us-east-1"
	defaultAccountID     = "000000000000"
	// maxTimeout and the memory bounds are Lambda's own.
	maxTimeout  = 900 * time.Second
	minMemoryMB = 128
	maxMemoryMB = 10240
)

// Options configures a Runtime.
type Options struct {
	Functions []Function
	// Region and AccountID name the functions' ARNs and set AWS_REGION;
	// defaults us-east-1 and 000000000000.
	Region, AccountID string
	// Logger receives the runtime's own events; nil discards them.
	Logger *slog.Logger
	// LogOutput receives the functions' stdout and stderr lines and the
	// START, END and REPORT lines; nil discards them.
	LogOutput io.Writer
	// InitTimeout bounds an environment's init phase (process start to its
	// first /invocation/next); default DefaultInitTimeout.
	InitTimeout time.Duration
	// ShutdownGrace is how long Close waits after SIGTERM before SIGKILL;
	// default DefaultShutdownGrace.
	ShutdownGrace time.Duration
	// AllowOtherUsers lets processes of any local user talk to the
	// environments' Runtime APIs. By default only this process's user may
	// (see internal/local/peercred): another user could otherwise take an
	// invocation from /next and answer it, an authorizer's decision
	// included.
	AllowOtherUsers bool
	// RuntimeAPILimits bound each Runtime API server's clients; zero
	// fields take httplimit.Defaults, except MaxConns (16: the bootstrap
	// keeps a connection or two). /next may wait for an event as long as
	// it takes: the write timeout starts at the answer's first byte.
	RuntimeAPILimits httplimit.Limits
}

// Function describes one Lambda function.
type Function struct {
	// Name is the function's name, the template's logical ID.
	Name string
	// Executable is the path of the function's bootstrap.
	Executable string
	// MemoryMB is the memory limit, 128 to 10240; default 128.
	MemoryMB int
	// Timeout is the handler's time limit; default 3s, at most 900s.
	Timeout time.Duration
	// Environment is the function's configured environment, already merged
	// (Globals, function, env-vars file).
	Environment map[string]string
	// MaxConcurrency bounds the function's execution environments; default
	// DefaultMaxConcurrency.
	MaxConcurrency int
}

// Result is one invocation's outcome, as the Invoke API returns it.
type Result struct {
	// Payload is the function's response, or Lambda's error document.
	Payload []byte
	// FunctionError is "" on success, else FunctionErrorUnhandled.
	FunctionError string
	Report        Report
	// Log is the tail (at most 4 KB) of the invocation's log lines, as
	// X-Amz-Log-Result carries it.
	Log []byte
}

// Request is one invocation with the optional context Lambda passes to the
// runtime in Lambda-Runtime-* headers.
type Request struct {
	Function string
	Payload  []byte
	// ClientContext and CognitoIdentity are JSON documents passed through
	// to the runtime; TraceID replaces the generated X-Ray trace header.
	ClientContext, CognitoIdentity, TraceID string
}

// Runtime runs functions' execution environments and invokes them.
type Runtime struct {
	region, accountID string
	initTimeout       time.Duration
	shutdownGrace     time.Duration
	allowOtherUsers   bool
	apiLimits         httplimit.Limits
	logger            *slog.Logger
	sink              *logSink
	functions         map[string]*function

	// lifecycle guards closed against starting environments and
	// invocations: they hold it for reading, Close for writing.
	lifecycle sync.RWMutex
	closed    bool
	closing   chan struct{}
	inflight  sync.WaitGroup
}

// function is a Function with its defaults applied and its pool of
// environments.
type function struct {
	Function
	arn     string
	baseEnv []string
	// jsonLogs: the function logs in Lambda's JSON format
	// (AWS_LAMBDA_LOG_FORMAT=JSON), so the platform's lines are JSON too.
	jsonLogs bool
	pool     *pool
}

// New validates the functions and returns a Runtime. No process starts
// until a function's first invocation.
func New(opts Options) (*Runtime, error) {
	rt := &Runtime{
		region:          opts.Region,
		accountID:       opts.AccountID,
		initTimeout:     opts.InitTimeout,
		shutdownGrace:   opts.ShutdownGrace,
		allowOtherUsers: opts.AllowOtherUsers,
		apiLimits:       opts.RuntimeAPILimits,
		logger:          opts.Logger,
		sink:            &logSink{w: opts.LogOutput},
		functions:       make(map[string]*function, len(opts.Functions)),
		closing:         make(chan struct{}),
	}
	if rt.region == "" {
		rt.region = defaultRegion
	}
	if rt.accountID == "" {
		rt.accountID = defaultAccountID
	}
	if rt.initTimeout <= 0 {
		rt.initTimeout = DefaultInitTimeout
	}
	if rt.shutdownGrace <= 0 {
		rt.shutdownGrace = DefaultShutdownGrace
	}
	if rt.apiLimits.MaxConns <= 0 {
		rt.apiLimits.MaxConns = 16
	}
	if rt.logger == nil {
		rt.logger = slog.New(slog.DiscardHandler)
	}
	if rt.sink.w == nil {
		rt.sink.w = io.Discard
	}
	for _, f := range opts.Functions {
		fn, err := rt.newFunction(f)
		if err != nil {
			return nil, err
		}
		if _, dup := rt.functions[fn.Name]; dup {
			return nil, fmt.Errorf("lambdaruntime: function %q configured twice", fn.Name)
		}
		rt.functions[fn.Name] = fn
	}
	return rt, nil
}

func (rt *Runtime) newFunction(f Function) (*function, error) {
	if f.Name == "" {
		return nil, errors.New("lambdaruntime: function without a name")
	}
	if f.MemoryMB == 0 {
		f.MemoryMB = DefaultMemoryMB
	}
	if f.Timeout == 0 {
		f.Timeout = DefaultTimeout
	}
	if f.MaxConcurrency == 0 {
		f.MaxConcurrency = DefaultMaxConcurrency
	}
	switch {
	case f.MemoryMB < minMemoryMB || f.MemoryMB > maxMemoryMB:
		return nil, fmt.Errorf("lambdaruntime: function %s: MemoryMB %d outside %d..%d", f.Name, f.MemoryMB, minMemoryMB, maxMemoryMB)
	case f.Timeout < 0 || f.Timeout > maxTimeout:
		return nil, fmt.Errorf("lambdaruntime: function %s: Timeout %s outside 0..%s", f.Name, f.Timeout, maxTimeout)
	case f.MaxConcurrency < 0:
		return nil, fmt.Errorf("lambdaruntime: function %s: negative MaxConcurrency", f.Name)
	}
	exe, err := filepath.Abs(f.Executable)
	if err != nil {
		return nil, fmt.Errorf("lambdaruntime: function %s: executable: %w", f.Name, err)
	}
	if st, err := os.Stat(exe); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("lambdaruntime: function %s: %s is not an executable file (build it first)", f.Name, exe)
	}
	f.Executable = exe
	fn := &function{
		Function: f,
		arn:      fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", rt.region, rt.accountID, f.Name),
		pool:     newPool(f.MaxConcurrency),
		jsonLogs: strings.EqualFold(f.Environment["AWS_LAMBDA_LOG_FORMAT"], "JSON"),
	}
	fn.baseEnv = rt.functionEnv(f)
	fn.pool.retire = func(e *env) { e.shutdown(rt.shutdownGrace) }
	return fn, nil
}

// reservedEnv lists the variables Lambda sets and a function may not.
var reservedEnv = []string{
	"_HANDLER", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

// functionEnv builds the environment shared by a function's processes;
// each process adds its log stream and Runtime API address.
func (rt *Runtime) functionEnv(f Function) []string {
	env := map[string]string{
		"PATH": os.Getenv("PATH"),
		"LANG": "en_US.UTF-8",
		"TZ":   ":UTC",
	}
	for k, v := range f.Environment {
		env[k] = v
	}
	dir := filepath.Dir(f.Executable)
	lambdaSet := map[string]string{
		"_HANDLER":                        filepath.Base(f.Executable),
		"AWS_REGION":                      rt.region,
		"AWS_DEFAULT_REGION":              rt.region,
		"AWS_LAMBDA_FUNCTION_NAME":        f.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + f.Name,
		"LAMBDA_TASK_ROOT":                dir,
		"LAMBDA_RUNTIME_DIR":              dir,
	}
	for _, k := range reservedEnv {
		if v, set := f.Environment[k]; set && v != lambdaSet[k] {
			rt.logger.Warn("reserved environment variable ignored, as Lambda does not let a function set it",
				"function", f.Name, "variable", k)
		}
		delete(env, k)
	}
	for k, v := range lambdaSet {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Invoke runs one synchronous invocation of the named function. The error is
// non-nil only for failures outside the function (ErrFunctionNotFound,
// ErrRequestTooLarge, ErrInvalidRequestContent, ErrClosed, ErrStart, or the
// context's error); the function's own failures are in the Result. ctx
// bounds the wait for an environment and for the answer; when it ends first
// the invocation itself runs on, as in Lambda.
func (rt *Runtime) Invoke(ctx context.Context, function string, payload []byte) (*Result, error) {
	return rt.Do(ctx, Request{Function: function, Payload: payload})
}

// Do runs one synchronous invocation described by req; see Invoke.
func (rt *Runtime) Do(ctx context.Context, req Request) (*Result, error) {
	fn, payload, err := rt.prepare(req)
	if err != nil {
		return nil, err
	}
	return rt.do(ctx, fn, payload, req)
}

// do runs a prepared invocation, tracked so that Close waits for it.
func (rt *Runtime) do(ctx context.Context, fn *function, payload []byte, req Request) (*Result, error) {
	if !rt.track() {
		return nil, ErrClosed
	}
	defer rt.inflight.Done()
	return rt.run(ctx, fn, payload, req)
}

// prepare finds req's function and checks its payload as Lambda does.
func (rt *Runtime) prepare(req Request) (*function, []byte, error) {
	fn, ok := rt.functions[req.Function]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s", ErrFunctionNotFound, req.Function)
	}
	payload := req.Payload
	if len(payload) > MaxRequestBytes {
		return nil, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrRequestTooLarge, len(payload), MaxRequestBytes)
	}
	if len(payload) == 0 {
		// Lambda hands an empty invocation to the function as {}.
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		return nil, nil, ErrInvalidRequestContent
	}
	return fn, payload, nil
}

func (rt *Runtime) run(ctx context.Context, fn *function, payload []byte, req Request) (*Result, error) {
	inv := newInvocation(payload, req)
	e, err := fn.pool.acquire(ctx, rt.closing)
	if err != nil {
		return nil, err
	}
	cold := e == nil
	if cold {
		if e, err = rt.startEnv(fn, inv); err != nil {
			fn.pool.releaseSlot()
			return nil, err
		}
	} else {
		e.assign(inv)
	}
	done := make(chan outcome, 1)
	go func() { done <- e.invoke(inv, cold) }()
	select {
	case out := <-done:
		if out.closed {
			return nil, ErrClosed
		}
		return out.result, nil
	case <-ctx.Done():
		// The invocation runs on without its caller, as in Lambda.
		return nil, ctx.Err()
	}
}

// Start begins an asynchronous (Event) invocation and returns once it is
// accepted; its result goes only to the logs, as with Lambda without a
// destination (and without Lambda's two retries). Close waits for it.
func (rt *Runtime) Start(req Request) error {
	fn, payload, err := rt.prepare(req)
	if err != nil {
		return err
	}
	return rt.start(fn, payload, req)
}

// start runs a prepared invocation in the background; see Start.
func (rt *Runtime) start(fn *function, payload []byte, req Request) error {
	if !rt.track() {
		return ErrClosed
	}
	go func() {
		defer rt.inflight.Done()
		res, err := rt.run(context.Background(), fn, payload, req)
		switch {
		case err != nil:
			rt.logger.Warn("asynchronous invocation failed", "function", req.Function, "error", err)
		case res.FunctionError != "":
			rt.logger.Info("asynchronous invocation ended with a function error",
				"function", req.Function, "request_id", res.Report.RequestID)
		}
	}()
	return nil
}

// Environments reports how many execution environments of the named
// function are alive, busy or idle.
func (rt *Runtime) Environments(function string) int {
	fn, ok := rt.functions[function]
	if !ok {
		return 0
	}
	return fn.pool.size()
}

func (rt *Runtime) track() bool {
	rt.lifecycle.RLock()
	defer rt.lifecycle.RUnlock()
	if rt.closed {
		return false
	}
	rt.inflight.Add(1)
	return true
}

// Close stops every environment, SIGTERM first and SIGKILL after
// ShutdownGrace, and waits for invocations in flight, which fail with
// ErrClosed. It is safe to call more than once.
func (rt *Runtime) Close() error {
	rt.lifecycle.Lock()
	if rt.closed {
		rt.lifecycle.Unlock()
		return nil
	}
	rt.closed = true
	close(rt.closing)
	rt.lifecycle.Unlock()

	var wg sync.WaitGroup
	for _, fn := range rt.functions {
		for _, e := range fn.pool.snapshot() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.shutdown(rt.shutdownGrace)
			}()
		}
	}
	wg.Wait()
	rt.inflight.Wait()
	return nil
}

// newTraceID returns an X-Ray trace header as Lambda passes it to a runtime.
func newTraceID(now time.Time) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), h[:24], h[24:40])
}
