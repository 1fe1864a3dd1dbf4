"use strict";
// The feedback panel's behaviour, shared by the practice page and an attempt's page:
// render as text arrives, auto-scroll unless the reader scrolled up, Stop, Copy,
// the summary of the saved record, and errors in words. While the model writes, the
// answer's metrics show as instant hints, labelled as a keyword check; the keyword STAR
// row (an English phrase list) only where it can work (`metrics.star_applicable`). When
// the record is saved the hints give way to the model's assessment; a record without
// one keeps its keyword STAR row. A screen reader hears the feedback a paragraph at a
// time (`announcer.js`), not as it streams.
window.FeedbackPanel = (function () {
  const $ = (id) => document.getElementById(id);
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const STAR = ["situation", "task", "action", "result"];

  const { element, row } = window.Dom;

  // Words, filler words and, given a label and where the keyword check can work, its STAR parts.
  function metricsList(metrics, starLabel) {
    const list = element("dl", "metrics");
    list.append(
      row("Words", metrics.word_count + " (about " + metrics.speaking_time_s + " s spoken)"),
      row("Filler words",
        Object.entries(metrics.filler_words).map(([w, n]) => w + " ×" + n).join(", ") || "none"),
    );
    if (starLabel && metrics.star_applicable !== false) {
      const star = row(starLabel, "");
      star.className = "keyword-star";
      for (const part of STAR) {
        star.lastChild.append(element("span", "star " + (metrics.star[part] ? "yes" : "no"), part));
      }
      list.append(star);
    }
    return list;
  }

  class FeedbackPanel {
    constructor() {
      this.result = $("result");
      this.output = $("feedback");
      this.text = "";
      this.follow = true;
      this.rendering = false;
      this.writing = false;
      this.announcer = new window.Announcer($("announcer"));
      window.addEventListener("scroll", () => {
        const bottom = window.innerHeight + window.scrollY;
        this.follow = bottom >= document.documentElement.scrollHeight - 48;
      }, { passive: true });
      $("copy").addEventListener("click", () => this.copy());
    }

    begin(statusText) {
      this.result.hidden = false;
      this.writing = true;
      this.removeHints();
      this.text = "";
      this.output.textContent = "";
      this.output.setAttribute("aria-busy", "true");
      this.announcer.restart();
      this.announcer.say("Feedback started.");
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

    hints(metrics) {
      if (!this.writing || !metrics) return;
      this.removeHints();
      const box = element("aside", "hints");
      box.id = "hints";
      box.setAttribute("aria-label", "Instant hints");
      const head = element("h3", null, "Instant hints ");
      head.append(element("span", "method", "keyword check, not the model's judgement"));
      box.append(head, metricsList(metrics, "STAR keywords"));
      this.output.before(box);
    }

    removeHints() {
      const hints = $("hints");
      if (hints) hints.remove();
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
      if (this.writing) this.announcer.paragraphs(this.text, false);
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
      this.writing = false;
      this.removeHints();
      $("typing").hidden = true;
      $("stop").hidden = true;
      $("copy").hidden = false;
      if (tryAgainUrl) {
        $("try-again").href = tryAgainUrl;
        $("try-again").hidden = false;
      }
      this.text = record.feedback;
      this.render(); // now, not at the next frame: "Done." never sits beside older text
      this.output.removeAttribute("aria-busy");
      this.announcer.paragraphs(this.text, true);
      const stopped = record.status === "interrupted";
      this.status(stopped ? "Stopped." : "Done.");
      this.announcer.say(stopped ? "Feedback stopped." : "Feedback finished.");
      this.summary(record);
    }

    failed(error, retry) {
      this.writing = false;
      this.output.removeAttribute("aria-busy");
      $("typing").hidden = true;
      $("stop").hidden = true;
      const message = error.code === "connection"
        ? "The connection was lost. Your answer is saved; open your history to see it."
        : "No feedback this time: " + error.message.replace(/\.?$/, ".")
          + " Your answer is saved; press Retry to ask again.";
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
      const assessed = record.assessment !== null && record.assessment !== undefined;
      if (assessed) box.append(window.renderAssessment(record.assessment));
      const list = metricsList(record.metrics, assessed ? null : "STAR (keywords)");
      if (!assessed) list.prepend(row("Score", record.score ? record.score + "/10" : "–"));
      box.append(list);
      box.hidden = false;
    }

    async copy() {
      await navigator.clipboard.writeText(this.text);
      this.status("Copied.");
      this.announcer.say("Copied.");
    }
  }

  return FeedbackPanel;
})();
