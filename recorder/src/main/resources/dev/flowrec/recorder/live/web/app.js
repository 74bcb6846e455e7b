// flowrec dashboard: the live view pushed once a second over Server-Sent Events (/api/live), and the journal's
// history through the query engine (/api/series, /api/top). Charts: uPlot (vendored from npm through Maven).
// Every name from the network is put into the page as text, never as HTML.
'use strict';

const KEEP_SECONDS = 300;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const $ = (id) => document.getElementById(id);

function si(value, unit) {
  if (value == null || !isFinite(value)) return '–';
  const steps = ['', 'k', 'M', 'G', 'T', 'P'];
  let v = Math.abs(value), i = 0;
  while (v >= 1000 && i < steps.length - 1) { v /= 1000; i++; }
  const text = (i === 0 ? Math.round(v) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)) + ' ' + steps[i] + unit;
  return value < 0 ? '-' + text : text;
}
const bits = (v) => si(v, 'b/s');
const bytes = (v) => si(v, 'B');

function cell(row, text, numeric) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  if (numeric) td.className = 'n';
  row.appendChild(td);
}

function fillTable(id, items, cells) {
  const body = document.querySelector('#' + id + ' tbody');
  const rows = document.createDocumentFragment();
  for (const item of items) {
    const tr = document.createElement('tr');
    for (const [text, numeric] of cells(item)) cell(tr, text, numeric);
    rows.appendChild(tr);
  }
  body.replaceChildren(rows);
}

function endpoint(addr, port) {
  return (addr.includes(':') ? '[' + addr + ']' : addr) + ':' + port;
}

// A chart whose series may come and go: rebuilt when the set of series changes, else given new data.
class Chart {
  constructor(element, yFormat, emptyText) {
    this.element = element;
    this.emptyText = emptyText;
    this.yFormat = yFormat;
    this.plot = null;
    this.labels = [];
    new ResizeObserver(() => this.resize()).observe(element);
  }
  size() {
    const width = Math.max(200, this.element.clientWidth);
    return { width: width, height: Math.round(Math.min(260, Math.max(160, width * 0.35))) };
  }
  resize() {
    if (this.plot) this.plot.setSize(this.size());
  }
  // range: [from, to] in epoch seconds, the x axis shown whatever the data covers (a lone point is not a year)
  draw(xs, series, range) {
    this.range = range;
    const labels = series.map((s) => s.label);
    const data = [xs].concat(series.map((s) => s.values));
    this.element.dataset.points = String(xs.length);
    this.element.dataset.series = String(series.length);
    if (series.length === 0) {
      if (this.plot) this.plot.destroy();
      this.plot = null;
      this.labels = [];
      this.element.textContent = this.emptyText;
      this.element.className = 'chart empty';
      return;
    }
    if (!this.plot && this.element.className !== 'chart') {
      this.element.textContent = '';
      this.element.className = 'chart';
    }
    if (!this.plot || labels.join('\u0000') !== this.labels.join('\u0000')) {
      if (this.plot) this.plot.destroy();
      this.labels = labels;
      const format = this.yFormat;
      this.plot = new uPlot(Object.assign(this.size(), {
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true, range: () => this.range } },
        axes: [{}, { size: 84, values: (u, ticks) => ticks.map(format) }],
        series: [{}].concat(series.map((s, i) => ({
          label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false,
          dash: s.dash, value: (u, v) => format(v),
        }))),
      }), data, this.element);
    } else {
      this.plot.setData(data);
    }
  }
}

// The last KEEP_SECONDS seconds of rates, per series key, aligned on the pushes' times.
class Rolling {
  constructor() { this.xs = []; this.values = new Map(); }
  add(t, rates) {
    if (this.xs.length > 0 && t <= this.xs[this.xs.length - 1]) {
      this.xs.pop();
      for (const arr of this.values.values()) arr.pop();
    }
    this.xs.push(t);
    for (const [key, v] of rates) {
      if (!this.values.has(key)) this.values.set(key, new Array(this.xs.length - 1).fill(null));
    }
    for (const [key, arr] of this.values) arr.push(rates.has(key) ? rates.get(key) : null);
    while (this.xs.length > KEEP_SECONDS) {
      this.xs.shift();
      for (const arr of this.values.values()) arr.shift();
    }
    for (const [key, arr] of this.values) if (arr.every((v) => v == null)) this.values.delete(key);
  }
  series() {
    return [...this.values.keys()].sort().map((key) => ({ label: key, values: this.values.get(key), dash: key.endsWith(' tx') ? [6, 3] : undefined }));
  }
}

