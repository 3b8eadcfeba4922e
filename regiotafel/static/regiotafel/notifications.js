/* The header badge of notifications: polls the unread count without reloading the page.
 *
 * Every 15 s while the tab is visible (none while it is hidden; at once when it shows again),
 * with If-None-Match so an unchanged count costs a 304 and no database query. On errors the
 * interval doubles up to 5 minutes. A new notification is announced politely (aria-live).
 * docs/notifications.md, "The badge".
 */
(function () {
  "use strict";
  var BASE = 15000;
  var MAX = 300000;
  var link = document.getElementById("meldingen-link");
  if (!link || !window.fetch) {
    return;
  }
  var url = link.getAttribute("data-badge-url");
  var wrap = link.querySelector("[data-unread-wrap]");
  var count = link.querySelector("[data-unread]");
  var live = document.getElementById("meldingen-nieuw");
  var delay = BASE;
  var timer = null;
  var etag = null;
  var stopped = false;
  var unread = parseInt(count && count.textContent, 10) || 0;
  var latest = null;

  function show(n) {
    count.textContent = String(n);
    if (n > 0) {
      wrap.removeAttribute("hidden");
    } else {
      wrap.setAttribute("hidden", "");
    }
  }

  function update(data) {
    var newest = data.nieuwste;
    if (newest && data.ongelezen > unread && newest.id !== latest && live) {
      live.textContent = (live.getAttribute("data-prefix") || "") + " " + newest.tekst;
    }
    latest = newest ? newest.id : null;
    unread = data.ongelezen;
    show(unread);
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = null;
    if (!stopped && !document.hidden) {
      timer = window.setTimeout(poll, ms);
    }
  }

  function poll() {
    timer = null;
    var headers = { Accept: "application/json" };
    if (etag) {
      headers["If-None-Match"] = etag;
    }
    window
      .fetch(url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (response) {
        if (response.redirected) {
          stopped = true; // signed out: the login page answered
          return null;
        }
        if (response.status === 304) {
          delay = BASE;
          return null;
        }
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        etag = response.headers.get("ETag");
        delay = BASE;
        return response.json();
      })
      .then(function (data) {
        if (data) {
          update(data);
        }
        schedule(delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, MAX);
        schedule(delay);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
      timer = null;
    } else if (timer === null) {
      poll();
    }
  });
  schedule(BASE);
})();
