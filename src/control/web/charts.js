// Live line charts drawn as SVG, without any library: one chart per figure, a few series each,
// the last minutes of points. Each chart says its current values in text (legend and aria-label),
// so nothing depends on seeing the lines.
import { h, replace, fmtNumber } from './dom.js'
import { annotate, infoMark } from './explain.js'

const NS = 'http://www.w3.org/2000/svg'
const W = 320
const HT = 120
const PAD = { left: 44, right: 8, top: 8, bottom: 18 }

function svg(tag, attrs) {
  const el = document.createElementNS(NS, tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  return el
}

function niceMax(v) {
  if (!(v > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p
  return 10 * p
}

/**
 * spec: { id, title, unit, digits, series: [{ key, label, cls }], note? } — with a note
 * ({ what, normal, act }, explain.js) the chart is a focusable tile described by it.
 * Returns { el, update(points, windowMs) }.
 */
export function createChart(spec) {
  const legend = h('p', { class: 'legend' })
  const plot = svg('svg', {
    viewBox: `0 0 ${W} ${HT}`,
    role: 'img',
    class: 'plot',
    preserveAspectRatio: 'none',
  })
  const figure = h(
    'figure',
    { class: 'chart', id: `chart-${spec.id}`, dataset: { chart: spec.id } },
    h('figcaption', {}, spec.title, spec.note ? [' ', infoMark()] : []),
  )
  if (spec.note) figure.append(annotate(figure, `chart-${spec.id}-about`, spec.note))
  figure.append(legend, plot)

  function update(points, windowMs) {
    const now = points.length ? points[points.length - 1].t : Date.now()
    const from = now - windowMs
    const shown = points.filter((p) => p.t >= from)
    let max = 0
    for (const p of shown) for (const s of spec.series) if (p[s.key] > max) max = p[s.key]
    const top = niceMax(max)
    const x = (t) => PAD.left + ((t - from) / windowMs) * (W - PAD.left - PAD.right)
    const y = (v) => HT - PAD.bottom - (v / top) * (HT - PAD.top - PAD.bottom)
    const children = [
      svg('line', { x1: PAD.left, y1: y(0), x2: W - PAD.right, y2: y(0), class: 'axis' }),
      svg('line', { x1: PAD.left, y1: y(top), x2: W - PAD.right, y2: y(top), class: 'grid' }),
      svg('line', { x1: PAD.left, y1: y(top / 2), x2: W - PAD.right, y2: y(top / 2), class: 'grid' }),
    ]
    const label = (text, yy) => {
      const t = svg('text', { x: PAD.left - 4, y: yy + 4, class: 'tick', 'text-anchor': 'end' })
      t.textContent = text
      return t
    }
    const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })
    children.push(label(compact.format(top), y(top)), label('0', y(0)))
    const minutes = Math.round(windowMs / 60000)
    const tl = svg('text', { x: PAD.left, y: HT - 4, class: 'tick' })
    tl.textContent = `−${minutes} min`
    const tr = svg('text', { x: W - PAD.right, y: HT - 4, class: 'tick', 'text-anchor': 'end' })
    tr.textContent = 'now'
    children.push(tl, tr)
    const parts = []
    for (const s of spec.series) {
      const coords = shown
        .filter((p) => p[s.key] !== null && p[s.key] !== undefined)
        .map((p) => `${x(p.t).toFixed(1)},${y(p[s.key]).toFixed(1)}`)
      if (coords.length > 1)
        children.push(svg('polyline', { points: coords.join(' '), class: `line ${s.cls}` }))
      const last = [...shown].reverse().find((p) => p[s.key] !== null && p[s.key] !== undefined)
      const value = last ? fmtNumber(last[s.key], spec.digits ?? 1) : '–'
      parts.push({ s, value })
    }
    plot.replaceChildren(...children)
    replace(
      legend,
      parts.map(({ s, value }) =>
        h(
          'span',
          { class: `key ${s.cls}`, dataset: { series: s.key } },
          h('span', { class: 'swatch', 'aria-hidden': 'true' }),
          `${s.label} `,
          h('strong', { class: 'value' }, value),
          spec.unit ? ` ${spec.unit}` : '',
        ),
      ),
    )
    plot.setAttribute(
      'aria-label',
      `${spec.title} over the last ${minutes} minutes: ${parts.map((p) => `${p.s.label} now ${p.value}${spec.unit ? ` ${spec.unit}` : ''}`).join(', ')}; highest ${fmtNumber(max, 1)}`,
    )
  }
  return { el: figure, update }
}
