package sqsendpoint

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childDataDirEnv makes the test binary run as a bare endpoint process on
// that data dir, so a test can SIGKILL it mid-write and start it again.
const childDataDirEnv = "SQSENDPOINT_TEST_CHILD_DATA_DIR"

// childAddrDirEnv is where an in-memory child writes its address.
const childAddrDirEnv = "SQSENDPOINT_TEST_CHILD_ADDR_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDataDirEnv); dir != "" {
		os.Exit(runChild(dir))
	}
	os.Exit(m.Run())
}

// childInMemory as the child's data dir runs it without one.
const childInMemory = ":memory:"

func runChild(dir string) int {
	opts := Options{DataDir: dir}
	if dir == childInMemory {
		opts.DataDir = ""
	}
	if d := os.Getenv(childAddrDirEnv); d != "" {
		dir = d
	}
	s, err := New(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tmp := filepath.Join(dir, "addr.tmp")
	if err := os.WriteFile(tmp, []byte("http://"+l.Addr().String()), 0o600); err != nil {
		return 1
	}
	if err := os.Rename(tmp, filepath.Join(dir, "addr")); err != nil {
		return 1
	}
	_ = http.Serve(l, s)
	return 0
}

// startChild runs the endpoint in a child process on dir and returns its
// URL and the process.
func startChild(t testing.TB, dir string) (string, *exec.Cmd) {
	return startChildWith(t, dir, dir)
}

// startChildWith runs the child on dataDir (or childInMemory), writing its
// address into addrDir.
func startChildWith(t testing.TB, dataDir, dir string) (string, *exec.Cmd) {
	t.Helper()
	os.Remove(filepath.Join(dir, "addr"))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDataDirEnv+"="+dataDir, childAddrDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(dir, "addr")); err == nil {
			return string(b), cmd
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("child endpoint did not start")
	return "", nil
}

// deleteReceived receives what q offers and deletes the messages with
// the given body.
func deleteReceived(t *testing.T, c *sqs.Client, q, body string) {
	t.Helper()
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10})
	require.NoError(t, err)
	for _, m := range out.Messages {
		if aws.ToString(m.Body) == body {
			_, err = c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
}

// TestKillAndRestartLosesNoAcknowledgedMessage sends from many clients,
// SIGKILLs the endpoint mid-load, restarts it on the same data dir and
// checks that every message whose send was acknowledged is there, along
// with the queues, FIFO deduplication and messages that were in flight.
func TestKillAndRestartLosesNoAcknowledgedMessage(t *testing.T) {
	dir := t.TempDir()
	endpoint, cmd := startChild(t, dir)
	c := newClient(endpoint)
	q := createQueue(t, c, "durable", nil)
	fifo := createQueue(t, c, "durable.fifo", map[string]string{"FifoQueue": "true"})
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(fifo), MessageBody: aws.String("once"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
	require.NoError(t, err)
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("in-flight")})
	require.NoError(t, err)
	inFlight, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), VisibilityTimeout: 600})
	require.NoError(t, err)
	require.Len(t, inFlight.Messages, 1)
	// A deleted message must stay deleted.
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(fifo), MessageBody: aws.String("gone"), MessageGroupId: aws.String("h"), MessageDeduplicationId: aws.String("d2")})
	require.NoError(t, err)
	deleteReceived(t, c, fifo, "gone")

	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for p := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := newClient(endpoint)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("p%d-%d", p, i)
				if _, err := client.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(body)}); err != nil {
					return // the endpoint died: this send was never acknowledged
				}
				mu.Lock()
				acked[body] = true
				mu.Unlock()
			}
		}()
	}
	// Kill while the producers are mid-flight.
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	close(stop)
	wg.Wait()
	_, _ = cmd.Process.Wait()

	endpoint, _ = startChild(t, dir)
	c = newClient(endpoint)
	q = endpoint + "/000000000000/durable"
	fifo = endpoint + "/000000000000/durable.fifo"
	found := map[string]bool{}
	for {
		out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10, VisibilityTimeout: 600})
		require.NoError(t, err)
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			found[aws.ToString(m.Body)] = true
		}
	}
	missing := 0
	for body := range acked {
		if !found[body] {
			missing++
		}
	}
	assert.Zero(t, missing, "%d of %d acknowledged messages lost", missing, len(acked))
	assert.True(t, found["in-flight"], "a message in flight at the crash is visible again")
	t.Logf("%d acknowledged before the kill, %d found after restart", len(acked), len(found))

	// The deduplication record survived: the same id is still a duplicate.
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(fifo), MessageBody: aws.String("once"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
	require.NoError(t, err)
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(fifo), MaxNumberOfMessages: 10, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	require.NoError(t, err)
	var bodies []string
	for _, m := range out.Messages {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	assert.Equal(t, []string{"once"}, bodies, "one copy of the deduplicated message, and the deleted one stays deleted")
}

// TestRestartRestoresState closes and reopens a durable endpoint: queues
// with their attributes and tags, messages with their receive counts, and
// deletions all come back as they were.
func TestRestartRestoresState(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Options{DataDir: dir})
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	c := newClient(ts.URL)
	q := createQueue(t, c, "restart", map[string]string{"VisibilityTimeout": "0", "DelaySeconds": "0"})
	_, err = c.TagQueue(ctx(t), &sqs.TagQueueInput{QueueUrl: aws.String(q), Tags: map[string]string{"team": "ingest"}})
	require.NoError(t, err)
	for _, body := range []string{"kept", "deleted"} {
		_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(body)})
		require.NoError(t, err)
	}
	for range 2 {
		deleteReceived(t, c, q, "deleted")
	}
	ts.Close()
	require.NoError(t, s.Close())

	s, err = New(Options{DataDir: dir})
	require.NoError(t, err)
	ts = httptest.NewServer(s)
	defer func() { ts.Close(); s.Close() }()
	c = newClient(ts.URL)
	q = ts.URL + "/000000000000/restart"
	attrs, err := c.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q), AttributeNames: []types.QueueAttributeName{"All"}})
	require.NoError(t, err)
	assert.Equal(t, "0", attrs.Attributes["VisibilityTimeout"])
	assert.Equal(t, "1", attrs.Attributes["ApproximateNumberOfMessages"])
	tags, err := c.ListQueueTags(ctx(t), &sqs.ListQueueTagsInput{QueueUrl: aws.String(q)})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"team": "ingest"}, tags.Tags)
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1)
	assert.Equal(t, "kept", aws.ToString(out.Messages[0].Body))
	assert.Equal(t, "3", out.Messages[0].Attributes["ApproximateReceiveCount"], "receive counts survive a restart")
}

