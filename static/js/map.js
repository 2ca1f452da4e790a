/* The street's maps, drawn with ECharts from our own GeoJSON (no tiles, no internet; docs/geography.md).
   - [data-ticket-map]: the tickets by grid cell or community, hot spots, overdue and supervised points;
     a click on a cell, a community or a hot spot opens its tickets, a click on a point its ticket.
   - [data-street-map]: the grid cells; with data-pick="#form", a tap fills the form's lon/lat.
   - a form with input[data-place=lon] (the on-site place confirmation) gets "use my location" and a
     map to tap, when the page names the street's GeoJSON in <meta name="street-geojson">. */
(function () {
  "use strict";

  var cache = {};

  function getJSON(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.json();
      });
    }
    return cache[url];
  }

  // the tooltips are HTML: every name in them (grid cells, workers, categories from the upstream) is escaped
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === undefined || value === null ? "" : value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  function text(el, name, fallback) {
    return (el && el.getAttribute("data-" + name)) || fallback;
  }

  // two maps registered from one collection: the grid cells (named by code) and the communities
  function register(geo) {
    var cells = [], communities = [];
    geo.features.forEach(function (f) {
      var p = f.properties || {};
      if (p.kind === "grid") cells.push({ type: "Feature", properties: { name: p.code, label: p.name }, geometry: f.geometry });
      if (p.kind === "community") communities.push({ type: "Feature", properties: { name: p.name }, geometry: f.geometry });
    });
    echarts.registerMap("jxq-cells", { type: "FeatureCollection", features: cells });
    echarts.registerMap("jxq-communities", { type: "FeatureCollection", features: communities });
    return { cells: cells, communities: communities };
  }

  var GEO_STYLE = {
    roam: true,
    aspectScale: 0.77, // one degree of longitude is shorter than one of latitude at 40°N
    itemStyle: { areaColor: "#eef3f8", borderColor: "#6b7f99", borderWidth: 1 },
    emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffe7a3" } },
    select: { disabled: true },
  };

  function ticketMap(el) {
    var chart = echarts.init(el);
    var mode = "cells";
    var data = null;
    var labels = JSON.parse(text(el, "labels", "{}"));

    function draw() {
      var rows = mode === "cells" ? data.cells : data.communities;
      var byName = {};
      rows.forEach(function (r) { byName[mode === "cells" ? r.code : r.name] = r; });
      var max = Math.max(1, Math.max.apply(null, rows.map(function (r) { return r.tickets; })));
      var centers = {};
      data.cells.forEach(function (c) { centers[c.id] = c.center; });
      chart.setOption({
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            if (p.seriesType === "scatter" || p.seriesType === "effectScatter") return esc(p.data.tip);
            var r = byName[p.name];
            if (!r) return esc(p.name);
            return esc((r.community && mode === "cells" ? r.community + " · " : "") + r.name) +
              "<br>" + esc(labels.tickets + " " + r.tickets + " · " + labels.open + " " + r.open) +
              "<br>" + esc(labels.overdue + " " + r.overdue + " · " + labels.supervised + " " + r.supervised) +
              (r.grid_worker ? "<br>" + esc(labels.worker + " " + r.grid_worker) : "");
          },
        },
        visualMap: { min: 0, max: max, calculable: true, seriesIndex: 0, left: 0, bottom: 0, itemHeight: 90,
          inRange: { color: ["#eef3f8", "#9cc3ef", "#2f6fd6", "#173d7a"] } },
        geo: Object.assign({ map: mode === "cells" ? "jxq-cells" : "jxq-communities" }, GEO_STYLE),
        series: [
          { type: "map", geoIndex: 0, data: rows.map(function (r) { return { name: mode === "cells" ? r.code : r.name, value: r.tickets, url: r.url }; }) },
          { type: "scatter", coordinateSystem: "geo", symbolSize: 7, itemStyle: { color: "#d6402f" }, name: labels.overdue,
            data: data.points.filter(function (p) { return p.overdue; }).map(function (p) { return { value: [p.lon, p.lat], url: p.url, tip: p.ticket_no + " · " + labels.overdue }; }) },
          { type: "scatter", coordinateSystem: "geo", symbol: "diamond", symbolSize: 8, itemStyle: { color: "#e08a00" }, name: labels.supervised,
            data: data.points.filter(function (p) { return p.supervised && !p.overdue; }).map(function (p) { return { value: [p.lon, p.lat], url: p.url, tip: p.ticket_no + " · " + labels.supervised }; }) },
          { type: "effectScatter", coordinateSystem: "geo", symbolSize: 16, itemStyle: { color: "#8e2bd6" }, name: labels.hotspot,
            data: data.hotspots.filter(function (h) { return centers[h.grid_cell]; }).map(function (h) {
              return { value: centers[h.grid_cell], url: h.url, tip: labels.hotspot + " · " + h.community + " " + h.name + " · " + h.tickets + (h.top_category ? " · " + h.top_category : "") };
            }) },
        ],
      }, true);
      var summary = el.parentNode.querySelector("[data-map-summary]");
      if (summary) summary.textContent = text(summary, "template", "").replace("{total}", data.total).replace("{unplaced}", data.unplaced).replace("{hotspots}", data.hotspots.length) + (data.is_demo ? " " + labels.demo : "");
      el.setAttribute("data-ready", "1");
    }

    chart.on("click", function (p) {
      var url = p.data && p.data.url;
      if (!url && p.componentType === "geo") {
        var rows = mode === "cells" ? data.cells : data.communities;
        rows.forEach(function (r) { if ((mode === "cells" ? r.code : r.name) === p.name) url = r.url; });
      }
      if (url) window.location.href = url;
    });
    document.querySelectorAll("[data-map-mode]").forEach(function (button) {
      button.addEventListener("click", function () {
        mode = button.getAttribute("data-map-mode");
        document.querySelectorAll("[data-map-mode]").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
        if (data) draw();
      });
    });
    window.addEventListener("resize", function () { chart.resize(); });
    Promise.all([getJSON(text(el, "geojson")), getJSON(text(el, "ticket-map"))]).then(function (loaded) {
      register(loaded[0]);
      data = loaded[1];
      draw();
    }).catch(function (error) { el.textContent = String(error); });
  }

  function fill(form, lon, lat, method) {
    var set = function (name, value) {
      var input = form.querySelector('[data-place="' + name + '"]');
      if (input) input.value = value;
    };
    set("lon", lon.toFixed(6));
    set("lat", lat.toFixed(6));
    set("method", method);
  }

  function streetMap(el, form) {
    var chart = echarts.init(el);
    getJSON(text(el, "street-map")).then(function (geo) {
      register(geo);
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) { return esc(p.data ? p.data.label : p.name); } },
        geo: Object.assign({ map: "jxq-cells", label: { show: false } }, GEO_STYLE),
        series: [
          { type: "map", geoIndex: 0, data: geo.features.filter(function (f) { return f.properties.kind === "grid"; }).map(function (f) {
            return { name: f.properties.code, label: f.properties.community + " · " + f.properties.name + (f.properties.grid_worker ? " · " + f.properties.grid_worker : "") };
          }) },
          { type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 26, itemStyle: { color: "#d6402f" }, data: [] },
        ],
      });
      el.setAttribute("data-ready", "1");
      if (!form) return;
      chart.getZr().on("click", function (event) {
        var point = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
        if (!point) return;
        fill(form, point[0], point[1], "map");
        chart.setOption({ series: [{}, { data: [{ value: point }] }] });
      });
    }).catch(function (error) { el.textContent = String(error); });
    window.addEventListener("resize", function () { chart.resize(); });
    var details = el.closest("details");
    if (details) details.addEventListener("toggle", function () { chart.resize(); });
  }

  function placeForms() {
    var meta = document.querySelector('meta[name="street-geojson"]');
    document.querySelectorAll('input[data-place="lon"]').forEach(function (input) {
      var form = input.form;
      if (!form || form.hasAttribute("data-place-ready") || document.querySelector('[data-pick="#' + form.id + '"]')) return;
      form.setAttribute("data-place-ready", "1");
      var bar = document.createElement("div");
      bar.className = "field";
      if (navigator.geolocation) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn secondary";
        button.textContent = text(meta, "locate", "Use my location");
        button.addEventListener("click", function () {
          navigator.geolocation.getCurrentPosition(function (pos) {
            fill(form, pos.coords.longitude, pos.coords.latitude, "location");
          }, function (error) { window.alert(error.message); }, { enableHighAccuracy: true, timeout: 15000 });
        });
        bar.appendChild(button);
      }
      form.insertBefore(bar, form.firstChild);
      if (meta) {
        var div = document.createElement("div");
        div.className = "chart map";
        div.setAttribute("data-street-map", meta.getAttribute("content"));
        form.insertBefore(div, bar.nextSibling);
        // a chart drawn inside a closed <details> would have no size: draw it when it is opened
        var details = form.closest("details");
        if (details && !details.open) {
          details.addEventListener("toggle", function once() {
            details.removeEventListener("toggle", once);
            streetMap(div, form);
          });
        } else {
          streetMap(div, form);
        }
      }
    });
  }

  function start() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-ticket-map]").forEach(ticketMap);
    document.querySelectorAll("[data-street-map]").forEach(function (el) {
      var pick = el.getAttribute("data-pick");
      streetMap(el, pick ? document.querySelector(pick) : null);
    });
    placeForms();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