const ifaceChart = new Chart($('chart-ifaces'), bits, 'no interface recorded yet');
const containerChart = new Chart($('chart-containers'), bits, 'no container seen (record --containers to follow them)');
const historyChart = new Chart($('chart-history'), bits, 'nothing journaled in this window matches');
const ifaceRates = new Rolling();
const containerRates = new Rolling();

function banner(traffic, health) {
  const l = traffic.loss;
  const parts = [];
  if (l.ring_lost_events > 0) parts.push('the kernel lost ' + l.ring_lost_events + ' flow events (' + l.ring_lost_packets + ' packets, ' + bytes(l.ring_lost_bytes) + ') before they were read');
  if (l.map_full > 0) parts.push(l.map_full + ' packets not counted: the kernel flow table was full');
  if (l.journal_lost_events > 0) parts.push('the journal lost ' + l.journal_lost_events + ' events');
  if (health) parts.push(health);
  const element = $('banner');
  element.textContent = parts.length ? 'Not everything was recorded: ' + parts.join('; ') + '.' : '';
  element.hidden = parts.length === 0;
}

function show(message) {
  const traffic = message.traffic;
  const t = Math.round(Date.parse(traffic.time) / 1000);
  $('time').textContent = traffic.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  let rx = 0, tx = 0;
  const ifaceNow = new Map();
  for (const i of traffic.interfaces) {
    rx += i.rx_bps_1s; tx += i.tx_bps_1s;
    const name = i.container ? i.name + ' (' + i.container + ')' : i.name;
    ifaceNow.set(name + ' rx', i.rx_bps_1s);
    ifaceNow.set(name + ' tx', i.tx_bps_1s);
  }
  const containerNow = new Map();
  for (const c of traffic.containers) {
    containerNow.set(c.container + ' rx', c.rx_bps_1s);
    containerNow.set(c.container + ' tx', c.tx_bps_1s);
  }
  ifaceRates.add(t, ifaceNow);
  containerRates.add(t, containerNow);
  ifaceChart.draw(ifaceRates.xs, ifaceRates.series(), [t - KEEP_SECONDS, t]);
  containerChart.draw(containerRates.xs, containerRates.series(), [t - KEEP_SECONDS, t]);
  $('total-rx').textContent = bits(rx);
  $('total-tx').textContent = bits(tx);
  $('total-flows').textContent = traffic.active_flows;
  $('total-events').textContent = si(traffic.events_per_second, '');
  $('total-journal').textContent = bytes(traffic.journal_bytes);
  fillTable('ifaces', traffic.interfaces, (i) => [[i.name], [i.container], [bits(i.rx_bps_1s), true], [bits(i.tx_bps_1s), true], [bytes(i.rx_bytes), true], [bytes(i.tx_bytes), true]]);
  fillTable('containers', traffic.containers, (c) => [[c.container], [c.interfaces.join(', ')], [bits(c.rx_bps_1s), true], [bits(c.tx_bps_1s), true], [bytes(c.rx_bytes), true], [bytes(c.tx_bytes), true]]);
  fillTable('flows', traffic.top_flows, (f) => [[f.iface], [f.container], [f.direction], [f.proto], [endpoint(f.src_addr, f.src_port)], [endpoint(f.dst_addr, f.dst_port)],
    [bits(f.bps_10s), true], [bytes(f.bytes_10s), true], [f.packets_10s, true], [f.pid, true], [f.comm],
    [f.src_name], [f.dst_name]]);
  banner(traffic, message.health);
}

// The last minutes before the page opened, from the journal (1 s buckets), so the charts do not start empty.
async function seed() {
  const window = { since: '-' + KEEP_SECONDS + 's', interval: '1s' };
  const ifaces = await api('/api/series', Object.assign({ group: 'iface,container,direction' }, window));
  const containers = await api('/api/series', Object.assign({ group: 'container,direction' }, window));
  fill(ifaces, ifaceRates, (r, c) => (r[c.container] ? r[c.iface] + ' (' + r[c.container] + ')' : r[c.iface]));
  fill(containers, containerRates, (r, c) => r[c.container] || null); // flows of no container: not a container's
}

