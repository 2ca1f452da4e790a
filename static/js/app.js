/* jxq_cases page behaviour. Everything works without this file (plain forms and links); it adds
   htmx's CSRF header, the bulk-select checkbox, confirmations and the dashboard charts. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx posts need Django's CSRF token; it is in a meta tag so every partial request can send it.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A refusal (400, 403, 409…) rendered for the side panel is shown in place: htmx swaps only 2xx
  // answers by default, so the forms marked data-swap-errors take the others too.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (status >= 400 && source && source.closest && source.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[data-select-all]")) {
      var form = document.getElementById(box.getAttribute("data-select-all"));
      if (!form) return;
      document.querySelectorAll('input[name="tickets"][form="' + form.id + '"]').forEach(function (b) {
        b.checked = box.checked;
      });
    }
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Charts: each <div class="chart" data-chart="ID"> reads its ECharts option from the JSON script ID.
  function drawCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var option = JSON.parse(source.textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      if (el.hasAttribute("data-chart-link")) {
        // click-through: a data point may carry the URL of the tickets behind it
        chart.on("click", function (params) {
          var url = params.data && params.data.url;
          if (url) window.location.href = url;
        });
      }
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  // Saved filters: a filter is its query string, kept per user in this browser under a name.
  function savedFilters(box) {
    var key = box.getAttribute("data-key");
    var select = box.querySelector("select");
    function load() {
      try { return JSON.parse(window.localStorage.getItem(key) || "{}"); } catch (e) { return {}; }
    }
    function fill() {
      var all = load();
      select.querySelectorAll("option[data-saved]").forEach(function (o) { o.remove(); });
      Object.keys(all).sort().forEach(function (name) {
        var o = document.createElement("option");
        o.value = all[name]; o.textContent = name; o.setAttribute("data-saved", "");
        select.appendChild(o);
      });
    }
    box.querySelector("[data-saved-filter-save]").addEventListener("click", function () {
      var input = box.querySelector("input[type=text]");
      var name = input.value.trim();
      if (!name) { input.focus(); return; }
      var all = load();
      all[name] = window.location.search;
      window.localStorage.setItem(key, JSON.stringify(all));
      input.value = "";
      fill();
    });
    box.querySelector("[data-saved-filter-open]").addEventListener("click", function () {
      if (select.value !== "") window.location.search = select.value;
    });
    box.querySelector("[data-saved-filter-delete]").addEventListener("click", function () {
      var option = select.selectedOptions[0];
      if (!option || !option.hasAttribute("data-saved")) return;
      var all = load();
      delete all[option.textContent];
      window.localStorage.setItem(key, JSON.stringify(all));
      fill();
    });
    fill();
  }

  // The earlier similar tickets beside triage come from the proactive API (JSON), rendered here.
  function loadSimilar(root) {
    root.querySelectorAll("[data-similar-url]:not([data-loaded])").forEach(function (box) {
      box.setAttribute("data-loaded", "");
      fetch(box.getAttribute("data-similar-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          box.textContent = "";
          if (!data.results || !data.results.length) {
            var p = document.createElement("p");
            p.className = "muted"; p.textContent = box.getAttribute("data-empty");
            box.appendChild(p);
            return;
          }
          var list = document.createElement("ol");
          list.setAttribute("data-testid", "similar-list");
          data.results.forEach(function (item) {
            var li = document.createElement("li");
            var a = document.createElement("a");
            a.href = box.getAttribute("data-ticket-url").replace("TICKET_NO", encodeURIComponent(item.ticket_no));
            a.textContent = item.ticket_no;
            li.appendChild(a);
            var meta = document.createElement("span");
            meta.className = "muted";
            meta.textContent = " " + (item.received_at || "").slice(0, 10) + " · " + (item.community || "") +
              " · " + Math.round(item.score * 100) + "%";
            li.appendChild(meta);
            var text = document.createElement("div");
            text.className = "content"; text.textContent = item.content;
            li.appendChild(text);
            if (item.why && item.why.length) {
              var why = document.createElement("div");
              why.className = "muted"; why.textContent = item.why.join("；");
              li.appendChild(why);
            }
            var related = document.querySelector('#side input[name="related"]');
            if (related) {
              var add = document.createElement("button");
              add.type = "button"; add.className = "btn secondary small";
              add.textContent = box.getAttribute("data-related-label");
              add.addEventListener("click", function () {
                var have = related.value.split(/[\s,，]+/).filter(Boolean);
                if (have.indexOf(item.ticket_no) < 0) have.push(item.ticket_no);
                related.value = have.join(" ");
              });
              li.appendChild(add);
            }
            list.appendChild(li);
          });
          box.appendChild(list);
        })
        .catch(function () {
          box.textContent = box.getAttribute("data-failed");
        });
    });
  }
  // The triage assistant's suggestions (proactive API): one click fills the triage / dispatch form;
  // whatever is submitted is compared with the suggestion on the server (accepted or overridden).
  function loadSuggestions(root) {
    root.querySelectorAll("[data-suggestions-url]:not([data-loaded])").forEach(function (box) {
      box.setAttribute("data-loaded", "");
      var t = function (name) { return box.getAttribute("data-" + name) || ""; };
      var text = function (tag, cls, value) {
        var el = document.createElement(tag); if (cls) el.className = cls; el.textContent = value; return el;
      };
      fetch(box.getAttribute("data-suggestions-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          box.textContent = "";
          if (data.status !== "ok") { box.appendChild(text("p", "muted", data.detail)); return; }
          var list = document.createElement("dl");
          list.className = "facts"; list.setAttribute("data-testid", "suggestions");
          var accepters = [];
          ["community", "category", "lead_unit", "co_units"].forEach(function (field) {
            var item = data[field];
            if (!item) return;
            var values = field === "co_units" ? item.units.map(function (u) { return String(u.id); })
              : (item.id === null ? [] : [String(item.id)]);
            var dd = document.createElement("dd");
            dd.setAttribute("data-suggested", field);
            var names = field === "co_units" ? item.units.map(function (u) { return u.name; }).join("、") : item.name;
            dd.appendChild(text("strong", "", names || t("none")));
            if (field !== "co_units" && item.id !== null) {
              dd.appendChild(text("span", "muted", " · " + t("confidence") + " " + Math.round(item.confidence * 100) + "%"));
            }
            if (item.reasons && item.reasons.length) dd.appendChild(text("div", "muted", item.reasons.join("；")));
            var select = document.querySelector('#side select[name="' + field + '"]');
            if (values.length) {
              var button = text("button", "btn secondary small", t("accept"));
              button.type = "button";
              button.setAttribute("data-accept", field);
              var accept = function () {
                Array.prototype.forEach.call(select.options, function (o) {
                  o.selected = values.indexOf(o.value) >= 0;
                });
                select.dispatchEvent(new Event("change", { bubbles: true }));
                button.textContent = t("accepted"); button.disabled = true;
              };
              if (select) { button.addEventListener("click", accept); accepters.push(accept); }
              else { button.disabled = true; button.title = t("later"); }
              dd.appendChild(button);
            }
            list.appendChild(text("dt", "", t("label-" + field)));
            list.appendChild(dd);
          });
          box.appendChild(list);
          if (accepters.length > 1) {
            var all = text("button", "btn small", t("accept-all"));
            all.type = "button"; all.setAttribute("data-accept-all", "");
            all.addEventListener("click", function () { accepters.forEach(function (f) { f(); }); all.disabled = true; });
            box.appendChild(all);
          }
        })
        .catch(function () { box.textContent = t("failed"); });
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) { loadSimilar(event.target); loadSuggestions(event.target); });

  // On a phone a table's rows become cards (app.css, max-width 600px): each cell shows its column's
  // header beside the value, copied here from the table head into data-label.
  function labelCells(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".table-wrap table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead tr:last-child th"), function (th) {
        return th.textContent.replace(/\s+/g, " ").trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var column = 0;
        Array.prototype.forEach.call(tr.children, function (cell) {
          if (!cell.hasAttribute("data-label") && heads[column] && (cell.colSpan || 1) === 1) {
            cell.setAttribute("data-label", heads[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  }
  document.addEventListener("htmx:afterSettle", function () { labelCells(document); });

  // Installable web app: the service worker (/sw.js) keeps the static files only.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () { /* the site works without it */ });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelCells(document);
    drawCharts(document);
    loadSimilar(document);
    loadSuggestions(document);
    document.querySelectorAll("[data-saved-filters]").forEach(savedFilters);
  });
})();
