package sqsendpoint

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// Queue attribute names SQS lets a caller set, with their ranges.
type intRange struct{ min, max int }

var intAttributes = map[string]intRange{
	"DelaySeconds":                  {0, 900},
	"MaximumMessageSize":            {1024, sqsmsg.MaxMessageBytes},
	"MessageRetentionPeriod":        {60, 1209600},
	"ReceiveMessageWaitTimeSeconds": {0, 20},
	"VisibilityTimeout":             {0, 43200},
	"KmsDataKeyReusePeriodSeconds":  {60, 86400},
}

// Defaults SQS applies when a queue is created without the attribute.
var defaultAttributes = map[string]string{
	"DelaySeconds":                  "0",
	"MaximumMessageSize":            strconv.Itoa(sqsmsg.MaxMessageBytes),
	"MessageRetentionPeriod":        "345600",
	"ReceiveMessageWaitTimeSeconds": "0",
	"VisibilityTimeout":             "30",
	"SqsManagedSseEnabled":          "true",
}

var fifoDefaults = map[string]string{
	"FifoQueue":                 "true",
	"ContentBasedDeduplication": "false",
	"DeduplicationScope":        "queue",
	"FifoThroughputLimit":       "perQueue",
}

// Attributes GetQueueAttributes computes rather than stores.
var computedAttributes = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
	"CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
}

var queueNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

const (
	fifoSuffix        = ".fifo"
	dedupWindow       = 5 * time.Minute
	deleteQuietPeriod = 60 * time.Second
	purgeQuietPeriod  = 60 * time.Second
	maxTags           = 50
)

