package transform

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// This file reads a request: which route, who calls, whether it is a dry
// run, and its events, split but not yet decoded.

// Request headers the producer may set.
const (
	// HeaderType sets the CloudEvents type: for the single route, and as
	// the default for batch items that name none (CloudEvents' HTTP binding
	// calls it ce-type).
	HeaderType = "Ce-Type"
	// HeaderIdempotencyKey sets the single route's event id; batch items
	// carry their own "id".
	HeaderIdempotencyKey = "Idempotency-Key"
)

// routeOf tells the two routes apart by route key, or by path behind a
// $default route or a stage prefix.
func routeOf(req *events.APIGatewayV2HTTPRequest) (batch bool, err error) {
	method, path := req.RequestContext.HTTP.Method, req.RawPath
	if m, p, ok := strings.Cut(req.RouteKey, " "); ok {
		method, path = m, p
	}
	if method != "" && method != http.MethodPost && method != "ANY" {
		return false, ErrMethodNotAllowed
	}
	path = strings.TrimSuffix(path, "/")
	switch {
	case strings.HasSuffix(path, "/events/batch"):
		return true, nil
	case strings.HasSuffix(path, "/events"):
		return false, nil
	}
	return false, ErrRouteNotFound
}

// callerOf reads the caller from the Lambda authorizer's context (or a JWT
// authorizer's claims). The route sits behind an authorizer, so a missing
// subject means a misconfigured route, and nothing is sent.
func callerOf(req *events.APIGatewayV2HTTPRequest) (Caller, error) {
	rc := &req.RequestContext
	c := Caller{RequestID: rc.RequestID, SourceIP: rc.HTTP.SourceIP, UserAgent: rc.HTTP.UserAgent}
	if a := rc.Authorizer; a != nil {
		if sub, ok := a.Lambda["sub"].(string); ok {
			c.Subject = sub
		} else if a.JWT != nil {
			c.Subject = a.JWT.Claims["sub"]
		}
	}
	if c.Subject == "" {
		return Caller{}, ErrMissingIdentity
	}
	return c, nil
}

// validateOnly reads ValidateOnlyParam. Query names are case-sensitive in
// the event, so the parameter may arrive under two spellings; that is
// refused, as a repeat (joined with a comma) is, rather than left to map
// order to choose between a dry run and a real send.
func validateOnly(query map[string]string) (bool, error) {
	on, found := false, false
	for k, v := range query {
		if !strings.EqualFold(k, ValidateOnlyParam) {
			continue
		}
		if found {
			return false, &RequestError{Err: ErrInvalidRequest, Message: ValidateOnlyParam + " must be given once"}
		}
		var err error
		if on, err = strconv.ParseBool(v); err != nil {
			return false, &RequestError{Err: ErrInvalidRequest, Message: ValidateOnlyParam + " must be true or false"}
		}
		found = true
	}
	return on, nil
}

// input is a request's events before they are decoded and checked.
type input struct {
	// raws are the batch route's items; nil for the single route.
	raws []RawItem
	// single is the single route's event.
	single      Item
	defaultType string
}

func (in *input) len() int {
	if in.raws == nil {
		return 1
	}
	return len(in.raws)
}

// item decodes the i-th item and parses its data for the validator (doc
// is nil when the data is too large for SQS anyway); safe to call from
// several goroutines.
func (in *input) item(i int) (it Item, doc any, err error) {
	if in.raws == nil {
		if len(in.single.Data) > sqsmsg.MaxMessageBytes {
			return in.single, nil, nil
		}
		doc, err := DecodeData(in.single.Data)
		if err != nil {
			return Item{}, nil, &ItemError{Index: 0, Message: "the event is not valid JSON", Err: ErrInvalidJSON}
		}
		return in.single, doc, nil
	}
	it, doc, err = in.raws[i].decode(i)
	if err == nil && it.Type == "" {
		it.Type = in.defaultType
	}
	return it, doc, err
}

// input reads the request's events: the single route's body is the data;
// the batch route's body is an array or NDJSON of wrapped items, split here
// and decoded later, in parallel, with their validation.
func (h *Handler) input(req *events.APIGatewayV2HTTPRequest, body []byte, batch bool) (*input, error) {
	mediaType := ""
	if ct, ok := apigw.Header(req.Headers, "Content-Type"); ok && strings.TrimSpace(ct) != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			return nil, &RequestError{Err: ErrUnsupportedMedia, Message: "the Content-Type header cannot be parsed"}
		}
		mediaType = mt
	}
	// HTTP API joins a repeated header's values with commas: read as one,
	// two types or two keys would become one type and one deduplication id.
	defaultType := DefaultType
	t, hasType, err := apigw.SingleHeader(req.Headers, HeaderType)
	if err != nil {
		return nil, &RequestError{Err: ErrRepeatedHeader, Message: HeaderType + " must be sent once (a comma means it was repeated)"}
	}
	if hasType {
		if err := checkToken(t, maxTypeLength); err != nil {
			return nil, &RequestError{Err: ErrInvalidRequest, Message: HeaderType + " " + err.Error()}
		}
		defaultType = t
	}
	key, hasKey, err := apigw.SingleHeader(req.Headers, HeaderIdempotencyKey)
	if err != nil {
		return nil, &RequestError{Err: ErrRepeatedHeader, Message: HeaderIdempotencyKey + " must be sent once (a comma means it was repeated)"}
	}

	if !batch {
		if mediaType != "" && mediaType != "application/json" && !strings.HasSuffix(mediaType, "+json") {
			return nil, &RequestError{Err: ErrUnsupportedMedia, Message: "send the event as application/json"}
		}
		if hasKey {
			if err := checkToken(key, maxIDLength); err != nil {
				return nil, &RequestError{Err: ErrInvalidRequest, Message: HeaderIdempotencyKey + " " + err.Error()}
			}
		}
		data := trimSpace(body)
		if len(data) == 0 {
			return nil, &ItemError{Index: 0, Message: "the body is empty; send the event as JSON", Err: ErrInvalidJSON}
		}
		return &input{single: Item{Type: defaultType, ID: key, Data: data}, defaultType: defaultType}, nil
	}

	if hasKey {
		return nil, &RequestError{Err: ErrInvalidRequest, Message: HeaderIdempotencyKey + ` applies to /v1/events; give each batch item its own "id"`}
	}
	var ndjson bool
	switch mediaType {
	case "", "application/json":
	case "application/x-ndjson", "application/ndjson", "application/jsonl":
		ndjson = true
	default:
		return nil, &RequestError{Err: ErrUnsupportedMedia, Message: "send a batch as application/json (an array) or application/x-ndjson"}
	}
	raws, err := SplitBatch(body, ndjson, h.maxItems)
	if errors.Is(err, ErrTooManyItems) {
		return nil, &RequestError{Err: ErrTooManyItems, Message: fmt.Sprintf("a batch may hold at most %d items", h.maxItems)}
	}
	if err != nil {
		return nil, err
	}
	return &input{raws: raws, defaultType: defaultType}, nil
}
