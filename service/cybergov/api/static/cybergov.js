/* cybergov: small enhancements of pages that work without them.
   Search as you type (an ARIA combobox) on the site's search box and on the IRI fields of
   question forms, and forms of filters that apply themselves when a choice changes. */
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var counter = 0;

  function suggest(input) {
    var mode = input.getAttribute("data-suggest");
    var within = input.getAttribute("data-within");
    var list = document.createElement("ul");
    var timer = null;
    var items = [];
    var active = -1;
    var asked = "";
    counter += 1;
    list.id = "suggestions-" + counter;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      var options = list.children;
      for (var i = 0; i < options.length; i += 1) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var hit = items[index];
      if (!hit) { return; }
      if (mode === "site" || mode === "page") {
        window.location.href = hit.url || (root + "/search?q=" + encodeURIComponent(hit.label));
        return;
      }
      input.value = hit.id;
      input.setAttribute("data-label", hit.label);
      var shown = document.getElementById(input.id + "-label");
      if (shown) { shown.textContent = hit.label; }
      close();
    }

    function show(hits) {
      items = hits;
      list.textContent = "";
      hits.forEach(function (hit, index) {
        var option = document.createElement("li");
        var kind = document.createElement("span");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        kind.className = "kind";
        kind.textContent = hit.kind;
        option.appendChild(kind);
        option.appendChild(document.createTextNode(hit.label + (mode === "iri" ? " (" + hit.id + ")" : "")));
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(index);
        });
        list.appendChild(option);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
      active = -1;
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < 2) { close(); return; }
      if (text === asked) { return; }
      asked = text;
      var url = root + "/search?format=json&limit=8&q=" + encodeURIComponent(text);
      if (within) { url += "&within=" + encodeURIComponent(within); }
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) {
          if (input.value.trim() === text && document.activeElement === input) { show(body.results || []); }
        })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      asked = "";
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { clearTimeout(timer); }
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        mark(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        mark(Math.max(active - 1, -1));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { clearTimeout(timer); setTimeout(close, 100); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), suggest);

  /* Filters apply themselves: a changed checkbox or choice sends its form. */
  Array.prototype.forEach.call(document.querySelectorAll("form[data-autosubmit]"), function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=checkbox], select")) { form.submit(); }
    });
    var button = form.querySelector("[data-hide-with-script]");
    if (button) { button.hidden = true; }
  });
}());
