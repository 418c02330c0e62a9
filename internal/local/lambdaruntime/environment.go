package lambdaruntime

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/httplimit"
	"github.com/sqsgate/sqsgate/internal/local/peercred"
	"github.com/sqsgate/sqsgate/internal/uuid"
)

// Memory polling intervals: tight while an invocation runs, so an
// allocation spike is caught early; relaxed while idle, when a process
// should not grow.
const (
	memoryPollBusy = 10 * time.Millisecond
	memoryPollIdle = 200 * time.Millisecond
)

// invocation is one event on its way through an environment.
type invocation struct {
	id                             string
	payload                        []byte
	traceID                        string
	clientContext, cognitoIdentity string
	// deadline and dispatched are set before the event is handed to the
	// runtime's /next, which reads them after the channel receive.
	deadline   time.Time
	dispatched time.Time
	log        tail

	answered   chan struct{}
	once       sync.Once
	result     []byte
	failed     bool
	answeredAt time.Time

	sent bool // guarded by the environment's mu
}

func newInvocation(payload []byte, req Request) *invocation {
	inv := &invocation{
		id:              uuid.New(),
		payload:         payload,
		traceID:         req.TraceID,
		clientContext:   req.ClientContext,
		cognitoIdentity: req.CognitoIdentity,
		answered:        make(chan struct{}),
	}
	if inv.traceID == "" {
		inv.traceID = newTraceID(time.Now())
	}
	return inv
}

// answer records the runtime's answer; only the first one counts.
func (inv *invocation) answer(payload []byte, failed bool) bool {
	first := false
	inv.once.Do(func() {
		inv.result, inv.failed, inv.answeredAt = payload, failed, time.Now()
		close(inv.answered)
		first = true
	})
	return first
}

func (inv *invocation) isAnswered() bool { return isClosed(inv.answered) }

// env is one execution environment: a bootstrap process and the Runtime
// API server it talks to.
type env struct {
	rt        *Runtime
	fn        *function
	cmd       *exec.Cmd
	srv       *http.Server
	startedAt time.Time
	stdout    *outputPipe
	stderr    *outputPipe

	next       chan *invocation
	ready      chan struct{} // closed at the first /invocation/next
	readyOnce  sync.Once
	readyAt    time.Time
	initFailed chan struct{} // closed when the runtime posts /init/error
	initOnce   sync.Once
	initErr    []byte
	exited     chan struct{} // closed when the process has been reaped
	exitHow    string
	stop       chan struct{}
	stopOnce   sync.Once
	// gen is the pool's generation when the process started; Replace
	// retires environments of an older one.
	gen int64

	busy      atomic.Bool
	oomKilled atomic.Bool
	peakKiB   atomic.Int64

	mu      sync.Mutex
	current *invocation
	// logInv is the invocation the output belongs to: the current one, or
	// the last one until the next is assigned.
	logInv *invocation
	held   bool // holds a pool slot
	dead   bool
	// back is set while an answered environment holds its slot until its
	// runtime asks for the next event; the pool counts it as returning.
	back bool
}

func (rt *Runtime) startEnv(fn *function, first *invocation) (*env, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("%w: %s: runtime API listener: %v", ErrStart, fn.Name, err)
	}
	if !rt.allowOtherUsers {
		ln = peercred.Guard(ln, peercred.Options{Name: "Runtime API of " + fn.Name, Logger: rt.logger})
	}
	e := &env{
		rt:         rt,
		fn:         fn,
		gen:        fn.pool.gen.Load(),
		next:       make(chan *invocation, 1),
		ready:      make(chan struct{}),
		initFailed: make(chan struct{}),
		exited:     make(chan struct{}),
		stop:       make(chan struct{}),
		current:    first,
		logInv:     first,
		held:       true,
	}
	e.srv = httplimit.Server(e.routes(), rt.apiLimits)
	go func() { _ = e.srv.Serve(httplimit.Listener(ln, rt.apiLimits, rt.logger)) }()

	now := time.Now()
	if e.stdout, err = newOutputPipe(e.logLine); err == nil {
		if e.stderr, err = newOutputPipe(e.logLine); err != nil {
			_, _ = e.stdout.r.Close(), e.stdout.w.Close()
		}
	}
	if err != nil {
		_ = e.srv.Close()
		return nil, fmt.Errorf("%w: %s: output pipes: %v", ErrStart, fn.Name, err)
	}
	cmd := exec.Command(fn.Executable)
	cmd.Dir = filepath.Dir(fn.Executable)
	cmd.Env = append(append([]string(nil), fn.baseEnv...),
		"AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(),
		"AWS_LAMBDA_LOG_STREAM_NAME="+now.UTC().Format("2006/01/02")+"/[$LATEST]"+strings.ReplaceAll(uuid.New(), "-", ""),
	)
	cmd.Stdout, cmd.Stderr = e.stdout.w, e.stderr.w
	cmd.SysProcAttr = sysProcAttr()
	e.cmd = cmd

	rt.lifecycle.RLock()
	defer rt.lifecycle.RUnlock()
	err = ErrClosed
	if !rt.closed {
		e.startedAt = time.Now()
		err = cmd.Start()
	}
	// The child has its own copies of the write ends now.
	_ = e.stdout.w.Close()
	_ = e.stderr.w.Close()
	if err != nil {
		_ = e.srv.Close()
		_ = e.stdout.r.Close()
		_ = e.stderr.r.Close()
		if err == ErrClosed {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrStart, fn.Name, err)
	}
	go e.stdout.run()
	go e.stderr.run()
	fn.pool.add(e)
	rt.logger.Debug("execution environment started", "function", fn.Name, "pid", cmd.Process.Pid)
	go e.wait()
	go e.watchMemory()
	return e, nil
}