// openDurable starts an endpoint on dir; stop closes it as a clean
// shutdown does, so the next openDurable on dir is a restart.
func openDurable(t *testing.T, dir string) (s *Server, c *sqs.Client, url string, stop func()) {
	t.Helper()
	s, err := New(Options{DataDir: dir})
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			ts.Close()
			require.NoError(t, s.Close())
		}
	}
	t.Cleanup(stop)
	return s, newClient(ts.URL), ts.URL, stop
}

// TestMovedMessagesSurviveRestart: a message moved to its dead-letter queue
// and back by a move task keeps its body (read back from the log and
// written with the move) and attributes across restarts.
func TestMovedMessagesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	_, c, url, stop := openDurable(t, dir)
	dlq := createQueue(t, c, "dead", map[string]string{"VisibilityTimeout": "0"})
	src := createQueue(t, c, "live", map[string]string{
		"VisibilityTimeout": "0",
		"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":1}`,
	})
	body := strings.Repeat("<moved & kept>", 100)
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String(body),
		MessageAttributes: map[string]types.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("test")}}})
	require.NoError(t, err)
	assert.Equal(t, []string{body}, receiveBodies(t, c, src, nil))
	assert.Empty(t, receiveBodies(t, c, src, nil), "the second receive moves it to the dead-letter queue")
	stop()

	_, c, url, stop = openDurable(t, dir)
	dlq, src = url+"/000000000000/dead", url+"/000000000000/live"
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq),
		MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1, "the dead-letter move survived the restart")
	assert.Equal(t, body, aws.ToString(out.Messages[0].Body))
	assert.Equal(t, "test", aws.ToString(out.Messages[0].MessageAttributes["kind"].StringValue))
	assert.Equal(t, "arn:aws:sqs:us-east-1:000000000000:live", out.Messages[0].Attributes["DeadLetterQueueSourceArn"])
	_, err = c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:dead")})
	require.NoError(t, err)
	stop()

	_, c, url, _ = openDurable(t, dir)
	src, dlq = url+"/000000000000/live", url+"/000000000000/dead"
	assert.Equal(t, []string{body}, receiveBodies(t, c, src, nil), "moved back by the task, body intact")
	assert.Empty(t, receiveBodies(t, c, dlq, nil))
}

// diskBytes is the space dir's files take on disk (allocated blocks).
func diskBytes(t testing.TB, dir string) int64 {
	t.Helper()
	var n int64
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		fi, err := e.Info()
		require.NoError(t, err)
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			n += st.Blocks * 512
		} else {
			n += fi.Size()
		}
	}
	return n
}

// TestBodiesStoredAsBytes: 20 MiB of '<' (which JSON escapes to six bytes
// each, \u003c) take about 20 MiB on disk, not 150 MiB as when bodies were
// stored JSON-escaped (issue 16, item 9).
func TestBodiesStoredAsBytes(t *testing.T) {
	dir := t.TempDir()
	_, c, _, stop := openDurable(t, dir)
	q := createQueue(t, c, "bytes", nil)
	const messages, size = 20, 1 << 20
	body := strings.Repeat("<", size)
	for range messages {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(body)})
		require.NoError(t, err)
	}
	stop()
	payload := int64(messages * size)
	used := diskBytes(t, dir)
	t.Logf("%d bytes of bodies take %d bytes on disk (%.3fx)", payload, used, float64(used)/float64(payload))
	// Per message about 300 bytes of metadata; the segment is reserved at
	// most 1 MiB ahead of its data.
	assert.LessOrEqual(t, used, payload+payload/100+2<<20)

	_, c, url, _ := openDurable(t, dir)
	got := receiveBodies(t, c, url+"/000000000000/bytes", nil)
	require.Len(t, got, 10)
	for _, b := range got {
		assert.True(t, b == body, "body read back from disk intact")
	}
}

// TestCompactionGivesSpaceBackAndKeepsLiveMessages: after most messages
// are deleted, compaction shrinks the data files, and a restart after it
// finds every live message (body, attributes, receive count), the FIFO
// deduplication records and sequence numbers, and nothing deleted
// (issue 16, item 10).
func TestCompactionGivesSpaceBackAndKeepsLiveMessages(t *testing.T) {
	dir := t.TempDir()
	s, c, url, stop := openDurable(t, dir)
	bulk := createQueue(t, c, "bulk", map[string]string{"VisibilityTimeout": "0"})
	keep := createQueue(t, c, "keep", map[string]string{"VisibilityTimeout": "0"})
	fifo := createQueue(t, c, "keep.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "0"})
	gone := createQueue(t, c, "gone", nil)
	purged := createQueue(t, c, "purged", nil)
	big := strings.Repeat("x", 100<<10)
	for i := range 80 {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(bulk), MessageBody: aws.String(fmt.Sprintf("%d%s", i, big))})
		require.NoError(t, err)
	}
	for _, q := range []string{gone, purged} {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("never back")})
		require.NoError(t, err)
	}
	attrs := map[string]types.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("kept")}}
	for _, b := range []string{"live-1 <&>", "live-2"} {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(keep), MessageBody: aws.String(b), MessageAttributes: attrs})
		require.NoError(t, err)
	}
	first, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(fifo), MessageBody: aws.String("fifo-1"),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
	require.NoError(t, err)
	assert.Len(t, receiveBodies(t, c, keep, nil), 2, "receive counts become 1")
	for range 20 {
		out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(bulk), MaxNumberOfMessages: 10})
		require.NoError(t, err)
		for _, m := range out.Messages {
			_, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(bulk), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	_, err = c.DeleteQueue(ctx(t), &sqs.DeleteQueueInput{QueueUrl: aws.String(gone)})
	require.NoError(t, err)
	_, err = c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(purged)})
	require.NoError(t, err)
	require.Empty(t, receiveBodies(t, c, bulk, nil), "every bulk message deleted")

	before := diskBytes(t, dir)
	require.NoError(t, s.store.compactNow())
	after := diskBytes(t, dir)
	t.Logf("data files: %d bytes before compaction, %d after", before, after)
	// What remains: the live messages and the new segment's 1 MiB reserve.
	assert.Less(t, after, before/4, "compaction gave the deleted messages' space back")
	assert.ElementsMatch(t, []string{"live-1 <&>", "live-2"}, receiveBodies(t, c, keep, nil), "bodies read at their new place")
	// The log goes on after the compaction.
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(keep), MessageBody: aws.String("live-3")})
	require.NoError(t, err)
	stop()

	_, c, url, _ = openDurable(t, dir)
	keep, fifo, bulk = url+"/000000000000/keep", url+"/000000000000/keep.fifo", url+"/000000000000/bulk"
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(keep), MaxNumberOfMessages: 10,
		MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	require.NoError(t, err)
	got := map[string]string{}
	for _, m := range out.Messages {
		got[aws.ToString(m.Body)] = m.Attributes["ApproximateReceiveCount"] + "/" + aws.ToString(m.MessageAttributes["kind"].StringValue)
	}
	assert.Equal(t, map[string]string{"live-1 <&>": "3/kept", "live-2": "3/kept", "live-3": "1/"}, got)
	assert.Empty(t, receiveBodies(t, c, bulk, nil), "deleted messages stay deleted")
	_, err = c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String("gone")})
	assert.Equal(t, "AWS.SimpleQueueService.NonExistentQueue", errorCode(err), "a deleted queue stays deleted")
	assert.Empty(t, receiveBodies(t, c, url+"/000000000000/purged", nil), "a purge stays done")

	dup, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(fifo), MessageBody: aws.String("fifo-1"),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(first.MessageId), aws.ToString(dup.MessageId), "the deduplication record survived compaction")
	next, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(fifo), MessageBody: aws.String("fifo-2"),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d2")})
	require.NoError(t, err)
	assert.Greater(t, aws.ToString(next.SequenceNumber), aws.ToString(first.SequenceNumber), "sequence numbers keep increasing")
	assert.Equal(t, []string{"fifo-1", "fifo-2"}, receiveBodies(t, c, fifo, nil))
}

// TestCompactionStartsWhenGarbageOutweighsLiveData: deleting messages is
// enough; no one asks for the compaction.
func TestCompactionStartsWhenGarbageOutweighsLiveData(t *testing.T) {
	dir := t.TempDir()
	s, c, _, _ := openDurable(t, dir)
	s.store.mu.Lock()
	s.store.minGarbage = 1 << 20
	s.store.mu.Unlock()
	q := createQueue(t, c, "churn", map[string]string{"VisibilityTimeout": "0"})
	big := strings.Repeat("y", 200<<10)
	for range 20 {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(big)})
		require.NoError(t, err)
	}
	full := diskBytes(t, dir)
	for range 5 {
		out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10})
		require.NoError(t, err)
		for _, m := range out.Messages {
			_, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	s.store.waitCompactions()
	t.Logf("data files: %d bytes full, %d after deleting everything", full, diskBytes(t, dir))
	assert.Less(t, diskBytes(t, dir), full/2)
}
