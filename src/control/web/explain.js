// Plain-language notes on the overview's charts and component cards, as the Grafana dashboards'
// panel descriptions (scripts/dashboards/) give them: what it shows, what is normal, what to do
// when it is not. A note shows on hover of the tile's heading and on focus of the tile (keyboard
// Tab, a click or a tap), is the tile's accessible description (aria-describedby), and Escape
// hides it until the tile is left.
import { h } from './dom.js'

/** By chart id (overview.js). */
export const CHART_NOTES = {
  'events-in': {
    what: 'Sale lines entering Kafka each second: what the simulator got acknowledged, plus the events the gateway accepted (answered 202).',
    normal:
      'a steady line at the simulator’s rate (100/s unless someone changed it) plus what tills send; “all” is the sum of the two.',
    act: 'zero while sources should be sending means intake stopped: see whether the simulator or the gateway is paused (Controls) or cannot reach Kafka (its card). Alert SretlIntakeStopped.',
  },
  'rows-landed': {
    what: 'New rows the lander committed to sales_raw each second (duplicates it skipped are not counted).',
    normal: 'it tracks events in; above it for a while when the lander catches up a backlog.',
    act: 'zero while events come in means landing stalled: look at the lander’s card (paused? failing? not answering?) and at the lag charts. Alert SretlLandingStalled.',
  },
  'lag-messages': {
    what: 'Events in Kafka the lander has not landed yet, all partitions together.',
    normal: 'close to zero: at most the batch being landed.',
    act: 'a backlog that keeps growing means the lander cannot keep up or is paused: check the lander’s card and the lag in seconds beside.',
  },
  'lag-seconds': {
    what: 'Age of the oldest event not yet landed, on the worst partition.',
    normal: 'well under a second at a steady rate.',
    act: 'the health summary warns from 30 s and turns critical at 60 s (the defaults), the lag objective (alert SretlLagHigh). Rising steadily: the lander is paused, failing, or PostgreSQL is slow or down — see the runbook (docs/runbook.md).',
  },
  latency: {
    what: 'End-to-end latency, from the till’s clock (event_time) to the row committed in PostgreSQL: the median (P50) and the slowest 5 % (P95).',
    normal:
      'the target is P95 ≤ 500 ms at 1,000 events/s; the freshness objective counts events landing over 5 s after their event time.',
    act: 'high together with lag: the pipeline is slow (see lag). High while lag is near zero: events arrive late from the source (offline tills), not a pipeline problem.',
  },
  dlq: {
    what: 'Records per second the lander sent to the dead-letter topic instead of landing them: not JSON, against the schema, or refused by PostgreSQL.',
    normal: 'zero.',
    act: 'any steady rate deserves a look: open Dead letters, read the reason, fix the sender or the cause, then replay them. Over 1 % of the flow alerts (SretlDeadLettersHigh).',
  },
  errors: {
    what: 'Errors per second over the components: the simulator’s produce errors, the gateway’s 5xx answers and the lander’s retries (connection lost, serialization failure, deadlock).',
    normal: 'zero, with short bursts while something restarts.',
    act: 'a steady rate means a dependency is unwell (Kafka or PostgreSQL): read the last error on the component cards and their logs (docs/errors.md says what each code means).',
  },
}

/** By component name (the cards). */
export const CARD_NOTES = {
  simulator: {
    what: 'The store simulator, producing sale lines to Kafka. “rate set” is what an operator asked for, “actual” what Kafka acknowledged per second, “cap” the most anyone may set, “produced” the total since it started.',
    normal: 'RUNNING, with actual close to the rate set.',
    act: 'actual far below the rate set: Kafka is slow or down. PAUSED: an operator paused it (the reason shows); resume it in Controls. Not answering: sretl up restarts it; read its log.',
  },
  gateway: {
    what: 'The HTTP ingest for tills (POST /v1/sales), which answers 202 only after Kafka has the events. “accepted” and “rejected” count events since it started; “in flight” are being sent to Kafka now.',
    normal: 'RUNNING, Kafka ok, rejected not growing.',
    act: 'Kafka unavailable: tills get 503 with Retry-After and send again — check Kafka. Rejected growing: a sender sends invalid events (the 4xx answers name the field). PAUSED: intake is stopped on purpose.',
  },
  lander: {
    what: 'The lander, writing sales.events.v1 into sales_raw exactly once (rows and Kafka offsets in one PostgreSQL transaction). “rows” and “dead letters” count since it started; “waiting” and “lag” are what it has not landed yet.',
    normal: 'RUNNING, waiting near zero, lag under a second.',
    act: 'lag growing: PostgreSQL is slow or down, or the lander is paused. FAILED or not answering: sretl up restarts it and it resumes from its stored offsets (nothing lost or doubled); read its log and last error.',
  },
}

const GENERIC = {
  what: 'A component of the pipeline: its state and when it last answered the control service.',
  normal: 'RUNNING and answered just now.',
  act: 'not answering or FAILED: read its log; sretl status shows what runs.',
}

export function cardNote(name) {
  return CARD_NOTES[name] ?? GENERIC
}

/**
 * Makes `el` a focusable tile described by `note`; returns the note's element, which the caller
 * places inside `el` after the tile's heading (the CSS shows it when the heading is hovered or
 * the tile focused).
 */
export function annotate(el, id, note) {
  const about = h(
    'div',
    { class: 'about', id, role: 'tooltip' },
    h('p', {}, note.what),
    h('p', {}, h('strong', {}, 'Normal: '), note.normal),
    h('p', {}, h('strong', {}, 'If not: '), note.act),
  )
  el.classList.add('annotated')
  el.setAttribute('tabindex', '0')
  el.setAttribute('aria-describedby', id)
  el.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') el.dataset.quiet = ''
  })
  const wake = () => delete el.dataset.quiet
  el.addEventListener('focus', wake)
  el.addEventListener('mouseleave', wake)
  return about
}

/** A small "i" after a heading's text, saying the tile has a note (the note itself is read out). */
export function infoMark() {
  return h('span', { class: 'info', 'aria-hidden': 'true' }, 'i')
}
