"use strict";
// Speaking the answer on the practice page: Type or Speak, the question read aloud, a
// think-time countdown, the answer timer against its target (shown, not enforced), the
// level meter, Stop, play back, Record again; then the recording is sent to
// POST /api/v1/transcriptions (transcribe.js) and the transcript lands in the answer box,
// editable, with the delivery figures under it. Screen readers hear changes of state (#speak-state),
// never the ticking timer or countdown. Type stays available whatever happens here.
(function () {
  const $ = (id) => document.getElementById(id);
  const panel = $("speak");
  const THINK_S = 15;
  const TARGET_S = Number(panel.dataset.targetS);
  const calm = window.matchMedia("(prefers-reduced-motion: reduce)");
  const MICROPHONE = {
    NotAllowedError: "The microphone was refused. Allow it in the browser's site settings, "
      + "or type your answer.",
    SecurityError: "The microphone was refused. Allow it in the browser's site settings, "
      + "or type your answer.",
    NotFoundError: "No microphone was found. Connect one and record again, or type your answer.",
    NotReadableError: "The microphone is in use by another program or could not be started. "
      + "Close the other program and record again, or type your answer.",
  };
  let recorder = null;
  let countdown = null; // the think-time or answer timer's interval
  let meter = null; // the level meter's animation frame or interval
  let recording = null; // the last take's Blob
  let playbackUrl = null;

  function clock(seconds) {
    const whole = Math.floor(seconds);
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  function say(text) {
    $("speak-state").textContent = text;
  }

  function showError(text) {
    $("speak-error").textContent = text;
    $("speak-error").hidden = !text;
  }

  // Show the parts of one state: "idle", "think", "recording", "sending" or "recorded".
  function show(state) {
    $("think").hidden = state !== "think";
    $("recording").hidden = state !== "recording";
    $("recorded").hidden = !recording || state === "think" || state === "recording";
    $("record").hidden = !(state === "idle" && !recording);
    $("record-again").hidden = !(state === "recorded" || (state === "idle" && recording));
    $("send-again").hidden = true;
  }

  function stopTimers() {
    clearInterval(countdown);
    cancelAnimationFrame(meter);
    clearInterval(meter);
    countdown = meter = null;
  }

  function cancel() {
    stopTimers();
    if (recorder) recorder.close();
    recorder = null;
  }

  function unavailable(text) {
    $("mode-speak").disabled = true;
    $("speak-unavailable").textContent = text;
    $("speak-unavailable").hidden = false;
  }

  function chooseMode() {
    const speaking = $("mode-speak").checked;
    panel.hidden = !speaking;
    if (speaking) return;
    if (recorder) {
      cancel();
      show("idle");
      say("Recording cancelled.");
    }
  }

  // The answer box holds a transcript from the moment it is put there. Its id goes with the
  // feedback request while the answer comes from that recording: edits to the transcript
  // keep it (in either mode); a new take, or emptying the box, drops it.
  function forgetTranscription() {
    $("transcription-id").value = "";
    $("spoken-delivery").hidden = true;
    $("spoken-delivery").replaceChildren();
    $("transcribed-by").hidden = true;
  }

  async function begin() {
    if (recorder) return; // a second press while the browser asks for the microphone
    $("playback").pause();
    showError("");
    forgetTranscription();
    recorder = new window.AnswerRecorder();
    try {
      await recorder.open();
    } catch (error) {
      recorder = null;
      show("idle");
      showError(MICROPHONE[error.name]
        || "The microphone could not be used (" + error.name + "). Type your answer instead.");
      return;
    }
    think();
  }

  function think() {
    let left = THINK_S;
    $("think-left").textContent = left;
    show("think");
    say("Think time: " + THINK_S + " seconds, then recording starts. Press Start now to begin.");
    $("start-now").focus();
    countdown = setInterval(() => {
      left -= 1;
      $("think-left").textContent = left;
      if (left <= 0) record();
    }, 1000);
  }

  function record() {
    stopTimers();
    recorder.start();
    const started = performance.now();
    let past = false;
    $("elapsed").textContent = clock(0);
    $("past-target").hidden = true;
    $("answer-timer").classList.remove("over");
    show("recording");
    say("Recording. Press Stop when you have finished.");
    $("stop-recording").focus();
    countdown = setInterval(() => {
      const seconds = (performance.now() - started) / 1000;
      $("elapsed").textContent = clock(seconds);
      if (!past && seconds >= TARGET_S) {
        past = true;
        $("past-target").hidden = false;
        $("answer-timer").classList.add("over");
        say("Your target of " + clock(TARGET_S) + " has passed. Stop when you are ready.");
      }
    }, 250);
    measureLevel();
  }

  // The meter follows the voice each frame, or four times a second for reduced motion.
  function measureLevel() {
    const update = () => { $("level").value = recorder ? recorder.level() : 0; };
    if (calm.matches) {
      meter = setInterval(update, 250);
      return;
    }
    const frame = () => {
      update();
      meter = requestAnimationFrame(frame);
    };
    meter = requestAnimationFrame(frame);
  }

  async function stop() {
    if (!recorder) return; // pressed twice
    stopTimers();
    const taken = recorder;
    recorder = null;
    recording = await taken.stop();
    if (playbackUrl) URL.revokeObjectURL(playbackUrl);
    playbackUrl = URL.createObjectURL(recording);
    $("playback").src = playbackUrl;
    $("level").value = 0;
    send();
  }

  async function send() {
    show("sending");
    showError("");
    say("Transcribing…");
    try {
      transcribed(await window.transcribeRecording(panel.dataset.transcriptions, recording));
    } catch (error) {
      if (!(error instanceof window.transcribeRecording.Failed)) throw error;
      failed(error.message, error.canSendAgain);
    }
  }

  function failed(text, canSendAgain) {
    show("recorded");
    $("send-again").hidden = !canSendAgain;
    say("The recording was not transcribed.");
    showError(text);
    $(canSendAgain ? "send-again" : "record-again").focus();
  }

  function transcribed(transcription) {
    show("recorded");
    if (!transcription.text.trim()) {
      say("No words were heard.");
      showError("No words were heard in the recording. Record again closer to the "
        + "microphone, or type your answer.");
      $("record-again").focus();
      return;
    }
    const answer = $("answer");
    answer.value = transcription.text;
    answer.dispatchEvent(new Event("input", { bubbles: true })); // word count and key terms
    $("transcription-id").value = transcription.id;
    $("spoken-delivery").replaceChildren(...window.renderDelivery(transcription.delivery));
    $("spoken-delivery").hidden = false;
    // the server's own small recogniser, when no transcription service is configured
    $("transcribed-by").hidden = transcription.provider !== "local";
    say("Transcribed: your words are in the answer box. Edit them if you like, then get "
      + "feedback.");
    answer.focus();
  }

  function readQuestion() {
    const field = $("question"); // a textarea on the practice page, text on an interview's
    const question = (field.value ?? field.textContent).trim();
    if (!question) return;
    speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(question);
    utterance.lang = document.documentElement.lang || "en";
    speechSynthesis.speak(utterance);
  }

  if ("speechSynthesis" in window && window.SpeechSynthesisUtterance) {
    $("read-question").hidden = false;
    $("read-question").addEventListener("click", readQuestion);
  }
  if (!$("mode-speak").disabled && !window.AnswerRecorder.supported()) {
    unavailable("This browser cannot record audio here (it needs MediaRecorder and "
      + "microphone access, on https or localhost). Type your answer.");
  }
  $("target-time").textContent = clock(TARGET_S);
  for (const choice of document.querySelectorAll('input[name="mode"]')) {
    choice.addEventListener("change", chooseMode);
  }
  $("answer").addEventListener("input", () => {
    if (!$("answer").value.trim()) forgetTranscription();
  });
  $("record").addEventListener("click", begin);
  $("record-again").addEventListener("click", begin);
  $("start-now").addEventListener("click", record);
  $("stop-recording").addEventListener("click", stop);
  $("send-again").addEventListener("click", send);
  window.addEventListener("pagehide", () => {
    cancel();
    if (playbackUrl) URL.revokeObjectURL(playbackUrl);
  });
  forgetTranscription(); // a restored form keeps no recording's id without its figures
  show("idle");
  chooseMode(); // a reload may have kept Speak chosen
  say("Press Start recording when you are ready: " + THINK_S + " seconds to think come first.");
})();
