package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/console"
	"github.com/sqsgate/sqsgate/internal/local/eventsource"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// playwrightDir is where `npm install --prefix bin/playwright
// playwright-core` puts the module (bin/ is git-ignored), or
// $SQSGATE_PLAYWRIGHT_DIR.
func playwrightDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SQSGATE_PLAYWRIGHT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "bin", "playwright")
	}
	modules, err := filepath.Abs(filepath.Join(dir, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(modules, "playwright-core")); err != nil {
		testpeer.Missing(t, "playwright-core not installed: npm install --prefix bin/playwright playwright-core")
	}
	return modules
}

// TestConsoleInChromium drives the page in Debian's headless Chromium with
// playwright-core: it loads, its queue list is SQS's, a rejected webhook
// shows its reason, the event source mappings panel lists the mapping, the
// redrive button moves the DLQ's messages back, and the GitHub button's
// signed delivery is accepted. Screenshots go to a temporary directory,
// never the repository.
func TestConsoleInChromium(t *testing.T) {
	node := testpeer.LookPath(t, "node")
	chromium := testpeer.LookPath(t, "chromium")
	modules := playwrightDir(t)

	// A disabled mapping on the ingest queue: it shows in the panel
	// without receiving the messages the redrive returns there.
	r := newRig(t, func(r *rig, o *console.Options) {
		es, err := eventsource.Start(eventsource.Options{SQS: r.sqs, Mappings: []eventsource.Mapping{{
			Function: "ProcessorFunction", Name: "Ingest", QueueURL: r.ingest, BatchSize: 10, Enabled: false}}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { es.Close() })
		o.EventSources = es.Status
	})
	r.deadLetter(t, "one", "two")
	resp, err := http.Post(r.URL+"/webhooks/github", "application/json", strings.NewReader(`{"zen":"forged"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	shots, err := os.MkdirTemp("", "sqsgate-console-screens-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "browser.cjs"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "CHROMIUM="+chromium,
		"CONSOLE_URL="+r.URL+"/_sqsgate/", "SCREENSHOT_DIR="+shots)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("browser script: %v\n%s", err, stderr.String())
	}
	var got struct {
		Title       string   `json:"title"`
		Queues      []string `json:"queues"`
		DLQBefore   string   `json:"dlqBefore"`
		Rejected    string   `json:"rejected"`
		DLQAfter    string   `json:"dlqAfter"`
		IngestAfter string   `json:"ingestAfter"`
		Delivery    string   `json:"delivery"`
		Mapping     string   `json:"mapping"`
		Errors      []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("script output %q: %v", out, err)
	}
	if got.Title != "sqsgate console" || len(got.Errors) > 0 {
		t.Errorf("page title %q, script errors %v", got.Title, got.Errors)
	}
	if strings.Join(got.Queues, ",") != "sqsgate-dlq,sqsgate-ingest" {
		t.Errorf("page lists %v, SQS has sqsgate-dlq and sqsgate-ingest", got.Queues)
	}
	if got.DLQBefore != "2" || got.DLQAfter != "0" || got.IngestAfter != "2" {
		t.Errorf("DLQ %s before, %s after; ingest %s after: the redrive button did not move both messages back", got.DLQBefore, got.DLQAfter, got.IngestAfter)
	}
	if dlq, ingest := r.depth(t, r.dlq), r.depth(t, r.ingest); dlq != 0 || ingest != 2 {
		t.Errorf("SQS after the click: DLQ %d, ingest %d", dlq, ingest)
	}
	if !strings.Contains(got.Rejected, "POST /webhooks/github") || !strings.Contains(got.Rejected, "401") ||
		!strings.Contains(got.Rejected, "no configured secret matches") {
		t.Errorf("rejected webhook row %q lacks route, status or reason", got.Rejected)
	}
	for _, want := range []string{"ProcessorFunction", "Ingest", "sqsgate-ingest", "disabled", "none yet"} {
		if !strings.Contains(got.Mapping, want) {
			t.Errorf("event source mapping row %q lacks %q", got.Mapping, want)
		}
	}
	if !strings.Contains(got.Delivery, "github: 202") {
		t.Errorf("test delivery result %q, want github: 202", got.Delivery)
	}
}
