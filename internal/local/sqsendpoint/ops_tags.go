// Tags and permissions: TagQueue, UntagQueue, ListQueueTags, AddPermission
// and RemovePermission.

package sqsendpoint

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"sort"
)

func (s *Server) opTagQueue(c *call) (any, error) {
	var in tagQueueInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errMissingParameter("Tags")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.tagQueue(q, in.Tags)
}

func (s *Server) opUntagQueue(c *call) (any, error) {
	var in untagQueueInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	// No keys at all is an invalid value, not a missing parameter: moto's
	// and AWS's answer.
	if len(in.TagKeys) == 0 {
		return nil, errInvalidParameterValue("Tag keys must be between 1 and 128 characters in length.")
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.untagQueue(q, in.TagKeys)
}

func (s *Server) opListQueueTags(c *call) (any, error) {
	var in queueURLInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &listQueueTagsOutput{Tags: s.listQueueTags(q)}, nil
}

func checkTags(tags map[string]string) *Error {
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 {
			return errInvalidParameterValue("Tag keys must be between 1 and 128 characters in length, and values at most 256.")
		}
	}
	return nil
}

func (s *Server) tagQueue(q *queue, tags map[string]string) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	q.mu.Lock()
	merged := maps.Clone(q.tags)
	maps.Copy(merged, tags)
	if len(merged) > maxTags {
		q.mu.Unlock()
		return errInvalidParameterValue("Too many tags added for queue %s.", q.name)
	}
	q.tags = merged
	c := s.store.write(0, op{kind: opPutQueue, queue: q.key, value: q.meta()})
	q.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

func (s *Server) untagQueue(q *queue, keys []string) error {
	q.mu.Lock()
	for _, k := range keys {
		delete(q.tags, k)
	}
	c := s.store.write(0, op{kind: opPutQueue, queue: q.key, value: q.meta()})
	q.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

func (s *Server) listQueueTags(q *queue) map[string]string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return maps.Clone(q.tags)
}

// AddPermission and RemovePermission edit the queue's Policy attribute, as
// on AWS (API Reference, AddPermission: "AddPermission generates a policy
// for you"). The statement's shape, the policy's Version and Id and the
// errors for a label that exists or is missing are as AWS answers them
// (recorded in LocalStack's AWS-validated test_sqs_permission_lifecycle).
// Policies are stored, not enforced (see the package doc).

// permissionActions are the actions AddPermission may grant: the
// per-queue ones (moto's list; AWS lets only the queue's owner call the
// others), or "*".
var permissionActions = map[string]bool{
	"*": true, "ChangeMessageVisibility": true, "DeleteMessage": true, "GetQueueAttributes": true,
	"GetQueueUrl": true, "ListDeadLetterSourceQueues": true, "PurgeQueue": true, "ReceiveMessage": true,
	"SendMessage": true,
}

var (
	labelPattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
)

// maxPolicyActions: "An Amazon SQS policy can have a maximum of seven
// actions per statement" (API Reference, AddPermission).
const maxPolicyActions = 7

func (s *Server) opAddPermission(c *call) (any, error) {
	var in addPermissionInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.editPolicy(q, func(p *policyDocument) *Error {
		if p.has(in.Label) {
			return errInvalidParameterValue("Value %s for parameter Label is invalid. Reason: Already exists.", in.Label)
		}
		p.add(permissionStatement(q.arn, in.Label, in.AWSAccountIds, in.Actions))
		return nil
	})
}

func (in *addPermissionInput) check() *Error {
	switch {
	case in.Label == "":
		return errMissingParameter("Label")
	case len(in.AWSAccountIds) == 0:
		return errMissingParameter("AWSAccountIds")
	case len(in.Actions) == 0:
		return errMissingParameter("Actions")
	case len(in.Actions) > maxPolicyActions:
		return errOverLimit("%d Actions were found, maximum allowed is %d.", len(in.Actions), maxPolicyActions)
	case !labelPattern.MatchString(in.Label):
		return errInvalidParameterValue("Value %s for parameter Label is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.", truncate(in.Label, maxEchoed))
	}
	for _, id := range in.AWSAccountIds {
		// "AddPermission does not support adding a non-account principal."
		if !accountPattern.MatchString(id) {
			return errInvalidParameterValue("Value [%s] for parameter PrincipalId is invalid. Reason: Unable to verify.", truncate(id, 64))
		}
	}
	for _, a := range in.Actions {
		if !permissionActions[a] {
			return errInvalidParameterValue("Value SQS:%s for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.", truncate(a, 64))
		}
	}
	return nil
}

