package sqsendpoint

import (
	"encoding/base64"
	"encoding/xml"
	"sort"
)

// Wire shapes. JSON names follow the SQS JSON model; `query` tags give the
// query protocol's flattened names (lists "Name.N", maps
// "Name.N.<key>/<value>") where they differ from the field name;
// `queryjson` tags the query protocol's JSON rendering where it differs
// from the JSON model (queryjson.go).

type attributeValue struct {
	StringValue      string   `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty" query:"StringListValue"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty" query:"BinaryListValue"`
	DataType         string   `json:"DataType"`
}

type createQueueInput struct {
	QueueName  string
	Attributes map[string]string `query:"Attribute,Name,Value"`
	Tags       map[string]string `json:"tags" query:"Tag,Key,Value"`
}

type queueURLInput struct {
	QueueUrl string
}

type getQueueURLInput struct {
	QueueName              string
	QueueOwnerAWSAccountId string
}

type listQueuesInput struct {
	QueueNamePrefix string
	NextToken       string
	MaxResults      *int
}

type getQueueAttributesInput struct {
	QueueUrl       string
	AttributeNames []string `query:"AttributeName"`
}

type setQueueAttributesInput struct {
	QueueUrl   string
	Attributes map[string]string `query:"Attribute,Name,Value"`
}

// messageInput is one message to send: the members SendMessage and a
// SendMessageBatch entry share (embedded, so both protocols see them as
// the outer shape's own members).
type messageInput struct {
	MessageBody             string
	DelaySeconds            *int
	MessageAttributes       map[string]attributeValue `query:"MessageAttribute,Name,Value"`
	MessageSystemAttributes map[string]attributeValue `query:"MessageSystemAttribute,Name,Value"`
	MessageDeduplicationId  string
	MessageGroupId          string
}

type sendMessageInput struct {
	QueueUrl string
	messageInput
}

type sendMessageBatchEntry struct {
	Id string
	messageInput
}

type sendMessageBatchInput struct {
	QueueUrl string
	Entries  []sendMessageBatchEntry `query:"SendMessageBatchRequestEntry"`
}

type receiveMessageInput struct {
	QueueUrl                    string
	AttributeNames              []string `query:"AttributeName"`
	MessageSystemAttributeNames []string `query:"MessageSystemAttributeName"`
	MessageAttributeNames       []string `query:"MessageAttributeName"`
	MaxNumberOfMessages         *int
	VisibilityTimeout           *int
	WaitTimeSeconds             *int
	ReceiveRequestAttemptId     string
}

type deleteMessageInput struct {
	QueueUrl      string
	ReceiptHandle string
}

type deleteMessageBatchEntry struct {
	Id            string
	ReceiptHandle string
}

type deleteMessageBatchInput struct {
	QueueUrl string
	Entries  []deleteMessageBatchEntry `query:"DeleteMessageBatchRequestEntry"`
}

type changeVisibilityInput struct {
	QueueUrl          string
	ReceiptHandle     string
	VisibilityTimeout *int
}

type changeVisibilityBatchEntry struct {
	Id                string
	ReceiptHandle     string
	VisibilityTimeout *int
}

type changeVisibilityBatchInput struct {
	QueueUrl string
	Entries  []changeVisibilityBatchEntry `query:"ChangeMessageVisibilityBatchRequestEntry"`
}

type listDeadLetterSourceQueuesInput struct {
	QueueUrl   string
	NextToken  string
	MaxResults *int
}

type tagQueueInput struct {
	QueueUrl string
	Tags     map[string]string `query:"Tag,Key,Value"`
}

type untagQueueInput struct {
	QueueUrl string
	TagKeys  []string `query:"TagKey"`
}

type addPermissionInput struct {
	QueueUrl      string
	Label         string
	AWSAccountIds []string `query:"AWSAccountId"`
	Actions       []string `query:"ActionName"`
}

type removePermissionInput struct {
	QueueUrl string
	Label    string
}

type startMessageMoveTaskInput struct {
	SourceArn                    string
	DestinationArn               string
	MaxNumberOfMessagesPerSecond *int
}

type listMessageMoveTasksInput struct {
	SourceArn  string
	MaxResults *int
}

type cancelMessageMoveTaskInput struct {
	TaskHandle string
}

// Outputs. XML names are the query protocol's flattened member names.

type queueURLOutput struct {
	QueueUrl string `xml:"QueueUrl"`
}

type listQueuesOutput struct {
	QueueUrls []string `json:"QueueUrls,omitempty" xml:"QueueUrl"`
	NextToken string   `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

type attributesOutput struct {
	Attributes nameValueMap `json:"Attributes,omitempty" xml:"Attribute" queryjson:",pairs"`
}

type sendMessageOutput struct {
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty" xml:",omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty" xml:",omitempty"`
	MessageId                    string `json:"MessageId"`
	SequenceNumber               string `json:"SequenceNumber,omitempty" xml:",omitempty"`
}

