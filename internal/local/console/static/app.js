// The console page: polls the console API and renders queues, messages,
// event source mappings and requests. Plain DOM, no build step; text is
// always set with textContent.
"use strict";

const api = (path, opts = {}) =>
  fetch("api" + path, {
    ...opts,
    headers: { ...(opts.headers || {}), ...(opts.method === "POST" ? { "X-Sqsgate-Console": "1" } : {}) },
  }).then(async (r) => {
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error((body.code || r.status) + ": " + (body.message || ""));
    return body;
  });

const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};

const setStatus = (text) => { document.getElementById("status").textContent = text; };

// chart draws a queue's visible depth over the sampled minutes.
function chart(history) {
  const w = 160, h = 28, ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("width", w);
  svg.setAttribute("height", h);
  if (!history || history.length === 0) return svg;
  if (history.length === 1) history = [history[0], history[0]]; // a flat line until the next sample
  const max = Math.max(1, ...history.map((s) => s.v));
  const step = history.length > 1 ? w / (history.length - 1) : 0;
  const pts = history.map((s, i) => `${(i * step).toFixed(1)},${(h - 2 - (s.v / max) * (h - 4)).toFixed(1)}`);
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", pts.join(" "));
  svg.append(line);
  const title = document.createElementNS(ns, "title");
  title.textContent = `max ${max} over ${history.length} samples`;
  svg.append(title);
  return svg;
}

async function showMessages(name) {
  const section = document.getElementById("messages-section");
  document.getElementById("messages-queue").textContent = name;
  const tbody = document.querySelector("#messages tbody");
  try {
    const { messages } = await api(`/queues/${encodeURIComponent(name)}/messages`);
    tbody.replaceChildren(...messages.map((m) => el("tr", { "data-message": m.messageId },
      el("td", {}, m.messageId), el("td", {}, m.state), el("td", { class: "num" }, m.receiveCount),
      el("td", {}, new Date(m.sentAt).toLocaleTimeString()),
      el("td", {}, Object.entries(m.attributes || {}).map(([k, v]) => `${k}=${v}`).join(" ")),
      el("td", { class: "body" }, m.body))));
    if (messages.length === 0) tbody.replaceChildren(el("tr", {}, el("td", { colSpan: 6 }, "no messages")));
  } catch (e) {
    tbody.replaceChildren(el("tr", {}, el("td", { colSpan: 6 }, e.message)));
  }
  section.hidden = false;
}

async function redrive(name, button) {
  button.disabled = true;
  try {
    const r = await api(`/queues/${encodeURIComponent(name)}/redrive`, { method: "POST" });
    setStatus(`redrive of ${name} started (task ${r.taskHandle})`);
  } catch (e) {
    setStatus(`redrive of ${name} failed: ${e.message}`);
  }
  button.disabled = false;
  refreshQueues();
}

async function refreshQueues() {
  const { queues } = await api("/queues");
  const tbody = document.querySelector("#queues tbody");
  tbody.replaceChildren(...queues.map((q) => {
    const name = el("td", { class: "name" }, q.name);
    if (q.dlq) name.append(el("span", { class: "dlq" }, `dead-letter queue of ${q.dlqOf.join(", ")}`));
    const actions = el("td");
    if (q.peekable) actions.append(el("button", { onclick: () => showMessages(q.name), "data-action": "messages" }, "messages"));
    if (q.dlq) {
      const b = el("button", { "data-action": "redrive", title: "StartMessageMoveTask: move the messages back to their source queue" }, "redrive");
      b.onclick = () => redrive(q.name, b);
      actions.append(" ", b);
    }
    return el("tr", { "data-queue": q.name },
      name,
      el("td", { class: "num visible" }, q.visible),
      el("td", { class: "num inflight" }, q.inFlight),
      el("td", { class: "num delayed" }, q.delayed),
      el("td", {}, chart(q.history)),
      actions);
  }));
}

async function refreshEventSources() {
  const { mappings } = await api("/event-sources");
  const tbody = document.querySelector("#eventsources tbody");
  if (mappings.length === 0) {
    tbody.replaceChildren(el("tr", {}, el("td", { colSpan: 14 }, "no SQS event source mappings in the template")));
    return;
  }
  tbody.replaceChildren(...mappings.map((m) => el("tr", { "data-mapping": `${m.function}/${m.event}`, class: "state-" + m.state.split(" ")[0] },
    el("td", {}, m.function),
    el("td", {}, m.event),
    el("td", { class: "queue" }, m.queueUrl.slice(m.queueUrl.lastIndexOf("/") + 1)),
    el("td", { class: "num" }, m.batchSize),
    el("td", { class: "num" }, `${m.batchingWindowSeconds} s`),
    el("td", { class: "num" }, m.maximumConcurrency || "default"),
    el("td", { class: "num" }, m.filters),
    el("td", {}, m.reportBatchItemFailures ? "reported" : "no"),
    el("td", { class: "state" }, m.state),
    el("td", { class: "num batches" }, m.batches),
    el("td", { class: "num invoked" }, m.recordsInvoked),
    el("td", { class: m.recordsFailed > 0 ? "num failed" : "num" }, m.recordsFailed),
    el("td", { class: "num filtered" }, m.recordsFiltered),
    el("td", { class: "last" }, m.lastOutcome ? `${m.lastOutcome} at ${new Date(m.lastBatchAt).toLocaleTimeString()}` : "none yet"))));
}

let lastRequest = 0;
async function refreshRequests() {
  const { requests } = await api(`/requests?after=${lastRequest}`);
  const tbody = document.querySelector("#requests tbody");
  for (const r of requests) {
    lastRequest = Math.max(lastRequest, r.id);
    const auth = r.authorizer ? el("span", { class: r.authorizer }, r.authorizer + (r.authorizerReason ? `: ${r.authorizerReason}` : "")) : "";
    const hook = r.webhook ? el("span", { class: r.webhook },
      r.webhook + (r.webhookCode ? ` ${r.webhookCode}` : "") + (r.webhookMessage ? ` (${r.webhookMessage})` : "")) : "";
    tbody.prepend(el("tr", { "data-request": r.id },
      el("td", {}, new Date(r.at).toLocaleTimeString()),
      el("td", {}, r.route !== "-" ? r.route : `${r.method} ${r.path}`),
      el("td", { class: "num status" }, r.status),
      el("td", { class: "authorizer" }, auth),
      el("td", { class: "webhook" }, hook),
      el("td", { class: "num" }, `${r.latencyMs.toFixed(1)} ms`)));
  }
}

async function loadProviders() {
  const { providers } = await api("/webhooks");
  const box = document.getElementById("webhooks");
  box.replaceChildren(...providers.map((p) => {
    const b = el("button", { "data-provider": p }, p);
    b.onclick = async () => {
      const out = document.getElementById("delivery-result");
      try {
        const r = await api(`/webhooks/${encodeURIComponent(p)}/test`, { method: "POST" });
        out.textContent = `${p}: ${r.status} ${r.body}`;
      } catch (e) {
        out.textContent = `${p}: ${e.message}`;
      }
      refreshRequests();
    };
    return b;
  }));
  if (providers.length === 0) box.textContent = "no webhook routes";
}

async function tick() {
  try {
    await Promise.all([refreshQueues(), refreshRequests(), refreshEventSources()]);
    setStatus(`updated ${new Date().toLocaleTimeString()}`);
  } catch (e) {
    setStatus(`cannot reach the console API: ${e.message}`);
  }
}

loadProviders().catch((e) => setStatus(e.message));
tick();
setInterval(tick, 2000);
