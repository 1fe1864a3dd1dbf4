"use strict";
// A mock interview, one question at a time: progress, the question and its "why", think
// time and the answer timer (typed-timing.js for a typed answer, speak.js for a spoken
// one), Submit and the streamed feedback, then a follow-up, the next question, Skip or End
// interview. Every step goes through /api/v1/sessions, and the page is drawn from the
// session's state, so a reload resumes where the session stands: a feedback or follow-up
// still being written is followed again, and the question whose feedback the page was
// showing (kept in sessionStorage) is shown again with its choices. Moving on reloads the
// page, which starts the next question's recorder and timers afresh.
(function () {
  const $ = (id) => document.getElementById(id);
  const root = $("interview");
  const api = window.SessionApi;
  const panel = new window.FeedbackPanel();
  const timing = new window.TypedTiming(Number(root.dataset.thinkS), Number(root.dataset.targetS));
  const HELD = "interview.held." + root.dataset.api; // the answered question on show
  const WORD = /[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu;
  let session = null;
  let current = null;

  const questionUrl = (number, action) =>
    root.dataset.questionUrl.replace("NUMBER", encodeURIComponent(number)) + "/" + action;
  const feedbackUrl = (id) => root.dataset.feedbackUrl.replace("ID", encodeURIComponent(id));
  const find = (number) => session.questions.find((q) => q.number === number);

  function showError(text) {
    $("page-error").textContent = text || "";
    $("page-error").hidden = !text;
  }

  function failedWith(problem) {
    if (!(problem instanceof api.Problem)) throw problem;
    showError(problem.message);
  }

  function countWords() {
    const words = ($("answer").value.match(WORD) || []).length;
    $("answer-count").textContent = words + (words === 1 ? " word" : " words");
  }

  function chooseMode() {
    $("typed-timing").hidden = $("mode-speak").checked;
  }

  function progress(question) {
    const total = session.progress.total;
    $("progress").textContent = "Question " + question.number + " of " + total
      + (question.follow_up ? " (follow-up)" : "");
    $("category").textContent = question.category;
    $("progress-bar").max = total;
    $("progress-bar").value = parseInt(question.number, 10) - (question.follow_up ? 0 : 1);
  }

  function showQuestion(question) {
    current = question;
    progress(question);
    $("question").textContent = question.text;
    $("why").textContent = question.why ? "Why this question: " + question.why : "";
    $("why").hidden = !question.why;
    $("question-card").hidden = false;
  }

  function ask(question) {
    showQuestion(question);
    timing.think();
    $("question").focus();
  }

  async function submit(event) {
    if (event) event.preventDefault();
    $("answer-error").hidden = true;
    $("answer").removeAttribute("aria-invalid");
    showError("");
    if (!$("answer").value.trim()) {
      fieldError(["Write or record your answer first, or skip this question."]);
      return;
    }
    $("submit").disabled = $("skip").disabled = true;
    try {
      const started = await api.post(questionUrl(current.number, "answer"), {
        answer: $("answer").value,
        transcription_id: $("transcription-id").value || null, // set by speak.js
      });
      timing.stop();
      feedback(current, started.id, started.events_url, false);
    } catch (problem) {
      $("submit").disabled = $("skip").disabled = false;
      if (problem instanceof api.Problem && problem.status === 422) {
        const errors = problem.errors;
        fieldError([...(errors.answer || []), ...(errors.transcription_id || [])]);
        if (errors.answer || errors.transcription_id) return;
      }
      failedWith(problem);
    }
  }

  function fieldError(messages) {
    $("answer-error").textContent = messages.join(" ");
    $("answer-error").hidden = !messages.length;
    $("answer").setAttribute("aria-invalid", "true");
    $("answer").focus();
  }

  // The feedback on `question`'s answer, streamed, then the choices of what comes next.
  function feedback(question, feedbackId, eventsUrl, resumed) {
    sessionStorage.setItem(HELD, question.number);
    $("answering").hidden = true;
    $("answer-actions").hidden = true;
    $("answer").readOnly = true;
    panel.begin(resumed ? "Resuming…" : "Writing feedback…");
    panel.stopButton(feedbackUrl(feedbackId) + "/cancel");
    fetch(feedbackUrl(feedbackId), { headers: { "Accept": "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((record) => {
        if (!record) return;
        if (resumed) {
          $("answer").value = record.answer;
          countWords();
        }
        panel.hints(record.metrics);
      })
      .catch(() => {}); // the hints and a resumed answer are niceties; the feedback streams
    api.follow(eventsUrl, {
      onText(text) { panel.show(text); },
      onReconnecting() { panel.status("Reconnecting…"); },
      onDone(record) {
        panel.finished(record, null);
        choices(question);
      },
      onFailed(error) {
        panel.failed(error, null);
        // the panel's words suit the practice page; a session goes on from here
        $("stream-error").textContent = error.code === "connection"
          ? "The connection was lost. Reload the page to follow the feedback again."
          : "No feedback this time: " + error.message.replace(/\.?$/, ".")
            + " Your answer is saved; go on to the next question.";
        choices(question);
      },
    });
  }

  async function choices(question) {
    try {
      session = await api.get(root.dataset.api);
    } catch (problem) {
      failedWith(problem);
      return;
    }
    const asked = find(question.number) || question;
    $("follow-up").hidden = asked.follow_up || asked.follow_up_generation !== null;
    $("next").hidden = session.next === null;
    $("finished").hidden = session.next !== null;
    if (session.next === null) finishing();
    $("after").hidden = false;
  }

  // Every question is answered or skipped: ending is what comes next.
  function finishing() {
    $("end").textContent = "End interview and see the report";
    $("end").classList.remove("secondary");
  }

  async function askFollowUp() {
    $("follow-up").disabled = true;
    showError("");
    try {
      const started = await api.post(questionUrl(current.number, "follow-up"));
      writeFollowUp(started.events_url);
    } catch (problem) {
      $("follow-up").disabled = false;
      failedWith(problem);
    }
  }

  // The follow-up question as the model writes it; once saved it is the next question.
  function writeFollowUp(eventsUrl) {
    $("after").hidden = true;
    $("follow-up-box").hidden = false;
    $("follow-up-status").textContent = "Your interviewer is writing a follow-up…";
    panel.announcer.say("Your interviewer is writing a follow-up question.");
    api.follow(eventsUrl, {
      onText(text) { $("follow-up-text").textContent = text; },
      onDone() { moveOn(); },
      onFailed(error) {
        $("follow-up-status").textContent = "";
        showError("No follow-up this time: " + error.message.replace(/\.?$/, ".")
          + " Go on to the next question.");
        $("after").hidden = false;
        $("follow-up").hidden = true;
      },
    });
  }

  function moveOn() {
    sessionStorage.removeItem(HELD);
    window.location.reload();
  }

  async function skip() {
    $("submit").disabled = $("skip").disabled = true;
    try {
      await api.post(questionUrl(current.number, "skip"));
      moveOn();
    } catch (problem) {
      $("submit").disabled = $("skip").disabled = false;
      failedWith(problem);
    }
  }

  // The questions as the model writes them, then the list the session made of them.
  function prepare() {
    $("preparing").hidden = false;
    $("preparing-status").textContent = "Your interviewer is reading the job description…";
    api.follow(session.questions_generation.events_url, {
      onText(text) { window.renderMarkdown($("questions-text"), text); },
      onDone() { prepared(); },
      onFailed() { prepared(); }, // the session fills its questions from the bank and says so
    });
  }

  async function prepared() {
    try {
      session = await api.get(root.dataset.api);
    } catch (problem) {
      failedWith(problem);
      return;
    }
    note();
    ready();
  }

  // The written questions, listed before the first one is asked.
  function ready() {
    $("preparing").hidden = false;
    $("preparing-status").textContent = "Your questions are ready.";
    $("questions-text").hidden = true;
    const list = $("questions-list");
    list.replaceChildren(...session.questions.map((q) => {
      const item = document.createElement("li");
      item.textContent = q.text;
      return item;
    }));
    list.hidden = false;
    $("begin").hidden = false;
    $("begin").focus();
    panel.announcer.say("Your questions are ready.");
  }

  function note() {
    $("questions-note").textContent = session.questions_note || "";
    $("questions-note").hidden = !session.questions_note;
  }

  function resume() {
    const streaming = session.questions.find((q) => q.feedback_status === "streaming");
    const held = find(sessionStorage.getItem(HELD) || "");
    const shown = streaming || (held && held.feedback_id ? held : null);
    if (shown) {
      showQuestion(shown);
      const writing = shown.follow_up_generation;
      if (writing && writing.status === "streaming") {
        $("answering").hidden = $("answer-actions").hidden = true;
        writeFollowUp(writing.events_url);
        return;
      }
      feedback(shown, shown.feedback_id, feedbackUrl(shown.feedback_id) + "/events", true);
      return;
    }
    sessionStorage.removeItem(HELD);
    const untouched = session.progress.answered + session.progress.skipped === 0;
    if (session.questions_generation && untouched) {
      ready();
      return;
    }
    if (session.next === null) {
      $("finished").hidden = false;
      finishing();
      return;
    }
    ask(find(session.next));
  }

  async function load() {
    try {
      session = await api.get(root.dataset.api);
    } catch (problem) {
      failedWith(problem);
      return;
    } finally {
      $("loading").hidden = true;
    }
    note();
    if (session.status === "preparing") {
      prepare();
    } else if (session.status === "ended") {
      $("ended").hidden = false;
      $("end").textContent = "See the report";
      $("end").classList.remove("secondary");
    } else {
      resume();
    }
  }

  $("answer").addEventListener("input", () => {
    countWords();
    if ($("answer").value.trim()) timing.answer(false);
  });
  for (const choice of document.querySelectorAll('input[name="mode"]')) {
    choice.addEventListener("change", chooseMode);
  }
  $("answer-form").addEventListener("submit", submit);
  $("answer-form").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !$("submit").disabled) {
      submit(event);
    }
  });
  $("skip").addEventListener("click", skip);
  $("next").addEventListener("click", moveOn);
  $("follow-up").addEventListener("click", askFollowUp);
  $("begin").addEventListener("click", () => {
    $("preparing").hidden = true;
    ask(find(session.next));
  });
  // A page restored from the back-forward cache shows the session as it was: draw it anew.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) window.location.reload();
  });
  chooseMode();
  countWords();
  load();
})();