func (s *Server) opRemovePermission(c *call) (any, error) {
	var in removePermissionInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Label == "" {
		return nil, errMissingParameter("Label")
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.editPolicy(q, func(p *policyDocument) *Error {
		if !p.remove(in.Label) {
			return errInvalidParameterValue("Value %s for parameter Label is invalid. Reason: can't find label.", truncate(in.Label, maxEchoed))
		}
		return nil
	})
}

// editPolicy applies edit to the queue's policy (a default one if it has
// none) and stores the result; a policy left without statements is removed,
// as AWS removes it.
func (s *Server) editPolicy(q *queue, edit func(*policyDocument) *Error) error {
	q.mu.Lock()
	p, err := parsePolicy(q.attrs["Policy"], q.arn)
	if err == nil {
		err = edit(p)
	}
	if err != nil {
		q.mu.Unlock()
		return err
	}
	if len(p.statements) == 0 {
		delete(q.attrs, "Policy")
	} else {
		q.attrs["Policy"] = p.encode()
	}
	q.modified = s.now()
	c := s.store.write(0, op{kind: opPutQueue, queue: q.key, value: q.meta()})
	q.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

// policyDocument is a queue policy edited statement by statement; members
// other than Version, Id and Statement are kept as they were.
type policyDocument struct {
	version, id string
	statements  []json.RawMessage
	rest        map[string]json.RawMessage
}

func parsePolicy(policy, queueARN string) (*policyDocument, *Error) {
	// The policy AWS generates for a queue without one (LocalStack's
	// AWS-validated recording: Version 2008-10-17, Id <arn>/SQSDefaultPolicy).
	p := &policyDocument{version: "2008-10-17", id: queueARN + "/SQSDefaultPolicy", rest: map[string]json.RawMessage{}}
	if policy == "" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(policy), &p.rest); err != nil {
		return nil, errInvalidAttributeValue("Policy", "the policy is not valid JSON.")
	}
	for key, target := range map[string]*string{"Version": &p.version, "Id": &p.id} {
		if raw, ok := p.rest[key]; ok {
			_ = json.Unmarshal(raw, target)
			delete(p.rest, key)
		}
	}
	if raw, ok := p.rest["Statement"]; ok {
		if json.Unmarshal(raw, &p.statements) != nil {
			// A single statement may be written as an object.
			p.statements = []json.RawMessage{raw}
		}
		delete(p.rest, "Statement")
	}
	return p, nil
}

func (p *policyDocument) sid(st json.RawMessage) string {
	var s struct{ Sid string }
	_ = json.Unmarshal(st, &s)
	return s.Sid
}

func (p *policyDocument) has(label string) bool {
	for _, st := range p.statements {
		if p.sid(st) == label {
			return true
		}
	}
	return false
}

func (p *policyDocument) add(st json.RawMessage) { p.statements = append(p.statements, st) }

func (p *policyDocument) remove(label string) bool {
	kept := p.statements[:0]
	for _, st := range p.statements {
		if p.sid(st) != label {
			kept = append(kept, st)
		}
	}
	removed := len(kept) < len(p.statements)
	p.statements = kept
	return removed
}

// encode writes the policy as compact JSON: Version, Id, Statement, then
// any other members in name order.
func (p *policyDocument) encode() string {
	var b bytes.Buffer
	b.WriteString(`{"Version":`)
	writeJSON(&b, p.version)
	b.WriteString(`,"Id":`)
	writeJSON(&b, p.id)
	b.WriteString(`,"Statement":`)
	writeJSON(&b, p.statements)
	for _, k := range sortedRawKeys(p.rest) {
		b.WriteByte(',')
		writeJSON(&b, k)
		b.WriteByte(':')
		_ = json.Compact(&b, p.rest[k])
	}
	b.WriteByte('}')
	return b.String()
}

func writeJSON(b *bytes.Buffer, v any) {
	out, _ := json.Marshal(v)
	_ = json.Compact(b, out)
}

func sortedRawKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// permissionStatement is the statement AddPermission adds: one principal
// or action is a string, several a list.
func permissionStatement(queueARN, label string, accounts, actions []string) json.RawMessage {
	principals := make([]string, len(accounts))
	for i, a := range accounts {
		principals[i] = "arn:aws:iam::" + a + ":root"
	}
	qualified := make([]string, len(actions))
	for i, a := range actions {
		qualified[i] = "SQS:" + a
	}
	oneOrMany := func(v []string) any {
		if len(v) == 1 {
			return v[0]
		}
		return v
	}
	st := struct {
		Sid       string
		Effect    string
		Principal struct{ AWS any }
		Action    any
		Resource  string
	}{Sid: label, Effect: "Allow", Action: oneOrMany(qualified), Resource: queueARN}
	st.Principal.AWS = oneOrMany(principals)
	b, _ := json.Marshal(st)
	return b
}
