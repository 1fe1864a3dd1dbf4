"use strict";
// How a spoken answer was delivered (`feedback/delivery.py`), as figures under the answer
// box; mirrors the attempt page's `delivery_list` (templates/_feedback.html). Text only.
window.renderDelivery = (function () {
  const { element, row } = window.Dom;

  // Seconds as the attempt page writes them, with one decimal.
  function seconds(value) {
    return Number(value).toFixed(1) + " s";
  }

  function pauses(delivery) {
    const least = seconds(delivery.long_pause_min_s) + " or more";
    if (!delivery.long_pause_count) return "none of " + least;
    const after = delivery.long_pauses.filter((p) => p.after).map((p) => "“" + p.after + "”");
    return delivery.long_pause_count + " of " + least + ", the longest "
      + seconds(delivery.longest_pause_s) + (after.length ? " (after " + after.join(", ") + ")" : "");
  }

  // A heading and the figures, for `container`'s children.
  return function renderDelivery(delivery) {
    const head = element("h3", null, "How you said it ");
    head.append(element("span", "method", "measured from the recording"));
    const list = element("dl", "metrics");
    list.append(
      row("Speaking time",
        seconds(delivery.speaking_time_s) + " of a " + seconds(delivery.duration_s) + " recording"),
      row("Pace", delivery.words_per_minute === null
        ? "no speech heard" : delivery.words_per_minute + " words per minute"),
      row("Long pauses", pauses(delivery)),
      row("Filler words",
        Object.entries(delivery.filler_words).map(([w, n]) => w + " ×" + n).join(", ") || "none"),
    );
    return [head, list];
  };
})();
