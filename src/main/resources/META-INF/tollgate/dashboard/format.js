// Numbers for people: dollars with cents (or two significant digits below a cent), tokens in k/M, percentages,
// durations and times. Pure functions, shared by the views.
"use strict";

const fmt = (() => {
  const grouped = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function usd(value) {
    if (value === null || value === undefined || Number.isNaN(value)) return "—";
    const v = Number(value);
    if (v === 0) return "$0.00";
    const abs = Math.abs(v);
    const sign = v < 0 ? "-" : "";
    if (abs >= 0.01) return sign + "$" + grouped.format(abs);
    if (abs < 0.000001) return sign + "<$0.000001";
    // below a cent: two significant digits, so $0.0011 and $0.000042 stay readable
    return sign + "$" + String(Number(abs.toPrecision(2)));
  }

  function count(value) {
    if (value === null || value === undefined) return "—";
    const v = Number(value);
    const abs = Math.abs(v);
    if (abs >= 1e9) return trim(v / 1e9) + "B";
    if (abs >= 1e6) return trim(v / 1e6) + "M";
    if (abs >= 1e3) return trim(v / 1e3) + "k";
    return String(Math.round(v));
  }

  function trim(v) {
    return (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)).replace(/\.?0+$/, "");
  }

  function pct(fraction) {
    if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "—";
    const p = fraction * 100;
    if (p === 0) return "0 %";
    if (Math.abs(p) < 0.1) return "<0.1 %";
    return (Math.abs(p) >= 10 ? p.toFixed(0) : p.toFixed(1)) + " %";
  }

  function ms(value) {
    if (value === null || value === undefined || Number.isNaN(value)) return "—";
    if (value < 1000) return Math.round(value) + " ms";
    if (value < 60000) return (value / 1000).toFixed(value < 10000 ? 2 : 1) + " s";
    return (value / 60000).toFixed(1) + " min";
  }

  function time(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    return d.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  }

  function until(iso, now) {
    if (!iso) return "";
    let s = Math.max(0, Math.round((new Date(iso) - (now || Date.now())) / 1000));
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60);
    return "in " + (d > 0 ? d + " d " + h + " h" : h > 0 ? h + " h " + m + " min" : m + " min");
  }

  function ago(iso, now) {
    if (!iso) return "never";
    const s = Math.max(0, Math.round(((now || Date.now()) - new Date(iso)) / 1000));
    if (s < 60) return s + " s ago";
    if (s < 3600) return Math.floor(s / 60) + " min ago";
    if (s < 86400) return Math.floor(s / 3600) + " h ago";
    return Math.floor(s / 86400) + " d ago";
  }

  /** Nearest-rank percentile of a list of numbers (null when empty). */
  function percentile(values, p) {
    if (!values.length) return null;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  }

  return { usd, count, pct, ms, time, until, ago, percentile };
})();
