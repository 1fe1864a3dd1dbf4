"use strict";
// The microphone side of a spoken answer, without any page: ask for the microphone,
// record it with MediaRecorder (WebM/Opus, else Ogg/Opus, whichever this browser
// records), and measure its level with a Web Audio AnalyserNode for the meter. The
// microphone is released after each take, so the browser's recording sign goes away.
window.AnswerRecorder = (function () {
  const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/ogg"];

  class AnswerRecorder {
    static supported() {
      return Boolean(window.MediaRecorder && navigator.mediaDevices
        && navigator.mediaDevices.getUserMedia);
    }

    // Ask for the microphone; rejects with the browser's DOMException (NotAllowedError, ...).
    async open() {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const Context = window.AudioContext || window.webkitAudioContext;
      if (Context) {
        this.audio = new Context();
        this.analyser = this.audio.createAnalyser();
        this.analyser.fftSize = 1024;
        this.audio.createMediaStreamSource(this.stream).connect(this.analyser);
        this.samples = new Float32Array(this.analyser.fftSize);
      }
    }

    start() {
      const type = TYPES.find((candidate) => MediaRecorder.isTypeSupported(candidate));
      this.chunks = [];
      this.recorder = new MediaRecorder(this.stream, type ? { mimeType: type } : undefined);
      this.recorder.addEventListener("dataavailable", (event) => {
        if (event.data.size) this.chunks.push(event.data);
      });
      this.recorder.start(1000);
    }

    // The recording as one Blob of the recorder's type; the microphone is released.
    stop() {
      return new Promise((resolve) => {
        this.recorder.addEventListener("stop", () => {
          const blob = new Blob(this.chunks, { type: this.recorder.mimeType });
          this.close();
          resolve(blob);
        }, { once: true });
        this.recorder.stop();
      });
    }

    // The loudness now, 0..1 (the RMS of the last samples, scaled so speech fills it).
    level() {
      if (!this.analyser) return 0;
      this.analyser.getFloatTimeDomainData(this.samples);
      let sum = 0;
      for (const sample of this.samples) sum += sample * sample;
      return Math.min(1, Math.sqrt(sum / this.samples.length) * 4);
    }

    close() {
      if (this.recorder && this.recorder.state !== "inactive") this.recorder.stop();
      if (this.stream) for (const track of this.stream.getTracks()) track.stop();
      if (this.audio) this.audio.close();
      this.stream = this.audio = this.analyser = null;
    }
  }

  return AnswerRecorder;
})();
