package template

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fixture is a small template exercising every intrinsic the reader
// resolves. Values are read back through a test-only Output-like
// resource: an SQS queue's Tags, which take any string.
const fixture = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Count:
    Type: Number
    Default: 3
    MinValue: 1
    MaxValue: 10
  Origins:
    Type: CommaDelimitedList
    Default: "https://a.example,https://b.example"
  Name:
    Type: String
    Default: box
    AllowedPattern: "[a-z]+"
Mappings:
  Sizes:
    dev: { memory: "128" }
    prod: { memory: "1024" }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals [!Ref Count, 3]]
  Either: !Or [!Condition IsProd, !Equals ["a", "b"]]
Resources:
  Dlq:
    Type: AWS::SQS::Queue
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${AWS::StackName}-q"
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq.Arn
        maxReceiveCount: !Ref Count
      Tags:
        - { Key: ref-param, Value: !Ref Env }
        - { Key: ref-pseudo, Value: !Join [",", [!Ref "AWS::Region", !Ref "AWS::AccountId", !Ref "AWS::Partition", !Ref "AWS::URLSuffix"]] }
        - { Key: getatt-dotted, Value: !GetAtt Dlq.QueueName }
        - { Key: getatt-list, Value: !GetAtt [Dlq, Arn] }
        - { Key: getatt-long, Value: { "Fn::GetAtt": [Fn, Arn] } }
        - { Key: ref-queue, Value: !Ref Dlq }
        - { Key: sub-vars, Value: !Sub ["${A}-${Env}-${Dlq.QueueName}-${!Literal}", { A: !Ref Name }] }
        - { Key: if-true, Value: !If [IsDev, yes, no] }
        - { Key: if-false, Value: !If [IsProd, yes, no] }
        - { Key: if-novalue, Value: !If [IsProd, yes, !Ref "AWS::NoValue"] }
        - { Key: join-list-param, Value: !Join [" ", !Ref Origins] }
        - { Key: select, Value: !Select [1, !Ref Origins] }
        - { Key: select-split, Value: !Select ["2", !Split ["/", "a/b/c"]] }
        - { Key: findinmap, Value: !FindInMap [Sizes, !Ref Env, memory] }
        - { Key: base64, Value: !Base64 "hi" }
        - { Key: cond-and, Value: !If [Both, "1", "0"] }
        - { Key: cond-or, Value: !If [Either, "1", "0"] }
        - !If [IsProd, { Key: dropped, Value: x }, !Ref "AWS::NoValue"]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      CodeUri: ./
`

func loadFixture(t *testing.T, src string, params map[string]string) (*App, error) {
	t.Helper()
	doc, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return Load(doc, Options{Parameters: params})
}

func TestIntrinsics(t *testing.T) {
	app, err := loadFixture(t, fixture, nil)
	if err != nil {
		t.Fatal(err)
	}
	var q *Queue
	for _, x := range app.Queues {
		if x.LogicalID == "Q" {
			q = x
		}
	}
	if q == nil {
		t.Fatal("queue Q not loaded")
	}
	tests := []struct {
		name string
		tag  string
		want string
	}{
		{"Ref parameter", "ref-param", "dev"},
		{"Ref pseudo parameters", "ref-pseudo", "us-east-1,000000000000,aws,amazonaws.com"},
		{"GetAtt dotted short form", "getatt-dotted", "Dlq"},
		{"GetAtt list short form", "getatt-list", "arn:aws:sqs:us-east-1:000000000000:Dlq"},
		{"GetAtt long form on a function", "getatt-long", "arn:aws:lambda:us-east-1:000000000000:function:Fn"},
		{"Ref queue is its URL", "ref-queue", "http://127.0.0.1:9324/000000000000/Dlq"},
		{"Sub with variables, GetAtt and escape", "sub-vars", "box-dev-Dlq-${Literal}"},
		{"If true branch", "if-true", "yes"},
		{"If false branch", "if-false", "no"},
		{"Join of a CommaDelimitedList", "join-list-param", "https://a.example https://b.example"},
		{"Select from a list parameter", "select", "https://b.example"},
		{"Select with string index from Split", "select-split", "c"},
		{"FindInMap", "findinmap", "128"},
		{"Base64", "base64", "aGk="},
		{"And of conditions", "cond-and", "1"},
		{"Or of conditions", "cond-or", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := q.Tags[tc.tag]
			if !ok {
				t.Fatalf("tag %s missing", tc.tag)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("If to NoValue drops the value", func(t *testing.T) {
		if v, ok := q.Tags["if-novalue"]; ok && v != "" {
			t.Errorf("if-novalue = %q, want empty", v)
		}
		if _, ok := q.Tags["dropped"]; ok {
			t.Error("list element with NoValue was kept")
		}
	})
	t.Run("RedrivePolicy names the DLQ created first", func(t *testing.T) {
		if app.Queues[0].LogicalID != "Dlq" {
			t.Errorf("first queue %s, want Dlq", app.Queues[0].LogicalID)
		}
		want := `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:Dlq","maxReceiveCount":3}`
		if got := q.Attributes["RedrivePolicy"]; got != want {
			t.Errorf("RedrivePolicy %s, want %s", got, want)
		}
	})
	t.Run("conditions", func(t *testing.T) {
		want := map[string]bool{"IsProd": false, "IsDev": true, "Both": true, "Either": false}
		if !reflect.DeepEqual(app.Conditions, want) {
			t.Errorf("conditions %v, want %v", app.Conditions, want)
		}
	})
}

