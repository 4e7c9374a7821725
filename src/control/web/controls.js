// Controls: pause/resume per component, the simulator's rate with its safe range, the emergency
// stop, and (admins) the rate cap. Every control says what it does, when to use it, what is safe.
// The server enforces every rule; the panel only shows them.
import { $, h, replace, fmtNumber, showResult } from './dom.js'
import { api } from './api.js'

const HELP = {
  simulator:
    'Pausing stops the store simulator producing events; nothing is lost, it continues where it was. Use it to quiet the pipeline for a test or a demo. Safe at any time.',
  gateway:
    'Pausing makes the ingest gateway answer 503 with Retry-After: tills keep their events and send them again later, so nothing is lost. Use it during maintenance of Kafka or the database. Safe at any time; resume promptly.',
  lander:
    'Pausing stops landing into PostgreSQL: events wait in Kafka and the lag grows (watch it on the Overview), then drain after resuming. Use it for database maintenance. Safe while Kafka’s retention is far longer than the pause.',
}

let state = { role: 'viewer', snapshot: null }
let built = false
let pendingRate = null

const canOperate = () => state.role === 'operator' || state.role === 'admin'

function result(answer, okText) {
  const el = $('command-result')
  if (answer.status >= 200 && answer.status < 300) showResult(el, 'ok', okText(answer.body))
  else
    showResult(
      el,
      'refused',
      `Not done — ${answer.body.message || answer.body.code || `error ${answer.status}`}`,
    )
}

async function flow(name, action) {
  const reason = $(`reason-${name}`).value.trim() || undefined
  const answer = await api('POST', `/api/v1/components/${name}/${action}`, { reason })
  result(
    answer,
    (b) =>
      `${name} ${action === 'pause' ? 'paused' : 'resumed'}${b.changed === false ? ' (it already was)' : ''}.`,
  )
}

function confirmBox(text, confirmLabel, onConfirm) {
  const box = $('confirm-box')
  box.hidden = false
  replace(
    box,
    h('p', { id: 'confirm-text' }, text),
    h(
      'button',
      {
        type: 'button',
        class: 'danger',
        id: 'confirm-yes',
        onclick: () => {
          box.hidden = true
          onConfirm()
        },
      },
      confirmLabel,
    ),
    ' ',
    h(
      'button',
      {
        type: 'button',
        id: 'confirm-no',
        onclick: () => {
          box.hidden = true
          $('command-result').textContent = 'Cancelled; nothing changed.'
        },
      },
      'Cancel',
    ),
  )
  $('confirm-yes').focus()
}

async function setRate(confirm) {
  const value = Number($('rate-number').value)
  const answer = await api('POST', '/api/v1/rate', { ratePerSec: value, confirm })
  if (answer.status === 409 && answer.body.code === 'CONFIRMATION_REQUIRED') {
    pendingRate = value
    showResult($('command-result'), 'refused', answer.body.message)
    confirmBox(`${answer.body.message}.`, `Yes, set ${fmtNumber(value)} events/s`, () => setRate(true))
    return
  }
  pendingRate = null
  result(answer, (b) => `${b.message}.`)
}

async function intake(action) {
  const reason = $('intake-reason').value.trim() || undefined
  const answer = await api('POST', `/api/v1/intake/${action}`, { reason })
  result(answer, () =>
    action === 'stop' ? 'All intake stopped: the simulator and the gateway are paused.' : 'Intake resumed.',
  )
}

async function setCap() {
  const raw = $('cap-number').value.trim()
  const answer = await api('PUT', '/api/v1/limits', { rateCapPerSec: raw === '' ? null : Number(raw) })
  result(
    answer,
    (b) =>
      `Rate cap set to ${b.limits.rateCapPerSec === null ? 'the simulator’s own cap' : `${fmtNumber(b.limits.rateCapPerSec)} events/s`}.`,
  )
}

function componentControl(name) {
  return h(
    'article',
    { class: 'control', 'aria-labelledby': `ctl-${name}` },
    h('h3', { id: `ctl-${name}` }, name, ' ', h('span', { class: 'state', id: `ctl-state-${name}` }, '…')),
    h('p', { class: 'help', id: `help-${name}` }, HELP[name]),
    h('label', { for: `reason-${name}` }, 'Reason (for the audit log, optional)'),
    h('input', { id: `reason-${name}`, maxlength: 200, 'aria-describedby': `help-${name}` }),
    h(
      'div',
      { class: 'buttons' },
      h(
        'button',
        {
          type: 'button',
          id: `pause-${name}`,
          'aria-describedby': `help-${name}`,
          onclick: () => flow(name, 'pause'),
        },
        `Pause ${name}`,
      ),
      h(
        'button',
        {
          type: 'button',
          id: `resume-${name}`,
          'aria-describedby': `help-${name}`,
          onclick: () => flow(name, 'resume'),
        },
        `Resume ${name}`,
      ),
    ),
  )
}