func validateQueueName(name string, fifo bool) *Error {
	base := name
	if fifo {
		if !strings.HasSuffix(name, fifoSuffix) {
			return errInvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		base = strings.TrimSuffix(name, fifoSuffix)
	}
	if len(name) > 80 || !queueNamePattern.MatchString(base) {
		return errInvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	return nil
}

type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

type redriveAllowPolicy struct {
	RedrivePermission string   `json:"redrivePermission"`
	SourceQueueArns   []string `json:"sourceQueueArns,omitempty"`
}

// queueConfig is a queue's validated settings, derived from its attribute
// strings.
type queueConfig struct {
	fifo            bool
	contentDedup    bool
	dedupByGroup    bool
	delay           time.Duration
	visibility      time.Duration
	retention       time.Duration
	wait            time.Duration
	maxMessageBytes int
	redrive         *redrivePolicy
	redriveAllow    *redriveAllowPolicy
}

// validateAttributes checks every attribute a caller set (create or set)
// and returns them in SQS's canonical string form.
func validateAttributes(attrs map[string]string, fifo, creating bool) (map[string]string, *Error) {
	out := make(map[string]string, len(attrs))
	for name, value := range attrs {
		if r, ok := intAttributes[name]; ok {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < r.min || n > r.max {
				return nil, errInvalidAttributeValue(name, "must be an integer between "+strconv.Itoa(r.min)+" and "+strconv.Itoa(r.max)+".")
			}
			out[name] = strconv.Itoa(n)
			continue
		}
		switch name {
		case "Policy":
			if value == "" {
				out[name] = ""
				continue
			}
			// SQS returns a policy as compact JSON, whatever the spacing
			// it was set with.
			var b bytes.Buffer
			if json.Compact(&b, []byte(value)) != nil {
				return nil, errInvalidAttributeValue(name, "the policy is not valid JSON.")
			}
			out[name] = b.String()
		case "KmsMasterKeyId":
			out[name] = value
		case "SqsManagedSseEnabled":
			b, err := parseBool(value)
			if err != nil {
				return nil, errInvalidAttributeValue(name, "must be true or false.")
			}
			out[name] = strconv.FormatBool(b)
		case "FifoQueue":
			// Recorded from AWS (LocalStack's AWS-validated
			// test_create_standard_queue_with_fifo_attribute_raises_error and
			// test_set_unsupported_attribute_*): a standard queue does not
			// know the attribute, even as "false", and a FIFO queue can be
			// told it is one but cannot change type.
			if !fifo {
				return nil, errInvalidAttributeName(name)
			}
			b, err := parseBool(value)
			if err != nil {
				return nil, errInvalidAttributeValue(name, "must be true or false.")
			}
			if !b {
				return nil, errInvalidAttributeValue(name, "Modifying queue type is not supported.")
			}
			if creating {
				out[name] = "true"
			}
		case "ContentBasedDeduplication":
			if !fifo {
				return nil, errInvalidAttributeName(name)
			}
			b, err := parseBool(value)
			if err != nil {
				return nil, errInvalidAttributeValue(name, "must be true or false.")
			}
			out[name] = strconv.FormatBool(b)
		case "DeduplicationScope":
			if !fifo {
				return nil, errFIFOOnlyAttribute(name)
			}
			if value != "queue" && value != "messageGroup" {
				return nil, errInvalidAttributeValue(name, "must be queue or messageGroup.")
			}
			out[name] = value
		case "FifoThroughputLimit":
			if !fifo {
				return nil, errFIFOOnlyAttribute(name)
			}
			if value != "perQueue" && value != "perMessageGroupId" {
				return nil, errInvalidAttributeValue(name, "must be perQueue or perMessageGroupId.")
			}
			out[name] = value
		case "RedrivePolicy":
			if value == "" {
				out[name] = ""
				continue
			}
			p, err := parseRedrivePolicy(value)
			if err != nil {
				return nil, err
			}
			b, _ := json.Marshal(p)
			out[name] = string(b)
		case "RedriveAllowPolicy":
			if value == "" {
				out[name] = ""
				continue
			}
			p, err := parseRedriveAllowPolicy(value)
			if err != nil {
				return nil, err
			}
			b, _ := json.Marshal(p)
			out[name] = string(b)
		default:
			return nil, errInvalidAttributeName(name)
		}
	}
	if out["DeduplicationScope"] == "messageGroup" && out["FifoThroughputLimit"] == "perQueue" {
		return nil, errInvalidAttributeValue("FifoThroughputLimit", "perQueue is not valid when DeduplicationScope is messageGroup.")
	}
	return out, nil
}

func parseRedrivePolicy(value string) (*redrivePolicy, *Error) {
	// SQS accepts maxReceiveCount as a number or a numeric string.
	var raw struct {
		DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(value), &raw); err != nil {
		return nil, errInvalidAttributeValue("RedrivePolicy", "Redrive policy is not a valid JSON map.")
	}
	if raw.DeadLetterTargetArn == "" {
		return nil, errInvalidAttributeValue("RedrivePolicy", "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	}
	if len(raw.MaxReceiveCount) == 0 {
		return nil, errInvalidAttributeValue("RedrivePolicy", "Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	}
	n, err := strconv.Atoi(strings.Trim(string(raw.MaxReceiveCount), `"`))
	if err != nil || n < 1 || n > 1000 {
		return nil, errInvalidAttributeValue("RedrivePolicy", "Value for parameter maxReceiveCount must be an integer between 1 and 1000.")
	}
	return &redrivePolicy{DeadLetterTargetArn: raw.DeadLetterTargetArn, MaxReceiveCount: n}, nil
}

func parseRedriveAllowPolicy(value string) (*redriveAllowPolicy, *Error) {
	var p redriveAllowPolicy
	if err := json.Unmarshal([]byte(value), &p); err != nil {
		return nil, errInvalidAttributeValue("RedriveAllowPolicy", "not a valid JSON map.")
	}
	switch p.RedrivePermission {
	case "allowAll", "denyAll":
		if len(p.SourceQueueArns) > 0 {
			return nil, errInvalidAttributeValue("RedriveAllowPolicy", "sourceQueueArns is only valid with redrivePermission byQueue.")
		}
	case "byQueue":
		if len(p.SourceQueueArns) == 0 || len(p.SourceQueueArns) > 10 {
			return nil, errInvalidAttributeValue("RedriveAllowPolicy", "byQueue needs 1 to 10 sourceQueueArns.")
		}
	default:
		return nil, errInvalidAttributeValue("RedriveAllowPolicy", "redrivePermission must be allowAll, denyAll or byQueue.")
	}
	return &p, nil
}

func (p *redriveAllowPolicy) allows(sourceARN string) bool {
	if p == nil {
		return true
	}
	switch p.RedrivePermission {
	case "denyAll":
		return false
	case "byQueue":
		for _, a := range p.SourceQueueArns {
			if a == sourceARN {
				return true
			}
		}
		return false
	}
	return true
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, strconv.ErrSyntax
}

// configFromAttributes derives the settings from canonical attributes.
func configFromAttributes(attrs map[string]string) queueConfig {
	seconds := func(name string) time.Duration {
		n, _ := strconv.Atoi(attrs[name])
		return time.Duration(n) * time.Second
	}
	c := queueConfig{
		fifo:         attrs["FifoQueue"] == "true",
		contentDedup: attrs["ContentBasedDeduplication"] == "true",
		dedupByGroup: attrs["DeduplicationScope"] == "messageGroup",
		delay:        seconds("DelaySeconds"),
		visibility:   seconds("VisibilityTimeout"),
		retention:    seconds("MessageRetentionPeriod"),
		wait:         seconds("ReceiveMessageWaitTimeSeconds"),
	}
	c.maxMessageBytes, _ = strconv.Atoi(attrs["MaximumMessageSize"])
	if v := attrs["RedrivePolicy"]; v != "" {
		c.redrive, _ = parseRedrivePolicy(v)
	}
	if v := attrs["RedriveAllowPolicy"]; v != "" {
		c.redriveAllow, _ = parseRedriveAllowPolicy(v)
	}
	return c
}

// queueMeta is the persisted form of a queue.
type queueMeta struct {
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes"`
	Tags       map[string]string `json:"tags,omitempty"`
	Created    int64             `json:"created"`
	Modified   int64             `json:"modified"`
}

// queue is one queue's state. mu guards everything below it. Server.mu
// is never taken while mu is held (the registry is read without it), and
// no other queue's lock is taken either: moves between queues release the
// source's lock before taking the destination's.
type queue struct {
	name   string
	region string
	key    string // in the registry and the store: Server.key
	arn    string
	fifo   bool // fixed at creation

	mu        sync.Mutex
	attrs     map[string]string
	cfg       queueConfig
	tags      map[string]string
	created   time.Time
	modified  time.Time
	lastPurge time.Time
	deleted   bool

	byID     map[string]*message
	ready    messageHeap               // standard queues: every message, earliest visible first
	groups   map[string]*fifoGroup     // FIFO queues: messages per group, in order
	order    []*fifoGroup              // FIFO groups in the order they appeared
	dedup    map[string]dedupRecord    // FIFO deduplication window
	attempts map[string]receiveAttempt // FIFO ReceiveRequestAttemptIds
	// changed is closed (and replaced) whenever a message may have become
	// receivable, waking long polls.
	changed chan struct{}
}

type fifoGroup struct {
	id   string
	msgs []*message
}

type dedupRecord struct {
	Key       string `json:"key"`
	MessageID string `json:"messageId"`
	Seq       uint64 `json:"seq"`
	Expires   int64  `json:"expires"`
}

func newQueue(name, arn string, attrs, tags map[string]string, now time.Time) *queue {
	q := &queue{
		name: name, arn: arn, fifo: attrs["FifoQueue"] == "true",
		key: name, attrs: attrs, cfg: configFromAttributes(attrs), tags: tags,
		created: now, modified: now,
		byID:     map[string]*message{},
		groups:   map[string]*fifoGroup{},
		dedup:    map[string]dedupRecord{},
		attempts: map[string]receiveAttempt{},
		changed:  make(chan struct{}),
	}
	if q.tags == nil {
		q.tags = map[string]string{}
	}
	return q
}

func (q *queue) meta() []byte {
	b, _ := json.Marshal(queueMeta{
		Name: q.name, Attributes: q.attrs, Tags: q.tags,
		Created: q.created.UnixMilli(), Modified: q.modified.UnixMilli(),
	})
	return b
}

// notify wakes every long poll waiting on q. Callers hold q.mu.
func (q *queue) notify() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// attributesWithDefaults gives the attributes SQS reports for the queue.
func defaultsFor(fifo bool) map[string]string {
	d := maps.Clone(defaultAttributes)
	if fifo {
		maps.Copy(d, fifoDefaults)
	}
	return d
}
