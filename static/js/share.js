// "Copy link" on the listing page: shows the button only where the clipboard can be used; without
// script the read-only address stays selectable.
(function () {
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var done = button.closest(".share-body").querySelector("[data-copied]");
    if (!input || !navigator.clipboard) return;
    button.hidden = false;
    input.addEventListener("focus", function () { input.select(); });
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        if (done) done.hidden = false;
      }, function () {
        input.select();
      });
    });
  });
})();
