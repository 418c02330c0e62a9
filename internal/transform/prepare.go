package transform

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// prepare decodes and checks every item and wraps each in its envelope.
// Nothing is sent unless every item passes, so a request is rejected as a
// whole, by the first failing check in this order: malformed items and
// repeated ids (400), then messages SQS would refuse (413, 400), then the
// schema (422), whose failures are all listed.
//
// Items are independent and this is the CPU work of a request, so large
// batches are split across the available CPUs (Lambda gives more than one
// from 1,769 MB); a compiled schema is safe for concurrent use.
func (h *Handler) prepare(in *input, c Caller, now time.Time) ([]Message, error) {
	n := in.len()
	env := newEnvelopeWriter(h.source, now.UTC().Format(time.RFC3339Nano), c)
	msgs := make([]Message, n)
	producerIDs := make([]string, n)
	workers, chunk := split(n, runtime.GOMAXPROCS(0))
	// Per worker: the first malformed item, the first message SQS would
	// refuse, and the schema violations, each in item order.
	malformed, refused := make([]error, workers), make([]error, workers)
	violations := make([][]ItemError, workers)
	failing := make([]int, workers)
	work := func(w int) {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		var attrs map[string]sqsmsg.Attribute
		for i := lo; i < hi; i++ {
			it, doc, err := in.item(i)
			if err != nil {
				malformed[w] = err
				return
			}
			producerIDs[i] = it.ID
			id := it.ID
			if id == "" {
				id = h.newID()
			}
			body := env.write(id, it.Type, it.Data)
			if attrs == nil || attrs[AttributeType].StringValue != it.Type {
				// Read-only once built, so items of one type share it.
				attrs = map[string]sqsmsg.Attribute{
					AttributeType:   {DataType: "String", StringValue: it.Type},
					AttributeSource: {DataType: "String", StringValue: h.source},
				}
			}
			m := Message{Index: i, ID: id, Body: body, Attributes: attrs, Size: sqsmsg.MessageSize(body, attrs)}
			if h.fifo {
				m.GroupID, m.DeduplicationID = c.Subject, id
			}
			msgs[i] = m
			if refused[w] != nil {
				continue
			}
			if m.Size > sqsmsg.MaxMessageBytes {
				refused[w] = &ItemError{Index: i, Message: fmt.Sprintf("the enveloped message would be %d bytes; SQS accepts at most %d", m.Size, sqsmsg.MaxMessageBytes), Err: ErrItemTooLarge}
				continue
			}
			if sqsmsg.ValidateBody(body) != nil {
				refused[w] = &ItemError{Index: i, Message: "the event contains a character SQS does not accept (e.g. U+FFFE or invalid UTF-8)", Err: ErrInvalidCharacters}
				continue
			}
			vs := h.schema.Validate(doc)
			if len(vs) > 0 {
				failing[w]++
			}
			for _, v := range vs {
				if len(violations[w]) < maxReportedErrors {
					violations[w] = append(violations[w], ItemError{Index: i, Pointer: v.Pointer, Rule: v.Rule, Message: v.Message, Err: ErrValidation})
				}
			}
		}
	}
	if workers == 1 {
		work(0) // no goroutine for a single event or a small batch
	} else {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() { work(w) })
		}
		wg.Wait()
	}

	// Chunks are in item order, so the first error found is the first item's.
	for _, err := range malformed {
		if err != nil {
			return nil, err
		}
	}
	seen := make(map[string]int)
	for i, id := range producerIDs {
		if id == "" {
			continue
		}
		if j, dup := seen[id]; dup {
			return nil, &ItemError{Index: i, Pointer: "/id", Message: fmt.Sprintf("id repeats the id of item %d", j), Err: ErrInvalidItem}
		}
		seen[id] = i
	}
	for _, err := range refused {
		if err != nil {
			return nil, err
		}
	}
	var invalid []ItemError
	for _, v := range violations {
		invalid = append(invalid, v...)
	}
	if len(invalid) > 0 {
		invalid = invalid[:min(len(invalid), maxReportedErrors)]
		msg := fmt.Sprintf("%d item(s) do not match the %q schema; nothing was sent", sum(failing), h.schema.Name())
		return nil, &RequestError{Err: ErrValidation, Message: msg, Items: invalid}
	}
	return msgs, nil
}

// minItemsPerWorker keeps small requests on one goroutine, where starting
// more would cost more than it saves.
const minItemsPerWorker = 64

// split shares n items among at most procs goroutines, one more for every
// minItemsPerWorker items, in contiguous chunks of at most chunk items.
func split(n, procs int) (workers, chunk int) {
	workers = min(procs, 1+n/minItemsPerWorker)
	return workers, (n + workers - 1) / workers
}

func sum(ns []int) int {
	t := 0
	for _, n := range ns {
		t += n
	}
	return t
}
