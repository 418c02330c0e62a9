package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/sqsgate/sqsgate/internal/uuid"
)

// sqsParams lists, per subtype, the request parameters HTTP API accepts and
// whether each is required.
var sqsParams = map[string]map[string]bool{
	"SQS-SendMessage": {
		"QueueUrl": true, "MessageBody": true, "DelaySeconds": false, "MessageAttributes": false,
		"MessageDeduplicationId": false, "MessageGroupId": false, "MessageSystemAttributes": false, "Region": false,
	},
	"SQS-ReceiveMessage": {
		"QueueUrl": true, "AttributeNames": false, "MaxNumberOfMessages": false, "MessageAttributeNames": false,
		"ReceiveRequestAttemptId": false, "VisibilityTimeout": false, "WaitTimeSeconds": false, "Region": false,
	},
	"SQS-DeleteMessage": {"QueueUrl": true, "ReceiptHandle": true, "Region": false},
	"SQS-PurgeQueue":    {"QueueUrl": true, "Region": false},
}

type sqsIntegration struct {
	subtype string
	params  map[string]mapping
}

func compileSQSIntegration(in Integration) (*sqsIntegration, error) {
	allowed, ok := sqsParams[in.Subtype]
	if !ok {
		return nil, fmt.Errorf("integration subtype %q is not supported (SQS-SendMessage, SQS-ReceiveMessage, SQS-DeleteMessage, SQS-PurgeQueue)", in.Subtype)
	}
	if v := in.PayloadFormatVersion; v != "" && v != "1.0" {
		return nil, fmt.Errorf("AWS service integrations use payload format 1.0, not %q", v)
	}
	if in.Function != "" {
		return nil, fmt.Errorf("an sqs integration takes no Function")
	}
	si := &sqsIntegration{subtype: in.Subtype, params: make(map[string]mapping, len(in.RequestParameters))}
	for _, name := range sortedKeys(in.RequestParameters) {
		if _, ok := allowed[name]; !ok {
			return nil, fmt.Errorf("%s takes no parameter %q", in.Subtype, name)
		}
		m, err := parseMapping(in.RequestParameters[name])
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		si.params[name] = m
	}
	for _, name := range sortedKeys(allowed) {
		if allowed[name] {
			if _, ok := si.params[name]; !ok {
				return nil, fmt.Errorf("%s needs parameter %s", in.Subtype, name)
			}
		}
	}
	return si, nil
}

// errBadRequest is a mapped parameter that is missing or malformed at
// request time; API Gateway answers 400 without calling SQS.
var errBadRequest = errors.New("bad request")

type sqsCall struct {
	values map[string]string
	err    error
}

func (c *sqsCall) str(name string) *string {
	v, ok := c.values[name]
	if !ok || v == "" {
		return nil
	}
	return &v
}

func (c *sqsCall) int32(name string) int32 {
	v := c.values[name]
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil && c.err == nil {
		c.err = fmt.Errorf("%w: %s is not an integer", errBadRequest, name)
	}
	return int32(n)
}

