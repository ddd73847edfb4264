// Quiz pages: autosave, an answered-questions counter and the countdown. The server keeps the
// deadline and grades; without this script the Save and Submit buttons do the same work.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  var saved = document.querySelector(".quiz-saved");

  function answeredCount() {
    var count = 0;
    form.querySelectorAll("[data-question]").forEach(function (question) {
      if (question.querySelector("input:checked")) count += 1;
    });
    return count;
  }

  function showAnswered() {
    var counter = document.querySelector("[data-answered-of]");
    if (!counter) return;
    var total = Number(counter.getAttribute("data-answered-of"));
    if (total) counter.textContent = answeredCount() + " of " + total + " answered";
  }

  var pending = null;
  function autosave() {
    clearTimeout(pending);
    pending = setTimeout(function () {
      fetch(form.getAttribute("data-autosave"), {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!saved) return;
        if (response.ok) {
          var now = new Date();
          saved.textContent = "Saved " + now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        } else {
          saved.textContent = "Not saved: use Save and finish later";
        }
      }).catch(function () {
        if (saved) saved.textContent = "Offline: answers not saved yet";
      });
    }, 600);
  }

  if (form) {
    showAnswered();
    form.addEventListener("change", function () { showAnswered(); autosave(); });
  }

  // Countdown: from the seconds left when the page was served, so the learner's clock does not matter.
  var timer = document.querySelector(".quiz-countdown");
  if (timer) {
    var end = Date.now() + Number(timer.getAttribute("data-seconds-left")) * 1000;
    var value = timer.querySelector(".quiz-countdown-value");
    var announce = timer.querySelector(".quiz-countdown-announce");
    var submitted = false;
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      value.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      timer.classList.toggle("is-low", left <= 300);
      if (left === 300 || left === 60) announce.textContent = (left / 60) + " minute" + (left === 60 ? "" : "s") + " left";
      if (left === 0) {
        announce.textContent = "Time is up";
        var target = document.getElementById(timer.getAttribute("data-submits"));
        // A moment after the deadline, well inside the server's grace period.
        if (target && !submitted) { submitted = true; setTimeout(function () { target.submit(); }, 2000); }
        return;
      }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