// wait reaps the process and retires the environment.
func (e *env) wait() {
	_ = e.cmd.Wait()
	// Kill what the bootstrap started, which could hold its output open.
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	e.stdout.finish(time.Second)
	e.stderr.finish(time.Second)
	e.exitHow = "exit status unknown"
	if ps := e.cmd.ProcessState; ps != nil {
		e.exitHow = ps.String()
	}
	e.mu.Lock()
	e.dead = true
	wasHeld, wasBack := e.held, e.back
	e.held, e.back = false, false
	e.mu.Unlock()
	e.fn.pool.remove(e, wasBack)
	close(e.exited)
	e.closeStop()
	_ = e.srv.Close()
	if wasHeld {
		e.fn.pool.releaseSlot()
	}
	e.rt.logger.Debug("execution environment ended", "function", e.fn.Name, "pid", e.cmd.Process.Pid, "state", e.exitHow)
}

// watchMemory enforces the memory limit by polling the resident set, and
// keeps the peak for Max Memory Used.
func (e *env) watchMemory() {
	limitKiB := int64(e.fn.MemoryMB) * 1024
	pid := e.cmd.Process.Pid
	for {
		interval := memoryPollIdle
		if e.busy.Load() {
			interval = memoryPollBusy
		}
		select {
		case <-e.exited:
			return
		case <-time.After(interval):
		}
		rss, peak, ok := memoryUsage(pid)
		if !ok {
			continue
		}
		e.notePeak(peak)
		if rss > limitKiB {
			e.oomKilled.Store(true)
			e.rt.logger.Info("execution environment over its memory limit, killed",
				"function", e.fn.Name, "pid", pid, "rss_kib", rss, "limit_kib", limitKiB)
			e.kill()
			return
		}
	}
}

func (e *env) notePeak(peakKiB int64) {
	for {
		old := e.peakKiB.Load()
		if peakKiB <= old || e.peakKiB.CompareAndSwap(old, peakKiB) {
			return
		}
	}
}

func (e *env) kill() { _ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL) }

func (e *env) closeStop() { e.stopOnce.Do(func() { close(e.stop) }) }

// hold marks an idle environment busy again; false if it died meanwhile.
func (e *env) hold() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dead {
		return false
	}
	e.held = true
	return true
}

// returning marks an environment whose invocation was answered as on its
// way back to idle, so the next acquisition waits for it rather than
// starting another environment.
func (e *env) returning(inv *invocation) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.held && !e.dead && e.current == inv && !e.back {
		e.back = true
		e.fn.pool.returning.Add(1)
	}
}

func (e *env) assign(inv *invocation) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.current, e.logInv = inv, inv
}

// discard kills an environment that must not serve again (timeout, init
// failure, abandoned invocation) and frees its slot at once.
func (e *env) discard() {
	e.mu.Lock()
	e.dead = true
	wasHeld := e.held
	e.held = false
	e.mu.Unlock()
	e.kill()
	if wasHeld {
		e.fn.pool.releaseSlot()
	}
}

// shutdown stops the process as Close does: SIGTERM, then SIGKILL.
func (e *env) shutdown(grace time.Duration) {
	e.closeStop()
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(grace):
		e.kill()
		<-e.exited
	}
}

// logLine passes one line of the function's output to the log and to the
// current invocation's tail.
func (e *env) logLine(line []byte) {
	e.rt.sink.writeLine(line)
	e.mu.Lock()
	inv := e.logInv
	e.mu.Unlock()
	if inv != nil {
		inv.log.add(line)
	}
}

// platformLine writes a text line of the platform's own (an error's
// message and type); with the JSON log format they ride in the runtimeDone
// and report records instead.
func (e *env) platformLine(inv *invocation, format string, args ...any) {
	if e.fn.jsonLogs {
		return
	}
	e.writePlatform(inv, format, args...)
}

func (e *env) writePlatform(inv *invocation, format string, args ...any) {
	line := []byte(fmt.Sprintf(format, args...))
	e.rt.sink.writeLine(line)
	inv.log.add(line)
}

// outcome is what an environment made of one invocation.
type outcome struct {
	result *Result
	closed bool
}