// list reads a list parameter as a JSON array or comma-separated text.
func (c *sqsCall) list(name string) []string {
	v := strings.TrimSpace(c.values[name])
	if v == "" {
		return nil
	}
	var out []string
	if strings.HasPrefix(v, "[") {
		if err := json.Unmarshal([]byte(v), &out); err != nil && c.err == nil {
			c.err = fmt.Errorf("%w: %s is not a JSON list of strings", errBadRequest, name)
		}
		return out
	}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// attrJSON is a message attribute in the JSON map form the parameter takes
// and the query-protocol response shows.
type attrJSON struct {
	BinaryListValues [][]byte `json:"BinaryListValues"`
	BinaryValue      []byte   `json:"BinaryValue"`
	DataType         *string  `json:"DataType"`
	StringListValues []string `json:"StringListValues"`
	StringValue      *string  `json:"StringValue"`
}

func (c *sqsCall) attributes(name string) map[string]attrJSON {
	v := c.values[name]
	if v == "" {
		return nil
	}
	var out map[string]attrJSON
	if err := json.Unmarshal([]byte(v), &out); err != nil && c.err == nil {
		c.err = fmt.Errorf("%w: %s is not a JSON map of attributes", errBadRequest, name)
	}
	return out
}

func (c *sqsCall) messageAttributes() map[string]types.MessageAttributeValue {
	in := c.attributes("MessageAttributes")
	if in == nil {
		return nil
	}
	out := make(map[string]types.MessageAttributeValue, len(in))
	for k, a := range in {
		out[k] = types.MessageAttributeValue{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
	}
	return out
}

func (c *sqsCall) systemAttributes() map[string]types.MessageSystemAttributeValue {
	in := c.attributes("MessageSystemAttributes")
	if in == nil {
		return nil
	}
	out := make(map[string]types.MessageSystemAttributeValue, len(in))
	for k, a := range in {
		out[k] = types.MessageSystemAttributeValue{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
	}
	return out
}

// response shapes: the query-protocol JSON API Gateway passes back, keys in
// alphabetical order as AWS writes them.
type responseMetadata struct {
	RequestID string `json:"RequestId"`
}

type sqsMessageJSON struct {
	Attributes             map[string]string   `json:"Attributes"`
	Body                   *string             `json:"Body"`
	MD5OfBody              *string             `json:"MD5OfBody"`
	MD5OfMessageAttributes *string             `json:"MD5OfMessageAttributes"`
	MessageAttributes      map[string]attrJSON `json:"MessageAttributes"`
	MessageID              *string             `json:"MessageId"`
	ReceiptHandle          *string             `json:"ReceiptHandle"`
}

type sqsErrorJSON struct {
	Error struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
		Type    string `json:"Type"`
	} `json:"Error"`
	RequestID string `json:"RequestId"`
}

// call performs the native integration and returns status and JSON body.
func (si *sqsIntegration) call(ctx context.Context, client SQSAPI, req *request) (int, []byte, error) {
	c := &sqsCall{values: make(map[string]string, len(si.params))}
	for name, m := range si.params {
		c.values[name] = m.eval(req)
	}
	for name, required := range sqsParams[si.subtype] {
		if required && c.values[name] == "" {
			return 0, nil, fmt.Errorf("%w: %s is empty", errBadRequest, name)
		}
	}
	if name, ok := invalidUTF8(c.values); ok {
		return refuseInvalidUTF8(name)
	}
	var optFns []func(*sqs.Options)
	if region := c.values["Region"]; region != "" {
		optFns = append(optFns, func(o *sqs.Options) { o.Region = region })
	}
	queueURL := c.str("QueueUrl")
	var (
		body any
		err  error
	)
	switch si.subtype {
	case "SQS-SendMessage":
		in := &sqs.SendMessageInput{
			QueueUrl:                queueURL,
			MessageBody:             c.str("MessageBody"),
			DelaySeconds:            c.int32("DelaySeconds"),
			MessageAttributes:       c.messageAttributes(),
			MessageSystemAttributes: c.systemAttributes(),
			MessageDeduplicationId:  c.str("MessageDeduplicationId"),
			MessageGroupId:          c.str("MessageGroupId"),
		}
		if c.err != nil {
			return 0, nil, c.err
		}
		var out *sqs.SendMessageOutput
		if out, err = client.SendMessage(ctx, in, optFns...); err == nil {
			var r struct {
				SendMessageResponse struct {
					ResponseMetadata  responseMetadata `json:"ResponseMetadata"`
					SendMessageResult struct {
						MD5OfMessageAttributes       *string `json:"MD5OfMessageAttributes"`
						MD5OfMessageBody             *string `json:"MD5OfMessageBody"`
						MD5OfMessageSystemAttributes *string `json:"MD5OfMessageSystemAttributes"`
						MessageID                    *string `json:"MessageId"`
						SequenceNumber               *string `json:"SequenceNumber"`
					} `json:"SendMessageResult"`
				} `json:"SendMessageResponse"`
			}
			res := &r.SendMessageResponse
			res.ResponseMetadata.RequestID, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
			res.SendMessageResult.MD5OfMessageAttributes = out.MD5OfMessageAttributes
			res.SendMessageResult.MD5OfMessageBody = out.MD5OfMessageBody
			res.SendMessageResult.MD5OfMessageSystemAttributes = out.MD5OfMessageSystemAttributes
			res.SendMessageResult.MessageID = out.MessageId
			res.SendMessageResult.SequenceNumber = out.SequenceNumber
			body = r
		}
	case "SQS-ReceiveMessage":
		in := &sqs.ReceiveMessageInput{
			QueueUrl:                queueURL,
			MaxNumberOfMessages:     c.int32("MaxNumberOfMessages"),
			MessageAttributeNames:   c.list("MessageAttributeNames"),
			ReceiveRequestAttemptId: c.str("ReceiveRequestAttemptId"),
			VisibilityTimeout:       c.int32("VisibilityTimeout"),
			WaitTimeSeconds:         c.int32("WaitTimeSeconds"),
		}
		for _, n := range c.list("AttributeNames") {
			in.AttributeNames = append(in.AttributeNames, types.QueueAttributeName(n))
		}
		if c.err != nil {
			return 0, nil, c.err
		}
		var out *sqs.ReceiveMessageOutput
		if out, err = client.ReceiveMessage(ctx, in, optFns...); err == nil {
			var r struct {
				ReceiveMessageResponse struct {
					ReceiveMessageResult struct {
						Messages []sqsMessageJSON `json:"messages"`
					} `json:"ReceiveMessageResult"`
					ResponseMetadata responseMetadata `json:"ResponseMetadata"`
				} `json:"ReceiveMessageResponse"`
			}
			res := &r.ReceiveMessageResponse
			res.ResponseMetadata.RequestID, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
			for _, m := range out.Messages {
				mj := sqsMessageJSON{
					Attributes: m.Attributes, Body: m.Body, MD5OfBody: m.MD5OfBody,
					MD5OfMessageAttributes: m.MD5OfMessageAttributes, MessageID: m.MessageId, ReceiptHandle: m.ReceiptHandle,
				}
				if len(mj.Attributes) == 0 {
					mj.Attributes = nil
				}
				if len(m.MessageAttributes) > 0 {
					mj.MessageAttributes = make(map[string]attrJSON, len(m.MessageAttributes))
					for k, a := range m.MessageAttributes {
						mj.MessageAttributes[k] = attrJSON{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
					}
				}
				res.ReceiveMessageResult.Messages = append(res.ReceiveMessageResult.Messages, mj)
			}
			body = r
		}
	case "SQS-DeleteMessage":
		var out *sqs.DeleteMessageOutput
		if out, err = client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: queueURL, ReceiptHandle: c.str("ReceiptHandle")}, optFns...); err == nil {
			var r struct {
				DeleteMessageResponse struct {
					ResponseMetadata responseMetadata `json:"ResponseMetadata"`
				} `json:"DeleteMessageResponse"`
			}
			r.DeleteMessageResponse.ResponseMetadata.RequestID, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
			body = r
		}
	case "SQS-PurgeQueue":
		var out *sqs.PurgeQueueOutput
		if out, err = client.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: queueURL}, optFns...); err == nil {
			var r struct {
				PurgeQueueResponse struct {
					ResponseMetadata responseMetadata `json:"ResponseMetadata"`
				} `json:"PurgeQueueResponse"`
			}
			r.PurgeQueueResponse.ResponseMetadata.RequestID, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
			body = r
		}
	}
	if err != nil {
		return sqsErrorResponse(err)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, fmt.Errorf("encode %s response: %w", si.subtype, err)
	}
	return http.StatusOK, b, nil
}

