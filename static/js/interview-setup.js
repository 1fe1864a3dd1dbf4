"use strict";
// The mock interview's setup form: a character count for the job description (no live
// region: it is read with the field), POST /api/v1/sessions, then the session's page.
(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("setup");
  const FIELDS = ["role", "seniority", "job_description", "question_count", "mix"];
  const LIMIT = Number($("job_description").maxLength);
  const MIX = Array.from(form.querySelectorAll("[data-kind]"));

  function count() {
    $("job_description-count").textContent =
      $("job_description").value.length.toLocaleString("en") + " of "
      + LIMIT.toLocaleString("en") + " characters";
  }
  $("job_description").addEventListener("input", count);
  count();

  function clearErrors() {
    for (const name of FIELDS) {
      $(name + "-error").hidden = true;
      const field = $(name);
      if (field) field.removeAttribute("aria-invalid");
    }
    for (const input of MIX) input.removeAttribute("aria-invalid");
    $("form-error").hidden = true;
  }

  function showErrors(errors, fallback) {
    let first = null;
    let shown = false;
    for (const [name, messages] of Object.entries(errors)) {
      const target = FIELDS.includes(name) ? name : "form";
      $(target + "-error").textContent =
        messages.join(" ").replace(/question_count/g, "the number of questions");
      $(target + "-error").hidden = false;
      shown = true;
      const inputs = name === "mix" ? MIX : [$(name)].filter(Boolean);
      for (const input of inputs) input.setAttribute("aria-invalid", "true");
      first = first || inputs[0] || null;
    }
    if (!shown) {
      $("form-error").textContent = fallback;
      $("form-error").hidden = false;
    }
    if (first) first.focus();
  }

  function body() {
    const chosen = MIX.some((input) => input.value.trim() !== "");
    const mix = {};
    for (const input of MIX) mix[input.dataset.kind] = Number(input.value || 0);
    return {
      role: $("role").value,
      seniority: $("seniority").value,
      job_description: $("job_description").value.trim() || null,
      question_count: Number($("question_count").value),
      mix: chosen ? mix : null,
    };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    if (!$("role").value.trim()) {
      showErrors({ role: ["Say which role you are applying for."] });
      return;
    }
    $("begin").disabled = true;
    try {
      const session = await window.SessionApi.post(form.dataset.api, body());
      window.location.assign(form.dataset.sessionUrl.replace("ID", encodeURIComponent(session.id)));
    } catch (problem) {
      if (!(problem instanceof window.SessionApi.Problem)) throw problem;
      showErrors(problem.errors, problem.message);
      $("begin").disabled = false;
    }
  });
})();
