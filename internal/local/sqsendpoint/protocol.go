package sqsendpoint

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/uuid"
)

// MaxRequestBytes caps a request body: a full 1 MiB batch, base64 and form
// encoding included, fits with room to spare.
const MaxRequestBytes = 4 << 20

const (
	jsonContentType = "application/x-amz-json-1.0"
	xmlNamespace    = "http://queue.amazonaws.com/doc/2012-11-05/"
	targetPrefix    = "AmazonSQS."
)

// call is one decoded request, whichever protocol carried it.
type call struct {
	host   string
	region string // from the request's signature, else the server's
	// pathQueue is the queue URL implied by a query request sent to the
	// queue's own path (/<account>/<name>), as older clients do.
	pathQueue string
	decode    func(v any) error
	r         *http.Request
}

type handler func(s *Server, c *call) (any, error)

// operations maps each action to its handler. Handlers return the output
// shape (nil for operations without one) or an *Error.
func operations() map[string]handler {
	return map[string]handler{
		"CreateQueue":                  (*Server).opCreateQueue,
		"GetQueueUrl":                  (*Server).opGetQueueURL,
		"ListQueues":                   (*Server).opListQueues,
		"GetQueueAttributes":           (*Server).opGetQueueAttributes,
		"SetQueueAttributes":           (*Server).opSetQueueAttributes,
		"DeleteQueue":                  (*Server).opDeleteQueue,
		"PurgeQueue":                   (*Server).opPurgeQueue,
		"SendMessage":                  (*Server).opSendMessage,
		"SendMessageBatch":             (*Server).opSendMessageBatch,
		"ReceiveMessage":               (*Server).opReceiveMessage,
		"DeleteMessage":                (*Server).opDeleteMessage,
		"DeleteMessageBatch":           (*Server).opDeleteMessageBatch,
		"ChangeMessageVisibility":      (*Server).opChangeMessageVisibility,
		"ChangeMessageVisibilityBatch": (*Server).opChangeMessageVisibilityBatch,
		"ListDeadLetterSourceQueues":   (*Server).opListDeadLetterSourceQueues,
		"TagQueue":                     (*Server).opTagQueue,
		"UntagQueue":                   (*Server).opUntagQueue,
		"ListQueueTags":                (*Server).opListQueueTags,
		"StartMessageMoveTask":         (*Server).opStartMessageMoveTask,
		"ListMessageMoveTasks":         (*Server).opListMessageMoveTasks,
		"CancelMessageMoveTask":        (*Server).opCancelMessageMoveTask,
		"AddPermission":                (*Server).opAddPermission,
		"RemovePermission":             (*Server).opRemovePermission,
	}
}

// ServeHTTP serves the AWS JSON 1.0 protocol (requests with X-Amz-Target)
// and the query protocol (Action=... in the form or the URL) on any path.
// Malformed input gets an SQS error; a panic becomes InternalFailure.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := uuid.New()
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		start := time.Now()
		rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		w = rw
		defer func() {
			s.log.Debug("sqs request", "request_id", requestID, "target", r.Header.Get("X-Amz-Target"),
				"status", rw.status, "duration_ms", time.Since(start).Milliseconds())
		}()
	}
	format := responseFormat(r)
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("sqs request panicked", "panic", p, "request_id", requestID)
			s.writeError(w, format, requestID, errInternal())
		}
	}()
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBytes)
	}
	if r.URL.Path == ResetPath {
		s.serveReset(w, r)
		return
	}
	if format == awsJSON {
		s.serveJSON(w, r, requestID)
		return
	}
	s.serveQuery(w, r, requestID, format)
}

// format is how a response is written: the AWS JSON 1.0 protocol, or the
// query protocol in XML or, when the client asks for it, in JSON.
type format int

const (
	queryXML format = iota
	queryJSON
	awsJSON
)

// responseFormat is the format a request is answered in: AWS JSON 1.0 for
// requests with X-Amz-Target, otherwise the query protocol, in JSON when
// Accept asks for application/json (queryjson.go).
func responseFormat(r *http.Request) format {
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		return awsJSON
	case wantsQueryJSON(r.Header.Get("Accept")):
		return queryJSON
	}
	return queryXML
}

func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, requestID string) {
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	h := s.ops[action]
	if !ok || h == nil {
		s.writeError(w, awsJSON, requestID, &Error{Code: "UnknownOperationException", QueryCode: "InvalidAction",
			Status: http.StatusBadRequest, Sender: true, Message: "The requested operation is not supported."})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.writeError(w, awsJSON, requestID, errTooLarge(err))
		return
	}
	c := &call{host: r.Host, region: s.requestRegion(r.Header.Get("Authorization"), ""), r: r,
		decode: func(v any) error { return decodeJSON(body, v) }}
	out, err := h(s, c)
	if err != nil {
		s.writeError(w, awsJSON, requestID, asError(err))
		return
	}
	if out == nil {
		out = struct{}{}
	}
	b, err := json.Marshal(out)
	if err != nil {
		s.writeError(w, awsJSON, requestID, errInternal())
		return
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// decodeJSON decodes an AWS JSON request. An empty body means no members.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{Code: "SerializationException", QueryCode: "SerializationException", Status: http.StatusBadRequest,
			Sender: true, Message: "The request body could not be parsed as the operation's input."}
	}
	return nil
}