type sendMessageBatchResultEntry struct {
	Id string `json:"Id"`
	sendMessageOutput
}

type batchResultErrorEntry struct {
	Id          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty" xml:",omitempty"`
}

type sendMessageBatchOutput struct {
	Successful []sendMessageBatchResultEntry `json:"Successful" xml:"SendMessageBatchResultEntry"`
	Failed     []batchResultErrorEntry       `json:"Failed" xml:"BatchResultErrorEntry"`
}

type batchIDEntry struct {
	Id string `json:"Id"`
}

type deleteMessageBatchOutput struct {
	Successful []batchIDEntry          `json:"Successful" xml:"DeleteMessageBatchResultEntry"`
	Failed     []batchResultErrorEntry `json:"Failed" xml:"BatchResultErrorEntry"`
}

type changeVisibilityBatchOutput struct {
	Successful []batchIDEntry          `json:"Successful" xml:"ChangeMessageVisibilityBatchResultEntry"`
	Failed     []batchResultErrorEntry `json:"Failed" xml:"BatchResultErrorEntry"`
}

type receivedMessage struct {
	MessageId              string              `json:"MessageId"`
	ReceiptHandle          string              `json:"ReceiptHandle"`
	MD5OfBody              string              `json:"MD5OfBody"`
	Body                   string              `json:"Body"`
	Attributes             nameValueMap        `json:"Attributes,omitempty" xml:"Attribute"`
	MD5OfMessageAttributes string              `json:"MD5OfMessageAttributes,omitempty" xml:",omitempty"`
	MessageAttributes      messageAttributeMap `json:"MessageAttributes,omitempty" xml:"MessageAttribute"`
}

type receiveMessageOutput struct {
	// AWS's query-JSON names the list "messages" (LocalStack's
	// AWS-validated test_marker_serialization_json_protocol).
	Messages []receivedMessage `json:"Messages,omitempty" xml:"Message" queryjson:"messages"`
}

type listDeadLetterSourceQueuesOutput struct {
	QueueUrls []string `json:"queueUrls" xml:"QueueUrl"`
	NextToken string   `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

type listQueueTagsOutput struct {
	Tags keyValueMap `json:"Tags,omitempty" xml:"Tag"`
}

type startMessageMoveTaskOutput struct {
	TaskHandle string `json:"TaskHandle"`
}

type moveTaskResult struct {
	TaskHandle                        string `json:"TaskHandle,omitempty" xml:",omitempty"`
	Status                            string `json:"Status"`
	SourceArn                         string `json:"SourceArn"`
	DestinationArn                    string `json:"DestinationArn,omitempty" xml:",omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:"MaxNumberOfMessagesPerSecond,omitempty" xml:",omitempty"`
	ApproximateNumberOfMessagesMoved  int64  `json:"ApproximateNumberOfMessagesMoved"`
	ApproximateNumberOfMessagesToMove int64  `json:"ApproximateNumberOfMessagesToMove"`
	FailureReason                     string `json:"FailureReason,omitempty" xml:",omitempty"`
	StartedTimestamp                  int64  `json:"StartedTimestamp"`
}

type listMessageMoveTasksOutput struct {
	Results []moveTaskResult `json:"Results" xml:"ListMessageMoveTasksResultEntry"`
}

// nameValueMap is a string map the query protocol writes as flattened
// <X><Name/><Value/></X> elements.
type nameValueMap map[string]string

func (m nameValueMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalPairs(e, start, m, "Name", "Value")
}

// keyValueMap is a string map written as flattened <X><Key/><Value/></X>.
type keyValueMap map[string]string

func (m keyValueMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalPairs(e, start, m, "Key", "Value")
}

func marshalPairs(e *xml.Encoder, start xml.StartElement, m map[string]string, key, value string) error {
	for _, k := range sortedKeys(m) {
		if err := e.EncodeToken(start); err != nil {
			return err
		}
		for _, f := range [2][2]string{{key, k}, {value, m[k]}} {
			if err := e.EncodeElement(f[1], xml.StartElement{Name: xml.Name{Local: f[0]}}); err != nil {
				return err
			}
		}
		if err := e.EncodeToken(start.End()); err != nil {
			return err
		}
	}
	return nil
}

// messageAttributeMap is written as flattened
// <MessageAttribute><Name/><Value><StringValue/><DataType/></Value></MessageAttribute>.
type messageAttributeMap map[string]attributeValue

func (m messageAttributeMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type value struct {
		StringValue string `xml:"StringValue,omitempty"`
		BinaryValue string `xml:"BinaryValue,omitempty"`
		DataType    string `xml:"DataType"`
	}
	type entry struct {
		Name  string `xml:"Name"`
		Value value  `xml:"Value"`
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		a := m[name]
		v := value{StringValue: a.StringValue, DataType: a.DataType}
		if a.BinaryValue != nil {
			v.BinaryValue = base64.StdEncoding.EncodeToString(a.BinaryValue)
		}
		if err := e.EncodeElement(entry{Name: name, Value: v}, start); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
