// Pure renderer: the data branch's index -> one static HTML page (index.html on the branch)
// that charts requests/s, p99 and instructions per request of every scenario over time, per
// runner and config, with the watch's change points marked on their series. No network: the
// data is inlined as JSON and a small inline script draws SVG.
import type { HistoryIndex } from '../store/historyIndex.js';
import type { GroupChanges } from '../changes/fromIndex.js';

/** What the page needs of a change point to mark it. */
export interface DashboardMark {
  group: string;
  scenario: string;
  series: string;
  commit: string;
  changePct: number;
  pValue: number;
}

export function dashboardMarks(changes: GroupChanges[]): DashboardMark[] {
  return changes.flatMap((g) =>
    g.changePoints.map((c) => ({ group: `${g.fingerprintHash}/${g.configHash}`, scenario: c.scenario, series: c.series, commit: c.commit, changePct: Math.round(c.changePct * 100) / 100, pValue: c.pValue })),
  );
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON that is safe inside a <script> element (no "</script>", no "<!--"). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

// Runs in the browser. Groups runs by runner fingerprint + config, then by scenario; draws one
// SVG line chart per metric with a circle per run (data-* attributes carry commit and value).
const DRAW = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('perf-data').textContent);
  var root = document.getElementById('charts');
  var NS = 'http://www.w3.org/2000/svg';
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v) { return v >= 1e6 ? (v / 1e6).toFixed(3) + 'M' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2); }
  var METRICS = [
    { key: 'rps', label: 'requests/s', color: '#1f77b4' },
    { key: 'p99Ms', label: 'p99 latency (ms)', color: '#d62728' },
    { key: 'instructionsPerRequest', label: 'instructions per request (Valgrind, exact)', color: '#2ca02c', optional: true },
    { key: 'queriesPerRequest', label: 'database queries per request', color: '#9467bd', optional: true }
  ];
  var MARK = '#ff7f0e';
  function chart(parent, runs, scenario, metric, marks) {
    var W = 640, H = 220, L = 70, R = 16, T = 24, B = 48;
    var pts = runs.map(function (r) { return { run: r, v: r.scenarios[scenario][metric.key] }; })
      .filter(function (p) { return typeof p.v === 'number' && isFinite(p.v); });
    // A series no run measured (instructions not counted) is left out rather than drawn empty.
    if (!pts.length && metric.key === 'instructionsPerRequest') return;
    var svg = el('svg', { 'class': 'chart', 'data-scenario': scenario, 'data-metric': metric.key, width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img' }, parent);
    el('text', { x: L, y: 16, 'class': 'title' }, svg).textContent = metric.label;
    if (!pts.length) return;
    var max = Math.max.apply(null, pts.map(function (p) { return p.v; }));
    var min = Math.min.apply(null, pts.map(function (p) { return p.v; }));
    var lo = Math.max(0, min - (max - min) * 0.1 - (max === min ? max * 0.1 : 0)), hi = max + (max - min) * 0.1 + (max === min ? max * 0.1 + 1e-9 : 0);
    var x = function (i) { return pts.length === 1 ? (L + W - R) / 2 : L + (i * (W - L - R)) / (pts.length - 1); };
    var y = function (v) { return T + (H - T - B) * (1 - (v - lo) / (hi - lo)); };
    el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#888' }, svg);
    el('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#888' }, svg);
    [lo, (lo + hi) / 2, hi].forEach(function (v) {
      el('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'class': 'tick' }, svg).textContent = fmt(v);
    });
    // A change point: a dashed line just before the first run after it, and its size.
    marks.forEach(function (m) {
      var i = pts.findIndex(function (p) { return p.run.commit === m.commit; });
      if (i < 1) return;
      var mx = (x(i - 1) + x(i)) / 2;
      var g = el('g', { 'class': 'change-point', 'data-commit': m.commit, 'data-change-pct': m.changePct, 'data-p-value': m.pValue }, svg);
      el('line', { x1: mx, y1: T, x2: mx, y2: H - B, stroke: MARK, 'stroke-width': 3, 'stroke-dasharray': '6 3' }, g);
      el('text', { x: mx + 4, y: T + 12, 'class': 'mark', fill: MARK }, g).textContent = (m.changePct >= 0 ? '+' : '') + m.changePct.toFixed(2) + '%';
      el('title', {}, g).textContent = 'change point at ' + m.commit.slice(0, 12) + ': ' + (m.changePct >= 0 ? '+' : '') + m.changePct.toFixed(2) + '% (p = ' + m.pValue.toPrecision(2) + ')';
    });
    el('polyline', { fill: 'none', stroke: metric.color, 'stroke-width': 2, points: pts.map(function (p, i) { return x(i) + ',' + y(p.v); }).join(' ') }, svg);
    pts.forEach(function (p, i) {
      var c = el('circle', { 'class': 'point', cx: x(i), cy: y(p.v), r: 4, fill: metric.color, 'data-commit': p.run.commit, 'data-created-at': p.run.createdAt, 'data-value': p.v }, svg);
      el('title', {}, c).textContent = p.run.commit.slice(0, 12) + ' ' + p.run.createdAt + ': ' + fmt(p.v);
      if (pts.length <= 12 || i % Math.ceil(pts.length / 12) === 0) {
        el('text', { x: x(i), y: H - B + 16, 'text-anchor': 'middle', 'class': 'tick' }, svg).textContent = p.run.commit.slice(0, 7);
      }
    });
  }
  var groups = {};
  data.runs.forEach(function (r) {
    var key = r.fingerprintHash + '/' + r.configHash;
    (groups[key] = groups[key] || []).push(r);
  });
  Object.keys(groups).forEach(function (key) {
    var runs = groups[key];
    var fp = runs[runs.length - 1].fingerprint;
    var section = document.createElement('section');
    section.className = 'group';
    section.setAttribute('data-fingerprint', runs[0].fingerprintHash);
    var h = document.createElement('h2');
    h.textContent = fp.cpuModel + ' × ' + fp.cpus + ', ' + fp.os + '/' + fp.arch + ', Python ' + fp.python + ', ' + fp.server + ' (config ' + runs[0].configHash + ', ' + runs.length + ' runs)';
    section.appendChild(h);
    var scenarios = [];
    runs.forEach(function (r) { Object.keys(r.scenarios).forEach(function (s) { if (scenarios.indexOf(s) < 0) scenarios.push(s); }); });
    scenarios.forEach(function (s) {
      var h3 = document.createElement('h3');
      h3.textContent = s;
      section.appendChild(h3);
      var withS = runs.filter(function (r) { return r.scenarios[s]; });
      // A metric not every run has (instructions, queries) is drawn only where some run has it.
      METRICS.forEach(function (m) {
        if (m.optional && !withS.some(function (r) { return typeof r.scenarios[s][m.key] === 'number'; })) return;
        var marks = (data.marks || []).filter(function (k) { return k.group === key && k.scenario === s && k.series === m.key; });
        chart(section, withS, s, m, marks);
      });
    });
    root.appendChild(section);
  });
  root.setAttribute('data-rendered', String(data.runs.length));
})();
`;

export function renderDashboard(index: HistoryIndex, marks: DashboardMark[] = [], title = 'wsgi-perf-gate history'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
.chart { display: block; margin: 4px 0 16px; }
.chart .title { font-weight: 600; }
.chart .tick { font-size: 11px; fill: #555; }
.chart .mark { font-size: 12px; font-weight: 600; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${index.runs.length} recorded run(s). Median requests/s, p99 latency and instructions per request per run (and database queries per request where counted); runs on different runners or with different scenario definitions are charted apart, never together. ${marks.length ? `${marks.length} change point(s) found by the watch over main are marked with a dashed orange line.` : ''}</p>
<div id="charts"></div>
<script type="application/json" id="perf-data">${scriptJson({ ...index, marks })}</script>
<script>${DRAW}</script>
</body>
</html>
`;
}
