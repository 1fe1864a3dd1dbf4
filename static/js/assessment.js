"use strict";
// The model's judgement of an answer (the record's `assessment`) as a panel:
// five criteria out of 5, the derived overall, the question's kind, and STAR
// chips whose quotes show on hover, focus and tap. Every value is set as text.
// Mirrors the `assessment_panel` macro in templates/_feedback.html.
window.renderAssessment = (function () {
  const CRITERIA = ["relevance", "structure", "evidence", "ownership", "delivery"];
  const STAR = ["situation", "task", "action", "result"];
  const UNUSABLE = {
    missing: "No assessment: the model did not write one.",
    malformed: "No assessment: the model's assessment could not be read.",
    unavailable: "Not assessed.",
  };
  const capitalize = (word) => word.charAt(0).toUpperCase() + word.slice(1);

  const { element } = window.Dom;

  function usable(assessment) {
    return assessment && typeof assessment === "object" && !(assessment.status in UNUSABLE)
      && assessment.criteria && typeof assessment.criteria === "object";
  }

  function heading(assessment) {
    const head = element("h3", null, "Assessment");
    if (assessment.method === "heuristic") {
      head.append(" ", element("span", "method", "heuristic (offline analysis)"));
    }
    return head;
  }

  function criteriaList(criteria) {
    const list = element("ul", "criteria");
    for (const name of CRITERIA) {
      const value = Number.isInteger(criteria[name]) ? criteria[name] : null;
      const row = element("li");
      row.dataset.criterion = name;
      const meter = element("meter");
      meter.min = 0;
      meter.max = 5;
      meter.value = value || 0;
      meter.setAttribute("aria-hidden", "true");
      row.append(element("span", "name", capitalize(name)), meter,
        element("span", "value", value === null ? "–" : value + "/5"));
      list.append(row);
    }
    return list;
  }

  function starChips(star) {
    const list = element("ul", "star-parts");
    list.setAttribute("aria-label", "STAR parts judged by the model");
    for (const part of STAR) {
      const judged = star[part];
      if (!judged || typeof judged !== "object") continue;
      const quote = typeof judged.quote === "string" ? judged.quote : "";
      const chip = element("li", "chip " + judged.status, part + " · " + judged.status);
      chip.dataset.part = part;
      chip.tabIndex = 0;
      chip.title = quote ? "“" + quote + "”" : "No words of the answer show it.";
      chip.setAttribute("aria-label", part + ": " + judged.status + ". " + chip.title);
      list.append(chip);
    }
    return list;
  }

  return function renderAssessment(assessment) {
    const box = element("section", "assessment");
    box.id = "assessment";
    if (!assessment || typeof assessment !== "object") {
      box.append(element("p", "assessment-note", "No assessment: it could not be shown."));
      return box;
    }
    box.append(heading(assessment));
    if (!usable(assessment)) {
      const message = UNUSABLE[assessment.status] || "No assessment.";
      const reason = assessment.reason ? " " + capitalize(String(assessment.reason)) + "." : "";
      box.append(element("p", "assessment-note", message + reason));
      return box;
    }
    const facts = element("p", "assessment-facts");
    facts.append(
      element("span", "overall", "Overall " + (assessment.overall ? assessment.overall + "/10" : "–")),
      element("span", "kind", "Question: " + (assessment.question_kind || "unknown")),
    );
    box.append(facts, criteriaList(assessment.criteria));
    if (assessment.star && typeof assessment.star === "object") box.append(starChips(assessment.star));
    if (assessment.status === "partial" && assessment.reason) {
      box.append(element("p", "assessment-note", "Partly assessed: " + assessment.reason + "."));
    }
    return box;
  };
})();
