package platform

import (
	"context"
	"io"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/console"
	"github.com/sqsgate/sqsgate/internal/local/fixtures"
)

// startConsole builds the console served at console.Prefix on the API's
// listener and starts its depth sampling; Close stops it. It returns
// the access log writer the HTTP API must use (the console reads the
// routes and authorizer errors from it and passes each line to next).
func (p *Platform) startConsole(backend queueBackend, api []apiRoute, next io.Writer) (*console.Console, io.Writer) {
	opts := console.Options{
		SQS:         newSQSClient(p.SQSEndpoint, p.cfg.Region, p.External),
		APIURL:      p.APIURL,
		Authorizers: map[string]string{},
		// Set by startEventSources, which runs first.
		EventSources: p.eventSources,
		Logger:       p.cfg.Logger.With("component", "console"),
	}
	if e, ok := backend.(*EmbeddedSQS); ok {
		opts.Peek = e.server.Peek
	}
	routes := map[string]bool{}
	for _, r := range api {
		routes[r.Key()] = true
		if r.Authorizer != "" {
			opts.Authorizers[r.Key()] = r.Authorizer
		}
	}
	// One accepted sample delivery per provider whose route is served,
	// signed with the dev secrets at the time of the click.
	opts.Deliveries = func(now time.Time) map[string]console.Delivery {
		out := map[string]console.Delivery{}
		for _, w := range fixtures.Webhooks(now) {
			if _, done := out[w.Provider]; done || w.WantStatus != 202 || !routes["POST "+w.Path] {
				continue
			}
			out[w.Provider] = console.Delivery{Path: w.Path, Headers: w.Headers, Body: w.Body}
		}
		return out
	}
	c := console.New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	p.onClose(func() error { cancel(); <-done; return nil })
	return c, c.AccessLog(next)
}
