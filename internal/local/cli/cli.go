package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/fixtures"
	"github.com/sqsgate/sqsgate/internal/local/platform"
)

// Main runs the sqsgate command line with args (without the program name)
// and returns the process exit code: 0 success, 1 failure (including a
// function error from invoke), 2 usage error. It returns when ctx is done
// for the long-running commands (run, sqs).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, args, stdout, stderr, lookupEnv)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		topUsage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var c *command
	for i := range cmds {
		if cmds[i].name == args[0] {
			c = &cmds[i]
		}
	}
	if c == nil {
		fmt.Fprintf(stderr, "sqsgate: unknown command %q\n\n", args[0])
		topUsage(stderr, cmds)
		return 2
	}
	fs := flag.NewFlagSet("sqsgate "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	body := c.flags(fs)
	fs.Usage = func() { usage(stderr, c, fs) }
	rest := args[1:]
	// A leading positional argument (invoke's function) may come before
	// the flags, as in `sqsgate invoke WebhookFunction --event e.json`.
	var positional []string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		positional, rest = rest[:1], rest[1:]
	}
	if ok, code := parse(fs, rest, lookup); !ok {
		return code
	}
	return body(&runContext{args: append(positional, fs.Args()...), stdout: stdout, stderr: stderr, fs: fs, ctx: ctx})
}

func topUsage(w io.Writer, cmds []command) {
	fmt.Fprintf(w, "sqsgate runs the SAM application in template.yaml on this machine: no Docker, no AWS account.\n\nUsage: sqsgate <command> [flags]\n\nCommands:\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-7s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun `sqsgate <command> --help` for its flags. Every flag is also read from SQSGATE_<FLAG> (e.g. SQSGATE_API_ADDR).\n")
}

func fail(w io.Writer, err error) int {
	fmt.Fprintln(w, "sqsgate:", err)
	return 1
}

