// Draws the report charts (dashboard, /impact) with Chart.js from the page's JSON data block.
// Progressive enhancement: without JavaScript the tables stay open and the canvases hidden; with
// it, each chart appears and its table folds into "As a table". Kept out of the HTML: the
// Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  var block = document.getElementById("report-chart-data");
  if (!block || typeof Chart === "undefined") { return; }
  var data;
  try { data = JSON.parse(block.textContent); } catch (e) { return; }
  var lang = document.documentElement.lang || "de";
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var labels = data.labels || {};
  var GREEN = "#1d6b47";
  var GREEN_LIGHT = "#8fc3a5";

  function tooltipLabel(context) {
    return context.dataset.label + ": " + number.format(context.parsed[context.chart.options.indexAxis === "y" ? "x" : "y"]);
  }

  function draw(canvas) {
    var series = data[canvas.dataset.chart];
    if (!series || !series.labels || !series.labels.length) { return false; }
    var monthly = canvas.dataset.chart === "by_month" || canvas.dataset.chart === "trend";
    var datasets = [{ label: labels.mass_kg, data: series.mass_kg, backgroundColor: GREEN }];
    if (!monthly) {
      datasets.push({ label: labels.co2e_kg, data: series.co2e_kg, backgroundColor: GREEN_LIGHT });
    }
    var rows = series.labels.length;
    var wrapper = canvas.parentElement;
    wrapper.style.height = (monthly ? 18 : Math.max(10, 3 + rows * 2.4)) + "rem";
    new Chart(canvas, {
      type: "bar",
      data: { labels: series.labels, datasets: datasets },
      options: {
        indexAxis: monthly ? "x" : "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: { callbacks: { label: tooltipLabel } }
        },
        scales: {
          x: { ticks: monthly ? {} : { callback: function (v) { return number.format(v); } }, beginAtZero: true },
          y: { ticks: monthly ? { callback: function (v) { return number.format(v); } } : {}, beginAtZero: true }
        }
      }
    });
    return true;
  }

  var canvases = document.querySelectorAll("canvas[data-chart]");
  Array.prototype.forEach.call(canvases, function (canvas) {
    var wrapper = canvas.parentElement;
    wrapper.hidden = false;
    var drawn = false;
    try { drawn = draw(canvas); } catch (e) { drawn = false; }
    if (!drawn) { wrapper.hidden = true; return; }
    canvas.dataset.rendered = "true";
    var section = wrapper.parentElement;
    var table = section && section.querySelector("details[data-chart-table]");
    if (table) { table.open = false; }
  });

  // Printed reports carry the tables as well as the charts.
  var folded = [];
  window.addEventListener("beforeprint", function () {
    folded = Array.prototype.filter.call(document.querySelectorAll("details[data-chart-table]"), function (d) { return !d.open; });
    folded.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    folded.forEach(function (d) { d.open = false; });
    folded = [];
  });
})();