// invoke runs inv in e, waiting for init first when the environment is new.
// It does not watch the caller's context: as in Lambda, an invocation whose
// caller has gone still runs to its end (bounded by the timeouts), so the
// environment stays consistent and can be reused.
func (e *env) invoke(inv *invocation, cold bool) outcome {
	e.busy.Store(true)
	defer e.busy.Store(false)
	var initDuration time.Duration
	if cold {
		select {
		case <-e.ready:
			initDuration = e.readyAt.Sub(e.startedAt)
		default:
			if out, ok := e.awaitInit(inv); !ok {
				return out
			}
			initDuration = e.readyAt.Sub(e.startedAt)
		}
	}

	timeout := e.fn.Timeout
	inv.dispatched = time.Now()
	inv.deadline = inv.dispatched.Add(timeout)
	e.platformStart(inv)
	e.next <- inv
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	r := report{inv: inv, initDuration: initDuration}
	select {
	case <-inv.answered:
	case <-e.exited:
	case <-timer.C:
	}
	switch {
	case inv.isAnswered():
		r.payload, r.failed = inv.result, inv.failed
		r.end = inv.answeredAt
		e.returning(inv)
		e.stdout.drain(logDrainWait)
		e.stderr.drain(logDrainWait)
	case isClosed(e.exited):
		if isClosed(e.rt.closing) {
			return outcome{closed: true}
		}
		r.exit(e)
	default: // timed out
		e.discard()
		r.payload, r.failed, r.status = timeoutPayload(inv.id, timeout), true, "timeout"
		e.platformLine(inv, "%s", errorMessage(r.payload))
	}
	if r.end.IsZero() {
		r.end = time.Now()
	}
	r.duration = r.end.Sub(inv.dispatched)
	return e.finish(r)
}

// logDrainWait bounds the wait for a function's last output lines.
const logDrainWait = 50 * time.Millisecond

// awaitInit waits for the runtime's first /next; ok is false when init
// failed and out holds the invocation's answer.
func (e *env) awaitInit(inv *invocation) (out outcome, ok bool) {
	timer := time.NewTimer(e.rt.initTimeout)
	defer timer.Stop()
	select {
	case <-e.ready:
		return outcome{}, true
	case <-e.initFailed:
	case <-e.exited:
	case <-timer.C:
	}
	r := report{inv: inv}
	switch {
	case isClosed(e.initFailed):
		e.discard()
		r.payload, r.failed, r.status = e.initErr, true, "error"
		r.errorType = errorTypeOf(e.initErr)
	case isClosed(e.exited):
		if isClosed(e.rt.closing) {
			return outcome{closed: true}, false
		}
		r.exit(e)
	default:
		e.discard()
		r.payload, r.failed, r.status = timeoutPayload(inv.id, e.rt.initTimeout), true, "timeout"
		e.platformLine(inv, "%s", errorMessage(r.payload))
	}
	r.initDuration = time.Since(e.startedAt)
	e.platformStart(inv)
	return e.finish(r), false
}

// report gathers what finish needs to answer and log an invocation.
type report struct {
	inv                    *invocation
	payload                []byte
	failed                 bool
	status, errorType      string
	initDuration, duration time.Duration
	end                    time.Time
}

// exit fills r for a process that died without answering.
func (r *report) exit(e *env) {
	errorType := ErrorTypeExit
	if e.oomKilled.Load() {
		errorType = ErrorTypeOutOfMemory
	}
	r.payload = exitPayload(r.inv.id, errorType, e.exitHow)
	r.failed, r.status, r.errorType = true, "error", errorType
	e.platformLine(r.inv, "%s", errorMessage(r.payload))
	e.platformLine(r.inv, "%s", errorType)
}

func (e *env) finish(r report) outcome {
	if _, peak, ok := memoryUsage(e.cmd.Process.Pid); ok && !isClosed(e.exited) {
		e.notePeak(peak)
	}
	rep := Report{
		RequestID:       r.inv.id,
		Duration:        r.duration,
		BilledDuration:  billed(r.duration + r.initDuration),
		InitDuration:    r.initDuration,
		MemorySizeMB:    e.fn.MemoryMB,
		MaxMemoryUsedMB: int((e.peakKiB.Load() + 1023) / 1024),
		Status:          r.status,
		ErrorType:       r.errorType,
	}
	e.platformEnd(r.inv, rep)
	res := &Result{Payload: r.payload, Report: rep, Log: r.inv.log.bytes()}
	if r.failed {
		res.FunctionError = FunctionErrorUnhandled
	}
	return outcome{result: res}
}

// isClosed reports whether ch, a channel closed to signal an event, is
// closed yet.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// errorTypeOf and errorMessage read Lambda's error document.
func errorTypeOf(payload []byte) string {
	var p errorPayload
	_ = json.Unmarshal(payload, &p)
	return p.ErrorType
}

func errorMessage(payload []byte) string {
	var p errorPayload
	_ = json.Unmarshal(payload, &p)
	return p.ErrorMessage
}

// deadlineMillis formats Lambda-Runtime-Deadline-Ms.
func deadlineMillis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