func commands() []command {
	return []command{
		{
			name:    "run",
			summary: "Run everything: the SQS endpoint, every function under the local Lambda runtime, the API (the template's HTTP API or REST API) and the Lambda Invoke API.",
			detail: "Routes, authorizers, queues and functions come from the template. Each function runs its real bootstrap\n" +
				"from --functions-dir/<LogicalId>/bootstrap, built first when missing or stale (--build). Ctrl-C stops everything.",
			flags: func(fs *flag.FlagSet) func(*runContext) int {
				cfg, buildFlag := platformFlags(fs)
				fs.StringVar(&cfg.APIAddr, "api-addr", platform.DefaultAPIAddr, "API listen address (the HTTP API or the REST API)")
				fs.StringVar(&cfg.SQSAddr, "sqs-addr", platform.DefaultSQSAddr, "embedded SQS endpoint listen address (loopback by default)")
				fs.StringVar(&cfg.LambdaAddr, "lambda-addr", platform.DefaultLambdaAddr, "Lambda Invoke API listen address (aws lambda invoke --endpoint-url)")
				fs.StringVar(&cfg.DataDir, "data-dir", platform.DefaultDataDir, "directory of the embedded SQS endpoint's durable store; empty keeps messages in memory")
				fs.BoolVar(&cfg.NoEventSources, "no-event-sources", false, "list the template's SQS event source mappings but do not poll them")
				fs.IntVar(&cfg.MaxConcurrency, "max-concurrency", 0, "execution environments per function unless the template sets ReservedConcurrentExecutions (0 = the runtime's default, 10)")
				level := fs.String("log-level", "info", "the platform's own log level: debug, info, warn or error")
				accessLog := fs.Bool("access-log", true, "write an API access log line (JSON) per request to stderr")
				watchFlag := fs.Bool("watch", false, "rebuild a function when its Go sources change and swap it in without a restart (invocations in flight finish on the old binary); template changes are reported, to apply by a restart")
				return func(rc *runContext) int {
					if len(rc.args) > 0 {
						return usageError(rc, "run takes no arguments")
					}
					log, err := logger(rc.stderr, *level)
					if err != nil {
						return usageError(rc, err.Error())
					}
					cfg.Logger = log
					cfg.LogOutput = rc.stderr
					if *accessLog {
						cfg.AccessLog = rc.stderr
					}
					cfg.Command = commandName()
					if *buildFlag {
						cfg.Build = builder(cfg, rc.stderr)
					}
					if *watchFlag {
						if err := runWatching(rc.ctx, *cfg, rc.stdout, rc.stderr); err != nil {
							return fail(rc.stderr, err)
						}
						return 0
					}
					if err := platform.Run(rc.ctx, *cfg, rc.stdout); err != nil {
						return fail(rc.stderr, err)
					}
					return 0
				}
			},
		},
		{
			name:    "sqs",
			summary: "Run only the SQS-compatible endpoint (AWS JSON 1.0 and query protocols).",
			detail: "Queues are created by clients (CreateQueue). Queue URLs use the address clients call; a request signed for\n" +
				"another region (its SigV4 credential scope) sees that region's queues. POST /_sqsgate/reset deletes every queue.",
			flags: func(fs *flag.FlagSet) func(*runContext) int {
				addr := fs.String("sqs-addr", platform.DefaultSQSAddr, "listen address (loopback by default)")
				dataDir := fs.String("data-dir", "", "directory of the durable store; empty keeps messages in memory")
				region := fs.String("region", platform.DefaultRegion, "region of requests whose signature names none")
				accountID := fs.String("account-id", platform.DefaultAccountID, "account in queue URLs and ARNs")
				level := fs.String("log-level", "info", "log level: debug, info, warn or error")
				allowOthers := fs.Bool("allow-other-users", false, allowOtherUsersUsage)
				return func(rc *runContext) int {
					if len(rc.args) > 0 {
						return usageError(rc, "sqs takes no arguments")
					}
					log, err := logger(rc.stderr, *level)
					if err != nil {
						return usageError(rc, err.Error())
					}
					if err := serveSQS(rc.ctx, *addr, *dataDir, *region, *accountID, *allowOthers, rc, log); err != nil {
						return fail(rc.stderr, err)
					}
					return 0
				}
			},
		},
		{
			name:    "invoke",
			args:    " FUNCTION_LOGICAL_ID",
			summary: "Invoke one function's real bootstrap once on an event file, like `sam local invoke -e`.",
			detail: "The response payload goes to stdout; the function's log and Lambda's REPORT line go to stderr.\n" +
				"The exit code is 1 when the function returns an error. Without --sqs-endpoint the function's SQS calls go\n" +
				"to an in-memory endpoint holding the template's queues for this invocation only.",
			flags: func(fs *flag.FlagSet) func(*runContext) int {
				cfg, buildFlag := platformFlags(fs)
				event := fs.String("event", "", "event file (JSON); - reads stdin")
				level := fs.String("log-level", "warn", "the platform's own log level: debug, info, warn or error")
				return func(rc *runContext) int {
					if len(rc.args) != 1 {
						return usageError(rc, "invoke takes one function logical ID")
					}
					if *event == "" {
						return usageError(rc, "--event is required")
					}
					payload, err := readEvent(*event)
					if err != nil {
						return fail(rc.stderr, err)
					}
					log, err := logger(rc.stderr, *level)
					if err != nil {
						return usageError(rc, err.Error())
					}
					cfg.Logger = log
					cfg.LogOutput = rc.stderr
					if *buildFlag {
						cfg.Build = builder(cfg, rc.stderr)
					}
					res, err := platform.Invoke(rc.ctx, *cfg, rc.args[0], payload)
					if err != nil {
						return fail(rc.stderr, err)
					}
					rc.stdout.Write(res.Payload)
					fmt.Fprintln(rc.stdout)
					if res.FunctionError != "" {
						fmt.Fprintf(rc.stderr, "sqsgate: %s returned a function error (%s)\n", rc.args[0], res.FunctionError)
						return 1
					}
					return 0
				}
			},
		},
		{
			name:    "token",
			summary: "Print a Cognito-shaped token from the local dev issuer (dev only; its JWKS is served by `sqsgate run`).",
			detail:  "Issuer " + devissuer.Issuer + ", key set at http://<api-addr>" + devissuer.JWKSPath + ".",
			flags: func(fs *flag.FlagSet) func(*runContext) int {
				var c devissuer.Claims
				fs.StringVar(&c.Subject, "sub", devissuer.DefaultSubject, "sub claim")
				fs.StringVar(&c.Username, "username", devissuer.DefaultUsername, "username (cognito:username in id tokens)")
				fs.StringVar(&c.ClientID, "client-id", devissuer.ClientID, "app client id (client_id of access tokens, aud of id tokens)")
				fs.StringVar(&c.TokenUse, "token-use", devissuer.TokenUseAccess, "access or id")
				scopes := fs.String("scope", "", "space- or comma-separated OAuth scopes (access tokens)")
				groups := fs.String("groups", "", "comma-separated cognito:groups")
				fs.DurationVar(&c.TTL, "ttl", devissuer.DefaultTTL, "lifetime; 0 mints a token that expires as it is issued (exp = iat) and a negative one a token already expired that long ago, to test expiry")
				return func(rc *runContext) int {
					if len(rc.args) > 0 {
						return usageError(rc, "token takes no arguments")
					}
					if c.TokenUse != devissuer.TokenUseAccess && c.TokenUse != devissuer.TokenUseID {
						return usageError(rc, "--token-use must be access or id")
					}
					if c.TTL == 0 {
						c.TTL = devissuer.ExpireAtIssue
					}
					c.Scopes = splitList(*scopes)
					c.Groups = splitList(*groups)
					signer, err := devissuer.Load()
					if err != nil {
						return fail(rc.stderr, err)
					}
					token, err := signer.Mint(c, time.Now())
					if err != nil {
						return fail(rc.stderr, err)
					}
					fmt.Fprintln(rc.stdout, token)
					return 0
				}
			},
		},
		{
			name:    "events",
			summary: "Regenerate the signed fixtures: events/webhook/*.json (dev webhook secrets) and events/authorizer/*.json (dev tokens).",
			detail: "GitHub fixtures are stable; the Paddle fixtures are signed at the current time and the authorizer tokens\n" +
				"live an hour, so regenerate them just before `make invoke` with them (Paddle's tolerance is 5 s).",
			flags: func(fs *flag.FlagSet) func(*runContext) int {
				dir := fs.String("dir", "events", "root of the fixtures")
				return func(rc *runContext) int {
					if len(rc.args) > 0 {
						return usageError(rc, "events takes no arguments")
					}
					now := time.Now()
					written, err := fixtures.WriteWebhookEvents(filepath.Join(*dir, "webhook"), now)
					if err != nil {
						return fail(rc.stderr, err)
					}
					more, err := fixtures.WriteAuthorizerEvents(filepath.Join(*dir, "authorizer"), now)
					if err != nil {
						return fail(rc.stderr, err)
					}
					for _, p := range append(written, more...) {
						fmt.Fprintln(rc.stdout, p)
					}
					return 0
				}
			},
		},
	}
}