// invalidUTF8 names a parameter whose value is not valid UTF-8 (the
// lowest name, so the answer is stable), if any.
func invalidUTF8(values map[string]string) (string, bool) {
	bad := ""
	for name, v := range values {
		if !utf8.ValidString(v) && (bad == "" || name < bad) {
			bad = name
		}
	}
	return bad, bad != ""
}

// refuseInvalidUTF8 answers for a parameter that is not valid UTF-8, before
// SQS is called. The SDK would JSON-encode the value with each bad byte
// replaced by U+FFFD, so SQS would store an altered message, and the SDK's
// MD5 check of the original bytes would then fail the call after the
// message was stored: a 500 with a message in the queue, and duplicates
// when the client retries. Sent as bytes (the query protocol API Gateway's
// answers come from), SQS refuses characters outside its allowed set with
// InvalidMessageContents, 400: "If a message contains characters outside
// the allowed set, Amazon SQS rejects the message and returns an
// InvalidMessageContents error"
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html,
// MessageBody). API Gateway passes SQS's status and error document back, so
// this answers that document. Other parameters get InvalidParameterValue.
func refuseInvalidUTF8(name string) (int, []byte, error) {
	var doc sqsErrorJSON
	doc.Error.Type = "Sender"
	doc.RequestID = uuid.New()
	if name == "MessageBody" {
		doc.Error.Code = "InvalidMessageContents"
		doc.Error.Message = "Invalid characters found. Valid values are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
	} else {
		doc.Error.Code = "InvalidParameterValue"
		doc.Error.Message = "Value for parameter " + name + " is invalid. Reason: it is not valid UTF-8."
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusBadRequest, b, nil
}

// sqsErrorResponse passes an SQS service error back as API Gateway does:
// SQS's status and its query-protocol error document. Errors that never
// reached SQS (connection refused, timeouts) are returned for the caller to
// turn into API Gateway's own 500 or 503.
func sqsErrorResponse(err error) (int, []byte, error) {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return 0, nil, err
	}
	var doc sqsErrorJSON
	doc.Error.Code = apiErr.ErrorCode()
	doc.Error.Message = apiErr.ErrorMessage()
	doc.Error.Type = "Sender"
	status := http.StatusBadRequest
	if apiErr.ErrorFault() == smithy.FaultServer {
		doc.Error.Type = "Receiver"
		status = http.StatusInternalServerError
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		doc.RequestID = respErr.ServiceRequestID()
		if code := respErr.HTTPStatusCode(); code >= 400 {
			status = code
		}
	}
	b, mErr := json.Marshal(doc)
	if mErr != nil {
		return 0, nil, mErr
	}
	return status, b, nil
}
