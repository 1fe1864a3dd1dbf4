"use strict";
// What a screen reader hears of streamed feedback. The visible text is no live region
// (it changes some 50 times a second); this visually hidden polite region gets each
// paragraph once it is whole, a paragraph ending at a blank line of the Markdown, the
// rest when the stream ends, and short statuses. Each announcement is a node of its own,
// removed after a while so the region does not repeat the feedback to someone reading
// the page later (react-aria's LiveAnnouncer does the same); a screen reader has queued
// the words when the node was added. Errors are not announced here: they go to the
// panel's role="alert" line.
window.Announcer = (function () {
  const PARAGRAPH_END = /\n[ \t]*\n/;
  const BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, th, td, pre, blockquote";
  const KEEP_MS = 7000;

  // A block of Markdown as it is read out: its rendered words, without the markup.
  function spokenText(markdown) {
    const box = document.createElement("div");
    window.renderMarkdown(box, markdown);
    for (const br of box.querySelectorAll("br")) br.replaceWith(" ");
    for (const block of box.querySelectorAll(BLOCKS)) block.append(" ");
    return box.textContent.replace(/\s+/g, " ").trim();
  }

  class Announcer {
    constructor(region) {
      this.region = region;
      this.spoken = 0; // paragraphs of the current text already announced
    }

    say(...texts) {
      for (const text of texts) {
        const line = document.createElement("p");
        line.textContent = text;
        this.region.append(line);
        setTimeout(() => line.remove(), KEEP_MS);
      }
    }

    restart() {
      this.spoken = 0;
      this.region.replaceChildren();
    }

    // Announce the paragraphs of `markdown` not announced yet: the whole ones, or all of
    // them when the text is `final`.
    paragraphs(markdown, final) {
      const blocks = markdown.split(PARAGRAPH_END);
      if (!final) blocks.pop(); // the last block may still grow
      const fresh = blocks.slice(this.spoken).map(spokenText).filter(Boolean);
      this.spoken = Math.max(this.spoken, blocks.length);
      this.say(...fresh);
    }
  }

  return Announcer;
})();
