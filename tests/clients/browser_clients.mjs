// Runs sse.js or fetch-event-source in the browser against the API (given in the query
// string) with the recipe of docs/clients.md, and records every delta it receives.
import { SSE } from "./node_modules/sse.js/lib/sse.js";
import { fetchEventSource } from "./node_modules/@microsoft/fetch-event-source/lib/esm/index.js";

const params = new URLSearchParams(location.search);
// With a session: its report, POSTed (fetch-event-source) or its events followed (EventSource).
const session = params.get("session");
const api = params.get("api") + (session ? `/api/v1/sessions/${session}/report` : "/api/v1/feedback");
const body = JSON.stringify({ question: params.get("question"), answer: "I listen, then I act.", delay_ms: 5 });
const headers = {
  "Content-Type": "application/json",
  "Accept": "text/event-stream",
  "Idempotency-Key": params.get("key"),
};
window.result = { deltas: [], done: null, opens: 0 };

function onDelta(id, data) {
  window.result.deltas.push({ id: Number(id), text: JSON.parse(data).text });
}

if (params.get("client") === "eventsource" && session) {
  // The report already started: follow its events; EventSource resumes with Last-Event-ID.
  const source = new EventSource(api + "/events");
  source.addEventListener("open", () => { window.result.opens += 1; });
  source.addEventListener("delta", (e) => onDelta(e.lastEventId, e.data));
  source.addEventListener("done", (e) => { source.close(); window.result.done = JSON.parse(e.data); });
} else if (params.get("client") === "eventsource") {
  // API keys on: POST with the key, then EventSource on the 202's events_url (its token).
  const response = await fetch(api, {
    method: "POST",
    headers: { ...headers, "Accept": "application/json", "Authorization": "Bearer " + params.get("apikey") },
    body,
  });
  const accepted = await response.json();
  const url = new URL(accepted.events_url, params.get("api"));
  if (params.get("strip") === "token") url.search = "";
  const source = new EventSource(url);
  window.result.opens = 1;
  source.addEventListener("delta", (e) => onDelta(e.lastEventId, e.data));
  source.addEventListener("done", (e) => { source.close(); window.result.done = JSON.parse(e.data); });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) window.result.done = { refused: true };
  });
} else if (params.get("client") === "sse.js") {
  const source = new SSE(api, { method: "POST", headers, payload: body, autoReconnect: true,
                                reconnectDelay: 200, useLastEventId: true });
  source.addEventListener("open", () => { window.result.opens += 1; });
  source.addEventListener("delta", (e) => onDelta(e.id ?? e.lastEventId, e.data));
  source.addEventListener("done", (e) => {
    source.autoReconnect = false;
    source.close();
    window.result.done = JSON.parse(e.data);
  });
} else {
  class Fatal extends Error {}
  const controller = new AbortController();
  fetchEventSource(api, {
    method: "POST", headers, body: session ? undefined : body, openWhenHidden: true,
    signal: controller.signal,
    async onopen(response) {
      window.result.opens += 1;
      if (!response.ok) throw new Fatal(await response.text());
    },
    onmessage(event) {
      if (!event.data) return;
      if (event.event === "delta") onDelta(event.id, event.data);
      if (event.event === "done") {
        window.result.done = JSON.parse(event.data);
        controller.abort();
      }
    },
    onerror(error) {
      if (error instanceof Fatal) throw error;
      return 200; // retry soon
    },
  });
}
