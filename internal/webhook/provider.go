package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
	"github.com/sqsgate/sqsgate/internal/webhook/paddle"
	"github.com/sqsgate/sqsgate/internal/webhook/shopify"
	"github.com/sqsgate/sqsgate/internal/webhook/slack"
	"github.com/sqsgate/sqsgate/internal/webhook/standard"
	"github.com/sqsgate/sqsgate/internal/webhook/stripe"
)

// Provider names, as they appear in the provider attribute and the route.
// (ProviderGitHub and ProviderPaddle are declared with the handler.)
const (
	ProviderStripe   = "stripe"
	ProviderStandard = "standard"
	ProviderShopify  = "shopify"
	ProviderSlack    = "slack"
)

// Provider is one webhook sender as the handler serves it: the route, the
// signature scheme (headers, signed content, encoding, algorithm, in the
// provider's package), the replay window where the scheme signs a time,
// and how a verified delivery is named: its event, its delivery id and
// its FIFO group. Every provider goes through the same steps (Handler.deliver),
// so what differs between them is only what is written here.
type Provider struct {
	// Name is the provider attribute, the route POST /webhooks/<Name> and,
	// upper-cased, the prefix of its variables (<NAME>_WEBHOOK_SECRET).
	Name string
	// Window is the replay window when the scheme signs a timestamp and
	// the configuration sets none; zero for schemes that sign no time.
	Window time.Duration

	// claim reads what a request says about itself (event, delivery id)
	// for the log line, before or after its body is read (d.body is nil
	// before). Nothing claimed is trusted.
	claim func(d *delivery) (event, deliveryID string)
	// verify reads the signature headers and checks them against secrets
	// within window. It returns the scheme that verified (the verified_by
	// attribute). Signature failures wrap a sigcheck kind; a header that
	// cannot be read is an *apigw.Error.
	verify func(d *delivery, secrets []string, window time.Duration) (verifiedBy string, err error)
	// describe names a verified delivery: event, delivery id, the body to
	// queue, its content type and FIFO group.
	describe func(d *delivery, msg *message) error
}

// Path is the route the provider is served on.
func (p *Provider) Path() string { return "/webhooks/" + p.Name }

// delivery is one request on its way through a provider's steps.
type delivery struct {
	req  *events.APIGatewayV2HTTPRequest
	body []byte // the raw body as sent, base64 decoded; nil until read
	now  time.Time
	fifo bool
}

// header reads a header that must not be repeated (see singleHeader).
func (d *delivery) header(name string) (string, error) { return singleHeader(d.req.Headers, name) }

// claimed reads a header for the log line only.
func (d *delivery) claimed(name string) string {
	v, _ := apigw.Header(d.req.Headers, name)
	return v
}

func (d *delivery) contentType() string { return d.claimed("Content-Type") }

// Verified-by names: the scheme that verified a delivery, as the
// verified_by attribute carries it.
const (
	VerifiedByGitHub      = "github-sha256"
	VerifiedByPaddle      = "paddle-h1"
	VerifiedByStripe      = "stripe-v1"
	VerifiedByStandardV1  = "standard-v1"
	VerifiedByStandardV1a = "standard-v1a"
	VerifiedByShopify     = "shopify-sha256"
	VerifiedBySlack       = "slack-v0"
)

// Providers are the senders the handler knows, in the order the README
// lists them.
var Providers = []*Provider{githubProvider, paddleProvider, stripeProvider, standardProvider, shopifyProvider, slackProvider}

// providerByPath finds the provider served on path.
func providerByPath(path string) *Provider {
	for _, p := range Providers {
		if p.Path() == path {
			return p
		}
	}
	return nil
}

var githubProvider = &Provider{
	Name: ProviderGitHub,
	claim: func(d *delivery) (string, string) {
		return d.claimed(github.EventHeader), d.claimed(github.DeliveryHeader)
	},
	verify: func(d *delivery, secrets []string, _ time.Duration) (string, error) {
		sig256, err := d.header(github.SignatureHeader)
		if err != nil {
			return "", err
		}
		sig1, err := d.header(github.SHA1SignatureHeader)
		if err != nil {
			return "", err
		}
		return VerifiedByGitHub, github.Verifier{Secrets: secrets}.VerifyHeaders(sig256, sig1, d.body)
	},
	describe: func(d *delivery, msg *message) error {
		event, err := requiredHeader(d.req.Headers, github.EventHeader)
		if err != nil {
			return err
		}
		delivery, err := requiredHeader(d.req.Headers, github.DeliveryHeader)
		if err != nil {
			return err
		}
		msg.event, msg.deliveryID = event, delivery
		contentType := d.contentType()
		payload, err := github.Payload(contentType, d.body)
		if err != nil {
			return ErrMalformedPayload.Detail(formPayloadMessage(d.body), err)
		}
		msg.body, msg.contentType = bodyString(d.req, d.body), contentType
		if github.IsForm(contentType) {
			msg.body, msg.contentType = string(payload), "application/json"
		}
		// A group SQS would refuse (too long, odd characters) falls back
		// to the provider when the message is built.
		if d.fifo {
			if repo := github.RepositoryFullName(payload); repo != "" {
				msg.group = ProviderGitHub + ":" + repo
			}
		}
		return nil
	},
}

