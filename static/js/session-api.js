"use strict";
// The mock interview pages' calls to /api/v1/sessions: JSON in and out, the session's
// CSRF header, 202 rather than an inline stream. A refusal (problem+json) rejects with
// `SessionApi.Problem`, whose message says in plain words what happened and what to do;
// `errors` holds a 422's field messages.
window.SessionApi = (function () {
  class Problem extends Error {
    constructor(message, status, errors) {
      super(message);
      this.status = status;
      this.errors = errors || {};
    }
  }

  function words(status, data, retryAfter) {
    const detail = (data && data.detail) || "";
    if (status === 409 || status === 404) return detail || "This is not possible now.";
    if (status === 422) return "Some fields need a change: see the messages beside them.";
    if (status === 429) {
      return "Too many requests: try again in " + (retryAfter || "a few") + " s.";
    }
    if (status === 503) {
      return "The service is busy or unavailable right now. Try again in a moment.";
    }
    return "The request failed (" + status + "). Try again in a moment.";
  }

  async function call(method, url, body) {
    const headers = { "Accept": "application/json", "Prefer": "respond-async" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRF-Token"] = document.querySelector('meta[name="csrf-token"]').content;
    }
    let response;
    try {
      response = await fetch(url, {
        method: method,
        headers: headers,
        body: method === "GET" ? undefined : JSON.stringify(body || {}),
      });
    } catch (error) {
      throw new Problem("Could not reach the service. Check your connection and try again.", 0);
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (response.ok && data) return data;
    const retryAfter = response.headers.get("Retry-After");
    throw new Problem(words(response.status, data, retryAfter), response.status,
      data && data.errors);
  }

  // Follow a generation's events (stream.js), not remembered: the session's state says what to resume.
  function follow(eventsUrl, handlers) {
    const stream = new window.FeedbackStream({ eventsUrl: eventsUrl, lastId: 0, text: "" }, {
      onFirstCharacter() {},
      onReconnecting() {},
      ...handlers,
    }, false);
    stream.follow();
    return stream;
  }

  return {
    get: (url) => call("GET", url),
    post: (url, body) => call("POST", url, body),
    follow: follow,
    Problem: Problem,
  };
})();
