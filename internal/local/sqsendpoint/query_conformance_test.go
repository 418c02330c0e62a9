package sqsendpoint

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// TestQueryProtocolShapes speaks the query protocol by hand to our endpoint
// and to moto_server, and parses both answers with the same XML shapes
// the SQS query model defines (flattened members, the 2012-11-05
// namespace, <ErrorResponse>).
func TestQueryProtocolShapes(t *testing.T) {
	targets := []struct {
		name  string
		start func(t *testing.T) string
	}{
		{"sqsendpoint", func(t *testing.T) string { _, u := startServer(t, Options{}); return u }},
		{"moto", func(t *testing.T) string { return testpeer.StartMoto(t).URL }},
	}
	for _, target := range targets {
		t.Run(target.name, func(t *testing.T) {
			endpoint := target.start(t)
			post := func(form url.Values) (int, string) {
				t.Helper()
				req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(form.Encode()))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				// moto routes on the credential scope; we accept any signature.
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0")
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}

			status, body := post(url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"missing"}, "Version": {"2012-11-05"}})
			assert.Equal(t, http.StatusBadRequest, status)
			var e struct {
				XMLName xml.Name `xml:"ErrorResponse"`
				Code    string   `xml:"Error>Code"`
				Type    string   `xml:"Error>Type"`
			}
			require.NoError(t, xml.Unmarshal([]byte(body), &e), body)
			assert.Equal(t, "AWS.SimpleQueueService.NonExistentQueue", e.Code)
			assert.Equal(t, "Sender", e.Type)

			status, body = post(url.Values{"Action": {"CreateQueue"}, "QueueName": {"shapes"}, "Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"0"}})
			require.Equal(t, http.StatusOK, status, body)
			var created struct {
				QueueURL string `xml:"CreateQueueResult>QueueUrl"`
			}
			require.NoError(t, xml.Unmarshal([]byte(body), &created))
			require.NotEmpty(t, created.QueueURL)

			status, body = post(url.Values{"Action": {"SendMessage"}, "QueueUrl": {created.QueueURL}, "MessageBody": {"héllo"},
				"MessageAttribute.1.Name": {"k"}, "MessageAttribute.1.Value.DataType": {"String"}, "MessageAttribute.1.Value.StringValue": {"v"}})
			require.Equal(t, http.StatusOK, status, body)
			var sent struct {
				MD5Body  string `xml:"SendMessageResult>MD5OfMessageBody"`
				MD5Attrs string `xml:"SendMessageResult>MD5OfMessageAttributes"`
				ID       string `xml:"SendMessageResult>MessageId"`
			}
			require.NoError(t, xml.Unmarshal([]byte(body), &sent))
			assert.Equal(t, sqsmsg.MD5OfBody("héllo"), sent.MD5Body)
			assert.Equal(t, md5Of(t, "query protocol one string"), sent.MD5Attrs)

			status, body = post(url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {created.QueueURL}, "AttributeName.1": {"All"}, "MessageAttributeName.1": {"All"}})
			require.Equal(t, http.StatusOK, status, body)
			var got struct {
				Messages []struct {
					ID         string `xml:"MessageId"`
					Body       string `xml:"Body"`
					Handle     string `xml:"ReceiptHandle"`
					Attributes []struct {
						Name  string `xml:"Name"`
						Value string `xml:"Value"`
					} `xml:"Attribute"`
					MessageAttributes []struct {
						Name  string `xml:"Name"`
						Value struct {
							StringValue string `xml:"StringValue"`
							DataType    string `xml:"DataType"`
						} `xml:"Value"`
					} `xml:"MessageAttribute"`
				} `xml:"ReceiveMessageResult>Message"`
			}
			require.NoError(t, xml.Unmarshal([]byte(body), &got), body)
			require.Len(t, got.Messages, 1)
			m := got.Messages[0]
			assert.Equal(t, sent.ID, m.ID)
			assert.Equal(t, "héllo", m.Body)
			names := map[string]string{}
			for _, a := range m.Attributes {
				names[a.Name] = a.Value
			}
			assert.Equal(t, "1", names["ApproximateReceiveCount"])
			require.Len(t, m.MessageAttributes, 1)
			assert.Equal(t, "v", m.MessageAttributes[0].Value.StringValue)

			status, body = post(url.Values{"Action": {"DeleteMessageBatch"}, "QueueUrl": {created.QueueURL},
				"DeleteMessageBatchRequestEntry.1.Id": {"a"}, "DeleteMessageBatchRequestEntry.1.ReceiptHandle": {m.Handle}})
			require.Equal(t, http.StatusOK, status, body)
			var deleted struct {
				IDs []string `xml:"DeleteMessageBatchResult>DeleteMessageBatchResultEntry>Id"`
			}
			require.NoError(t, xml.Unmarshal([]byte(body), &deleted))
			assert.Equal(t, []string{"a"}, deleted.IDs)
		})
	}
}
