/* cybergov: the SPARQL editor. Syntax colours drawn under a transparent text area (the
   text area stays the one field people type in, read by screen readers as it is), the
   prefixes the service knows added when the query uses them undeclared, a question of
   the catalogue loaded as soon as it is chosen, and Ctrl+Enter to run. */
(function () {
  "use strict";
  var area = document.getElementById("query");
  if (!area) { return; }
  var box = area.parentNode;
  var code = box.querySelector("pre code");
  var known = JSON.parse(area.getAttribute("data-prefixes") || "{}");
  var status = document.querySelector(".editor-status");
  var KEYWORDS = /^(select|construct|describe|ask|where|prefix|base|distinct|reduced|from|named|optional|union|minus|filter|exists|not|bind|as|values|graph|service|order|by|asc|desc|limit|offset|group|having|count|sum|min|max|avg|sample|group_concat|separator|in|a|true|false|str|lang|langmatches|datatype|bound|iri|uri|bnode|rand|abs|ceil|floor|round|concat|strlen|ucase|lcase|encode_for_uri|contains|strstarts|strends|strbefore|strafter|year|month|day|hours|minutes|seconds|timezone|tz|now|uuid|struuid|md5|sha1|sha256|sha384|sha512|coalesce|if|strlang|strdt|sameterm|isiri|isuri|isblank|isliteral|isnumeric|regex|substr|replace|undef)$/i;
  var TOKEN = /(#[^\n]*)|(<[^<>"{}|^`\\\s]*>)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|([?$][A-Za-z_0-9\u00C0-\uFFFF]+)|((?:[A-Za-z][\w.-]*)?:[\w.:%-]*)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_]+)/g;

  function declared(text) {
    var found = {};
    text.replace(/PREFIX\s+([A-Za-z][\w.-]*)?:/gi, function (match, name) { found[name || ""] = true; return match; });
    return found;
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function paint() {
    var text = area.value;
    var own = declared(text);
    var html = "";
    var last = 0;
    text.replace(TOKEN, function (match, comment, iri, string, variable, pname, number, word, offset) {
      html += escapeHtml(text.slice(last, offset));
      var css = null;
      if (comment) { css = "tok-comment"; }
      else if (iri) { css = "tok-iri"; }
      else if (string) { css = "tok-string"; }
      else if (variable) { css = "tok-var"; }
      else if (pname) {
        var prefix = pname.split(":")[0];
        css = own[prefix] || known[prefix] ? "tok-pname" : "tok-pname tok-prefix-unknown";
      }
      else if (number) { css = "tok-number"; }
      else if (word && KEYWORDS.test(word)) { css = "tok-keyword"; }
      html += css ? '<span class="' + css + '">' + escapeHtml(match) + "</span>" : escapeHtml(match);
      last = offset + match.length;
      return match;
    });
    html += escapeHtml(text.slice(last)) + "\n";
    code.innerHTML = html;
    box.querySelector("pre").scrollTop = area.scrollTop;
  }

  function missingPrefixes() {
    var text = area.value.replace(/#[^\n]*|<[^>]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ");
    var own = declared(area.value);
    var missing = [];
    text.replace(/(?:^|[\s(;,.\/^|])([A-Za-z][\w.-]*):(?=[\w%]|\s)/g, function (match, prefix) {
      if (!own[prefix] && known[prefix] && missing.indexOf(prefix) < 0) { missing.push(prefix); }
      return match;
    });
    return missing;
  }

  box.classList.add("highlighting");
  area.addEventListener("input", paint);
  area.addEventListener("scroll", function () { box.querySelector("pre").scrollTop = area.scrollTop; });
  area.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      area.form.requestSubmit();
    }
  });
  area.form.addEventListener("submit", function () {
    var missing = missingPrefixes();
    if (missing.length && status) { status.textContent = "Declared the known prefixes " + missing.join(", ") + "."; }
  });
  paint();

  var chooser = document.querySelector("[data-load-example]");
  if (chooser) {
    chooser.addEventListener("change", function () { chooser.form.submit(); });
  }
}());