var paddleProvider = &Provider{
	Name:   ProviderPaddle,
	Window: paddle.DefaultTolerance,
	// Paddle names the event in the body only.
	claim: claimJSON(func(e *paddle.Event) (string, string) { return e.Type, e.ID }),
	verify: func(d *delivery, secrets []string, window time.Duration) (string, error) {
		sig, err := d.header(paddle.SignatureHeader)
		if err != nil {
			return "", err
		}
		return VerifiedByPaddle, paddle.Verifier{Secrets: secrets, Tolerance: window}.Verify(sig, d.body, d.now)
	},
	describe: func(d *delivery, msg *message) error {
		event, err := paddle.ParseEvent(d.body)
		if err != nil {
			return ErrMalformedPayload.Detail("the notification has no event_id and event_type", err)
		}
		msg.event, msg.deliveryID = event.Type, event.ID
		msg.body, msg.contentType = bodyString(d.req, d.body), d.contentType()
		return nil
	},
}

var stripeProvider = &Provider{
	Name:   ProviderStripe,
	Window: stripe.DefaultTolerance,
	claim:  claimJSON(func(e *stripe.Event) (string, string) { return e.Type, e.ID }),
	verify: func(d *delivery, secrets []string, window time.Duration) (string, error) {
		// Stripe-Signature holds commas itself, so a repeated header is
		// not detected by its comma: the two joined copies carry two t,
		// which the verifier refuses as malformed.
		sig := d.claimed(stripe.SignatureHeader)
		return VerifiedByStripe, stripe.Verifier{Secrets: secrets, Tolerance: window}.Verify(sig, d.body, d.now)
	},
	describe: func(d *delivery, msg *message) error {
		event, err := stripe.ParseEvent(d.body)
		if err != nil {
			return ErrMalformedPayload.Detail("the event has no id and type", err)
		}
		msg.event, msg.deliveryID = event.Type, event.ID
		msg.body, msg.contentType = bodyString(d.req, d.body), d.contentType()
		return nil
	},
}

// standardHeaders returns the values of webhook-id, webhook-timestamp and
// webhook-signature, each from its Svix spelling (svix-id, …) when the
// standard one is absent. Both spellings with different values make the
// request ambiguous, and it is refused.
func standardHeaders(d *delivery) (id, ts, sig string, err error) {
	pick := func(name, svix string, single bool) (string, error) {
		read := func(n string) (string, error) {
			if single {
				return d.header(n)
			}
			// webhook-signature holds commas itself ("v1,<base64>"); two
			// joined copies form one entry no scheme decodes, refused
			// when nothing else in the list verifies.
			return d.claimed(n), nil
		}
		a, err := read(name)
		if err != nil {
			return "", err
		}
		b, err := read(svix)
		if err != nil {
			return "", err
		}
		if a != "" && b != "" && a != b {
			return "", ErrConflictingHeaders.Detail("the "+name+" and "+svix+" headers differ", nil)
		}
		if a == "" {
			a = b
		}
		return a, nil
	}
	if id, err = pick(standard.IDHeader, standard.SvixIDHeader, true); err != nil {
		return "", "", "", err
	}
	if ts, err = pick(standard.TimestampHeader, standard.SvixTimestampHeader, true); err != nil {
		return "", "", "", err
	}
	sig, err = pick(standard.SignatureHeader, standard.SvixSignatureHeader, false)
	return id, ts, sig, err
}

var standardProvider = &Provider{
	Name:   ProviderStandard,
	Window: standard.DefaultTolerance,
	claim: func(d *delivery) (string, string) {
		id := d.claimed(standard.IDHeader)
		if id == "" {
			id = d.claimed(standard.SvixIDHeader)
		}
		event, _ := claimJSON(func(e *standard.Event) (string, string) { return e.Type, "" })(d)
		return event, id
	},
	verify: func(d *delivery, secrets []string, window time.Duration) (string, error) {
		id, ts, sig, err := standardHeaders(d)
		if err != nil {
			return "", err
		}
		version, err := standard.Verifier{Secrets: secrets, Tolerance: window}.Verify(id, ts, sig, d.body, d.now)
		if err != nil {
			return "", err
		}
		if version == standard.V1a {
			return VerifiedByStandardV1a, nil
		}
		return VerifiedByStandardV1, nil
	},
	describe: func(d *delivery, msg *message) error {
		id, _, _, err := standardHeaders(d)
		if err != nil {
			return err
		}
		event, err := standard.ParseEvent(d.body)
		if err != nil {
			return ErrMalformedPayload.Detail("the payload has no type", err)
		}
		msg.event, msg.deliveryID = event.Type, id
		msg.body, msg.contentType = bodyString(d.req, d.body), d.contentType()
		return nil
	},
}

