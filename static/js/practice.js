"use strict";
// The practice form: question bank, word count, submit, and the streamed feedback.
(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("practice");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const panel = new window.FeedbackPanel();
  const WORD = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]|[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu;
  const FIELDS = ["question", "answer", "role"];

  $("bank").addEventListener("change", (event) => {
    const option = event.target.selectedOptions[0];
    if (option.value) $("question").value = option.value;
    if (option.dataset.role) $("role").value = option.dataset.role;
    $("question-tip").textContent = option.dataset.tip || "";
  });

  function countWords() {
    const words = ($("answer").value.match(WORD) || []).length;
    const seconds = Math.round((words * 60) / 130);
    $("answer-count").textContent =
      words + (words === 1 ? " word" : " words") + " · about " + seconds + " s spoken";
  }
  $("answer").addEventListener("input", countWords);
  countWords();

  function clearErrors() {
    for (const name of FIELDS) {
      $(name + "-error").hidden = true;
      $(name).removeAttribute("aria-invalid");
    }
    $("form-error").hidden = true;
  }

  function showFieldErrors(errors) {
    let first = null;
    for (const [name, messages] of Object.entries(errors)) {
      const target = FIELDS.includes(name) ? name : null;
      const box = target ? $(target + "-error") : $("form-error");
      box.textContent = messages.join(" ");
      box.hidden = false;
      if (target) {
        $(target).setAttribute("aria-invalid", "true");
        first = first || $(target);
      }
    }
    if (first) first.focus();
  }

  function showFormError(text) {
    $("form-error").textContent = text;
    $("form-error").hidden = false;
  }

  async function submit() {
    clearErrors();
    const body = {
      question: $("question").value,
      answer: $("answer").value,
      role: $("role").value.trim() || null,
      transcription_id: $("transcription-id").value || null, // set by speak.js
    };
    $("submit").disabled = true;
    try {
      const response = await fetch(form.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Prefer": "respond-async",
                   "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
      const data = await response.json();
      if (response.status === 202) {
        start({ id: data.id, url: data.url, eventsUrl: data.events_url, cancelUrl: data.url + "/cancel",
                lastId: 0, text: "", question: body.question, role: body.role || "",
                startedAt: Date.now() });
      } else if (response.status === 422) {
        showFieldErrors(data.errors || {});
      } else if (response.status === 429) {
        const wait = response.headers.get("Retry-After") || "a few";
        showFormError("Too many requests, try again in " + wait + " s.");
      } else {
        showFormError(data.detail || "The request failed (" + response.status + ").");
      }
    } catch (error) {
      showFormError("Could not reach the service. Check your connection and try again.");
    } finally {
      $("submit").disabled = false;
    }
  }

  function tryAgainUrl(record) {
    // the form again, filled with this attempt's question, role and answer to revise
    const url = new URL(window.location.href);
    url.search = new URLSearchParams({ again: record.id }).toString();
    return url.pathname + url.search;
  }

  async function showHints(state) {
    // The record's metrics exist from the start: show them as hints while the model writes.
    if (!state.url) return;
    try {
      const response = await fetch(state.url, { headers: { "Accept": "application/json" } });
      if (response.ok) panel.hints((await response.json()).metrics);
    } catch (error) {
      // hints are a nicety: the feedback streams without them
    }
  }

  function start(state, resumed) {
    panel.begin(resumed ? "Resuming…" : "Writing feedback…");
    if (state.text) panel.show(state.text);
    panel.stopButton(state.cancelUrl);
    showHints(state);
    const stream = new window.FeedbackStream(state, {
      onFirstCharacter() {
        panel.status("First character after " + (Date.now() - state.startedAt) + " ms");
      },
      onText(text) { panel.show(text); },
      onReconnecting() { panel.status("Reconnecting…"); },
      onDone(record) {
        panel.finished(record, tryAgainUrl(record));
        const link = document.createElement("a");
        link.href = form.dataset.attemptUrl.replace("ID", encodeURIComponent(record.id));
        link.textContent = "Open this attempt";
        document.getElementById("summary").append(link);
      },
      onFailed(error) { panel.failed(error, submit); },
    }, true);
    stream.follow();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !$("submit").disabled) {
      event.preventDefault();
      submit();
    }
  });

  const resumable = window.FeedbackStream.resumable();
  if (resumable) {
    $("question").value = resumable.question;
    $("role").value = resumable.role;
    start(resumable, true);
  }
})();
