"use strict";
// One attempt's page: render its feedback, and follow it live while it is still streaming.
(function () {
  const article = document.getElementById("attempt");
  const panel = new window.FeedbackPanel();
  const output = document.getElementById("feedback");
  const text = output.textContent;
  if (text) panel.show(text);
  if (!("live" in article.dataset)) return;
  panel.begin("Writing feedback…");
  panel.hints(JSON.parse(article.dataset.metrics));
  panel.stopButton(article.dataset.cancel);
  const stream = new window.FeedbackStream(
    { eventsUrl: article.dataset.events, lastId: 0, text: "" },
    {
      onFirstCharacter() { panel.status("Writing feedback…"); },
      onText(value) { panel.show(value); },
      onReconnecting() { panel.status("Reconnecting…"); },
      onDone(record) { panel.finished(record, null); },
      onFailed(error) { panel.failed(error, () => window.location.reload()); },
    },
    false,
  );
  stream.follow();
})();
