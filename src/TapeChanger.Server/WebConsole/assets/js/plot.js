// Inline SVG plots, drawn from what the service recorded (no data: a sentence says so, nothing is made up).

import { esc, time } from './text.js';

const W = 360, H = 160, L = 40, R = 10, T = 12, B = 28;
const COLORS = ['#1f6feb', '#d97706', '#16a34a', '#9333ea', '#dc2626', '#0891b2'];
const MOVES = new Set(['Load', 'Unload', 'Transfer', 'Import', 'Export']);

/** Cleans left after each cleaning, per cleaner barcode, and the cleaner's count now. */
export function cleansLeftPlot(el, cleaner) {
  const series = new Map();
  for (const h of cleaner?.history || []) {
    if (h.cleansLeftAfter == null) continue;
    const k = h.cleanerBarcode || 'no barcode';
    if (!series.has(k)) series.set(k, []);
    series.get(k).push([Date.parse(h.at), h.cleansLeftAfter]);
  }
  const c = cleaner?.cleaner;
  if (c && !c.unlimited && c.cleansLeft != null) {
    const k = c.barcode || 'no barcode';
    if (!series.has(k)) series.set(k, [[Date.parse(c.injectedAt), c.cleansLeft]]);
    series.get(k).push([Date.now(), c.cleansLeft]);
  }
  el.innerHTML = series.size === 0
    ? '<p class="nodata">No counted cleaner yet: inject one with its number of cleanings.</p>'
    : lineChart('Cleans left per cleaner over time', [...series].map(([name, points]) => ({ name, points })), x => time(new Date(x).toISOString()), true);
}

/** Cleanings recorded per drive. */
export function cleaningsPlot(el, cleaner) {
  const counts = new Map();
  for (const h of cleaner?.history || []) counts.set(h.drive, (counts.get(h.drive) || 0) + 1);
  el.innerHTML = counts.size === 0
    ? '<p class="nodata">No cleanings recorded yet.</p>'
    : barChart('Cleanings per drive', [...counts].sort((a, b) => a[0] - b[0]).map(([d, n]) => [`drive ${d}`, n]));
}

/** How long each passed move took on the robot (start to end), oldest to newest. */
export function latencyPlot(el, requests) {
  const done = requests.filter(r => MOVES.has(r.kind) && r.state === 'Passed' && r.started && r.completed)
    .sort((a, b) => a.sequence - b.sequence)
    .map(r => [Date.parse(r.completed), Date.parse(r.completed) - Date.parse(r.started)]);
  el.innerHTML = done.length === 0
    ? '<p class="nodata">No move has finished yet.</p>'
    : lineChart('Move latency (ms) per passed move', [{ name: 'ms', points: done }], x => time(new Date(x).toISOString()), false);
}

function scale(min, max, a, b) {
  if (max === min) { max = min + 1; }
  return v => a + (v - min) * (b - a) / (max - min);
}

function lineChart(title, series, fmtX, legend) {
  const all = series.flatMap(s => s.points);
  const xs = all.map(p => p[0]), ys = all.map(p => p[1]);
  const x = scale(Math.min(...xs), Math.max(...xs), L, W - R);
  const yMax = Math.max(...ys, 1);
  const y = scale(0, yMax, H - B, T);
  let g = axes(yMax, fmtX(Math.min(...xs)), fmtX(Math.max(...xs)));
  series.forEach((s, i) => {
    const col = COLORS[i % COLORS.length];
    const pts = s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`);
    if (pts.length > 1) g += `<polyline fill="none" stroke="${col}" stroke-width="2" points="${pts.join(' ')}"/>`;
    g += s.points.map(([a, b]) => `<circle cx="${x(a).toFixed(1)}" cy="${y(b).toFixed(1)}" r="3" fill="${col}"><title>${esc(s.name)}: ${b} at ${esc(fmtX(a))}</title></circle>`).join('');
    if (legend) g += `<text x="${W - R}" y="${T + 12 * i}" text-anchor="end" fill="${col}" font-size="10">${esc(s.name)}</text>`;
  });
  return svg(title, g);
}

function barChart(title, bars) {
  const max = Math.max(...bars.map(b => b[1]), 1);
  const y = scale(0, max, H - B, T);
  const bw = (W - L - R) / bars.length;
  let g = axes(max, '', '');
  bars.forEach(([label, v], i) => {
    const x0 = L + i * bw + bw * 0.15;
    g += `<rect x="${x0.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${(H - B - y(v)).toFixed(1)}" fill="${COLORS[0]}"><title>${esc(label)}: ${v}</title></rect>`;
    g += `<text x="${(x0 + bw * 0.35).toFixed(1)}" y="${H - B + 12}" text-anchor="middle" font-size="10">${esc(label)}</text>`;
  });
  return svg(title, g);
}

function axes(yMax, x0, x1) {
  return `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="currentColor"/>`
    + `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="currentColor"/>`
    + `<text x="${L - 4}" y="${T + 4}" text-anchor="end" font-size="10">${yMax}</text>`
    + `<text x="${L - 4}" y="${H - B}" text-anchor="end" font-size="10">0</text>`
    + (x0 ? `<text x="${L}" y="${H - 4}" font-size="10">${esc(x0)}</text><text x="${W - R}" y="${H - 4}" text-anchor="end" font-size="10">${esc(x1)}</text>` : '');
}

function svg(title, body) {
  return `<figure><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}" class="plot"><title>${esc(title)}</title>${body}</svg>`
    + `<figcaption>${esc(title)}</figcaption></figure>`;
}
