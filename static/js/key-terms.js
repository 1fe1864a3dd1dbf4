"use strict";
// The question's key terms under the answer box, each marked once the answer uses it,
// as the candidate types. The rule is the records' own (`feedback/metrics.py`), asked of
// POST /api/v1/answer-metrics once typing pauses; each term is set as text.
(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("practice");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const PAUSE_MS = 300;
  let timer = null;
  let pending = null; // the request in flight, given up for a newer one

  function term(text, used) {
    const item = document.createElement("li");
    item.className = "term " + (used ? "used" : "unused");
    item.dataset.term = text;
    item.textContent = text;
    const state = document.createElement("span");
    state.className = "visually-hidden";
    state.textContent = used ? " (used)" : " (not used yet)";
    item.append(state);
    return item;
  }

  function show(keyTerms) {
    const used = new Set(keyTerms.used);
    $("key-terms-list").replaceChildren(...keyTerms.terms.map((text) => term(text, used.has(text))));
    $("key-terms").hidden = keyTerms.terms.length === 0;
  }

  async function measure() {
    if (pending) pending.abort();
    const question = $("question").value.trim();
    if (!question) {
      $("key-terms").hidden = true;
      return;
    }
    pending = new AbortController();
    try {
      const response = await fetch(form.dataset.metrics, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ question: question, answer: $("answer").value }),
        signal: pending.signal,
      });
      if (response.ok) show((await response.json()).key_terms);
    } catch (error) {
      // replaced by a newer request, or offline: the terms are a nicety, typing goes on
    }
  }

  function measureSoon() {
    clearTimeout(timer);
    timer = setTimeout(measure, PAUSE_MS);
  }

  $("question").addEventListener("input", measureSoon);
  $("answer").addEventListener("input", measureSoon);
  $("bank").addEventListener("change", measureSoon);
  measure(); // a question from the address, or an attempt being revised
})();
