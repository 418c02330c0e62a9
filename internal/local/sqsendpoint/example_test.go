package sqsendpoint_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint"
)

// A queue declared up front, then used by an unmodified aws-sdk-go-v2
// client pointed at the endpoint.
func ExampleNew() {
	s, err := sqsendpoint.New(sqsendpoint.Options{}) // DataDir "" keeps it in memory
	if err != nil {
		panic(err)
	}
	defer s.Close()
	arn, err := s.EnsureQueue("IngestQueue", map[string]string{"VisibilityTimeout": "60"}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(arn)

	ts := httptest.NewServer(s) // sqsgate sqs listens on 127.0.0.1:9324
	defer ts.Close()
	client := sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ts.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	queueURL := ts.URL + "/000000000000/IngestQueue"
	if _, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(`{"hello":"world"}`)}); err != nil {
		panic(err)
	}
	out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL)})
	if err != nil {
		panic(err)
	}
	fmt.Println(aws.ToString(out.Messages[0].Body))
	// Output:
	// arn:aws:sqs:us-east-1:000000000000:IngestQueue
	// {"hello":"world"}
}
