// Queue operations: CreateQueue, GetQueueUrl, ListQueues,
// GetQueueAttributes, SetQueueAttributes, DeleteQueue, PurgeQueue and
// ListDeadLetterSourceQueues, and EnsureQueue for declared queues.

package sqsendpoint

import (
	"errors"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (s *Server) opCreateQueue(c *call) (any, error) {
	var in createQueueInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	q, err := s.createQueue(c.region, in.QueueName, in.Attributes, in.Tags)
	if err != nil {
		return nil, err
	}
	return &queueURLOutput{QueueUrl: s.queueURL(c.host, q.name)}, nil
}

func (s *Server) opGetQueueURL(c *call) (any, error) {
	var in getQueueURLInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.QueueName == "" {
		return nil, errMissingParameter("QueueName")
	}
	if in.QueueOwnerAWSAccountId != "" && in.QueueOwnerAWSAccountId != s.accountID {
		return nil, errQueueDoesNotExist()
	}
	q, err := s.queueIn(c.region, in.QueueName)
	if err != nil {
		return nil, err
	}
	return &queueURLOutput{QueueUrl: s.queueURL(c.host, q.name)}, nil
}

func (s *Server) opListQueues(c *call) (any, error) {
	var in listQueuesInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	names, next, err := s.listQueues(c.region, in.QueueNamePrefix, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &listQueuesOutput{NextToken: next}
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, s.queueURL(c.host, n))
	}
	return out, nil
}

