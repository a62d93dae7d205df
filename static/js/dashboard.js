/* Charts of the leader dashboard (ECharts, SVG so they print sharply); the numbers come from the page's JSON. */
(function () {
  "use strict";

  var PALETTE = ["#2563eb", "#94a3b8", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777"];

  function bars(rows, horizontal) {
    var names = rows.map(function (r) { return r.name; });
    var axis = { type: "category", data: names, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var value = { type: "value", minInterval: 1 };
    return {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["本期", "去年同期"] },
      grid: { left: horizontal ? 110 : 50, right: 20, bottom: horizontal ? 30 : 70, top: 40 },
      xAxis: horizontal ? value : axis,
      yAxis: horizontal ? Object.assign({}, axis, { inverse: true }) : value,
      series: [
        { name: "本期", type: "bar", data: rows.map(function (r) { return r.value; }), label: { show: true, position: horizontal ? "right" : "top" } },
        { name: "去年同期", type: "bar", data: rows.map(function (r) { return r.previous; }) }
      ]
    };
  }

  function pie(rows) {
    return {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      series: [{ type: "pie", radius: ["35%", "65%"], label: { formatter: "{b}\n{c}（{d}%）" },
                 data: rows.map(function (r) { return { name: r.name, value: r.value }; }) }]
    };
  }

  function trend(rows) {
    return {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["本期", "去年同期"] },
      grid: { left: 50, right: 20, bottom: 40, top: 40 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "本期", type: "line", data: rows.map(function (r) { return r.value; }), label: { show: rows.length <= 12 } },
        { name: "去年同期", type: "line", lineStyle: { type: "dashed" }, data: rows.map(function (r) { return r.previous; }) }
      ]
    };
  }

  function children(rows) {
    return {
      color: ["#dc2626", "#2563eb"],
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["当前超期（件）", "按期办结率（%）"] },
      grid: { left: 50, right: 50, bottom: 80, top: 40 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: "当前超期（件）", type: "bar", data: rows.map(function (r) { return r.overdue; }), label: { show: true, position: "top" } },
        { name: "按期办结率（%）", type: "line", yAxisIndex: 1, data: rows.map(function (r) { return r.rate; }) }
      ]
    };
  }

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var builders = {
      trend: function () { return trend(data.trend); },
      channel: function () { return bars(data.channel, false); },
      category: function () { return bars(data.category, true); },
      purpose: function () { return pie(data.purpose); },
      children: function () { return children(data.children); }
    };
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var build = builders[box.dataset.chart];
      if (!build) { return; }
      var chart = window.echarts.init(box, null, { renderer: "svg" });
      chart.setOption(build());
      box.dataset.ready = "true";
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof HTMLElement && target.hasAttribute("data-print")) { window.print(); }
  });
  document.addEventListener("DOMContentLoaded", draw);
})();