function build() {
  built = true
  replace(
    $('controls'),
    h('div', {
      id: 'confirm-box',
      class: 'confirm',
      role: 'alertdialog',
      'aria-labelledby': 'confirm-text',
      hidden: true,
    }),
    h(
      'article',
      { class: 'control wide', 'aria-labelledby': 'rate-title' },
      h('h3', { id: 'rate-title' }, 'Simulator rate'),
      h(
        'p',
        { class: 'help', id: 'rate-help' },
        'How many sale lines a second the store simulator produces. The change applies within a second, smoothly. ',
        'The green part of the slider is safe now; raising the rate beyond it (more than the confirmation factor at once) asks you to confirm; ',
        'the cap, set by an admin, cannot be passed. Lowering the rate is always safe.',
      ),
      h('p', { id: 'rate-now', class: 'muted' }),
      h('label', { for: 'rate-slider' }, 'Rate (events per second)'),
      h('input', {
        type: 'range',
        id: 'rate-slider',
        min: 0,
        max: 1000,
        step: 1,
        'aria-describedby': 'rate-help rate-range',
      }),
      h('p', { id: 'rate-range', class: 'muted' }),
      h(
        'div',
        { class: 'row' },
        h('label', { for: 'rate-number' }, 'Exact rate'),
        h('input', {
          type: 'number',
          id: 'rate-number',
          min: 0,
          step: 'any',
          inputmode: 'decimal',
          'aria-describedby': 'rate-help',
        }),
        h('button', { type: 'button', id: 'rate-apply', onclick: () => setRate(false) }, 'Set rate'),
      ),
    ),
    ['simulator', 'gateway', 'lander'].map(componentControl),
    h(
      'article',
      { class: 'control wide emergency', 'aria-labelledby': 'intake-title' },
      h('h3', { id: 'intake-title' }, 'Emergency stop of all intake'),
      h(
        'p',
        { class: 'help', id: 'intake-help' },
        'Pauses the simulator and the gateway together: no new events enter; tills are told to retry later, so nothing is lost. ',
        'The lander keeps landing what is already in Kafka. Use it when bad data is coming in or downstream is in trouble. Resume when the cause is fixed.',
      ),
      h('label', { for: 'intake-reason' }, 'Reason (for the audit log, optional)'),
      h('input', { id: 'intake-reason', maxlength: 200 }),
      h(
        'div',
        { class: 'buttons' },
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            id: 'stop-intake',
            'aria-describedby': 'intake-help',
            onclick: () =>
              confirmBox(
                'Stop all intake now? The simulator and the gateway will be paused.',
                'Stop all intake',
                () => intake('stop'),
              ),
          },
          'Stop all intake',
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'resume-intake',
            'aria-describedby': 'intake-help',
            onclick: () => intake('resume'),
          },
          'Resume all intake',
        ),
      ),
    ),
    h(
      'article',
      { class: 'control wide', 'aria-labelledby': 'cap-title' },
      h('h3', { id: 'cap-title' }, 'Rate cap (admins)'),
      h(
        'p',
        { class: 'help', id: 'cap-help' },
        'The highest rate operators may set. At most the simulator’s own limit. Empty means that limit. Kept across restarts (it is read back from the audit log).',
      ),
      h('p', { id: 'cap-now', class: 'muted' }),
      h(
        'div',
        { class: 'row' },
        h('label', { for: 'cap-number' }, 'Cap (events per second)'),
        h('input', { type: 'number', id: 'cap-number', min: 0, step: 'any', 'aria-describedby': 'cap-help' }),
        h('button', { type: 'button', id: 'cap-apply', onclick: setCap }, 'Set cap'),
      ),
    ),
  )
  const slider = $('rate-slider')
  slider.addEventListener('input', () => {
    $('rate-number').value = slider.value
  })
  $('rate-number').addEventListener('input', () => {
    slider.value = $('rate-number').value
  })
}

export function renderControls(role, snapshot) {
  state = { role, snapshot }
  if (!built) build()
  $('viewer-note').hidden = canOperate()
  for (const el of $('controls').querySelectorAll('button, input')) {
    const admin = el.id === 'cap-number' || el.id === 'cap-apply'
    el.disabled = admin ? role !== 'admin' : !canOperate()
  }
  if (!snapshot) return
  const byName = Object.fromEntries(snapshot.components.map((c) => [c.name, c]))
  for (const name of ['simulator', 'gateway', 'lander']) {
    const c = byName[name]
    const paused = c?.details?.paused === true || c?.state === 'PAUSED'
    $(`ctl-state-${name}`).textContent = c ? c.state : 'UNKNOWN'
    $(`ctl-state-${name}`).dataset.state = c ? c.state : 'UNKNOWN'
    if (canOperate()) {
      $(`pause-${name}`).disabled = !c?.reachable || paused
      $(`resume-${name}`).disabled = !c?.reachable || !paused
    }
  }
  const sim = byName.simulator?.details || {}
  const limits = snapshot.limits
  const current = sim.baseRatePerSec ?? 0
  const cap = limits.effectiveCapPerSec ?? Math.max(1000, current * 10)
  const safe = Math.min(cap, Math.max(current * limits.confirmFactor, current + limits.confirmMinStep))
  $('rate-now').textContent =
    `Set: ${fmtNumber(current, 1)} events/s · actual now: ${fmtNumber(sim.actualRatePerSec, 1)} events/s${sim.paused ? ' · paused' : ''}`
  $('rate-now').dataset.actual = String(sim.actualRatePerSec ?? '')
  const slider = $('rate-slider')
  slider.max = String(cap)
  slider.step = cap > 2000 ? '10' : '1'
  const pct = cap > 0 ? (safe / cap) * 100 : 100
  slider.style.setProperty('--safe', `${pct}%`)
  $('rate-range').textContent =
    `Safe without confirmation: up to ${fmtNumber(safe)} events/s · cap: ${fmtNumber(cap)} events/s${limits.rateCapSetBy ? ` (set by ${limits.rateCapSetBy})` : ''}`
  const focused = document.activeElement
  if (focused !== slider && focused !== $('rate-number') && pendingRate === null) {
    slider.value = String(current)
    $('rate-number').value = String(current)
  }
  $('cap-now').textContent =
    `Now: ${limits.rateCapPerSec === null ? `the simulator’s own cap (${fmtNumber(limits.simulatorCapPerSec)} events/s)` : `${fmtNumber(limits.rateCapPerSec)} events/s`}`
}
