package testpeer

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"
)

func TestStartMotoAnswers(t *testing.T) {
	moto := StartMoto(t)
	resp, err := http.Get(moto.URL + "/moto-api/")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestDrainReturnsEveryMessageOnceAndEmptiesTheQueue(t *testing.T) {
	moto := StartMoto(t)
	SetAWSEnv(t, moto.URL)
	cfg, err := config.LoadDefaultConfig(context.Background())
	require.NoError(t, err)
	client := sqs.NewFromConfig(cfg)
	q, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("drain")})
	require.NoError(t, err)
	for i := range 23 {
		_, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(strconv.Itoa(i))})
		require.NoError(t, err)
	}
	got := Drain(t, client, aws.ToString(q.QueueUrl))
	bodies := map[string]bool{}
	for _, m := range got {
		bodies[aws.ToString(m.Body)] = true
	}
	require.Len(t, got, 23)
	require.Len(t, bodies, 23, "a message came back twice")
	require.Empty(t, Drain(t, client, aws.ToString(q.QueueUrl)), "drained messages must be deleted")
}
