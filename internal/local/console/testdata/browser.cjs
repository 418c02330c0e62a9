// Drives the console page in headless Chromium for browser_test.go: the
// page loads, lists the queues, shows the rejected webhook with its reason,
// lists the event source mapping, and its redrive button empties the
// dead-letter queue into its source.
// Prints one JSON object; screenshots go to SCREENSHOT_DIR (a temp dir).
const { chromium } = require("playwright-core");

(async () => {
  const out = {};
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(process.env.CONSOLE_URL, { waitUntil: "load" });
    out.title = await page.title();
    await page.waitForSelector('tr[data-queue="sqsgate-dlq"] button[data-action="redrive"]');
    out.queues = await page.$$eval("tr[data-queue]", (rows) => rows.map((r) => r.dataset.queue));
    out.dlqBefore = await page.textContent('tr[data-queue="sqsgate-dlq"] td.visible');
    const rejected = page.locator("#requests tbody tr", { hasText: "invalid_signature" });
    await rejected.first().waitFor();
    out.rejected = (await rejected.first().textContent()).replace(/\s+/g, " ");
    const mapping = page.locator('#eventsources tr[data-mapping="ProcessorFunction/Ingest"]');
    await mapping.waitFor();
    out.mapping = (await mapping.textContent()).replace(/\s+/g, " ");
    await page.screenshot({ path: process.env.SCREENSHOT_DIR + "/before-redrive.png", fullPage: true });
    await page.click('tr[data-queue="sqsgate-dlq"] button[data-action="redrive"]');
    await page.waitForFunction(() => {
      const v = (q) => document.querySelector(`tr[data-queue="${q}"] td.visible`)?.textContent;
      return v("sqsgate-dlq") === "0" && v("sqsgate-ingest") === "2";
    });
    out.dlqAfter = await page.textContent('tr[data-queue="sqsgate-dlq"] td.visible');
    out.ingestAfter = await page.textContent('tr[data-queue="sqsgate-ingest"] td.visible');
    await page.click('#webhooks button[data-provider="github"]');
    await page.locator("#delivery-result", { hasText: "202" }).waitFor();
    out.delivery = await page.textContent("#delivery-result");
    await page.screenshot({ path: process.env.SCREENSHOT_DIR + "/after-redrive.png", fullPage: true });
    out.errors = errors;
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
