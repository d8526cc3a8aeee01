/* cchc — the dashboards' charts (agency and province).
   A dashboard is an element <div data-dashboard="agency|province" data-dashboard-url="…"> whose
   charts are <canvas data-dashboard-chart="NAME">. The figures are fetched once from the page's
   own JSON endpoint and drawn with Chart.js; each canvas gets data-loaded="1" once drawn, and the
   dashboard element data-loaded="1" once every chart is (data-loaded="error" if the fetch failed).
   Every figure is also in the tables of the page, so nothing is lost without JavaScript.
   The Print button ([data-dashboard-print]) prints the page; no inline scripts or handlers. */
(function () {
  "use strict";

  var BLUE = "rgba(13, 110, 253, 0.75)";
  var BLUE_LINE = "rgb(13, 110, 253)";
  var GREY = "rgba(108, 117, 125, 0.55)";
  var GREEN_LINE = "rgb(25, 135, 84)";
  var PURPLE_LINE = "rgb(111, 66, 193)";
  var STATUS = {
    met: "rgba(25, 135, 84, 0.8)",
    at_risk: "rgba(255, 193, 7, 0.85)",
    missed: "rgba(220, 53, 69, 0.8)",
    no_data: GREY
  };
  var charts = [];

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

  var percentAxis = {
    min: 0,
    max: 100,
    ticks: { callback: function (v) { return v + " %"; } }
  };

  function make(canvas, config) {
    config.options = config.options || {};
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    charts.push(new window.Chart(canvas, config));
  }

  function tallBox(canvas, rows) {
    var box = canvas.parentElement;
    if (box) box.style.height = Math.max(288, rows * 30 + 90) + "px";
  }

  function percentTooltip(titles) {
    return {
      callbacks: {
        title: function (items) {
          var i = items[0].dataIndex;
          var label = items[0].chart.data.labels[i];
          return titles && titles[i] ? label + ". " + titles[i] : label;
        },
        label: function (item) { return item.dataset.label + ": " + percent(item.raw); }
      }
    };
  }

  // --- the agency's dashboard -------------------------------------------------------------

  function progressBars(canvas, rows, label, horizontal) {
    if (horizontal) tallBox(canvas, rows.length);
    make(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return horizontal ? r.label : "II." + r.key; }),
        datasets: [{ label: label, data: rows.map(function (r) { return r.progress; }), backgroundColor: BLUE }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        scales: horizontal ? { x: percentAxis } : { y: percentAxis },
        plugins: {
          legend: { display: false },
          tooltip: percentTooltip(horizontal ? null : rows.map(function (r) { return r.label; }))
        }
      }
    });
  }

  function indicators(canvas, data) {
    var rows = data.indicators;
    var text = data.text;
    make(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [
          {
            label: text.value,
            data: rows.map(function (r) { return r.value; }),
            backgroundColor: rows.map(function (r) { return STATUS[r.status] || GREY; })
          },
          {
            label: text.target,
            data: rows.map(function (r) { return r.target; }),
            backgroundColor: "rgba(255, 255, 255, 0)",
            borderColor: "rgb(33, 37, 41)",
            borderWidth: 2
          }
        ]
      },
      options: {
        scales: { y: { suggestedMin: 0, suggestedMax: 100 } },
        plugins: {
          legend: { display: true, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var row = rows[item.dataIndex];
                var value = item.raw === null ? "—" : numberFormat.format(item.raw) + " " + row.unit;
                var line = item.dataset.label + ": " + value;
                return item.datasetIndex === 0 ? line + " (" + row.status_label + ")" : line;
              }
            }
          }
        }
      }
    });
  }

  function months(canvas, data) {
    var d = data.dossiers;
    var text = data.text;
    function line(key, colour) {
      return {
        type: "line",
        label: text[key],
        data: d[key],
        yAxisID: "rates",
        borderColor: colour,
        backgroundColor: colour,
        pointRadius: 3,
        spanGaps: false,
        tension: 0.2
      };
    }
    make(canvas, {
      data: {
        labels: d.months,
        datasets: [
          { type: "bar", label: text.received, data: d.received, yAxisID: "count", backgroundColor: GREY, order: 2 },
          line("on_time_rate", BLUE_LINE),
          line("online_rate", GREEN_LINE),
          line("digitization_rate", PURPLE_LINE)
        ]
      },
      options: {
        scales: {
          count: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 } },
          rates: { type: "linear", position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
                   ticks: { callback: function (v) { return v + " %"; } } }
        },
        plugins: {
          legend: { display: true, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                if (item.dataset.yAxisID === "count") return item.dataset.label + ": " + numberFormat.format(item.raw);
                return item.dataset.label + ": " + percent(item.raw);
              }
            }
          }
        }
      }
    });
  }

  function forecast(canvas, data) {
    var areas = data.forecast ? data.forecast.areas : [];
    make(canvas, {
      type: "bar",
      data: {
        labels: areas.map(function (a) { return a.code; }),
        datasets: [{ label: data.text.projected, data: areas.map(function (a) { return a.percent; }), backgroundColor: BLUE }]
      },
      options: {
        scales: { y: percentAxis },
        plugins: { legend: { display: false }, tooltip: percentTooltip(areas.map(function (a) { return a.title; })) }
      }
    });
  }

  var AGENCY = {
    areas: function (canvas, data) { progressBars(canvas, data.areas, data.text.progress, false); },
    units: function (canvas, data) { progressBars(canvas, data.units, data.text.progress, true); },
    indicators: indicators,
    months: months,
    forecast: forecast
  };

  // --- the province's comparison ------------------------------------------------------------

  function province(canvas, data) {
    var rows = data.rows;
    var text = data.text;
    tallBox(canvas, rows.length * 1.6);
    function series(label, colour, read) {
      return { label: label, data: rows.map(read), backgroundColor: colour };
    }
    make(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.agency.name; }),
        datasets: [
          series(text.progress, BLUE, function (r) { return r.progress; }),
          series(text.on_time_rate, "rgba(25, 135, 84, 0.7)", function (r) { return r.on_time_rate; }),
          series(text.forecast_percent, "rgba(111, 66, 193, 0.6)", function (r) { return r.index.forecast_percent; })
        ]
      },
      options: {
        indexAxis: "y",
        scales: { x: percentAxis },
        plugins: { legend: { display: true, position: "bottom" }, tooltip: percentTooltip(null) }
      }
    });
  }

  var PROVINCE = { province: province };

  // --- loading --------------------------------------------------------------------------------

  function draw(root, data) {
    var kinds = root.dataset.dashboard === "province" ? PROVINCE : AGENCY;
    root.querySelectorAll("canvas[data-dashboard-chart]").forEach(function (canvas) {
      var drawChart = kinds[canvas.dataset.dashboardChart];
      if (!drawChart || canvas.dataset.loaded) return;
      drawChart(canvas, data);
      canvas.dataset.loaded = "1";
    });
    root.dataset.loaded = "1";
  }

  function load(root) {
    if (root.dataset.loaded || typeof window.Chart === "undefined" || !window.fetch) return;
    window.fetch(root.dataset.dashboardUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (data) {
      draw(root, data);
    }).catch(function () {
      root.dataset.loaded = "error";
    });
  }

  function bind() {
    document.querySelectorAll("[data-dashboard-print]").forEach(function (button) {
      if (button.dataset.bound) return;
      button.dataset.bound = "1";
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-dashboard-url]").forEach(load);
  }

  // Charts are drawn for the screen; fit them to the paper before printing and back after.
  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }

  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  document.addEventListener("DOMContentLoaded", bind);
})();
