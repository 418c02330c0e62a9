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

	"github.com/sqsgate/sqsgate/internal/local/httplimit"
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

// SQSOptions configures an embedded SQS endpoint.
type SQSOptions struct {
	Addr      string // listen address, loopback unless AllowOtherUsers
	DataDir   string // "" keeps messages in memory
	Region    string
	AccountID string
	// AllowOtherUsers lets every local user connect, and a non-loopback
	// Addr; by default only this process's user may (see Config).
	AllowOtherUsers bool
	// Limits bound its clients; zero fields take httplimit.Defaults.
	Limits httplimit.Limits
	Logger *slog.Logger
}

// StartEmbeddedSQS serves a new endpoint as o says. Close stops it.
func StartEmbeddedSQS(o SQSOptions) (*EmbeddedSQS, error) {
	addr, dataDir, region, accountID, logger := o.Addr, o.DataDir, o.Region, o.AccountID, o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if dataDir != "" {
		if err := makeDataDir(dataDir, logger); err != nil {
			return nil, err
		}
	}
	srv, err := sqsendpoint.New(sqsendpoint.Options{DataDir: dataDir, AccountID: accountID, Region: region, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("start SQS endpoint: %w", err)
	}
	l, err := listen("SQS endpoint", "--sqs-addr", addr, o.AllowOtherUsers, logger)
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &EmbeddedSQS{
		server:    srv,
		endpoint:  "http://" + l.Addr().String(),
		accountID: accountID,
		stop:      serveHTTP(l, srv, o.Limits, logger),
	}, nil
}

// makeDataDir creates the store's directory readable by its owner only: the
// messages in it are whatever callers sent, tokens and personal data
// included. A directory that already exists keeps its mode (it may be one
// the user chose and shares on purpose), but a warning says who else can
// read it.
func makeDataDir(dir string, logger *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("SQS data dir: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("SQS data dir: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		logger.Warn("the SQS data directory is open to other users; chmod 700 it to keep messages private",
			"data_dir", dir, "mode", fmt.Sprintf("%04o", perm))
	}
	return nil
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
