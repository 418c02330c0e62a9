package slack_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/sqsgate/sqsgate/internal/webhook/slack"
)

func ExampleVerifier_Verify() {
	body := []byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention"}}`)
	sent := time.Unix(1531420618, 0)
	sig, ts := slack.Sign("8f742231b10e8888abcd99yyyzzz85a5", sent, body)
	v := slack.Verifier{Secrets: []string{"8f742231b10e8888abcd99yyyzzz85a5"}} // Tolerance 0: five minutes

	fmt.Println(v.Verify(sig, ts, body, sent.Add(3*time.Second)))
	fmt.Println(errors.Is(v.Verify(sig, ts, body, sent.Add(time.Hour)), slack.ErrStaleTimestamp))
	// Output:
	// <nil>
	// true
}

func ExampleParseEnvelope() {
	e, _ := slack.ParseEnvelope([]byte(`{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`))
	fmt.Println(e.Type, e.Challenge)
	e, _ = slack.ParseEnvelope([]byte(`{"type":"event_callback","event_id":"Ev123ABC456","event":{"type":"app_mention"}}`))
	fmt.Println(e.Type, e.EventID, e.Event.Type)
	// Output:
	// url_verification 3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P
	// event_callback Ev123ABC456 app_mention
}

func ExampleSign() {
	// The values of Slack's own walk-through ("Verifying requests from
	// Slack"), which publishes this signature.
	body := []byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
	fmt.Println(slack.Sign("8f742231b10e8888abcd99yyyzzz85a5", time.Unix(1531420618, 0), body))
	// Output: v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503 1531420618
}
