// Overview: the health summary in words, one card per component, live charts.
import { $, h, replace, fmtNumber, fmtSeconds, fmtAgo } from './dom.js'
import { createChart } from './charts.js'
import { CHART_NOTES, annotate, cardNote, infoMark } from './explain.js'

const WINDOW_MS = 5 * 60 * 1000

const CHARTS = [
  {
    id: 'events-in',
    title: 'Events in per second',
    unit: '/s',
    series: [
      { key: 'eventsIn', label: 'all', cls: 's1' },
      { key: 'simulatorRate', label: 'simulator', cls: 's2' },
      { key: 'gatewayRate', label: 'gateway', cls: 's3' },
    ],
  },
  {
    id: 'rows-landed',
    title: 'Rows landed per second',
    unit: '/s',
    series: [{ key: 'rowsLanded', label: 'landed', cls: 's1' }],
  },
  {
    id: 'lag-messages',
    title: 'Lag: events waiting to land',
    unit: '',
    digits: 0,
    series: [{ key: 'lagMessages', label: 'waiting', cls: 's4' }],
  },
  {
    id: 'lag-seconds',
    title: 'Lag: age of the oldest waiting event',
    unit: 's',
    series: [{ key: 'lagSeconds', label: 'lag', cls: 's4' }],
  },
  {
    id: 'latency',
    title: 'End-to-end latency (till → row)',
    unit: 'ms',
    digits: 0,
    series: [
      { key: 'p50Ms', label: 'P50', cls: 's1' },
      { key: 'p95Ms', label: 'P95', cls: 's5' },
    ],
  },
  {
    id: 'dlq',
    title: 'Dead letters per second',
    unit: '/s',
    digits: 2,
    series: [{ key: 'dlqPerSec', label: 'dead letters', cls: 's5' }],
  },
  {
    id: 'errors',
    title: 'Errors per second',
    unit: '/s',
    digits: 2,
    series: [{ key: 'errorsPerSec', label: 'errors', cls: 's5' }],
  },
]

const charts = CHARTS.map((spec) => createChart({ ...spec, note: CHART_NOTES[spec.id] }))
let mounted = false

function mount() {
  if (mounted) return
  mounted = true
  replace(
    $('charts'),
    charts.map((c) => c.el),
  )
}

export function renderHealth(health) {
  const badge = $('health-badge')
  badge.hidden = false
  badge.className = `badge ${health.level}`
  badge.textContent = health.headline
  replace(
    $('health'),
    h('p', { class: `headline ${health.level}` }, health.headline),
    health.items.length > 1 || (health.items.length === 1 && health.items[0].text !== health.headline)
      ? h(
          'ul',
          {},
          health.items
            .filter((i) => i.text !== health.headline)
            .map((i) => h('li', { class: i.level }, i.text)),
        )
      : null,
  )
}

function facts(c) {
  const d = c.details || {}
  switch (c.name) {
    case 'simulator':
      return [
        ['rate set', `${fmtNumber(d.baseRatePerSec, 1)} /s`],
        ['actual', `${fmtNumber(d.actualRatePerSec, 1)} /s`],
        ['cap', `${fmtNumber(d.capPerSec)} /s`],
        ['produced', fmtNumber(d.eventsProduced)],
      ]
    case 'gateway':
      return [
        ['accepted', fmtNumber(d.eventsAccepted)],
        ['rejected', fmtNumber(d.eventsRejected)],
        ['in flight', fmtNumber(d.inFlightEvents)],
        ['Kafka', d.kafkaAvailable === false ? 'unavailable' : 'ok'],
      ]
    case 'lander': {
      const parts = Array.isArray(d.partitions) ? d.partitions : []
      const lag = parts.reduce((s, p) => s + (p.lagMessages || 0), 0)
      const age = parts.reduce((m, p) => Math.max(m, p.lagSeconds || 0), 0)
      return [
        ['rows', fmtNumber(d.totals?.rows)],
        ['dead letters', fmtNumber(d.totals?.deadLetters)],
        ['waiting', fmtNumber(lag)],
        ['lag', fmtSeconds(age)],
      ]
    }
    default:
      return []
  }
}

// restarts by `sretl up` (null when the component is not run by it)
function supervisionNote(c) {
  if (c.supervision === 'failed') {
    return h(
      'p',
      { class: 'error', dataset: { restarts: String(c.restarts) } },
      `sretl up gave up: ${c.lastSupervisionEvent?.message ?? 'crash loop'}`,
    )
  }
  if (!c.restarts) return null
  return h(
    'p',
    { class: 'note', dataset: { restarts: String(c.restarts) } },
    `restarted ${c.restarts}× by sretl up${c.lastSupervisionEvent ? ` (last ${c.lastSupervisionEvent.at.slice(11, 19)} UTC)` : ''}`,
  )
}

// One card element per component, kept across updates (only its body is redrawn), so a card
// that has the keyboard focus keeps it and its note while the figures change every second.
const cardElements = new Map()

function cardFor(name) {
  let card = cardElements.get(name)
  if (card) return card
  const state = h('span', { class: 'state' })
  const body = h('div', { class: 'card-body' })
  const el = h(
    'article',
    { class: 'card', 'aria-labelledby': `card-${name}`, dataset: { component: name } },
    h('h4', { id: `card-${name}` }, h('span', {}, name, ' ', infoMark()), ' ', state),
  )
  el.append(annotate(el, `card-${name}-about`, cardNote(name)), body)
  card = { el, state, body }
  cardElements.set(name, card)
  return card
}

export function renderCards(components) {
  const now = Date.now()
  const shown = components.map((c) => {
    const card = cardFor(c.name)
    for (const cls of [...card.el.classList]) if (cls.startsWith('state-')) card.el.classList.remove(cls)
    card.el.classList.add(`state-${c.state.toLowerCase()}`)
    card.state.dataset.state = c.state
    card.state.textContent = c.state
    replace(
      card.body,
      h(
        'p',
        { class: 'muted' },
        c.reachable
          ? `answered ${fmtAgo(c.lastSeenAt, now)}`
          : `not answering${c.lastSeenAt ? ` since ${fmtAgo(c.lastSeenAt, now)}` : ''}`,
      ),
      c.details?.pauseReason ? h('p', { class: 'note' }, `paused: ${c.details.pauseReason}`) : null,
      supervisionNote(c),
      c.reachable &&
        h(
          'dl',
          {},
          facts(c).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
        ),
      c.lastError
        ? h('p', { class: 'error' }, `last error ${c.lastError.code}: ${c.lastError.message}`)
        : null,
      c.error ? h('p', { class: 'error' }, c.error) : null,
    )
    return card.el
  })
  const list = $('cards')
  const current = [...list.children]
  if (current.length !== shown.length || shown.some((el, i) => el !== current[i])) replace(list, shown)
}

export function renderCharts(points) {
  mount()
  for (const c of charts) c.update(points, WINDOW_MS)
  const last = points[points.length - 1]
  $('updated').textContent = last ? `(updated ${new Date(last.t).toISOString().slice(11, 19)} UTC)` : ''
}
