// Rapportsøk: extras on top of a page that works fully without JavaScript.
// - search as you type: the results are fetched as the same HTML page the form
//   would load, and swapped in; the URL is updated so it can still be shared;
// - a link into a report opens the folded chapter that holds its target.
(function () {
  "use strict";

  var TYPING_PAUSE_MS = 350;
  var MIN_QUERY_CHARS = 2;

  function openTargetChapter() {
    if (!location.hash) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var chapter = target && target.closest("details");
    if (chapter && !chapter.open) {
      chapter.open = true;
      target.scrollIntoView();
    }
  }

  function searchAsYouType() {
    var results = document.querySelector("[data-live-search]");
    var input = document.getElementById("q");
    if (!results || !input || !window.fetch || !window.DOMParser || !window.URLSearchParams) {
      return;
    }
    var form = input.form;
    var status = document.getElementById("live-status");
    var timer = null;
    var pending = null;
    var shownQuery = input.value.trim();

    function formUrl() {
      var query = new URLSearchParams(new FormData(form)).toString();
      return form.getAttribute("action") + (query ? "?" + query : "");
    }

    function show(html, url) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var fresh = page.querySelector("[data-live-search]");
      if (!fresh) {
        return;
      }
      fresh = document.adoptNode(fresh);
      results.replaceWith(fresh);
      results = fresh;
      document.title = page.title;
      history.replaceState(null, "", url);
      var heading = fresh.querySelector("h1");
      if (status && heading) {
        status.textContent = heading.textContent;
      }
    }

    function update() {
      var query = input.value.trim();
      if (query === shownQuery || (query && query.length < MIN_QUERY_CHARS)) {
        return;
      }
      shownQuery = query;
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      var url = formUrl();
      fetch(url, { signal: pending.signal, headers: { Accept: "text/html" } })
        .then(function (response) {
          // A bad query keeps the current results; submitting the form shows why.
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html !== null) {
            show(html, url);
          }
        })
        .catch(function () {
          // Aborted by newer typing, or offline: the form still works.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, TYPING_PAUSE_MS);
    });
  }

  openTargetChapter();
  window.addEventListener("hashchange", openTargetChapter);
  searchAsYouType();
})();