func TestParameterOverrides(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		wantErr string
	}{
		{"value outside AllowedValues", map[string]string{"Env": "staging"}, "not one of AllowedValues"},
		{"pattern must match the whole value", map[string]string{"Name": "box1"}, "does not match AllowedPattern"},
		{"number below MinValue", map[string]string{"Count": "0"}, "below MinValue"},
		{"number above MaxValue", map[string]string{"Count": "11"}, "above MaxValue"},
		{"not a number", map[string]string{"Count": "three"}, "not a number"},
		{"undeclared parameter", map[string]string{"Nope": "x"}, "does not declare"},
		{"valid override", map[string]string{"Env": "prod", "Count": "7"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, err := loadFixture(t, fixture, tc.params)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v, want ErrInvalid containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !app.Conditions["IsProd"] || app.Conditions["IsDev"] {
				t.Errorf("conditions did not follow the override: %v", app.Conditions)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	base := "Transform: AWS::Serverless-2016-10-31\nParameters:\n  P: {Type: String}\nConditions:\n  C: !Equals [a, a]\n  F: !Equals [a, b]\nResources:\n"
	tests := []struct {
		name      string
		resources string
		params    map[string]string
		is        error
		want      []string // substrings: resource, path, reason
	}{
		{"unsupported intrinsic names resource, path and function",
			"  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAZs ''\n", map[string]string{"P": "x"},
			ErrUnsupported, []string{"Q", "Properties.QueueName.Fn::GetAZs", "Fn::GetAZs"}},
		{"unsupported intrinsic in a condition",
			"  Q:\n    Type: AWS::SQS::Queue\n    Condition: D\n", map[string]string{"P": "x"},
			ErrInvalid, []string{"unknown condition D"}},
		{"parameter without default or override",
			"  Q:\n    Type: AWS::SQS::Queue\n", nil,
			ErrInvalid, []string{"Parameters", "P", "no Default"}},
		{"Ref to an unknown name",
			"  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Nope\n", map[string]string{"P": "x"},
			ErrInvalid, []string{"Q", "Properties.QueueName.Ref", "Nope"}},
		{"unknown pseudo parameter",
			"  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${AWS::Nope}'\n", map[string]string{"P": "x"},
			ErrUnsupported, []string{"AWS::Nope"}},
		{"unknown resource type",
			"  X:\n    Type: AWS::DynamoDB::Table\n", map[string]string{"P": "x"},
			ErrUnsupported, []string{"X", "AWS::DynamoDB::Table"}},
		{"unknown queue property",
			"  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Colour: red\n", map[string]string{"P": "x"},
			ErrUnsupported, []string{"Q", "Properties.Colour"}},
		{"FIFO queue name without .fifo",
			"  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: q\n      FifoQueue: true\n", map[string]string{"P": "x"},
			ErrInvalid, []string{"Q", "Properties.QueueName", ".fifo"}},
		{"Ref to a resource whose condition is false",
			"  Q:\n    Type: AWS::SQS::Queue\n    Condition: F\n  R:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt Q.QueueName\n", map[string]string{"P": "x"},
			ErrInvalid, []string{"R", "Properties.QueueName.Fn::GetAtt", "Condition F is false"}},
		{"custom domain resource is refused",
			"  D:\n    Type: AWS::ApiGatewayV2::DomainName\n    Properties:\n      DomainName: x.example.com\n", map[string]string{"P": "x"},
			ErrUnsupported, []string{"D", "custom domain"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadFixture(t, base+tc.resources, tc.params)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			var te *Error
			if !errors.As(err, &te) {
				t.Errorf("error %T is not *Error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestParseShortTags(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want any
	}{
		{"GetAtt dotted", "v: !GetAtt A.B.C", map[string]any{"Fn::GetAtt": []any{"A", "B.C"}}},
		{"Sub list", "v: !Sub [x, {a: b}]", map[string]any{"Fn::Sub": []any{"x", map[string]any{"a": "b"}}}},
		{"Ref scalar stays a string", "v: !Ref 123", map[string]any{"Ref": "123"}},
		{"nested", "v: !If [C, !Ref A, !Join ['', [a, b]]]", map[string]any{"Fn::If": []any{"C", map[string]any{"Ref": "A"}, map[string]any{"Fn::Join": []any{"", []any{"a", "b"}}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse([]byte("Resources:\n  X: {Type: T}\nOutputs:\n  O:\n    " + tc.src + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			got := doc.Outputs["O"].(map[string]any)["v"]
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	t.Run("unknown tag is an error", func(t *testing.T) {
		if _, err := Parse([]byte("Resources:\n  X: !Nope y\n")); err == nil || !strings.Contains(err.Error(), "!Nope") {
			t.Errorf("error %v, want one naming !Nope", err)
		}
	})
}
