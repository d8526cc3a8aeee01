/* cchc — the little JavaScript the pages use. Everything works without it; it adds comfort:
   charts, auto-submitting filter forms, confirmation of destructive actions.
   No inline scripts or handlers exist in the pages: behaviour is attached here through data-*
   attributes, so that a strict Content-Security-Policy can be switched on. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var data = readJson(canvas.dataset.chart);
      if (!data) return;
      canvas.dataset.drawn = "1";
      if (data.type === "line") {
        drawTrend(canvas, data);
        return;
      }
      var titles = data.titles || [];
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [{
            label: data.label,
            data: data.values,
            backgroundColor: "rgba(13, 110, 253, 0.75)",
            borderColor: "rgb(13, 110, 253)",
            borderWidth: 1
          }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } },
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                title: function (items) {
                  var i = items[0].dataIndex;
                  return data.labels[i] + (titles[i] ? ". " + titles[i] : "");
                },
                label: function (item) {
                  return item.formattedValue + " %";
                }
              }
            }
          }
        }
      });
    });
  }

  // A trend: monthly values as a line, the target as a dashed horizontal line.
  function drawTrend(canvas, data) {
    var unit = data.unit ? " " + data.unit : "";
    var datasets = [{
      label: data.label,
      data: data.values,
      borderColor: "rgb(13, 110, 253)",
      backgroundColor: "rgba(13, 110, 253, 0.15)",
      pointRadius: 3,
      spanGaps: false,
      tension: 0.2
    }];
    if (data.target !== null && data.target !== undefined) {
      datasets.push({
        label: data.target_label,
        data: data.labels.map(function () { return data.target; }),
        borderColor: "rgb(220, 53, 69)",
        borderDash: [6, 4],
        borderWidth: 2,
        pointRadius: 0,
        fill: false
      });
    }
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { suggestedMin: 0, suggestedMax: 100, ticks: { callback: function (v) { return v + unit; } } } },
        plugins: {
          legend: { display: true, position: "bottom" },
          tooltip: { callbacks: { label: function (item) { return item.dataset.label + ": " + item.formattedValue + unit; } } }
        }
      }
    });
  }

  function bind(root) {
    root.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      if (form.dataset.bound) return;
      form.dataset.bound = "1";
      form.addEventListener("change", function (event) {
        if (event.target && event.target.tagName === "SELECT") form.requestSubmit();
      });
    });
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.confirmBound) return;
      form.dataset.confirmBound = "1";
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
    // Plan import review: "tick all tasks of this area" ticks the bulk checkboxes of its section.
    root.querySelectorAll("input[data-select-all]").forEach(function (box) {
      if (box.dataset.bound) return;
      box.dataset.bound = "1";
      box.addEventListener("change", function () {
        var scope = box.closest("[data-select-scope]");
        if (!scope) return;
        scope.querySelectorAll("input[data-bulk-select]").forEach(function (item) {
          item.checked = box.checked;
        });
      });
    });
    drawCharts(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    bind(document);
  });
  // Content swapped in by htmx gets the same behaviour; focus moves to an error summary if any.
  document.addEventListener("htmx:afterSwap", function () {
    bind(document);
    var summary = document.querySelector(
      "#progress-panel [data-testid='form-errors'], #comments [data-testid='form-errors']"
    );
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  });
})();
