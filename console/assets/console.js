// refurbqa console: the project's own small script. Everything works without it; it only
// makes the bench quicker: the grade follows the form as it is filled (live preview), and
// "All pass" sets every test without a round trip; and an audit run's page follows the run
// by fetching its progress instead of reloading itself.
(function () {
  "use strict";

  function preview(form) {
    var url = form.getAttribute("data-preview");
    var panel = document.getElementById("grade");
    if (!url || !panel) { return; }
    var body = new URLSearchParams(new FormData(form));
    body.delete("action");
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        var fresh = tpl.content.firstElementChild;
        var current = document.getElementById("grade");
        if (fresh && current) { current.replaceWith(fresh); }
      })
      .catch(function () { /* the Preview button still works */ });
  }

  function debounce(fn, ms) {
    var t = null;
    return function () {
      var args = arguments;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  document.querySelectorAll("form[data-preview]").forEach(function (form) {
    var later = debounce(function () { preview(form); }, 150);
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    var allPass = form.querySelector("#all-pass");
    if (allPass) {
      allPass.addEventListener("click", function (ev) {
        ev.preventDefault();
        form.querySelectorAll('input[type="radio"][name^="functional."][value="pass"]').forEach(function (r) {
          r.checked = true;
        });
        preview(form);
      });
    }
  });

  // An audit run going on: fetch its progress every two seconds; once it is done, load the
  // page again for its results.
  function follow(panel) {
    var url = panel.getAttribute("data-progress");
    setTimeout(function () {
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var tpl = document.createElement("template");
          tpl.innerHTML = html.trim();
          var fresh = tpl.content.firstElementChild;
          if (!fresh) { return; }
          if (fresh.hasAttribute("data-done")) { window.location.reload(); return; }
          panel.replaceWith(fresh);
          follow(fresh);
        })
        .catch(function () { follow(panel); });
    }, 2000);
  }
  var run = document.querySelector("[data-progress]:not([data-done])");
  if (run) { follow(run); }

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
