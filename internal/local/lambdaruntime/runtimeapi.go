package lambdaruntime

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Runtime API paths, version 2018-06-01.
const (
	runtimeAPIPrefix = "/2018-06-01/runtime"
	pathNext         = runtimeAPIPrefix + "/invocation/next"
	pathResponse     = runtimeAPIPrefix + "/invocation/{id}/response"
	pathError        = runtimeAPIPrefix + "/invocation/{id}/error"
	pathInitError    = runtimeAPIPrefix + "/init/error"
)

// Headers of the Runtime API.
const (
	headerRequestID       = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline        = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID         = "Lambda-Runtime-Trace-Id"
	headerClientContext   = "Lambda-Runtime-Client-Context"
	headerCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	headerErrorType       = "Lambda-Runtime-Function-Error-Type"
)

func (e *env) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathNext, e.handleNext)
	mux.HandleFunc("POST "+pathResponse, e.handleResponse)
	mux.HandleFunc("POST "+pathError, e.handleError)
	mux.HandleFunc("POST "+pathInitError, e.handleInitError)
	return mux
}

// handleNext hands the runtime its next event, waiting for one. Asking for
// the next event also ends the previous invocation's hold on the
// environment, which becomes idle.
func (e *env) handleNext(w http.ResponseWriter, r *http.Request) {
	e.readyOnce.Do(func() {
		e.readyAt = time.Now()
		close(e.ready)
	})
	e.mu.Lock()
	cur := e.current
	if cur != nil && cur.sent && !cur.isAnswered() {
		e.mu.Unlock()
		writeRuntimeError(w, http.StatusForbidden, "InvalidStateTransition",
			"State transition from Running to Ready is not allowed: invocation "+cur.id+" has no response")
		return
	}
	park := e.held && !e.dead && (cur == nil || cur.isAnswered())
	wasBack := e.back
	if park {
		e.held, e.current, e.back = false, nil, false
	}
	e.mu.Unlock()
	if park {
		e.fn.pool.park(e, wasBack)
	}

	select {
	case inv := <-e.next:
		e.mu.Lock()
		inv.sent = true
		e.mu.Unlock()
		h := w.Header()
		h.Set(headerRequestID, inv.id)
		h.Set(headerDeadline, deadlineMillis(inv.deadline))
		h.Set(headerFunctionARN, e.fn.arn)
		h.Set(headerTraceID, inv.traceID)
		if inv.clientContext != "" {
			h.Set(headerClientContext, inv.clientContext)
		}
		if inv.cognitoIdentity != "" {
			h.Set(headerCognitoIdentity, inv.cognitoIdentity)
		}
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-e.stop:
		// Lambda never answers a pending /next at shutdown: it stops the
		// process. An error answer here made aws-lambda-go print "failed
		// to GET .../invocation/next: got unexpected status code: 500"
		// after every `sqsgate invoke` and at every Ctrl-C. Hold the call
		// until the process is gone, then drop the connection unanswered.
		select {
		case <-e.exited:
		case <-r.Context().Done():
		}
		panic(http.ErrAbortHandler)
	case <-r.Context().Done():
	}
}

func (e *env) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv, ok := e.answerable(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "cannot read the response body")
		return
	}
	if len(body) > MaxResponseBytes {
		inv.answer(responseTooLargePayload(), true)
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"Exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponseBytes)+" bytes).")
		return
	}
	if !inv.answer(body, false) {
		writeAlreadyAnswered(w, inv)
		return
	}
	writeAccepted(w)
}

func (e *env) handleError(w http.ResponseWriter, r *http.Request) {
	inv, ok := e.answerable(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "cannot read the error body")
		return
	}
	if !inv.answer(functionErrorPayload(body, r.Header.Get(headerErrorType)), true) {
		writeAlreadyAnswered(w, inv)
		return
	}
	writeAccepted(w)
}

func (e *env) handleInitError(w http.ResponseWriter, r *http.Request) {
	select {
	case <-e.ready:
		writeRuntimeError(w, http.StatusForbidden, "InvalidStateTransition",
			"State transition from Ready to InitError is not allowed: init already completed")
		return
	default:
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "cannot read the error body")
		return
	}
	e.initOnce.Do(func() {
		e.initErr = functionErrorPayload(body, r.Header.Get(headerErrorType))
		close(e.initFailed)
	})
	writeAccepted(w)
}

// answerable finds the invocation a /response or /error names: 400 for an
// id that is not the one in progress, 403 when it was already answered.
func (e *env) answerable(w http.ResponseWriter, r *http.Request) (*invocation, bool) {
	id := r.PathValue("id")
	e.mu.Lock()
	cur := e.current
	sent := cur != nil && cur.sent
	e.mu.Unlock()
	if cur == nil || cur.id != id || !sent {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return nil, false
	}
	if cur.isAnswered() {
		writeAlreadyAnswered(w, cur)
		return nil, false
	}
	return cur, true
}

func writeAlreadyAnswered(w http.ResponseWriter, inv *invocation) {
	writeRuntimeError(w, http.StatusForbidden, "InvalidStateTransition",
		"State transition from Responded is not allowed: invocation "+inv.id+" was already answered")
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}` + "\n"))
}

// writeRuntimeError answers with the Runtime API's ErrorResponse document.
func writeRuntimeError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorPayload{ErrorMessage: message, ErrorType: errorType})
}