var shopifyProvider = &Provider{
	Name: ProviderShopify,
	claim: func(d *delivery) (string, string) {
		return d.claimed(shopify.TopicHeader), d.claimed(shopify.WebhookIDHeader)
	},
	verify: func(d *delivery, secrets []string, _ time.Duration) (string, error) {
		sig, err := d.header(shopify.SignatureHeader)
		if err != nil {
			return "", err
		}
		return VerifiedByShopify, shopify.Verifier{Secrets: secrets}.Verify(sig, d.body)
	},
	describe: func(d *delivery, msg *message) error {
		event, err := requiredHeader(d.req.Headers, shopify.TopicHeader)
		if err != nil {
			return err
		}
		id, err := requiredHeader(d.req.Headers, shopify.WebhookIDHeader)
		if err != nil {
			return err
		}
		msg.event, msg.deliveryID = event, id
		msg.body, msg.contentType = bodyString(d.req, d.body), d.contentType()
		return nil
	},
}

var slackProvider = &Provider{
	Name:   ProviderSlack,
	Window: slack.DefaultTolerance,
	claim:  claimJSON(slackNames),
	verify: func(d *delivery, secrets []string, window time.Duration) (string, error) {
		sig, err := d.header(slack.SignatureHeader)
		if err != nil {
			return "", err
		}
		ts, err := d.header(slack.TimestampHeader)
		if err != nil {
			return "", err
		}
		return VerifiedBySlack, slack.Verifier{Secrets: secrets, Tolerance: window}.Verify(sig, ts, d.body, d.now)
	},
	describe: func(d *delivery, msg *message) error {
		env, err := slack.ParseEnvelope(d.body)
		if err != nil {
			return ErrMalformedPayload.Detail("the body is not an Events API envelope with a type, and the challenge or event_id its type needs", err)
		}
		if env.Type == slack.TypeURLVerification {
			// Slack checks the Request URL with this: it wants the
			// challenge back, and it is no event to queue.
			msg.event = env.Type
			msg.reply = &events.APIGatewayV2HTTPResponse{
				StatusCode: http.StatusOK,
				Headers:    map[string]string{"content-type": "text/plain"},
				Body:       env.Challenge,
			}
			return nil
		}
		msg.event, msg.deliveryID = slackNames(&env)
		if msg.deliveryID == "" {
			return ErrMalformedPayload.Detail("the "+env.Type+" envelope has no event_id to deduplicate it by", nil)
		}
		msg.body, msg.contentType = bodyString(d.req, d.body), d.contentType()
		return nil
	},
}

// slackNames names an envelope: the wrapped event's type when there is
// one, else the envelope's own, and its event_id.
func slackNames(e *slack.Envelope) (string, string) {
	if e.Event.Type != "" {
		return e.Event.Type, e.EventID
	}
	return e.Type, e.EventID
}

// claimJSON is a claim for providers that name a delivery in the body: it
// decodes the body, once read, into a T and names it with name.
func claimJSON[T any](name func(*T) (event, deliveryID string)) func(d *delivery) (string, string) {
	return func(d *delivery) (string, string) {
		var v T
		if d.body == nil || json.Unmarshal(d.body, &v) != nil {
			return "", ""
		}
		return name(&v)
	}
}

// deliver takes one request through p's steps: claim, read the body,
// verify (once more after a rotation), describe. The message it returns
// names the delivery (verified or only claimed) even with an error, for
// the log line.
func (h *Handler) deliver(ctx context.Context, p *Provider, req *events.APIGatewayV2HTTPRequest, now time.Time) (*message, error) {
	d := &delivery{req: req, now: now, fifo: h.fifo}
	msg := &message{provider: p.Name, group: p.Name}
	msg.event, msg.deliveryID = p.claim(d)
	body, err := h.body(req)
	if err != nil {
		return msg, err
	}
	d.body = body
	// A configured window replaces the default; a zero one is no window
	// set, and every verifier takes zero for its own default.
	window := p.Window
	if w, ok := h.windows[p.Name]; ok {
		window = w
	}
	var verifiedBy string
	verify := func(secrets []string) error {
		var err error
		verifiedBy, err = p.verify(d, secrets, window)
		return err
	}
	if err := verifyWithRefresh(ctx, h.secrets[p.Name], verify, sigcheck.ErrSignatureMismatch); err != nil {
		// Now that the cheap checks have passed, what the body claims too.
		msg.event, msg.deliveryID = p.claim(d)
		return msg, verificationError(err)
	}
	msg.verified, msg.verifiedBy = true, verifiedBy
	if err := p.describe(d, msg); err != nil {
		return msg, err
	}
	return msg, nil
}

// formPayloadMessage explains a form delivery without a payload field. A
// body that looks like JSON is almost always `curl --data '{...}'`, which
// labels JSON as a form: say so rather than only "no payload field".
func formPayloadMessage(body []byte) string {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return "the request's content type is application/x-www-form-urlencoded but its body looks like JSON: " +
			"send it with Content-Type: application/json (curl --data sends form)"
	}
	return "the form-encoded delivery has no valid payload field"
}
