"use strict";
// The feedback panel's behaviour, shared by the practice page and an attempt's page:
// render as text arrives, auto-scroll unless the reader scrolled up, Stop, Copy,
// the summary of the saved record, and errors in words. The summary shows the model's
// assessment when the record has one; the keyword STAR row (an English phrase list run
// over the answer) only on records made before assessments, which have nothing better.
window.FeedbackPanel = (function () {
  const $ = (id) => document.getElementById(id);
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const STAR = ["situation", "task", "action", "result"];

  class FeedbackPanel {
    constructor() {
      this.result = $("result");
      this.output = $("feedback");
      this.text = "";
      this.follow = true;
      this.rendering = false;
      window.addEventListener("scroll", () => {
        const bottom = window.innerHeight + window.scrollY;
        this.follow = bottom >= document.documentElement.scrollHeight - 48;
      }, { passive: true });
      $("copy").addEventListener("click", () => this.copy());
    }

    begin(statusText) {
      this.result.hidden = false;
      this.text = "";
      this.output.textContent = "";
      $("stream-error").hidden = true;
      $("summary").hidden = true;
      $("copy").hidden = true;
      $("try-again").hidden = true;
      $("retry").hidden = true;
      $("stop").hidden = false;
      $("stop").disabled = false;
      $("typing").hidden = false;
      this.status(statusText);
    }

    status(text) {
      $("status-text").textContent = text;
    }

    show(text) {
      this.text = text;
      if (this.rendering) return;
      this.rendering = true;
      requestAnimationFrame(() => {
        this.rendering = false;
        this.render();
      });
    }

    render() {
      window.renderMarkdown(this.output, this.text);
      if (this.follow) window.scrollTo(0, document.documentElement.scrollHeight);
    }

    stopButton(cancelUrl) {
      const stop = $("stop");
      stop.onclick = async () => {
        stop.disabled = true;
        this.status("Stopping…");
        await fetch(cancelUrl, { method: "POST", headers: { "X-CSRF-Token": csrf() } });
      };
    }

    finished(record, tryAgainUrl) {
      $("typing").hidden = true;
      $("stop").hidden = true;
      $("copy").hidden = false;
      if (tryAgainUrl) {
        $("try-again").href = tryAgainUrl;
        $("try-again").hidden = false;
      }
      this.text = record.feedback;
      this.render(); // now, not at the next frame: "Done." never sits beside older text
      this.status(record.status === "interrupted" ? "Stopped." : "Done.");
      this.summary(record);
    }

    failed(error, retry) {
      $("typing").hidden = true;
      $("stop").hidden = true;
      const message = error.code === "connection"
        ? "The connection was lost. Your answer is saved; open your history to see it."
        : "The feedback service failed (" + error.message + "). Your answer is saved.";
      $("stream-error").textContent = message;
      $("stream-error").hidden = false;
      this.status("Failed.");
      if (retry) {
        $("retry").hidden = false;
        $("retry").onclick = retry;
      }
    }

    summary(record) {
      const box = $("summary");
      box.replaceChildren();
      const metrics = record.metrics;
      const assessed = record.assessment !== null && record.assessment !== undefined;
      if (assessed) box.append(window.renderAssessment(record.assessment));
      const rows = [
        ["Score", record.score ? record.score + "/10" : "–"],
        ["Words", metrics.word_count + " (about " + metrics.speaking_time_s + " s spoken)"],
        ...(assessed ? [] : [["STAR", STAR.map((p) => (metrics.star[p] ? "✓ " : "✗ ") + p).join("  ")]]),
        ["Filler words", Object.entries(metrics.filler_words).map(([w, n]) => w + " ×" + n).join(", ") || "none"],
      ];
      const list = document.createElement("dl");
      list.className = "metrics";
      for (const [name, value] of rows) {
        const row = document.createElement("div");
        const term = document.createElement("dt");
        const detail = document.createElement("dd");
        term.textContent = name;
        detail.textContent = value;
        row.append(term, detail);
        list.append(row);
      }
      box.append(list);
      box.hidden = false;
    }

    async copy() {
      await navigator.clipboard.writeText(this.text);
      this.status("Copied.");
    }
  }

  return FeedbackPanel;
})();
