/* Live refresh of the bed board (docs/capacity.md, "Cache van het bedbord").
 *
 * <div id="board-rows" data-etag="…" data-poll-seconds="20">: every N seconds the rows are
 * asked again (the same URL with fragment=1) with If-None-Match: the ETag of the rows shown.
 * An unchanged board answers 304 (no body, no database work); a changed one replaces the
 * rows, which the region announces politely (aria-live="polite"). No polling while the tab
 * is hidden; one poll at once when it becomes visible again. A filter change (htmx) brings
 * new rows and their ETag.
 */
(function () {
  "use strict";

  var rows = document.getElementById("board-rows");
  if (!rows || !window.fetch) {
    return;
  }
  var seconds = parseInt(rows.dataset.pollSeconds || "20", 10);
  var etag = rows.dataset.etag || "";
  var timer = null;
  var busy = false;

  function fragmentUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("fragment", "1");
    url.hash = "";
    return url.toString();
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = document.hidden ? null : window.setTimeout(poll, seconds * 1000);
  }

  function poll() {
    if (busy || document.hidden) {
      schedule();
      return;
    }
    busy = true;
    var headers = { "X-Requested-With": "fetch" };
    if (etag) {
      headers["If-None-Match"] = etag;
    }
    window
      .fetch(fragmentUrl(), { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 200) {
          var fresh = response.headers.get("ETag");
          return response.text().then(function (html) {
            if (document.activeElement && rows.contains(document.activeElement)) {
              return; // never pull the rows from under someone's keyboard focus
            }
            rows.innerHTML = html;
            etag = fresh || "";
            rows.dataset.etag = etag;
          });
        }
        return null; // 304: nothing changed; anything else: try again next time
      })
      .catch(function () {
        return null;
      })
      .then(function () {
        busy = false;
        schedule();
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
      timer = null;
    } else {
      poll();
    }
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && event.detail.target === rows && xhr.status === 200) {
      etag = xhr.getResponseHeader("ETag") || "";
      rows.dataset.etag = etag;
    }
  });

  schedule();
})();
