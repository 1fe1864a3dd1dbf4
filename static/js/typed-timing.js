"use strict";
// Think time and the answer timer of a typed answer to a mock interview's question
// (speak.js times a spoken one): a countdown that ends at zero, on Start now or at the
// first keystroke, then the time spent answering against the target, shown, not enforced.
// Neither is a live region: a screen reader does not hear a clock tick.
window.TypedTiming = (function () {
  const $ = (id) => document.getElementById(id);

  function clock(seconds) {
    const whole = Math.floor(seconds);
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  class TypedTiming {
    constructor(thinkS, targetS) {
      this.thinkS = thinkS;
      this.targetS = targetS;
      this.timer = null;
      this.answering = false;
      $("typed-target").textContent = clock(targetS);
      $("typed-start-now").addEventListener("click", () => this.answer(true));
    }

    think() {
      let left = this.thinkS;
      this.answering = false;
      $("typed-think-left").textContent = left;
      $("typed-think").hidden = false;
      $("typed-timer").hidden = true;
      this.timer = setInterval(() => {
        left -= 1;
        $("typed-think-left").textContent = left;
        if (left <= 0) this.answer(false);
      }, 1000);
    }

    answer(focus) {
      if (this.answering) return;
      this.answering = true;
      this.stop();
      const started = performance.now();
      $("typed-think").hidden = true;
      $("typed-timer").hidden = false;
      $("typed-elapsed").textContent = clock(0);
      this.timer = setInterval(() => {
        const seconds = (performance.now() - started) / 1000;
        $("typed-elapsed").textContent = clock(seconds);
        const past = seconds >= this.targetS;
        $("typed-past").hidden = !past;
        $("typed-timer").classList.toggle("over", past);
      }, 250);
      if (focus) $("answer").focus();
    }

    stop() {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  return TypedTiming;
})();
