package sqsendpoint

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// awsCLI runs one AWS CLI against endpoint and decodes its JSON output.
type awsCLI struct {
	t        *testing.T
	bin      string
	endpoint string
}

func (c awsCLI) run(args ...string) map[string]any {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"--endpoint-url", c.endpoint, "--output", "json", "sqs"}, args...)...)
	cmd.Env = append(testpeer.AWSEnv(c.endpoint), "PATH="+os.Getenv("PATH"), "HOME="+c.t.TempDir())
	out, err := cmd.Output()
	var stderr string
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = string(ee.Stderr)
	}
	require.NoError(c.t, err, "aws sqs %s: %s", strings.Join(args, " "), stderr)
	result := map[string]any{}
	if len(strings.TrimSpace(string(out))) > 0 {
		require.NoError(c.t, json.Unmarshal(out, &result), "output: %s", out)
	}
	return result
}

// TestRealCLIs drives our endpoint with the two AWS CLIs in the image:
// the pyenv CLI v1 (JSON protocol) and Debian's awscli 2.9 (query
// protocol, /usr/bin/aws). Both check MD5OfMessageBody on send and receive.
func TestRealCLIs(t *testing.T) {
	clis := []struct {
		name   string
		bin    func(t *testing.T) string
		moveOK bool // the CLI knows StartMessageMoveTask (2023)
	}{
		{"aws CLI v1 JSON protocol", func(t *testing.T) string { return testpeer.LookPath(t, "aws") }, true},
		{"Debian awscli 2.9 query protocol", func(t *testing.T) string {
			const bin = "/usr/bin/aws"
			if _, err := os.Stat(bin); err != nil {
				testpeer.Missing(t, "Debian awscli not installed (apt-get install -y awscli)")
			}
			return bin
		}, false},
	}
	for _, tc := range clis {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bin := tc.bin(t)
			_, endpoint := startServer(t, Options{})
			cli := awsCLI{t: t, bin: bin, endpoint: endpoint}

			dlq := cli.run("create-queue", "--queue-name", "cli-dlq", "--attributes", "VisibilityTimeout=0")["QueueUrl"].(string)
			dlqARN := cli.run("get-queue-attributes", "--queue-url", dlq, "--attribute-names", "QueueArn")["Attributes"].(map[string]any)["QueueArn"].(string)
			redrive := fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}`, dlqARN)
			attrFile := filepath.Join(t.TempDir(), "attrs.json")
			require.NoError(t, os.WriteFile(attrFile, mustJSON(t, map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": redrive}), 0o600))
			q := cli.run("create-queue", "--queue-name", "cli-src", "--attributes", "file://"+attrFile)["QueueUrl"].(string)
			assert.True(t, strings.HasPrefix(q, endpoint+"/000000000000/"), q)

			sent := cli.run("send-message", "--queue-url", q, "--message-body", `{"n":1}`,
				"--message-attributes", `{"provider":{"DataType":"String","StringValue":"github"},"n":{"DataType":"Number","StringValue":"7"}}`)
			assert.Equal(t, md5Of(t, "cli string and number"), sent["MD5OfMessageAttributes"])
			assert.Equal(t, sqsmsg.MD5OfBody(`{"n":1}`), sent["MD5OfMessageBody"])

			got := cli.run("receive-message", "--queue-url", q, "--attribute-names", "All", "--message-attribute-names", "All")
			msgs := got["Messages"].([]any)
			require.Len(t, msgs, 1)
			m := msgs[0].(map[string]any)
			assert.Equal(t, `{"n":1}`, m["Body"])
			assert.Equal(t, sent["MessageId"], m["MessageId"])
			assert.Equal(t, "github", m["MessageAttributes"].(map[string]any)["provider"].(map[string]any)["StringValue"])
			assert.Equal(t, "1", m["Attributes"].(map[string]any)["ApproximateReceiveCount"])

			// The second receive exceeds maxReceiveCount 1: the message moves to the DLQ.
			assert.Empty(t, cli.run("receive-message", "--queue-url", q)["Messages"])
			inDLQ := cli.run("receive-message", "--queue-url", dlq, "--attribute-names", "All")["Messages"].([]any)
			require.Len(t, inDLQ, 1)
			assert.Equal(t, sent["MessageId"], inDLQ[0].(map[string]any)["MessageId"])
			sources := cli.run("list-dead-letter-source-queues", "--queue-url", dlq)["queueUrls"].([]any)
			assert.Equal(t, []any{q}, sources)

			if tc.moveOK {
				task := cli.run("start-message-move-task", "--source-arn", dlqARN)
				assert.NotEmpty(t, task["TaskHandle"])
				back := cli.run("receive-message", "--queue-url", q)["Messages"].([]any)
				require.Len(t, back, 1)
				assert.Equal(t, sent["MessageId"], back[0].(map[string]any)["MessageId"])
				cli.run("delete-message", "--queue-url", q, "--receipt-handle", back[0].(map[string]any)["ReceiptHandle"].(string))
			} else {
				cli.run("delete-message", "--queue-url", dlq, "--receipt-handle", inDLQ[0].(map[string]any)["ReceiptHandle"].(string))
			}

			batch := cli.run("send-message-batch", "--queue-url", dlq, "--entries",
				`[{"Id":"a","MessageBody":"one"},{"Id":"b","MessageBody":"two","DelaySeconds":0},{"Id":"c","MessageBody":"three"}]`)
			assert.Len(t, batch["Successful"].([]any), 3)
			var handles []map[string]string
			for range 5 {
				out := cli.run("receive-message", "--queue-url", dlq, "--max-number-of-messages", "10", "--visibility-timeout", "60")
				for i, m := range asList(out["Messages"]) {
					handles = append(handles, map[string]string{"Id": fmt.Sprintf("d%d", len(handles)+i), "ReceiptHandle": m.(map[string]any)["ReceiptHandle"].(string)})
				}
				if len(handles) == 3 {
					break
				}
			}
			require.Len(t, handles, 3)
			deleted := cli.run("delete-message-batch", "--queue-url", dlq, "--entries", string(mustJSON(t, handles)))
			assert.Len(t, deleted["Successful"].([]any), 3)
			attrs := cli.run("get-queue-attributes", "--queue-url", dlq, "--attribute-names", "All")["Attributes"].(map[string]any)
			assert.Equal(t, "0", attrs["ApproximateNumberOfMessages"])
			assert.Equal(t, "0", attrs["ApproximateNumberOfMessagesNotVisible"])

			// AddPermission's lists travel as AWSAccountId.N and ActionName.N
			// over the query protocol, as AWSAccountIds and Actions over JSON.
			cli.run("add-permission", "--queue-url", q, "--label", "cli", "--aws-account-ids", "111122223333", "444455556666", "--actions", "SendMessage", "ReceiveMessage")
			policy := cli.run("get-queue-attributes", "--queue-url", q, "--attribute-names", "Policy")["Attributes"].(map[string]any)["Policy"].(string)
			assert.Contains(t, policy, `"Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"]},"Action":["SQS:SendMessage","SQS:ReceiveMessage"]`)
			cli.run("remove-permission", "--queue-url", q, "--label", "cli")
			assert.Empty(t, cli.run("get-queue-attributes", "--queue-url", q, "--attribute-names", "Policy")["Attributes"])

			cli.run("tag-queue", "--queue-url", q, "--tags", "team=ingest")
			assert.Equal(t, map[string]any{"team": "ingest"}, cli.run("list-queue-tags", "--queue-url", q)["Tags"])
			listed := cli.run("list-queues", "--queue-name-prefix", "cli-")["QueueUrls"].([]any)
			assert.ElementsMatch(t, []any{q, dlq}, listed)
		})
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
