/* Draws the charts of a page without inline script (the Content-Security-Policy forbids it).
 *
 * core.charts.fragment() writes <div class="plotly-chart" data-figure="ID"> and, beside it,
 * <script type="application/json" id="ID"> with the figure (data, layout, config). This file
 * is loaded once by base.html (deferred); plotly.js is loaded by the pages that have charts.
 * Charts that arrive later through htmx are drawn when htmx has put them in the page.
 */
(function () {
  "use strict";

  function draw(root) {
    if (typeof window.Plotly === "undefined" || !root || !root.querySelectorAll) {
      return;
    }
    var charts = root.querySelectorAll("div.plotly-chart[data-figure]");
    if (root.matches && root.matches("div.plotly-chart[data-figure]")) {
      charts = [root].concat(Array.prototype.slice.call(charts));
    }
    Array.prototype.forEach.call(charts, function (chart) {
      if (chart.dataset.drawn === "ja") {
        return;
      }
      var source = document.getElementById(chart.dataset.figure);
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      chart.dataset.drawn = "ja";
      window.Plotly.newPlot(chart, figure.data || [], figure.layout || {}, figure.config || {});
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:load", function (event) {
    draw(event.target);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    draw(event.target);
  });
})();
