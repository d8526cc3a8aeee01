/* cchc — the charts of the reform index pages (ranking, own position, forecast).
   Each chart is a <canvas data-scoring-chart="ID"> whose data is the JSON of <script id="ID"
   type="application/json"> (Django's json_script); the same figures are always in a table next
   to it, so nothing is lost without JavaScript. No inline scripts or styles (CSP-friendly). */
(function () {
  "use strict";

  var BLUE = "rgb(13, 110, 253)";
  var BLUE_FILL = "rgba(13, 110, 253, 0.75)";
  var AMBER_FILL = "rgba(255, 193, 7, 0.8)";
  var GREY_FILL = "rgba(108, 117, 125, 0.55)";
  var BAND_COLOURS = ["rgb(25, 135, 84)", "rgb(253, 126, 20)", "rgb(220, 53, 69)", "rgb(111, 66, 193)"];
  var SERIES = [BLUE_FILL, "rgba(108, 117, 125, 0.6)", "rgba(25, 135, 84, 0.7)"];

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  var numberFormat = (function () {
    var lang = document.documentElement.lang || "vi";
    try {
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
    } catch (e) {
      return { format: function (v) { return String(v); } };
    }
  })();

  function percent(value) {
    return value === null || value === undefined ? "—" : numberFormat.format(value) + " %";
  }

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] !== undefined ? values[key] : "";
    }).replace(/%%/g, "%");
  }

  // The index of every agency as horizontal bars, highest first; the band limits as lines.
  function drawRanking(canvas, data) {
    var rows = data.labels.length;
    var box = canvas.parentElement;
    if (box) box.style.height = Math.max(288, rows * 26 + 80) + "px";
    var datasets = [{
      type: "bar",
      label: data.label,
      data: data.values,
      backgroundColor: data.provisional.map(function (p) { return p ? AMBER_FILL : BLUE_FILL; }),
      borderColor: BLUE,
      borderWidth: 1,
      order: 2
    }];
    (data.bands || []).forEach(function (band, i) {
      datasets.push({
        type: "line",
        label: fill(data.band_label, { code: band.code, min: numberFormat.format(band.min) }),
        data: data.labels.map(function () { return band.min; }),
        borderColor: BAND_COLOURS[i % BAND_COLOURS.length],
        borderDash: [6, 4],
        borderWidth: 2,
        pointRadius: 0,
        fill: false,
        order: 1
      });
    });
    new window.Chart(canvas, {
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } },
        plugins: {
          legend: { display: true, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var text = item.dataset.label + ": " + percent(item.raw);
                if (item.datasetIndex === 0 && data.provisional[item.dataIndex]) {
                  text += " (" + data.provisional_label + ")";
                }
                return text;
              }
            }
          }
        }
      }
    });
  }

  // Per-area index: one or more series of bars (own agency, province average, projection).
  function drawAreas(canvas, data) {
    var titles = data.titles || [];
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (series, i) {
          return {
            label: series.label,
            data: series.values,
            backgroundColor: SERIES[i % SERIES.length],
            borderWidth: 1
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } },
        plugins: {
          legend: { display: data.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              title: function (items) {
                var i = items[0].dataIndex;
                return data.labels[i] + (titles[i] ? ". " + titles[i] : "");
              },
              label: function (item) { return item.dataset.label + ": " + percent(item.raw); }
            }
          }
        }
      }
    });
  }

  // The other agencies' index in ranges of 10 points (no names), with the own agency stacked
  // on its range in another colour.
  function drawHistogram(canvas, data) {
    var datasets = [{
      label: data.label,
      data: data.values,
      backgroundColor: GREY_FILL,
      borderWidth: 1,
      stack: "agencies"
    }];
    if (data.highlight !== null && data.highlight !== undefined) {
      datasets.push({
        label: data.highlight_label,
        data: data.labels.map(function (_, i) { return i === data.highlight ? 1 : 0; }),
        backgroundColor: BLUE_FILL,
        borderWidth: 1,
        stack: "agencies"
      });
    }
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }
        },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: {
            filter: function (item) { return item.raw !== 0 || item.datasetIndex === 0; },
            callbacks: {
              title: function (items) { return data.labels[items[0].dataIndex] + " %"; }
            }
          }
        }
      }
    });
  }

  var DRAW = { ranking: drawRanking, areas: drawAreas, histogram: drawHistogram };

  function drawAll(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-scoring-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var data = readJson(canvas.dataset.scoringChart);
      if (!data || !DRAW[data.type]) return;
      canvas.dataset.drawn = "1";
      DRAW[data.type](canvas, data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function () { drawAll(document); });
})();
