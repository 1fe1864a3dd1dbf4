"use strict";
// Renders Markdown from the model (or a candidate) safely: marked parses, DOMPurify
// keeps only text formatting and http(s)/mailto links. No image, script, style or
// event handler survives, whatever the text says.
window.renderMarkdown = (function () {
  const ALLOWED_TAGS = [
    "p", "br", "strong", "em", "b", "i", "del", "code", "pre", "blockquote", "hr",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
  ];
  DOMPurify.addHook("afterSanitizeAttributes", function (node) {
    if (node.tagName === "A") {
      node.setAttribute("rel", "nofollow noopener noreferrer");
      node.setAttribute("target", "_blank");
    }
  });
  return function renderMarkdown(element, text) {
    const html = marked.parse(text, { gfm: true, breaks: true, async: false });
    element.innerHTML = DOMPurify.sanitize(html, {
      ALLOWED_TAGS: ALLOWED_TAGS,
      ALLOWED_ATTR: ["href", "title"],
      ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    });
  };
})();
