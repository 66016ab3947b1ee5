// The dashboard: signs in with the admin token (every team, through the admin API) or a team key (that team only,
// through the team API), then redraws every few seconds. The secret lives in sessionStorage (this tab's session),
// goes out only as an Authorization header to this origin, and never into a URL or a cookie. All text is set with
// textContent, so a team's name or metadata cannot inject markup.
"use strict";

(() => {
  const STORE = "tollgate.dashboard.secret";
  const DAY_MS = 86400000;
  const state = { secret: null, mode: null, timer: null, charts: {}, sort: { col: "used", dir: -1 }, teamRows: [], keyNames: {}, keysAt: 0 };
  const $ = (id) => document.getElementById(id);

  // ---- DOM helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === "class") node.className = v;
      else if (k.startsWith("data-") || k === "title" || k === "scope") node.setAttribute(k, String(v));
      else node[k] = v;
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function cell(text, value, extra) {
    return el("td", Object.assign({ "data-value": value === undefined ? null : value }, extra || {}), text);
  }

  function bar(fraction) {
    const f = Number.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) : 0;
    const level = fraction >= 1 ? "full" : fraction >= 0.8 ? "high" : "ok";
    const fill = el("span", { class: "fill " + level });
    fill.style.width = (f * 100).toFixed(1) + "%";
    return el("span", { class: "meter", title: fmt.pct(fraction) }, fill);
  }

  function table(node, headers, rows, sortable) {
    node.replaceChildren();
    const head = el("tr", {}, headers.map((h) => {
      const th = el("th", { scope: "col", "data-col": h.col }, h.label);
      if (h.num) th.className = "num";
      if (sortable) {
        th.classList.add("sortable");
        if (state.sort.col === h.col) th.classList.add(state.sort.dir < 0 ? "desc" : "asc");
        th.addEventListener("click", () => {
          state.sort = { col: h.col, dir: state.sort.col === h.col ? -state.sort.dir : -1 };
          renderTeams();
        });
      }
      return th;
    }));
    node.append(el("thead", {}, head), el("tbody", {}, rows));
  }

  function tiles(list) {
    $("tiles").replaceChildren(...list.map((t) => el("div", { class: "tile", "data-tile": t.id, "data-value": t.value },
      el("div", { class: "label" }, t.label), el("div", { class: "big" }, t.text), el("div", { class: "muted small" }, t.note || ""))));
  }

  // ---- the API

  async function api(path) {
    const r = await fetch(path, { headers: { authorization: "Bearer " + state.secret }, cache: "no-store", credentials: "omit" });
    if (r.status === 401) {
      logout("Your session's token or key is no longer accepted.");
      throw new Error("unauthorized");
    }
    if (!r.ok) throw new Error(path.split("?")[0] + ": HTTP " + r.status);
    return r.json();
  }

  async function detect(secret) {
    const headers = { authorization: "Bearer " + secret };
    const asTeam = await fetch("/team", { headers, cache: "no-store", credentials: "omit" });
    if (asTeam.ok) return "team";
    const asAdmin = await fetch("/admin/teams", { headers, cache: "no-store", credentials: "omit" });
    if (asAdmin.ok) return "admin";
    return null;
  }

  const since = (days) => new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 19) + "Z";

  // ---- loading

  async function load() {
    const base = state.mode === "admin" ? "/admin/usage" : "/team/usage";
    const month = "from=" + new Date(Date.now() - 29 * DAY_MS).toISOString().slice(0, 10);
    const [byDay, byModel, byKey, byTeam, records] = await Promise.all([
      api(base + "?group_by=day&" + month), api(base + "?group_by=model&" + month), api(base + "?group_by=key&" + month),
      api(base + "?group_by=team&" + month), api(base + "/records?limit=10000&from=" + since(1))]);
    let teams, quotas, me = null, keys = null;
    if (state.mode === "admin") {
      teams = (await api("/admin/teams")).data;
      quotas = await Promise.all(teams.map((t) => api("/admin/teams/" + encodeURIComponent(t.id) + "/quota")));
      if (Date.now() - state.keysAt > 60000) {
        const lists = await Promise.all(teams.map((t) => api("/admin/teams/" + encodeURIComponent(t.id) + "/keys")));
        state.keyNames = {};
        lists.forEach((l) => l.data.forEach((k) => { state.keyNames[k.id] = k; }));
        state.keysAt = Date.now();
      }
    } else {
      [me, keys] = await Promise.all([api("/team"), api("/team/keys")]);
      teams = [me];
      quotas = [await api("/team/quota")];
      state.keyNames = {};
      keys.data.forEach((k) => { state.keyNames[k.id] = k; });
    }
    return { byDay, byModel, byKey, byTeam, records: records.data, teams, quotas, me, keys };
  }

  async function refresh() {
    try {
      const d = await load();
      render(d);
      $("error").textContent = "";
      $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    } catch (e) {
      if (state.secret) $("error").textContent = "Could not refresh: " + e.message;
    }
  }

  // ---- rendering

  function latency(records) {
    const lat = records.map((r) => r.latency_ms).filter((v) => v !== null && v !== undefined);
    const ttft = records.map((r) => r.ttft_ms).filter((v) => v !== null && v !== undefined);
    return { p50: fmt.percentile(lat, 0.5), p95: fmt.percentile(lat, 0.95), t50: fmt.percentile(ttft, 0.5), t95: fmt.percentile(ttft, 0.95) };
  }

  function render(d) {
    const total = d.byTeam.total;
    const lat = latency(d.records);
    const refusals = d.quotas.reduce((n, q) => n + Object.values(q.refusals || {}).reduce((a, b) => a + b, 0), 0);
    const errorRate = total.requests ? total.errors / total.requests : null;
    const list = [];
    if (state.mode === "team") {
      const b = d.quotas[0].budget;
      list.push(b
        ? { id: "spent", label: "Spent this " + ({ daily: "day", weekly: "week", monthly: "month" }[b.period] || "period"), value: b.spent_usd,
            text: fmt.usd(b.spent_usd), note: "of " + fmt.usd(b.usd) + ": " + fmt.usd(b.remaining_usd) + " left, resets " + fmt.until(b.resets_at) }
        : { id: "spent", label: "Budget", value: null, text: "none", note: "no budget set" });
    }
    list.push(
      { id: "cost30", label: "Cost, 30 days", value: total.cost_usd, text: fmt.usd(total.cost_usd),
        note: fmt.count(total.prompt_tokens) + " in / " + fmt.count(total.completion_tokens) + " out tokens" },
      { id: "requests30", label: "Requests, 30 days", value: total.requests, text: fmt.count(total.requests),
        note: fmt.count(total.estimated_requests) + " estimated" },
      { id: "errors30", label: "Error rate, 30 days", value: errorRate, text: fmt.pct(errorRate), note: fmt.count(total.errors) + " errors" },
      { id: "latency", label: "Latency p50 / p95, 24 h", value: lat.p95, text: fmt.ms(lat.p50) + " / " + fmt.ms(lat.p95),
        note: d.records.length + " requests" },
      { id: "ttft", label: "First token p50 / p95, 24 h", value: lat.t95, text: fmt.ms(lat.t50) + " / " + fmt.ms(lat.t95), note: "streamed requests" },
      { id: "cache", label: "Cache hits, 30 days", value: total.cache_hits, text: fmt.count(total.cache_hits),
        note: fmt.usd(total.saved_cost_usd) + " saved" },
      { id: "refusals", label: "Refusals", value: refusals, text: fmt.count(refusals), note: "since this replica started" });
    tiles(list);

    const usage30 = Object.fromEntries(d.byTeam.data.map((r) => [r.team, r]));
    state.teamRows = d.teams.map((t, i) => {
      const q = d.quotas[i];
      const b = q.budget;
      const u = usage30[t.id] || { requests: 0, errors: 0, cost_usd: 0 };
      const mine = d.records.filter((r) => r.team === t.id);
      return { team: t.id, name: t.name, budget: b, spent: b ? b.spent_usd : null, used: b && b.usd > 0 ? (b.spent_usd + b.reserved_usd) / b.usd : null,
        remaining: b ? b.remaining_usd : null, resets: b ? b.resets_at : null, requests: u.requests, cost: u.cost_usd,
        errors: u.requests ? u.errors / u.requests : null, p95: latency(mine).p95, refusals: q.refusals || {}, quota: q };
    });
    $("teams-card").hidden = state.mode !== "admin";
    if (state.mode === "admin") renderTeams();
    renderLimits(d);
    renderByKey(d);
    renderKeys(d);
    charts(d);
  }

  function sortValue(row, col) {
    const v = col === "team" ? row.team : col === "refusals" ? Object.values(row.refusals).reduce((a, b) => a + b, 0) : row[col];
    return v === null || v === undefined ? null : v;
  }

  function renderTeams() {
    const { col, dir } = state.sort;
    const rows = [...state.teamRows].sort((a, b) => {
      const x = sortValue(a, col), y = sortValue(b, col);
      if (x === null && y === null) return a.team.localeCompare(b.team);
      if (x === null) return 1; // teams without the value last, whichever the direction
      if (y === null) return -1;
      return (typeof x === "string" ? x.localeCompare(y) : x - y) * dir || a.team.localeCompare(b.team);
    });
    table($("teams"), [
      { col: "team", label: "Team" }, { col: "spent", label: "Spent this period", num: true }, { col: "used", label: "Budget used" },
      { col: "remaining", label: "Remaining", num: true }, { col: "resets", label: "Resets" },
      { col: "cost", label: "Cost 30 d", num: true }, { col: "requests", label: "Requests 30 d", num: true },
      { col: "errors", label: "Errors", num: true }, { col: "p95", label: "p95 latency", num: true }, { col: "refusals", label: "Refusals" },
    ], rows.map((r) => el("tr", { "data-team": r.team },
      el("th", { scope: "row", title: r.name }, r.team),
      cell(r.budget ? fmt.usd(r.spent) : "—", r.spent, { class: "num", "data-col": "spent" }),
      el("td", { "data-col": "used", "data-value": r.used }, r.budget ? [bar(r.used), " ", fmt.pct(r.used), el("span", { class: "muted" }, " of " + fmt.usd(r.budget.usd) + " " + r.budget.period)] : el("span", { class: "muted" }, "no budget")),
      cell(r.budget ? fmt.usd(r.remaining) : "—", r.remaining, { class: "num", "data-col": "remaining" }),
      cell(r.budget ? fmt.time(r.resets) + " (" + fmt.until(r.resets) + ")" : "—", r.resets, { "data-col": "resets" }),
      cell(fmt.usd(r.cost), r.cost, { class: "num", "data-col": "cost" }),
      cell(fmt.count(r.requests), r.requests, { class: "num", "data-col": "requests" }),
      cell(fmt.pct(r.errors), r.errors, { class: "num", "data-col": "errors" }),
      cell(fmt.ms(r.p95), r.p95, { class: "num", "data-col": "p95" }),
      cell(Object.entries(r.refusals).map(([k, v]) => k + " " + v).join(", ") || "none", null, { "data-col": "refusals" }))), true);
  }

  function limitCell(scope, name) {
    const w = name === "concurrent" ? scope.concurrent : scope[name];
    const used = name === "concurrent" ? w.in_use : w.used;
    const fraction = w.limit ? used / w.limit : null;
    const unit = name === "tokens_per_minute" ? fmt.count : (v) => String(v);
    return el("td", { "data-col": name, "data-value": used },
      w.limit ? [bar(fraction), " ", unit(used) + " / " + unit(w.limit)] : [unit(used), el("span", { class: "muted" }, " no limit")]);
  }

  function renderLimits(d) {
    const rows = [];
    for (const r of state.teamRows) {
      const q = r.quota;
      rows.push(el("tr", { "data-team": r.team }, el("th", { scope: "row" }, state.mode === "admin" ? r.team : "team " + r.team),
        limitCell(q.team_limits, "requests_per_minute"), limitCell(q.team_limits, "tokens_per_minute"), limitCell(q.team_limits, "concurrent")));
      if (q.key_limits) {
        const k = state.keyNames[q.key];
        rows.push(el("tr", { "data-key": q.key }, el("th", { scope: "row" }, "this key" + (k ? " (" + k.name + ", " + k.prefix + ")" : "")),
          limitCell(q.key_limits, "requests_per_minute"), limitCell(q.key_limits, "tokens_per_minute"), limitCell(q.key_limits, "concurrent")));
      }
    }
    $("limits-card").hidden = false;
    table($("limits"), [{ col: "scope", label: "" }, { col: "rpm", label: "Requests / min" }, { col: "tpm", label: "Tokens / min" },
      { col: "concurrent", label: "Concurrent" }], rows, false);
  }

  function renderByKey(d) {
    const total = d.byKey.total.cost_usd || 0;
    const rows = [...d.byKey.data].sort((a, b) => b.cost_usd - a.cost_usd || b.requests - a.requests).map((r) => {
      const k = state.keyNames[r.key];
      return el("tr", { "data-key": r.key },
        el("th", { scope: "row" }, k ? k.name : r.key, el("span", { class: "muted" }, k ? " " + k.prefix : "")),
        state.mode === "admin" ? cell(r.team, null) : null,
        cell(fmt.count(r.requests), r.requests, { class: "num" }),
        cell(fmt.count(r.prompt_tokens + r.completion_tokens), r.prompt_tokens + r.completion_tokens, { class: "num" }),
        cell(fmt.usd(r.cost_usd), r.cost_usd, { class: "num", "data-col": "cost" }),
        cell(fmt.pct(total ? r.cost_usd / total : null), null, { class: "num" }));
    });
    const headers = [{ col: "key", label: "Key" }];
    if (state.mode === "admin") headers.push({ col: "team", label: "Team" });
    headers.push({ col: "requests", label: "Requests", num: true }, { col: "tokens", label: "Tokens", num: true },
      { col: "cost", label: "Cost", num: true }, { col: "share", label: "Share", num: true });
    table($("by-key"), headers, rows, false);
  }

  function renderKeys(d) {
    $("keys-card").hidden = !d.keys;
    if (!d.keys) return;
    table($("keys"), [{ col: "name", label: "Name" }, { col: "prefix", label: "Prefix" }, { col: "status", label: "Status" },
      { col: "created", label: "Created" }, { col: "used", label: "Last used" }, { col: "expires", label: "Expires" }],
    d.keys.data.map((k) => el("tr", { "data-key": k.id }, el("th", { scope: "row" }, k.name), cell(k.prefix), cell(k.status),
      cell(fmt.time(k.created_at)), cell(k.last_used_at ? fmt.ago(k.last_used_at) : "never", k.last_used_at),
      cell(k.expires_at ? fmt.time(k.expires_at) : "never"))), false);
  }

  // ---- charts (Chart.js from the WebJar)

  function color(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function chart(id, type, labels, values, horizontal) {
    if (!window.Chart) return;
    const data = { labels, datasets: [{ label: "cost", data: values, backgroundColor: color("--accent"), borderRadius: 3 }] };
    const existing = state.charts[id];
    if (existing) {
      existing.data = data;
      existing.update("none");
      return;
    }
    const grid = color("--grid"), text = color("--muted");
    const money = { color: text, callback: (v) => fmt.usd(v) };
    state.charts[id] = new Chart($(id), {
      type, data,
      options: {
        indexAxis: horizontal ? "y" : "x", responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => fmt.usd(horizontal ? c.parsed.x : c.parsed.y) } } },
        scales: {
          x: { grid: { color: grid }, ticks: horizontal ? money : { color: text, maxRotation: 0, autoSkipPadding: 8 } },
          y: { grid: { color: grid }, ticks: horizontal ? { color: text } : money, beginAtZero: true },
        },
      },
    });
  }

  function charts(d) {
    const byDay = Object.fromEntries(d.byDay.data.map((r) => [r.start.slice(0, 10), r.cost_usd]));
    const days = [];
    for (let i = 29; i >= 0; i--) days.push(new Date(Date.now() - i * DAY_MS).toISOString().slice(0, 10));
    chart("by-day", "bar", days.map((s) => s.slice(5)), days.map((s) => byDay[s] || 0), false);
    const models = [...d.byModel.data].sort((a, b) => b.cost_usd - a.cost_usd);
    chart("by-model", "bar", models.map((r) => r.model), models.map((r) => r.cost_usd), true);
  }

  // ---- session

  function schedule() {
    clearInterval(state.timer);
    const every = Number($("refresh").value);
    if (every > 0) state.timer = setInterval(refresh, every);
  }

  async function start() {
    $("login").hidden = true;
    $("view").hidden = false;
    $("who").hidden = false;
    $("who-text").textContent = state.mode === "admin" ? "admin: every team" : "team view";
    document.body.dataset.mode = state.mode;
    await refresh();
    if (state.mode === "team" && state.teamRows[0]) $("who-text").textContent = "team " + state.teamRows[0].team;
    schedule();
  }

  function logout(message) {
    sessionStorage.removeItem(STORE);
    clearInterval(state.timer);
    Object.values(state.charts).forEach((c) => c.destroy());
    Object.assign(state, { secret: null, mode: null, charts: {}, teamRows: [], keyNames: {}, keysAt: 0 });
    $("view").hidden = true;
    $("who").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    delete document.body.dataset.mode;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const secret = $("secret").value.trim();
      $("secret").value = "";
      const mode = await detect(secret).catch(() => null);
      if (!mode) {
        $("login-error").textContent = "That is neither the admin token nor a valid team key.";
        return;
      }
      state.secret = secret;
      state.mode = mode;
      sessionStorage.setItem(STORE, JSON.stringify({ secret, mode }));
      start();
    });
    $("logout").addEventListener("click", () => logout());
    $("refresh").addEventListener("change", schedule);
    const saved = sessionStorage.getItem(STORE);
    if (saved) {
      const { secret, mode } = JSON.parse(saved);
      state.secret = secret;
      state.mode = mode;
      start();
    } else {
      logout();
    }
  });
})();
