"use strict";
// The mock interview's report: started here when the session has none (POST .../report
// ends the session), else followed from its events (GET .../report/events), which replay
// a finished report. The model's Markdown is rendered through markdown.js (sanitized);
// a screen reader hears it a paragraph at a time.
(function () {
  const $ = (id) => document.getElementById(id);
  const root = $("report-page");
  const api = window.SessionApi;
  const announcer = new window.Announcer($("announcer"));
  let text = "";
  let rendering = false;

  function status(words, writing) {
    $("status-text").textContent = words;
    $("typing").hidden = !writing;
  }

  function render() {
    window.renderMarkdown($("report"), text);
  }

  function show(latest) {
    text = latest;
    announcer.paragraphs(text, false);
    if (rendering) return;
    rendering = true;
    requestAnimationFrame(() => {
      rendering = false;
      render();
    });
  }

  function done(record) {
    text = record.feedback;
    render();
    $("report").removeAttribute("aria-busy");
    announcer.paragraphs(text, true);
    const stopped = record.status === "interrupted";
    status(stopped ? "Stopped." : "Done.", false);
    announcer.say(stopped ? "Report stopped." : "Report finished.");
    const overall = record.metrics && record.metrics.overall;
    if (overall !== null && overall !== undefined) {
      $("overall").textContent = "Mean score: " + Number(overall).toFixed(1) + "/10";
      $("overall").hidden = false;
    }
  }

  function failed(message) {
    $("report").removeAttribute("aria-busy");
    status("Failed.", false);
    $("report-error").textContent = message;
    $("report-error").hidden = false;
  }

  function follow(eventsUrl) {
    status("Writing your report…", true);
    $("report").setAttribute("aria-busy", "true");
    announcer.say("Report started.");
    api.follow(eventsUrl, {
      onText: show,
      onReconnecting() { status("Reconnecting…", true); },
      onDone: done,
      onFailed(error) {
        failed(error.code === "connection"
          ? "The connection was lost. Reload the page to follow the report again."
          : "No report this time: " + error.message.replace(/\.?$/, "."));
      },
    });
  }

  async function load() {
    try {
      const session = await api.get(root.dataset.api);
      if (session.report) {
        follow(root.dataset.events);
        return;
      }
      const started = await api.post(root.dataset.create);
      follow(started.events_url);
    } catch (problem) {
      if (!(problem instanceof api.Problem)) throw problem;
      failed(problem.message);
      $("back").hidden = problem.status !== 409;
    }
  }

  load();
})();
