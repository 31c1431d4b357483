import type { CostBreakdown } from './cost-model.ts';
import { histogram, percentile } from './stats.ts';

/**
 * The bench's charts as standalone SVG text (no dependency): the distribution of the
 * `201 → CONFIRMED` latency, and the cost per million orders by component, ours next to
 * the naive configuration.
 */

const escape = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
const TITLE_FONT = 'font-family="system-ui, sans-serif" font-size="14" font-weight="bold"';

/** Histogram of latencies (ms) with p50/p95/p99 marked. */
export function latencyHistogramSvg(samples: readonly number[], title: string): string {
  const width = 720;
  const height = 320;
  const left = 50;
  const bottom = 40;
  const top = 40;
  const plotW = width - left - 20;
  const plotH = height - top - bottom;
  if (samples.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="60"><text x="10" y="30" ${FONT}>${escape(title)}: no samples</text></svg>\n`;
  const p99 = percentile(samples, 99);
  // Buckets up to a round value just above p99, so the shape is visible.
  const cap = Math.max(100, Math.ceil((p99 * 1.1) / 100) * 100);
  const bucket = Math.max(1, Math.ceil(cap / 40));
  const bins = histogram(samples, bucket, cap);
  const maxCount = Math.max(...bins.map((b) => b.count), 1);
  const x = (ms: number) => left + (ms / (bins.length * bucket)) * plotW;
  const y = (count: number) => top + plotH - (count / maxCount) * plotH;
  const bars = bins
    .map((b) => {
      const bx = x(b.from);
      const bw = Math.max(1, x(b.to) - bx - 1);
      return `<rect x="${bx.toFixed(1)}" y="${y(b.count).toFixed(1)}" width="${bw.toFixed(1)}" height="${(top + plotH - y(b.count)).toFixed(1)}" fill="#4c78a8"/>`;
    })
    .join('');
  const marks = ([50, 95, 99] as const)
    .map((p, i) => {
      const value = percentile(samples, p);
      const mx = Math.min(x(value), left + plotW);
      return `<line x1="${mx.toFixed(1)}" x2="${mx.toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="${['#e45756', '#f58518', '#54a24b'][i]}" stroke-dasharray="4 3"/><text x="${(mx + 3).toFixed(1)}" y="${top + 12 + i * 14}" ${FONT} fill="${['#e45756', '#f58518', '#54a24b'][i]}">p${p} ${Math.round(value)} ms</text>`;
    })
    .join('');
  const ticks = Array.from({ length: 6 }, (_, i) => (i * bins.length * bucket) / 5)
    .map(
      (ms) =>
        `<text x="${x(ms).toFixed(1)}" y="${height - bottom + 16}" ${FONT} text-anchor="middle">${Math.round(ms)}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="22" ${TITLE_FONT}>${escape(title)}</text>`,
    bars,
    `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
    ticks,
    `<text x="${left + plotW / 2}" y="${height - 6}" ${FONT} text-anchor="middle">milliseconds (${samples.length} orders; last bar includes everything above)</text>`,
    `<text x="14" y="${top + plotH / 2}" ${FONT} transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">orders</text>`,
    marks,
    '</svg>',
    '',
  ].join('\n');
}

/** Horizontal bars: USD per million orders by component, for each configuration. */
export function costBarsSvg(breakdowns: readonly CostBreakdown[], title: string): string {
  const components = [
    ...new Set(breakdowns.flatMap((b) => b.lines.map((l) => l.component.replace(/ \(.*\)$/, '')))),
  ];
  const value = (b: CostBreakdown, component: string) =>
    b.lines.find((l) => l.component.replace(/ \(.*\)$/, '') === component)?.usdPerMillionOrders ??
    0;
  const colors = ['#4c78a8', '#e45756', '#54a24b', '#f58518'];
  const rowH = 14 * breakdowns.length + 10;
  const left = 200;
  const width = 760;
  const plotW = width - left - 90;
  const top = 50;
  const height = top + components.length * rowH + 30;
  const max = Math.max(...breakdowns.flatMap((b) => components.map((c) => value(b, c))), 0.01);
  const rows = components
    .map((component, row) => {
      const y0 = top + row * rowH;
      const bars = breakdowns
        .map((b, i) => {
          const v = value(b, component);
          const w = (v / max) * plotW;
          return `<rect x="${left}" y="${y0 + i * 14}" width="${w.toFixed(1)}" height="12" fill="${colors[i % colors.length]}"/><text x="${(left + w + 4).toFixed(1)}" y="${y0 + i * 14 + 10}" ${FONT}>$${v.toFixed(2)}</text>`;
        })
        .join('');
      return `<text x="${left - 6}" y="${y0 + 10}" ${FONT} text-anchor="end">${escape(component)}</text>${bars}`;
    })
    .join('');
  const legend = breakdowns
    .map(
      (b, i) =>
        `<rect x="${left + i * 220}" y="30" width="12" height="12" fill="${colors[i % colors.length]}"/><text x="${left + i * 220 + 16}" y="40" ${FONT}>${escape(b.configuration)}: $${b.totalUsdPerMillionOrders.toFixed(2)} total</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" ${TITLE_FONT}>${escape(title)}</text>`,
    legend,
    rows,
    '</svg>',
    '',
  ].join('\n');
}
