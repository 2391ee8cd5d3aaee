// Listing gallery: the page works without this (each photo's overlay is a #anchor shown by CSS
// :target). With it, the overlay opens without a history entry, Esc closes it and gives the focus
// back, the arrow keys move between photos and Tab stays inside the open overlay.
(function () {
  "use strict";
  var gallery = document.querySelector("[data-gallery]");
  if (!gallery) return;
  gallery.classList.add("gallery-js");
  var zooms = Array.prototype.slice.call(gallery.querySelectorAll("[data-gallery-zoom]"));
  var opener = null;
  var current = 0;

  function zoom(number) {
    return zooms[number - 1] || null;
  }

  function open(number, from) {
    var target = zoom(number);
    if (!target) return;
    if (!current && from) opener = from;
    zooms.forEach(function (z) { z.classList.remove("is-open"); });
    target.classList.add("is-open");
    current = number;
    document.documentElement.style.overflow = "hidden";
    var close = target.querySelector("[data-gallery-close]");
    if (close) close.focus();
  }

  function close() {
    if (!current) return;
    zooms.forEach(function (z) { z.classList.remove("is-open"); });
    current = 0;
    document.documentElement.style.overflow = "";
    if (location.hash.indexOf("#photo-") === 0) {
      history.replaceState(null, "", location.pathname + location.search);
    }
    if (opener) opener.focus();
    opener = null;
  }

  gallery.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    if (!link || !gallery.contains(link)) return;
    if (link.hasAttribute("data-gallery-open")) {
      event.preventDefault();
      open(Number(link.getAttribute("data-gallery-open")), link);
    } else if (link.hasAttribute("data-gallery-close")) {
      event.preventDefault();
      close();
    }
  });

  // A click on the dark backdrop (not on the picture or a control) closes too.
  zooms.forEach(function (z) {
    z.addEventListener("click", function (event) {
      if (event.target === z) close();
    });
  });

  document.addEventListener("keydown", function (event) {
    if (!current) return;
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "ArrowRight" && zoom(current + 1)) {
      event.preventDefault();
      open(current + 1);
    } else if (event.key === "ArrowLeft" && zoom(current - 1)) {
      event.preventDefault();
      open(current - 1);
    } else if (event.key === "Tab") {
      var links = zoom(current).querySelectorAll("a");
      var first = links[0];
      var last = links[links.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  });

  // Arrived with #photo-N in the address (a shared link, or opened before the script ran).
  var match = /^#photo-(\d+)$/.exec(location.hash);
  if (match) open(Number(match[1]), gallery.querySelector(".gallery-main"));
})();
