package transform

import "encoding/json"

// planCalls groups the messages into the calls that will send them: Pack's
// SendMessageBatch calls for the batch route, one SendMessage call for the
// single route.
func planCalls(msgs []Message, batch bool) [][]int {
	if !batch {
		return [][]int{{0}}
	}
	sizes := make([]int, len(msgs))
	for i := range msgs {
		sizes[i] = msgs[i].Size
	}
	return Pack(sizes)
}

// A dry run (?VALIDATE_ONLY=true) answers with the planned calls, each
// entry with its envelope, and sends nothing.

// PlanBody is the dry-run response: the SQS calls that would be made.
type PlanBody struct {
	ValidateOnly bool          `json:"validateOnly"`
	Calls        []PlannedCall `json:"calls"`
}

// PlannedCall is one SendMessage or SendMessageBatch call of a dry run.
type PlannedCall struct {
	Action  string         `json:"action"`
	Entries []PlannedEntry `json:"entries"`
}

// PlannedEntry is one message of a dry run, with the envelope as JSON.
type PlannedEntry struct {
	Index                  int               `json:"index"`
	ID                     string            `json:"id"`
	Size                   int               `json:"size"`
	MessageAttributes      map[string]string `json:"messageAttributes"`
	MessageGroupID         string            `json:"messageGroupId,omitempty"`
	MessageDeduplicationID string            `json:"messageDeduplicationId,omitempty"`
	Body                   json.RawMessage   `json:"body"`
}

func (h *Handler) plan(msgs []Message, calls [][]int, batch bool) PlanBody {
	action := "SendMessageBatch"
	if !batch {
		action = "SendMessage"
	}
	body := PlanBody{ValidateOnly: true, Calls: make([]PlannedCall, 0, len(calls))}
	for _, call := range calls {
		pc := PlannedCall{Action: action}
		for _, i := range call {
			m := &msgs[i]
			attrs := make(map[string]string, len(m.Attributes))
			for name, a := range m.Attributes {
				attrs[name] = a.StringValue
			}
			pc.Entries = append(pc.Entries, PlannedEntry{
				Index: m.Index, ID: m.ID, Size: m.Size, MessageAttributes: attrs,
				MessageGroupID: m.GroupID, MessageDeduplicationID: m.DeduplicationID,
				Body: json.RawMessage(m.Body),
			})
		}
		body.Calls = append(body.Calls, pc)
	}
	return body
}