function fill(series, rolling, label) {
  const c = {};
  series.columns.forEach((column, i) => { c[column.name] = i; });
  const byTime = new Map();
  for (const r of series.rows) {
    const t = Math.round(Date.parse(r[c.time]) / 1000);
    const name = label(r, c);
    if (name === null) continue;
    if (!byTime.has(t)) byTime.set(t, new Map());
    const key = name + (r[c.direction] === 'in' ? ' rx' : ' tx');
    byTime.get(t).set(key, (byTime.get(t).get(key) || 0) + r[c.bytes] * 8);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  if (times.length === 0) return;
  const keys = new Set([...byTime.values()].flatMap((m) => [...m.keys()]));
  for (let t = times[0]; t <= times[times.length - 1]; t++) {
    const at = byTime.get(t) || new Map();
    rolling.add(t, new Map([...keys].map((k) => [k, at.get(k) || 0])));
  }
}

function connect() {
  const source = new EventSource('/api/live?top=20');
  source.onopen = () => { $('status').textContent = 'live'; $('status').className = 'status live'; };
  source.onmessage = (e) => show(JSON.parse(e.data));
  source.onerror = () => { $('status').textContent = 'reconnecting…'; $('status').className = 'status down'; };
}

const INTERVALS = { '-15m': '15s', '-1h': '1m', '-6h': '5m', '-24h': '20m' };
const WINDOWS = { '-15m': 900, '-1h': 3600, '-6h': 21600, '-24h': 86400 };

// The server runs two journal queries at once and answers 503 to a third: this page asks one at a time, and waits
// a little when another page is asking too.
async function api(path, params, tries = 3) {
  const response = await fetch(path + '?' + new URLSearchParams(params));
  const body = await response.json();
  if (response.status === 503 && body.error && body.error.startsWith('busy') && tries > 1) {
    await new Promise((resolve) => setTimeout(resolve, 700));
    return api(path, params, tries - 1);
  }
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

async function history(event) {
  if (event) event.preventDefault();
  const since = $('h-since').value, group = $('h-group').value, where = $('h-where').value.trim();
  const params = { since: since, group: group };
  if (where) params.where = where;
  $('history-error').hidden = true;
  try {
    const series = await api('/api/series', Object.assign({ interval: INTERVALS[since] }, params));
    const top = await api('/api/top', Object.assign({ top: '10' }, params));
    const seconds = { s: 1, m: 60 }[INTERVALS[since].slice(-1)] * parseInt(INTERVALS[since], 10);
    const names = series.columns.map((c) => c.name);
    const ti = names.indexOf('time'), gi = names.indexOf(group), bi = names.indexOf('bytes');
    const times = [...new Set(series.rows.map((r) => Date.parse(r[ti]) / 1000))].sort((a, b) => a - b);
    const at = new Map(times.map((t, i) => [t, i]));
    const byGroup = new Map();
    for (const r of series.rows) {
      const key = String(r[gi] === '' ? '(none)' : r[gi]);
      if (!byGroup.has(key)) byGroup.set(key, new Array(times.length).fill(null));
      byGroup.get(key)[at.get(Date.parse(r[ti]) / 1000)] = r[bi] * 8 / seconds;
    }
    const now = Date.now() / 1000;
    historyChart.draw(times, [...byGroup.keys()].sort().map((k) => ({ label: k, values: byGroup.get(k) })), [now - WINDOWS[since], now]);
    $('history-coverage').textContent = (series.coverage.complete ? 'complete' : series.coverage.describe) + (series.truncated ? ' · cut at 10,000 rows' : '');
    const head = document.querySelector('#history-top thead tr');
    head.replaceChildren(...top.columns.map((c) => {
      const th = document.createElement('th');
      th.textContent = c.name;
      if (c.type === 'count' || c.type === 'bytes' || c.type === 'number') th.className = 'n';
      return th;
    }));
    fillTable('history-top', top.rows, (r) => r.map((v, i) => {
      const type = top.columns[i].type;
      return [type === 'bytes' ? bytes(v) : v, type === 'count' || type === 'bytes' || type === 'number'];
    }));
  } catch (e) {
    $('history-error').textContent = e.message;
    $('history-error').hidden = false;
  }
}

$('history-form').addEventListener('submit', history);
// no journal behind the server (503): live only
seed().catch(() => {}).finally(() => {
  connect();
  history();
  setInterval(history, 60000);
});