func errTooLarge(err error) *Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Code: "RequestEntityTooLarge", QueryCode: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge,
			Sender: true, Message: "Request body is larger than " + strconv.Itoa(MaxRequestBytes) + " bytes."}
	}
	return errInvalidParameterValue("The request body could not be read.")
}

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, requestID string, f format) {
	form, ferr := readQueryForm(r)
	if ferr != nil {
		s.writeError(w, f, requestID, ferr)
		return
	}
	action := form.Get("Action")
	h := s.ops[action]
	if h == nil {
		if action == "" {
			s.writeError(w, f, requestID, errMissingParameter("Action"))
		} else {
			s.writeError(w, f, requestID, errInvalidAction(action))
		}
		return
	}
	c := &call{host: r.Host, region: s.requestRegion(r.Header.Get("Authorization"), form.Get("X-Amz-Credential")), r: r,
		decode: func(v any) error { return decodeQuery(form, v) }}
	if path := strings.Trim(r.URL.Path, "/"); strings.Count(path, "/") == 1 {
		c.pathQueue = "/" + path
	}
	out, herr := h(s, c)
	if herr != nil {
		s.writeError(w, f, requestID, asError(herr))
		return
	}
	// Both renderings take the same output value: what the XML says, the
	// JSON says.
	contentType := "text/xml"
	var b []byte
	var err error
	if f == queryJSON {
		contentType = queryJSONContentType
		b, err = queryJSONResponse(action, requestID, out)
	} else {
		b, err = queryXMLResponse(action, requestID, out)
	}
	if err != nil {
		s.writeError(w, f, requestID, errInternal())
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// queryXMLResponse renders a successful query response in XML: out as
// <Action>Result (left out for an operation without output), then
// ResponseMetadata.
func queryXMLResponse(action, requestID string, out any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	resp := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: xmlNamespace}}}
	err := enc.EncodeToken(resp)
	if err == nil && out != nil {
		err = enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(struct {
			RequestID string `xml:"RequestId"`
		}{requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(resp.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	return buf.Bytes(), err
}

// ResetPath is where POST deletes every queue: a clean slate between
// tests, as moto's POST /moto-api/reset.
const ResetPath = "/_sqsgate/reset"

func (s *Server) serveReset(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		w.Write([]byte(`{"code":"method_not_allowed","message":"POST deletes every queue; nothing else is served here."}`))
		return
	}
	n, err := s.Reset()
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"code":"store_failed","message":"The reset could not be written to the data dir; see the log."}`))
		return
	}
	b, _ := json.Marshal(struct {
		Deleted int `json:"deleted"`
	}{n})
	w.Write(b)
}

// requestRegion is the region a request is signed for: the third field of
// its SigV4 credential scope (<key id>/<date>/<region>/sqs/aws4_request),
// from the Authorization header or a presigned URL's X-Amz-Credential.
// Signatures are not checked (see the package doc), so an unsigned request
// or one whose scope is malformed goes to the server's region.
func (s *Server) requestRegion(authorization, presigned string) string {
	scope := presigned
	if _, after, ok := strings.Cut(authorization, "Credential="); ok {
		scope, _, _ = strings.Cut(after, ",")
	}
	parts := strings.Split(strings.TrimSpace(scope), "/")
	if len(parts) != 5 || !regionPattern.MatchString(parts[2]) {
		return s.region
	}
	return parts[2]
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$`)

// statusWriter records the status for the debug log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return errInternal()
}

func (s *Server) writeError(w http.ResponseWriter, f format, requestID string, e *Error) {
	fault := "Receiver"
	if e.Sender {
		fault = "Sender"
	}
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("X-Amzn-Query-Error", e.QueryCode+";"+fault)
	if e.Status >= 500 {
		s.log.Error("sqs request failed", "code", e.Code, "request_id", requestID)
	}
	message := e.Message
	if f != awsJSON && e.Code == "QueueDoesNotExist" {
		// The query protocol's wording, as AWS answers it (LocalStack's
		// AWS-validated test_non_existent_queue).
		message = "The specified queue does not exist for this wsdl version."
	}
	switch f {
	case queryJSON:
		w.Header().Set("Content-Type", queryJSONContentType)
		w.WriteHeader(e.Status)
		w.Write(queryJSONError(e.QueryCode, message, fault, requestID))
		return
	case awsJSON:
		b, _ := json.Marshal(struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}{"com.amazonaws.sqs#" + e.Code, message})
		w.Header().Set("Content-Type", jsonContentType)
		w.WriteHeader(e.Status)
		w.Write(b)
		return
	}
	type errorBody struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
		Detail  string `xml:"Detail"`
	}
	b, _ := xml.Marshal(struct {
		XMLName   xml.Name  `xml:"ErrorResponse"`
		Xmlns     string    `xml:"xmlns,attr"`
		Error     errorBody `xml:"Error"`
		RequestID string    `xml:"RequestId"`
	}{Xmlns: xmlNamespace, Error: errorBody{Type: fault, Code: e.QueryCode, Message: message}, RequestID: requestID})
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	w.Write([]byte(xml.Header))
	w.Write(b)
}
