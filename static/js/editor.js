// The authoring editor: live preview and checks while typing, jump-to-line, Ctrl+S, unsaved-work warning.
// Without this script the editor is a plain form with Preview and Save buttons.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) return;
  var text = form.querySelector("textarea[name=text]");
  var preview = document.getElementById("editor-preview");
  var checks = document.getElementById("editor-checks");
  var problems = document.getElementById("editor-problems");
  var status = document.getElementById("editor-status");
  var cursor = document.getElementById("editor-cursor");
  var DELAY = 400;
  var timer = null;
  var inFlight = null;
  var saved = text.value;
  var submitting = false;

  function refresh() {
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    var body = new FormData();
    body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    body.append("course", form.dataset.course);
    body.append("path", form.dataset.path);
    body.append("text", text.value);
    status.textContent = "Checking…";
    fetch(form.dataset.previewUrl, {method: "POST", body: body, credentials: "same-origin",
                                    signal: inFlight.signal, headers: {"Accept": "application/json"}})
      .then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      })
      .then(function (result) {
        if (!result.ok) { status.textContent = result.data.error || "The preview is not available."; return; }
        // The server renders and sanitises both fragments, exactly as for the page without script.
        preview.innerHTML = result.data.html;
        problems.innerHTML = result.data.checks;
        checks.dataset.state = result.data.problems.length ? "bad" : "ok";
        var n = result.data.problems.length;
        status.textContent = n ? n + (n === 1 ? " problem" : " problems") : "Up to date";
      })
      .catch(function (error) {
        if (error.name !== "AbortError") status.textContent = "The preview could not be updated (offline?).";
      });
  }

  function lineStart(value, line) {
    var offset = 0;
    for (var n = 1; n < line; n++) {
      var next = value.indexOf("\n", offset);
      if (next === -1) return value.length;
      offset = next + 1;
    }
    return offset;
  }

  // Where a line sits inside the textarea, measured on a hidden copy with the same wrapping.
  function scrollToOffset(offset) {
    var style = window.getComputedStyle(text);
    var mirror = document.createElement("div");
    ["fontFamily", "fontSize", "fontWeight", "lineHeight", "letterSpacing", "paddingTop", "paddingLeft",
     "paddingRight", "borderLeftWidth", "borderRightWidth", "boxSizing", "tabSize"].forEach(function (name) {
      mirror.style[name] = style[name];
    });
    mirror.style.position = "absolute";
    mirror.style.visibility = "hidden";
    mirror.style.whiteSpace = "pre-wrap";
    mirror.style.overflowWrap = "break-word";
    mirror.style.width = text.clientWidth + "px";
    mirror.textContent = text.value.slice(0, offset) + "\u200b";
    document.body.appendChild(mirror);
    text.scrollTop = Math.max(0, mirror.scrollHeight - text.clientHeight / 3);
    document.body.removeChild(mirror);
  }

  function goToLine(line) {
    var start = lineStart(text.value, line);
    var end = text.value.indexOf("\n", start);
    text.focus();
    text.setSelectionRange(start, end === -1 ? text.value.length : end);
    scrollToOffset(start);
    showCursor();
  }

  function showCursor() {
    var before = text.value.slice(0, text.selectionStart);
    var line = before.split("\n").length;
    var column = before.length - before.lastIndexOf("\n");
    cursor.textContent = "Line " + line + ", column " + column;
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    status.textContent = "Editing…";
    timer = setTimeout(refresh, DELAY);
  });
  ["keyup", "click", "focus"].forEach(function (name) { text.addEventListener(name, showCursor); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-line]");
    if (button && checks.contains(button)) goToLine(parseInt(button.dataset.line, 10));
  });

  // Ctrl+S / Cmd+S saves the draft through the form's own Save button.
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault();
      form.querySelector("button[value=save]").click();
    }
  });

  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && text.value !== saved) { event.preventDefault(); event.returnValue = ""; }
  });

  var wanted = parseInt(new URLSearchParams(window.location.search).get("line"), 10);
  if (wanted > 0) goToLine(wanted);
})();
