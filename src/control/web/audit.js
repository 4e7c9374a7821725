// The audit log: newest first, filterable, more on request.
import { $, h, replace, fmtTime } from './dom.js'
import { api } from './api.js'

let rows = []
let next = null
let built = false

function brief(value) {
  if (value === null || value === undefined) return '–'
  if (typeof value !== 'object') return String(value)
  if ('state' in value) return String(value.state)
  const entries = Object.entries(value)
  if (entries.length === 1) return brief(entries[0][1])
  return entries.map(([k, v]) => `${k}: ${brief(v)}`).join(', ')
}

// the state change and, when the command gave one, its reason (the "why")
function change(r) {
  const d = r.detail || {}
  if (r.result !== 'ok' && d.code) return `${d.code}: ${d.message ?? ''}`
  if (r.action === 'dlq.replay') return `${(d.replayed || []).length} replayed`
  const why = typeof d.reason === 'string' && d.reason !== '' ? d.reason : null
  if (r.before === null && r.after === null) return why ?? ''
  const transition = `${brief(r.before)} → ${brief(r.after)}`
  return why ? `${transition} (why: ${why})` : transition
}

function filters() {
  const q = new URLSearchParams({ limit: '50' })
  for (const key of ['action', 'actor', 'result']) {
    const v = $(`audit-${key}`).value.trim()
    if (v) q.set(key, v)
  }
  return q
}

async function load(more) {
  const q = filters()
  if (more && next) q.set('before', String(next))
  const answer = await api('GET', `/api/v1/audit?${q}`)
  if (answer.status !== 200) return
  rows = more ? rows.concat(answer.body.rows) : answer.body.rows
  next = answer.body.next
  render()
}

function render() {
  replace(
    $('audit-rows'),
    h(
      'table',
      { id: 'audit-table' },
      h('caption', {}, `${rows.length} entries, newest first`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['when', 'who', 'action', 'target', 'result', 'before → after / why', 'from'].map((c) =>
            h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            { class: r.result, dataset: { id: r.id, action: r.action } },
            h('td', {}, fmtTime(r.at)),
            h('td', {}, `${r.actor} (${r.role})`),
            h('td', {}, r.action),
            h('td', {}, r.target),
            h('td', {}, h('span', { class: `result-tag ${r.result}` }, r.result)),
            h('td', { class: 'clip', title: change(r) }, change(r)),
            h('td', { title: r.userAgent ?? '' }, r.sourceIp ?? '–'),
          ),
        ),
      ),
    ),
    next
      ? h('button', { type: 'button', id: 'audit-more', onclick: () => load(true) }, 'Show older entries')
      : null,
  )
}

function build() {
  built = true
  const field = (key, label, attrs = {}) => [
    h('label', { for: `audit-${key}` }, label),
    h('input', { id: `audit-${key}`, ...attrs }),
  ]
  replace(
    $('audit'),
    h(
      'form',
      {
        id: 'audit-filters',
        class: 'row',
        onsubmit: (e) => {
          e.preventDefault()
          void load(false)
        },
      },
      field('action', 'Action', { placeholder: 'e.g. rate.set', list: 'audit-actions' }),
      h(
        'datalist',
        { id: 'audit-actions' },
        [
          'pause',
          'resume',
          'rate.set',
          'intake.stop',
          'intake.resume',
          'limits.set',
          'dlq.replay',
          'session.login',
        ].map((a) => h('option', { value: a })),
      ),
      field('actor', 'User'),
      h('label', { for: 'audit-result' }, 'Result'),
      h(
        'select',
        { id: 'audit-result' },
        ['', 'ok', 'refused', 'failed'].map((v) => h('option', { value: v }, v || 'any')),
      ),
      h('button', { type: 'submit' }, 'Filter'),
    ),
    h('div', { id: 'audit-rows' }),
  )
}

/** Loads the newest entries (keeps a longer list the user asked for, unless filtering). */
export async function refreshAudit() {
  if (!built) build()
  if (rows.length > 50) return
  await load(false)
}
