"use strict";
// History: delete an attempt for good.
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  for (const button of document.querySelectorAll("button[data-delete]")) {
    button.addEventListener("click", async () => {
      if (!window.confirm("Delete this attempt for good?")) return;
      button.disabled = true;
      const response = await fetch(button.dataset.delete, {
        method: "DELETE",
        headers: { "X-CSRF-Token": csrf },
      });
      if (response.status === 204) {
        const item = button.closest("li");
        const list = item.parentElement;
        item.remove();
        if (!list.children.length) list.closest("section").remove();
      } else {
        button.disabled = false;
      }
    });
  }
})();
