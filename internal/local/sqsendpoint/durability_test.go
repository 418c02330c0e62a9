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

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDataDirEnv); dir != "" {
		os.Exit(runChild(dir))
	}
	os.Exit(m.Run())
}

func runChild(dir string) int {
	s, err := New(Options{DataDir: dir})
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
func startChild(t *testing.T, dir string) (string, *exec.Cmd) {
	t.Helper()
	os.Remove(filepath.Join(dir, "addr"))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDataDirEnv+"="+dir)
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
