"use strict";
// Sends a recorded answer to POST /api/v1/transcriptions, as the page's other API calls
// go (the session's CSRF header), and turns each refusal into plain words that say what
// to do next. Resolves with the transcription; rejects with `transcribeRecording.Failed`.
window.transcribeRecording = (function () {
  class Failed extends Error {
    constructor(message, canSendAgain) {
      super(message);
      this.canSendAgain = canSendAgain; // the same recording may work a moment later
    }
  }

  function problem(status, data, retryAfter) {
    const detail = (data && data.detail) || "";
    const fileErrors = data && data.errors && data.errors.file;
    if (status === 413) {
      return "The recording is too large to send. Record a shorter answer, or type it.";
    }
    if (status === 415) {
      return "The server cannot read this kind of recording. Type your answer instead.";
    }
    if (status === 422) {
      return (fileErrors ? fileErrors.join(" ") : detail || "The recording could not be used.")
        + " Record again, or type your answer.";
    }
    if (status === 429) {
      return "Too many requests: send the recording again in " + (retryAfter || "a few") + " s.";
    }
    if (status === 503 && /no transcription service/i.test(detail)) return detail;
    if (status === 503) {
      return "The transcription service is busy or unavailable right now. Send the recording "
        + "again in a moment, or type your answer.";
    }
    if (status === 504) {
      return "The transcription service took too long to answer. Send the recording again, "
        + "or type your answer.";
    }
    return "The transcription service failed (" + status + "). Send the recording again "
      + "in a moment, or type your answer.";
  }

  async function transcribeRecording(url, recording) {
    const body = new FormData();
    body.append("file", recording, /ogg/.test(recording.type) ? "answer.ogg" : "answer.webm");
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
        body: body,
      });
    } catch (error) {
      throw new Failed("Could not reach the service. Check your connection and send the "
        + "recording again, or type your answer.", true);
    }
    const data = await response.json().catch(() => null);
    if (response.ok && data) return data;
    const status = response.status;
    throw new Failed(problem(status, data, response.headers.get("Retry-After")),
      status === 429 || status >= 500);
  }

  transcribeRecording.Failed = Failed;
  return transcribeRecording;
})();
