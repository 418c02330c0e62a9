package template

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const sqsBase = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./
      Runtime: provided.al2023
      Handler: bootstrap
      Timeout: 10
      Events:
        Pull:
          Type: SQS
          Properties:
            Queue: !GetAtt Q.Arn
`

func loadSQS(t *testing.T, extra string, params map[string]string) (*App, error) {
	t.Helper()
	doc, err := Parse([]byte(sqsBase + extra))
	if err != nil {
		t.Fatal(err)
	}
	return Load(doc, Options{Parameters: params})
}

func TestSQSEventDefaults(t *testing.T) {
	app, err := loadSQS(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(app.EventSources) != 1 {
		t.Fatalf("EventSources %v", app.EventSources)
	}
	m := app.EventSources[0]
	if m.Function != "F" || m.Name != "Pull" || m.Queue.LogicalID != "Q" || m.BatchSize != 10 || m.BatchingWindow != 0 ||
		m.ReportBatchItemFailures || m.MaximumConcurrency != 0 || len(m.FilterPatterns) != 0 || !m.Enabled {
		t.Fatalf("mapping %+v", m)
	}
	if app.API != nil {
		t.Fatalf("an SQS event made an HTTP API: %+v", app.API)
	}
}

func TestSQSEventProperties(t *testing.T) {
	app, err := loadSQS(t, `            BatchSize: 100
            MaximumBatchingWindowInSeconds: 2
            FunctionResponseTypes: [ReportBatchItemFailures]
            ScalingConfig:
              MaximumConcurrency: 3
            Enabled: false
            FilterCriteria:
              Filters:
                - Pattern: '{"body":{"a":[1]}}'
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := app.EventSources[0]
	if m.BatchSize != 100 || m.BatchingWindow != 2*time.Second || !m.ReportBatchItemFailures || m.MaximumConcurrency != 3 ||
		m.Enabled || len(m.FilterPatterns) != 1 || m.FilterPatterns[0] != `{"body":{"a":[1]}}` {
		t.Fatalf("mapping %+v", m)
	}
}

// AWS's limits: Lambda API Reference, CreateEventSourceMapping
// (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
func TestSQSEventRefused(t *testing.T) {
	tests := []struct{ name, props, want string }{
		{"batch size 0", "            BatchSize: 0\n", "BatchSize"},
		{"batch size above 10000", "            BatchSize: 10001\n            MaximumBatchingWindowInSeconds: 1\n", "BatchSize"},
		{"batch size above 10 without a window", "            BatchSize: 11\n", "at least 1"},
		{"window above 300", "            MaximumBatchingWindowInSeconds: 301\n", "MaximumBatchingWindowInSeconds"},
		{"concurrency 1", "            ScalingConfig:\n              MaximumConcurrency: 1\n", "MaximumConcurrency"},
		{"concurrency 1001", "            ScalingConfig:\n              MaximumConcurrency: 1001\n", "MaximumConcurrency"},
		{"unknown response type", "            FunctionResponseTypes: [Other]\n", "ReportBatchItemFailures"},
		{"pattern not JSON", "            FilterCriteria:\n              Filters:\n                - Pattern: 'nope'\n", "Pattern"},
		{"six filters", "            FilterCriteria:\n              Filters:\n" + strings.Repeat("                - Pattern: '{}'\n", 6), "5"},
		{"unknown property", "            Bogus: 1\n", "Bogus"},
		{"enabled not a boolean", "            Enabled: maybe\n", "Enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadSQS(t, tt.props, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestSQSEventQueueChecks(t *testing.T) {
	t.Run("visibility timeout below the function timeout is refused, as Lambda does", func(t *testing.T) {
		src := strings.Replace(sqsBase, "VisibilityTimeout: 60", "VisibilityTimeout: 9", 1)
		doc, _ := Parse([]byte(src))
		_, err := Load(doc, Options{})
		if err == nil || !strings.Contains(err.Error(), "visibility timeout") {
			t.Fatalf("error %v", err)
		}
		doc, _ = Parse([]byte(strings.Replace(sqsBase, "VisibilityTimeout: 60", "VisibilityTimeout: 10", 1)))
		if _, err := Load(doc, Options{}); err != nil {
			t.Fatalf("equal timeouts: %v", err)
		}
	})
	t.Run("a queue not in the template", func(t *testing.T) {
		doc, _ := Parse([]byte(strings.Replace(sqsBase, "Queue: !GetAtt Q.Arn", "Queue: arn:aws:sqs:us-east-1:000000000000:other", 1)))
		_, err := Load(doc, Options{})
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("error %v, want ErrInvalid", err)
		}
	})
	t.Run("FIFO: batch size at most 10, no window", func(t *testing.T) {
		fifo := strings.Replace(sqsBase, "      VisibilityTimeout: 60", "      VisibilityTimeout: 60\n      FifoQueue: true", 1)
		for _, extra := range []string{"            BatchSize: 11\n            MaximumBatchingWindowInSeconds: 1\n", "            MaximumBatchingWindowInSeconds: 0\n"} {
			doc, _ := Parse([]byte(fifo + extra))
			if _, err := Load(doc, Options{}); err == nil {
				t.Fatalf("FIFO mapping with %q accepted", extra)
			}
		}
		doc, _ := Parse([]byte(fifo + "            BatchSize: 10\n"))
		app, err := Load(doc, Options{})
		if err != nil || !app.EventSources[0].Queue.FIFO {
			t.Fatalf("%v %+v", err, app)
		}
	})
}

func TestProjectTemplateConsumer(t *testing.T) {
	app, err := LoadFile(projectTemplate, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(app.EventSources) != 0 {
		t.Fatalf("consumer on by default: %+v", app.EventSources)
	}
	for _, params := range []map[string]string{{"EnableConsumer": "true"}, {"EnableConsumer": "true", "QueueType": "fifo"}} {
		app, err := LoadFile(projectTemplate, Options{Parameters: params})
		if err != nil {
			t.Fatal(err)
		}
		if len(app.EventSources) != 1 {
			t.Fatalf("%v: EventSources %+v", params, app.EventSources)
		}
		m := app.EventSources[0]
		if m.Function != "ConsumerFunction" || m.Queue.LogicalID != "IngestQueue" || !m.ReportBatchItemFailures ||
			m.MaximumConcurrency != 2 || len(m.FilterPatterns) != 2 || m.BatchSize != 10 || !m.Enabled {
			t.Fatalf("%v: mapping %+v", params, m)
		}
	}
}