// platformFlags are the flags run and invoke share; buildFlag is --build.
func platformFlags(fs *flag.FlagSet) (cfg *platform.Config, buildFlag *bool) {
	cfg = &platform.Config{Parameters: map[string]string{}}
	buildFlag = fs.Bool("build", true, "build each function's bootstrap into --functions-dir when it is missing or its Go sources changed (CGO off, -tags lambda.norpc, for this machine), from the Go module beside --template; false runs what is there")
	fs.StringVar(&cfg.Template, "template", platform.DefaultTemplate, "SAM template")
	fs.StringVar(&cfg.EnvVars, "env-vars", "", "SAM-format env-vars file: {\"<LogicalId>\": {\"VAR\": \"value\"}, \"Parameters\": {...}}")
	fs.Var(params(cfg.Parameters), "parameter-overrides", "template parameter overrides, \"Key=Value Key2=Value2\" (win over the env-vars file's Parameters)")
	fs.StringVar(&cfg.SQSEndpoint, "sqs-endpoint", "", "use this external SQS endpoint (moto, ElasticMQ, LocalStack, AWS) instead of the embedded one")
	fs.StringVar(&cfg.FunctionsDir, "functions-dir", platform.DefaultFunctionsDir, "directory holding <LogicalId>/bootstrap for each function, built for this machine")
	fs.StringVar(&cfg.Region, "region", platform.DefaultRegion, "AWS::Region")
	fs.StringVar(&cfg.StackName, "stack-name", platform.DefaultStackName, "AWS::StackName (queue names derive from it)")
	fs.StringVar(&cfg.AccountID, "account-id", platform.DefaultAccountID, "AWS::AccountId and the embedded endpoint's account; with --sqs-endpoint, that endpoint's account (moto: 123456789012)")
	fs.BoolVar(&cfg.AllowOtherUsers, "allow-other-users", false, allowOtherUsersUsage)
	return cfg, buildFlag
}

// allowOtherUsersUsage documents the one switch that opens the listeners.
const allowOtherUsersUsage = "let every local user connect, and allow non-loopback --*-addr (by default only the user who started sqsgate may connect: " +
	"on Linux other users' connections are refused and logged; elsewhere listeners are loopback-only)"

func usageError(rc *runContext, msg string) int {
	fmt.Fprintf(rc.stderr, "sqsgate: %s\n", msg)
	rc.fs.Usage()
	return 2
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

func readEvent(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(os.Stdin)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read event: %w", err)
	}
	return b, nil
}

// commandName is how the user called sqsgate, for hints.
func commandName() string {
	if len(os.Args) > 0 && strings.Contains(os.Args[0], string(filepath.Separator)) && !strings.Contains(os.Args[0], "go-build") {
		return os.Args[0]
	}
	return "sqsgate"
}

// serveSQS runs the embedded SQS endpoint alone until ctx is done.
func serveSQS(ctx context.Context, addr, dataDir, region, accountID string, allowOthers bool, rc *runContext, log *slog.Logger) error {
	e, err := platform.StartEmbeddedSQS(platform.SQSOptions{Addr: addr, DataDir: dataDir, Region: region,
		AccountID: accountID, AllowOtherUsers: allowOthers, Logger: log})
	if err != nil {
		return err
	}
	store := "in memory"
	if dataDir != "" {
		store = "data in " + dataDir
	}
	fmt.Fprintf(rc.stdout, "sqsgate: SQS endpoint on %s (%s, account %s)\nsqsgate: ready (Ctrl-C stops it)\n", e.Endpoint(), store, accountID)
	<-ctx.Done()
	return e.Close()
}