func (s *Server) opGetQueueAttributes(c *call) (any, error) {
	var in getQueueAttributesInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if err := checkAttributeNames(in.AttributeNames); err != nil {
		return nil, err
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	attrs, err := s.getQueueAttributes(q, in.AttributeNames)
	if err != nil {
		return nil, err
	}
	return &attributesOutput{Attributes: attrs}, nil
}

func (s *Server) opSetQueueAttributes(c *call) (any, error) {
	var in setQueueAttributesInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if len(in.Attributes) == 0 {
		return nil, errMissingParameter("Attributes")
	}
	for name := range in.Attributes {
		if !knownAttribute(name) || isComputed(name) {
			return nil, errInvalidAttributeName(name)
		}
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.setQueueAttributes(q, in.Attributes)
}

func (s *Server) opDeleteQueue(c *call) (any, error) {
	var in queueURLInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.deleteQueue(q)
}

func (s *Server) opPurgeQueue(c *call) (any, error) {
	var in queueURLInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.purgeQueue(q)
}

func (s *Server) opListDeadLetterSourceQueues(c *call) (any, error) {
	var in listDeadLetterSourceQueuesInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	names, next, err := s.deadLetterSources(q, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &listDeadLetterSourceQueuesOutput{QueueUrls: []string{}, NextToken: next}
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, s.queueURL(c.host, n))
	}
	return out, nil
}

// EnsureQueue creates the queue if it is missing and otherwise brings its
// attributes and tags to the given values, so a queue declared in a
// template follows the template across restarts of a durable store. It
// returns the queue's ARN. FifoQueue cannot change on an existing queue.
func (s *Server) EnsureQueue(name string, attributes, tags map[string]string) (string, error) {
	if v, ok := attributes["FifoQueue"]; ok && strings.EqualFold(strings.TrimSpace(v), "false") {
		// CloudFormation takes FifoQueue: false for a standard queue; the
		// API does not, so it is not passed on.
		attributes = maps.Clone(attributes)
		delete(attributes, "FifoQueue")
	}
	q, err := s.createQueue(s.region, name, attributes, tags)
	var e *Error
	if errors.As(err, &e) && e.Code == "QueueNameExists" {
		existing, qerr := s.queueIn(s.region, name)
		if qerr != nil {
			return "", qerr
		}
		if (attributes["FifoQueue"] == "true") != existing.fifo {
			return "", err
		}
		attrs := maps.Clone(attributes)
		delete(attrs, "FifoQueue")
		if err := s.setQueueAttributes(existing, attrs); err != nil {
			return "", err
		}
		if len(tags) > 0 {
			if err := s.tagQueue(existing, tags); err != nil {
				return "", err
			}
		}
		return existing.arn, nil
	}
	if err != nil {
		return "", err
	}
	return q.arn, nil
}

func (s *Server) createQueue(region, name string, attributes, tags map[string]string) (*queue, error) {
	// An empty name is an invalid name (InvalidParameterValue), as moto
	// and LocalStack answer; the name rules are validateQueueName's.
	fifo := false
	if v, ok := attributes["FifoQueue"]; ok {
		b, err := parseBool(v)
		if err != nil {
			return nil, errInvalidAttributeValue("FifoQueue", "must be true or false.")
		}
		fifo = b
	}
	if err := validateQueueName(name, fifo); err != nil {
		return nil, err
	}
	given, verr := validateAttributes(attributes, fifo, true)
	if verr != nil {
		return nil, verr
	}
	if len(tags) > maxTags {
		return nil, errInvalidParameterValue("Too many tags added for queue %s.", name)
	}
	attrs := defaultsFor(fifo)
	maps.Copy(attrs, given)
	for k, v := range attrs {
		if v == "" && (k == "RedrivePolicy" || k == "RedriveAllowPolicy" || k == "Policy") {
			delete(attrs, k)
		}
	}
	if err := s.checkRedrive(region, name, fifo, attrs["RedrivePolicy"]); err != nil {
		return nil, err
	}
	now := s.now()
	key := s.key(region, name)
	s.mu.Lock()
	if q := s.queues.get(key); q != nil {
		s.mu.Unlock()
		q.mu.Lock()
		differs := ""
		for _, k := range sortedKeys(given) {
			if q.attrs[k] != given[k] {
				differs = k
				break
			}
		}
		q.mu.Unlock()
		if differs != "" {
			return nil, errQueueNameExists(differs)
		}
		return q, nil
	}
	if t, ok := s.deletedAt[key]; ok && now.Sub(t) < deleteQuietPeriod {
		s.mu.Unlock()
		return nil, errQueueDeletedRecently()
	}
	q := s.newQueue(region, name, attrs, maps.Clone(tags), now)
	s.queues.put(key, q)
	c := s.store.write(0, op{kind: opPutQueue, queue: key, value: q.meta()})
	s.mu.Unlock()
	if err := c.wait(); err != nil {
		return nil, s.storeFailed(err)
	}
	return q, nil
}

// checkRedrive validates a RedrivePolicy against its dead-letter queue:
// it must exist, be of the same type, and its RedriveAllowPolicy must
// admit the source.
func (s *Server) checkRedrive(region, sourceName string, fifo bool, policy string) *Error {
	if policy == "" {
		return nil
	}
	p, err := parseRedrivePolicy(policy)
	if err != nil {
		return err
	}
	dlq := s.queueByARN(region, p.DeadLetterTargetArn)
	if dlq == nil {
		return errInvalidAttributeValue("RedrivePolicy", "Dead letter target does not exist.")
	}
	dlq.mu.Lock()
	dlqFIFO, allow := dlq.fifo, dlq.cfg.redriveAllow
	dlq.mu.Unlock()
	if dlqFIFO != fifo {
		return errInvalidAttributeValue("RedrivePolicy", "Dead-letter queue must be the same type of queue as the source.")
	}
	if !allow.allows(s.arn(region, sourceName)) {
		return errInvalidAttributeValue("RedrivePolicy", "Dead-letter queue's RedriveAllowPolicy does not allow this source queue.")
	}
	return nil
}

func (s *Server) setQueueAttributes(q *queue, attributes map[string]string) error {
	given, verr := validateAttributes(attributes, q.fifo, false)
	if verr != nil {
		return verr
	}
	if v, ok := given["RedrivePolicy"]; ok {
		if err := s.checkRedrive(q.region, q.name, q.fifo, v); err != nil {
			return err
		}
	}
	q.mu.Lock()
	for k, v := range given {
		if v == "" && (k == "RedrivePolicy" || k == "RedriveAllowPolicy" || k == "Policy") {
			delete(q.attrs, k)
			continue
		}
		q.attrs[k] = v
	}
	q.cfg = configFromAttributes(q.attrs)
	q.modified = s.now()
	c := s.store.write(0, op{kind: opPutQueue, queue: q.key, value: q.meta()})
	// A shorter delay may make messages receivable sooner for new sends;
	// wake long polls so they re-evaluate.
	q.notify()
	q.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

// knownAttribute reports whether SQS has a queue attribute called name.
func knownAttribute(name string) bool {
	if _, ok := intAttributes[name]; ok {
		return true
	}
	switch name {
	case "Policy", "KmsMasterKeyId", "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication",
		"DeduplicationScope", "FifoThroughputLimit", "RedrivePolicy", "RedriveAllowPolicy":
		return true
	}
	return isComputed(name)
}

func isComputed(name string) bool {
	for _, c := range computedAttributes {
		if c == name {
			return true
		}
	}
	return false
}

// checkAttributeNames validates GetQueueAttributes' names: "All" or
// attributes SQS has.
func checkAttributeNames(names []string) *Error {
	for _, n := range names {
		if n != "All" && !knownAttribute(n) {
			return errInvalidAttributeName(n)
		}
	}
	return nil
}

func (s *Server) getQueueAttributes(q *queue, names []string) (map[string]string, *Error) {
	if err := checkAttributeNames(names); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	all := false
	for _, n := range names {
		if n == "All" {
			all = true
			continue
		}
		want[n] = true
	}
	now := s.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	out := map[string]string{}
	for k, v := range q.attrs {
		if all || want[k] {
			out[k] = v
		}
	}
	visible, notVisible, delayed := q.counts(now)
	computed := map[string]string{
		"ApproximateNumberOfMessages":           strconv.Itoa(visible),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(notVisible),
		"ApproximateNumberOfMessagesDelayed":    strconv.Itoa(delayed),
		"CreatedTimestamp":                      strconv.FormatInt(q.created.Unix(), 10),
		"LastModifiedTimestamp":                 strconv.FormatInt(q.modified.Unix(), 10),
		"QueueArn":                              q.arn,
	}
	for k, v := range computed {
		if all || want[k] {
			out[k] = v
		}
	}
	return out, nil
}

func (s *Server) deleteQueue(q *queue) error {
	s.mu.Lock()
	if s.queues.get(q.key) != q {
		s.mu.Unlock()
		return errQueueDoesNotExist()
	}
	s.queues.remove(q.key)
	s.deletedAt[q.key] = s.now()
	q.mu.Lock()
	q.deleted = true
	q.notify()
	c := s.store.write(0, op{kind: opDeleteQueue, queue: q.key})
	q.mu.Unlock()
	s.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

func (s *Server) purgeQueue(q *queue) error {
	now := s.now()
	q.mu.Lock()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < purgeQuietPeriod {
		q.mu.Unlock()
		return errPurgeQueueInProgress(q.name)
	}
	q.lastPurge = now
	q.byID = map[string]*message{}
	q.ready = nil
	q.groups = map[string]*fifoGroup{}
	q.order = nil
	c := s.store.write(0, op{kind: opPurgeQueue, queue: q.key})
	q.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

// listQueues pages through the names of region's queues in order.
func (s *Server) listQueues(region, prefix, token string, maxResults *int) ([]string, string, *Error) {
	var names []string
	for _, q := range s.queues.all() {
		if q.region == region && strings.HasPrefix(q.name, prefix) {
			names = append(names, q.name)
		}
	}
	return page(names, token, maxResults)
}

func (s *Server) deadLetterSources(dlq *queue, token string, maxResults *int) ([]string, string, *Error) {
	var names []string
	for _, q := range s.queues.all() {
		if q.region != dlq.region {
			continue
		}
		q.mu.Lock()
		r := q.cfg.redrive
		q.mu.Unlock()
		if r != nil && r.DeadLetterTargetArn == dlq.arn {
			names = append(names, q.name)
		}
	}
	return page(names, token, maxResults)
}

// page applies the paging both list operations share: names sort, the
// page starts after the name NextToken holds and has at most MaxResults
// (default 1000) names. NextToken is the last name returned, and only a
// caller that set MaxResults is given one, as SQS does.
func page(names []string, token string, maxResults *int) ([]string, string, *Error) {
	limit := 1000
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > 1000 {
			return nil, "", errInvalidParameterValue("Value %d for parameter MaxResults is invalid. Reason: must be between 1 and 1000.", *maxResults)
		}
		limit = *maxResults
	}
	after := ""
	if token != "" {
		b, err := decodeToken(token)
		if err != nil {
			return nil, "", errInvalidParameterValue("Invalid NextToken value.")
		}
		after = b
	}
	sort.Strings(names)
	names = slices.DeleteFunc(names, func(name string) bool { return name <= after })
	next := ""
	if len(names) > limit {
		names = names[:limit]
		if maxResults != nil {
			next = encodeToken(names[limit-1])
		}
	}
	return names, next, nil
}

// Reset deletes every queue in every region, forgets recently deleted
// names and move tasks, and returns how many queues it deleted: a clean
// slate for test suites (POST /_sqsgate/reset). Receives waiting on a
// deleted queue answer QueueDoesNotExist.
func (s *Server) Reset() (int, error) {
	s.mu.Lock()
	all := s.queues.all()
	var ops []op
	s.queues.clear()
	for key, q := range all {
		q.mu.Lock()
		q.deleted = true
		q.notify()
		q.mu.Unlock()
		ops = append(ops, op{kind: opDeleteQueue, queue: key})
	}
	s.deletedAt = map[string]time.Time{}
	s.tasks = nil
	var c *commit
	if len(ops) > 0 {
		c = s.store.write(0, ops...)
	}
	s.mu.Unlock()
	s.log.Info("sqs reset", "queues", len(all))
	if err := c.wait(); err != nil {
		return 0, s.storeFailed(err)
	}
	return len(all), nil
}
