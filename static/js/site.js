// Small enhancements; every page works fully without this file. No inline script anywhere,
// so that a strict Content-Security-Policy can forbid it.
(function () {
  "use strict";

  // Form errors: the summary takes focus (autofocus does it without script in most browsers),
  // and its links move focus to the field they name.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    if (document.activeElement === document.body) summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.hash.slice(1));
      if (!field) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // Inline validation: once a field that had an error is corrected, say so at once.
  document.querySelectorAll("[aria-invalid='true']").forEach(function (field) {
    field.addEventListener("change", function () {
      if (!field.value.trim() || !field.checkValidity()) return;
      field.removeAttribute("aria-invalid");
      var error = document.getElementById(field.id + "_error");
      if (error) error.hidden = true;
      field.closest(".field").classList.remove("field--error");
    });
  });

  // Copy the petition's link to the clipboard.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) return;
    var input = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.status);
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(
        function () { status.textContent = button.dataset.done; },
        function () { input.select(); status.textContent = button.dataset.failed; }
      );
    });
  });

  // The phone's own share sheet, where there is one.
  document.querySelectorAll("[data-share-url]").forEach(function (button) {
    if (!navigator.share) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({ text: button.dataset.shareTitle, url: button.dataset.shareUrl })
        .catch(function () {});
    });
  });

  // Keep the supporter counter current while the page is open and visible.
  var counter = document.querySelector("[data-counter-url]");
  if (counter && window.fetch) {
    // The counter's JSON is the same in every language: the page's language formats it.
    var format = window.Intl ? new Intl.NumberFormat(document.documentElement.lang) : null;
    var refresh = function () {
      if (document.hidden) return;
      fetch(counter.dataset.counterUrl, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          // Below two the sentence's plural form would change: leave it to the next visit.
          if (!data || data.supporter_count < 2) return;
          counter.querySelectorAll(".count").forEach(function (el) {
            el.textContent = format ? format.format(data.supporter_count) : data.supporter_count;
          });
          counter.querySelectorAll(".percent").forEach(function (el) {
            el.textContent = data.goal_percent;
          });
          var progress = counter.querySelector("progress");
          if (progress) progress.value = Math.min(data.supporter_count, progress.max);
        })
        .catch(function () {});
    };
    var started = Date.now();
    var timer = setInterval(function () {
      // Stop after half an hour: nobody reads one page that long.
      if (Date.now() - started > 30 * 60 * 1000) clearInterval(timer);
      else refresh();
    }, 30 * 1000);
    document.addEventListener("visibilitychange", refresh);
  }
})();
