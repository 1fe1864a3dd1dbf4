"use strict";
// Page elements built from text: every value is set with textContent, never as HTML.
window.Dom = {
  element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  },

  // One name and value of a definition list, as a <div> holding its <dt> and <dd>.
  row(name, value) {
    const line = window.Dom.element("div");
    line.append(window.Dom.element("dt", null, name), window.Dom.element("dd", null, value));
    return line;
  },
};
