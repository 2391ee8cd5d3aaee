// Completions for the header search box (ARIA 1.2 combobox with a listbox popup). Progressive
// enhancement: without this file the box offers a <datalist> of category names and searches as a
// plain form. With it, the datalist is detached and completions come from GET /search/suggest
// (JSON list of strings) after a pause in typing. Keys: Down/Up move, Enter takes the active
// suggestion and searches, Escape closes (a second Escape clears, as the search input does).
// Text goes in with textContent only, and nothing inline: the Content-Security-Policy forbids
// inline scripts and styles.
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  if (!input || !input.form || !window.fetch || !input.dataset.suggestUrl) { return; }

  var DEBOUNCE_MS = 180;
  var MIN_CHARS = 2;
  var url = input.dataset.suggestUrl;
  var form = input.form;
  var cache = {};
  var timer = null;
  var pending = null;
  var active = -1;
  var items = [];

  var list = document.createElement("ul");
  list.id = "site-search-listbox";
  list.className = "search-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.dataset.suggestLabel || "Suggestions");
  list.hidden = true;
  form.appendChild(list);

  input.removeAttribute("list");
  input.setAttribute("autocomplete", "off");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  function typed() { return input.value.replace(/^\s+/, ""); }

  function setActive(index) {
    var options = list.children;
    if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
    active = index;
    if (active >= 0 && options[active]) {
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function render(words) {
    items = words || [];
    while (list.firstChild) { list.removeChild(list.firstChild); }
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (!items.length) { close(); return; }
    items.forEach(function (word, i) {
      var option = document.createElement("li");
      option.id = "site-search-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = word;
      // mousedown, not click: it comes before the input loses focus and closes the list
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(i);
      });
      list.appendChild(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function choose(index) {
    input.value = items[index];
    close();
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  function load(text) {
    if (Object.prototype.hasOwnProperty.call(cache, text)) { render(cache[text]); return; }
    if (pending) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(text), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: pending ? pending.signal : undefined
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (words) {
        words = Array.isArray(words) ? words.filter(function (w) { return typeof w === "string"; }) : [];
        cache[text] = words;
        if (typed() === text && document.activeElement === input) { render(words); }
      })
      .catch(function () { /* aborted or offline: the plain search still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = typed();
    // after a space a new word is begun: nothing to complete yet
    if (text.length < MIN_CHARS || /\s$/.test(text)) { close(); return; }
    timer = setTimeout(function () { load(text); }, DEBOUNCE_MS);
  });

  input.addEventListener("keydown", function (event) {
    var open = !list.hidden;
    if (event.key === "ArrowDown" || event.key === "Down") {
      if (!open) {
        if (items.length) { render(items); }
        return;
      }
      event.preventDefault();
      setActive(active + 1 >= items.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp" || event.key === "Up") {
      if (!open) { return; }
      event.preventDefault();
      setActive(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        choose(active);
      }
    } else if (event.key === "Escape" || event.key === "Esc") {
      if (open) {
        event.preventDefault();
        close();
      }
    }
  });

  input.addEventListener("blur", close);
}());
