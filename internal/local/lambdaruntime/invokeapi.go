package lambdaruntime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// InvokePath is the Lambda Invoke API route InvokeAPI serves.
const InvokePath = "/2015-03-31/functions/{name}/invocations"

// Invocation types of the Invoke API's X-Amz-Invocation-Type header.
const (
	InvocationRequestResponse = "RequestResponse"
	InvocationEvent           = "Event"
	InvocationDryRun          = "DryRun"
)

const latest = "$LATEST"

// InvokeAPI serves the Lambda Invoke API (POST
// /2015-03-31/functions/{name}/invocations) for these functions, so AWS SDKs
// and `aws lambda invoke --endpoint-url` can call them. The name may be the
// function's name or its ARN, with the $LATEST qualifier or none.
// RequestResponse answers with the function's payload and, on a function
// error, X-Amz-Function-Error; Event answers 202 and invokes in the
// background (without Lambda's retries); DryRun answers 204.
// X-Amz-Log-Type: Tail returns the log tail in X-Amz-Log-Result.
func (rt *Runtime) InvokeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+InvokePath, rt.serveInvoke)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, http.StatusNotFound, "UnknownOperationException", "Unknown operation "+r.Method+" "+r.URL.Path)
	})
	return mux
}

func (rt *Runtime) serveInvoke(w http.ResponseWriter, r *http.Request) {
	name, ok := rt.resolveFunction(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if !ok {
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException",
			"Function not found: "+rt.functionARN(r.PathValue("name")))
		return
	}
	invocationType := r.Header.Get("X-Amz-Invocation-Type")
	if invocationType == "" {
		invocationType = InvocationRequestResponse
	}
	switch invocationType {
	case InvocationRequestResponse, InvocationEvent, InvocationDryRun:
	default:
		writeAPIError(w, http.StatusBadRequest, "InvalidParameterValueException",
			"Unsupported invocation type "+invocationType)
		return
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not read the request body")
		return
	}
	req := Request{Function: name, Payload: payload, TraceID: r.Header.Get("X-Amzn-Trace-Id")}
	if cc := r.Header.Get("X-Amz-Client-Context"); cc != "" {
		decoded, err := base64.StdEncoding.DecodeString(cc)
		if err != nil || !json.Valid(decoded) {
			writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException",
				"Client context must be a valid Base64-encoded JSON object.")
			return
		}
		req.ClientContext = string(decoded)
	}
	// Checked once here; the invocation below takes the prepared payload.
	fn, prepared, err := rt.prepare(req)
	switch {
	case errors.Is(err, ErrRequestTooLarge):
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException",
			fmt.Sprintf("%d byte payload is too large for the %s invocation type (limit %d bytes)",
				len(payload), invocationType, MaxRequestBytes))
		return
	case errors.Is(err, ErrInvalidRequestContent):
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException",
			"Could not parse request body into json: the payload is not valid JSON")
		return
	case err != nil:
		rt.writeInvokeError(w, err)
		return
	}

	switch invocationType {
	case InvocationDryRun:
		w.WriteHeader(http.StatusNoContent)
		return
	case InvocationEvent:
		if err := rt.start(fn, prepared, req); err != nil {
			rt.writeInvokeError(w, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		return
	}
	res, err := rt.do(r.Context(), fn, prepared, req)
	if err != nil {
		rt.writeInvokeError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Executed-Version", latest)
	h.Set("X-Amzn-RequestId", res.Report.RequestID)
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	if r.Header.Get("X-Amz-Log-Type") == "Tail" {
		h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString(res.Log))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload)
}

func (rt *Runtime) writeInvokeError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The caller has gone; nobody reads this answer.
		writeAPIError(w, http.StatusRequestTimeout, "RequestCanceled", "The request was canceled")
	case errors.Is(err, ErrClosed):
		writeAPIError(w, http.StatusServiceUnavailable, "ServiceException", "The local Lambda runtime is shutting down")
	default:
		rt.logger.Error("invocation failed", "error", err)
		writeAPIError(w, http.StatusInternalServerError, "ServiceException", "The function could not be started; see the runtime's log")
	}
}

// resolveFunction maps an Invoke API function name (a name, a partial ARN
// "account:function:name" or a full ARN, optionally qualified) to a
// configured function. Only $LATEST exists locally.
func (rt *Runtime) resolveFunction(name, qualifier string) (string, bool) {
	name, qual, ok := parseFunctionName(name)
	if !ok {
		return "", false
	}
	if qual.region != "" && qual.region != rt.region || qual.account != "" && qual.account != rt.accountID {
		return "", false
	}
	for _, q := range []string{qual.qualifier, qualifier} {
		if q != "" && q != latest {
			return "", false
		}
	}
	if _, ok := rt.functions[name]; !ok {
		return "", false
	}
	return name, true
}

func (rt *Runtime) functionARN(name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", rt.region, rt.accountID, name)
}

type functionQualifiers struct{ region, account, qualifier string }

// parseFunctionName splits the forms Lambda accepts for FunctionName:
// "name", "name:qualifier", "account:function:name[:qualifier]" and
// "arn:partition:lambda:region:account:function:name[:qualifier]".
func parseFunctionName(s string) (name string, q functionQualifiers, ok bool) {
	parts := strings.Split(s, ":")
	switch {
	case len(parts) >= 7 && len(parts) <= 8 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		q.region, q.account, name = parts[3], parts[4], parts[6]
		if len(parts) == 8 {
			q.qualifier = parts[7]
		}
	case (len(parts) == 3 || len(parts) == 4) && parts[1] == "function":
		q.account, name = parts[0], parts[2]
		if len(parts) == 4 {
			q.qualifier = parts[3]
		}
	case len(parts) == 1 || len(parts) == 2:
		name = parts[0]
		if len(parts) == 2 {
			q.qualifier = parts[1]
		}
	default:
		return "", q, false
	}
	if name == "" || (q.qualifier == "" && strings.HasSuffix(s, ":")) {
		return "", q, false
	}
	return name, q, true
}

// writeAPIError answers as the Lambda API does: the error code in
// X-Amzn-ErrorType, a {"Type","Message"} body.
func writeAPIError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	typ := "User"
	if status >= 500 {
		typ = "Service"
	}
	_ = json.NewEncoder(w).Encode(struct {
		Type    string `json:"Type"`
		Message string `json:"Message"`
	}{typ, message})
}
