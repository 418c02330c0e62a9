package platform

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// queueBackend creates the template's queues and says where functions and
// native integrations reach them.
type queueBackend interface {
	// Endpoint is the SQS endpoint URL (AWS_ENDPOINT_URL_SQS).
	Endpoint() string
	// Ensure creates the queue (idempotent) and returns its URL and ARN.
	Ensure(q *template.Queue) (url, arn string, err error)
	Close() error
}

// EmbeddedSQS is the local SQS-compatible endpoint served over HTTP; `sqsgate
// run` starts one for the template's queues and `sqsgate sqs` one alone.
type EmbeddedSQS struct {
	server    *sqsendpoint.Server
	endpoint  string
	accountID string
	stop      func() error // the HTTP server's
}

// StartEmbeddedSQS serves a new endpoint on addr; dataDir "" keeps messages
// in memory. Close stops it.
func StartEmbeddedSQS(addr, dataDir, region, accountID string, logger *slog.Logger) (*EmbeddedSQS, error) {
	if dataDir != "" {
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return nil, fmt.Errorf("SQS data dir: %w", err)
		}
	}
	srv, err := sqsendpoint.New(sqsendpoint.Options{DataDir: dataDir, AccountID: accountID, Region: region, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("start SQS endpoint: %w", err)
	}
	l, err := listen("SQS endpoint", addr)
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &EmbeddedSQS{
		server:    srv,
		endpoint:  "http://" + l.Addr().String(),
		accountID: accountID,
		stop:      serveHTTP(l, srv, logger),
	}, nil
}

// Endpoint is the URL clients and functions use (AWS_ENDPOINT_URL_SQS).
func (e *EmbeddedSQS) Endpoint() string { return e.endpoint }

// Ensure creates the queue (idempotent) and returns its URL and ARN.
func (e *EmbeddedSQS) Ensure(q *template.Queue) (string, string, error) {
	arn, err := e.server.EnsureQueue(q.Name, q.Attributes, q.Tags)
	if err != nil {
		return "", "", err
	}
	return e.Endpoint() + "/" + e.accountID + "/" + q.Name, arn, nil
}

// Drain answers waiting long polls (empty) and stops new ones from
// waiting, so whatever waits on them (an HTTP server's shutdown, an HTTP
// API route calling ReceiveMessage) can finish at once.
func (e *EmbeddedSQS) Drain() { e.server.Drain() }

// Close drains long polls, stops serving, then closes the store.
func (e *EmbeddedSQS) Close() error {
	e.Drain()
	err := e.stop()
	if cerr := e.server.Close(); err == nil {
		err = cerr
	}
	return err
}

// externalSQS is any SQS endpoint: moto, ElasticMQ, LocalStack or AWS.
type externalSQS struct {
	endpoint string
	client   *sqs.Client
}

func (x *externalSQS) Endpoint() string { return x.endpoint }

func (x *externalSQS) Ensure(q *template.Queue) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := x.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &q.Name, Attributes: q.Attributes, Tags: q.Tags})
	if err != nil {
		return "", "", err
	}
	attrs, err := x.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       out.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", "", err
	}
	return aws.ToString(out.QueueUrl), attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], nil
}

func (x *externalSQS) Close() error { return nil }

// credentials returns what functions and our own clients use: the host's
// AWS credentials for an external endpoint when it has them, else dummy
// ones (local endpoints accept any).
func credentials(external bool) (id, secret, token string) {
	if external && os.Getenv("AWS_ACCESS_KEY_ID") != "" {
		return os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")
	}
	return "local", "local", ""
}

// newSQSClient is an aws-sdk-go-v2 client for endpoint that never reads
// shared config.
func newSQSClient(endpoint, region string, external bool) *sqs.Client {
	id, secret, token := credentials(external)
	return sqs.New(sqs.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Source: "sqsgate"}, nil
		}),
	})
}
