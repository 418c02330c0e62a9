package template

import (
	"encoding/json"
	"strconv"
	"strings"
)

var queueProperties = map[string]bool{
	"QueueName": true, "FifoQueue": true, "VisibilityTimeout": true,
	"MessageRetentionPeriod": true, "ReceiveMessageWaitTimeSeconds": true,
	"DelaySeconds": true, "MaximumMessageSize": true,
	"ContentBasedDeduplication": true, "DeduplicationScope": true,
	"FifoThroughputLimit": true, "RedrivePolicy": true,
	"RedriveAllowPolicy": true, "Tags": true,
}

var queueNoop = map[string]string{
	"SqsManagedSseEnabled":         "encryption at rest is not emulated",
	"KmsMasterKeyId":               "encryption at rest is not emulated",
	"KmsDataKeyReusePeriodSeconds": "encryption at rest is not emulated",
}

// numericQueueAttributes are passed to SQS as decimal strings.
var numericQueueAttributes = []string{
	"VisibilityTimeout", "MessageRetentionPeriod",
	"ReceiveMessageWaitTimeSeconds", "DelaySeconds", "MaximumMessageSize",
}

// queue resolves a queue and has Options.Queue create it, once.
func (l *loader) queue(id string) (*Queue, error) {
	if q, ok := l.queues[id]; ok {
		return q, nil
	}
	if l.busy[id] {
		return nil, &Error{Resource: id, Reason: "circular reference between queues", Err: ErrInvalid}
	}
	l.busy[id] = true
	defer delete(l.busy, id)
	r, _ := l.doc.Resources[id].(map[string]any)
	raw, err := properties(id, r)
	if err != nil {
		return nil, err
	}
	props, err := l.resourceProperties(id, raw, queueProperties, queueNoop)
	if err != nil {
		return nil, err
	}
	q := &Queue{LogicalID: id, Attributes: map[string]string{}, Tags: map[string]string{}}
	if v, ok := props["FifoQueue"]; ok {
		fifo, err := strconv.ParseBool(str(v))
		if err != nil {
			return nil, invalidProperty(id, "FifoQueue", "FifoQueue %q is not a boolean", str(v))
		}
		q.FIFO = fifo
		if fifo {
			q.Attributes["FifoQueue"] = "true"
		}
	}
	q.Name = str(props["QueueName"])
	if q.Name == "" {
		// CloudFormation would generate a unique name; locally the logical
		// ID keeps URLs readable.
		q.Name = id
		if q.FIFO {
			q.Name += ".fifo"
		}
	}
	if q.FIFO != strings.HasSuffix(q.Name, ".fifo") {
		return nil, invalidProperty(id, "QueueName", "a FIFO queue's name must end in .fifo, and only a FIFO queue's may (%q)", q.Name)
	}
	for _, a := range numericQueueAttributes {
		if v, ok := props[a]; ok {
			if _, err := strconv.Atoi(str(v)); err != nil {
				return nil, invalidProperty(id, a, "%s %q is not an integer", a, str(v))
			}
			q.Attributes[a] = str(v)
		}
	}
	for _, a := range []string{"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"} {
		if v, ok := props[a]; ok {
			if !q.FIFO {
				return nil, invalidProperty(id, a, "%s applies to FIFO queues only", a)
			}
			q.Attributes[a] = str(v)
		}
	}
	if v, ok := props["RedrivePolicy"]; ok {
		policy, err := redrivePolicy(v)
		if err != nil {
			return nil, invalidProperty(id, "RedrivePolicy", "%v", err)
		}
		q.Attributes["RedrivePolicy"] = policy
	}
	if v, ok := props["RedriveAllowPolicy"]; ok {
		policy, err := jsonAttribute(v)
		if err != nil {
			return nil, invalidProperty(id, "RedriveAllowPolicy", "%v", err)
		}
		q.Attributes["RedriveAllowPolicy"] = policy
	}
	if v, ok := props["Tags"]; ok {
		tags, ok := v.([]any)
		if !ok {
			return nil, invalidProperty(id, "Tags", "Tags is not a list of Key/Value")
		}
		for _, t := range tags {
			m, _ := t.(map[string]any)
			q.Tags[str(m["Key"])] = str(m["Value"])
		}
	}
	q.URL, q.ARN, err = l.opts.Queue(q)
	if err != nil {
		return nil, &Error{Resource: id, Reason: "create queue " + q.Name + ": " + err.Error(), Err: ErrUnsupported}
	}
	l.queues[id] = q
	l.app.Queues = append(l.app.Queues, q)
	return q, nil
}

// redrivePolicy renders a RedrivePolicy as the JSON string SQS takes, with
// maxReceiveCount as a number.
func redrivePolicy(v any) (string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		if s, isString := v.(string); isString {
			if err := json.Unmarshal([]byte(s), &m); err != nil {
				return "", err
			}
		} else {
			return "", errNotObject
		}
	}
	target := str(m["deadLetterTargetArn"])
	count, err := strconv.Atoi(str(m["maxReceiveCount"]))
	if target == "" || err != nil || count < 1 {
		return "", errRedrive
	}
	b, err := json.Marshal(map[string]any{"deadLetterTargetArn": target, "maxReceiveCount": count})
	return string(b), err
}

func jsonAttribute(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	if _, ok := v.(map[string]any); !ok {
		return "", errNotObject
	}
	b, err := json.Marshal(v)
	return string(b), err
}

type reason string

func (r reason) Error() string { return string(r) }

const (
	errNotObject = reason("expected an object or a JSON string")
	errRedrive   = reason("RedrivePolicy needs deadLetterTargetArn and a positive maxReceiveCount")
)
