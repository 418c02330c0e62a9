// Tags and permissions: TagQueue, UntagQueue and ListQueueTags.

package sqsendpoint

import "maps"

func (s *Server) opTagQueue(c *call) (any, error) {
	var in tagQueueInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errMissingParameter("Tags")
	}
	return nil, s.tagQueue(q, in.Tags)
}

func (s *Server) opUntagQueue(c *call) (any, error) {
	var in untagQueueInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, errMissingParameter("TagKeys")
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

func (s *Server) tagQueue(q *queue, tags map[string]string) error {
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 {
			return errInvalidParameterValue("Tag keys must be 1-128 characters and values at most 256 characters.")
		}
	}
	q.mu.Lock()
	merged := maps.Clone(q.tags)
	maps.Copy(merged, tags)
	if len(merged) > maxTags {
		q.mu.Unlock()
		return errInvalidParameterValue("Too many tags added for queue %s.", q.name)
	}
	q.tags = merged
	c := s.store.write(0, op{kind: opPutQueue, queue: q.name, value: q.meta()})
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
	c := s.store.write(0, op{kind: opPutQueue, queue: q.name, value: q.meta()})
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
