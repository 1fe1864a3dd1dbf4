"use strict";
// Follows a record's event stream with EventSource. The practice page also keeps
// what arrived in sessionStorage (`remembered: true`), so a reload picks up after
// the last event id instead of starting again; a lost network is resumed by
// EventSource itself, which resends Last-Event-ID. One remembered stream per tab.
window.FeedbackStream = (function () {
  const STORAGE_KEY = "interview.stream";

  function saved() {
    try {
      return JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  class FeedbackStream {
    // handlers: onText(text), onFirstCharacter(), onDone(record), onFailed(error), onReconnecting()
    constructor(state, handlers, remembered) {
      this.state = state; // {id, eventsUrl, cancelUrl, lastId, text, question, role, startedAt}
      this.handlers = handlers;
      this.remembered = remembered;
      this.source = null;
    }

    static resumable() {
      return saved();
    }

    follow() {
      const state = this.state;
      const url = state.eventsUrl + (state.lastId ? "?last_event_id=" + state.lastId : "");
      this.source = new EventSource(url);
      window.addEventListener("pagehide", () => {
        this.leaving = true;
        this.save(); // a reload must find the latest text and event id
      });
      this.source.addEventListener("delta", (event) => {
        const first = state.text === "";
        state.text += JSON.parse(event.data).text;
        state.lastId = Number(event.lastEventId);
        if (first) this.handlers.onFirstCharacter();
        this.handlers.onText(state.text);
        this.remember();
      });
      this.source.addEventListener("done", (event) => {
        this.finish();
        this.handlers.onDone(JSON.parse(event.data));
      });
      this.source.addEventListener("error", (event) => {
        if (event.data !== undefined) { // the stream's own `error` event
          this.finish();
          this.handlers.onFailed(JSON.parse(event.data));
        } else if (this.source.readyState === EventSource.CONNECTING) {
          this.handlers.onReconnecting(); // EventSource resends Last-Event-ID by itself
        } else if (!this.leaving) {
          // Closed for good; keep what was remembered, so a reload can still resume.
          this.source.close();
          this.handlers.onFailed({ code: "connection", message: "The connection was lost." });
        }
      });
      this.remember();
    }

    remember() {
      if (!this.remembered || this.pending) return;
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.save();
      });
    }

    save() {
      if (this.remembered && this.source) {
        sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.state));
      }
    }

    finish() {
      if (this.source) this.source.close();
      this.source = null;
      if (this.remembered) sessionStorage.removeItem(STORAGE_KEY);
    }
  }

  return FeedbackStream;
})();
