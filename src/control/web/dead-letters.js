// Dead letters: counts by reason, the held messages of a reason, one message's headers and bytes
// (text and hex), and replay of one or all of a reason.
import { $, h, replace, fmtNumber, fmtTime, showResult } from './dom.js'
import { api } from './api.js'

let role = 'viewer'
let selected = null
let inspected = null

const canOperate = () => role === 'operator' || role === 'admin'

async function replay(body, label) {
  const answer = await api('POST', '/api/v1/dead-letters/replay', body)
  const el = $('dlq-result')
  if (answer.status === 200) {
    const b = answer.body
    showResult(
      el,
      'ok',
      `${label}: ${b.replayed} replayed to ${b.topic ?? 'the input topic'}${b.skipped?.length ? `, ${b.skipped.length} skipped (${b.skipped[0].why})` : ''}${b.remaining ? `, ${b.remaining} more to go: replay again` : ''}.`,
    )
  } else {
    showResult(el, 'refused', `${label}: not done — ${answer.body.message || answer.body.code}`)
  }
  await refreshDeadLetters(role)
}

async function inspect(partition, offset) {
  inspected = { partition, offset }
  const answer = await api('GET', `/api/v1/dead-letters/messages/${partition}/${offset}`)
  const box = $('dlq-inspect')
  if (answer.status !== 200) {
    replace(box, h('p', { class: 'error' }, answer.body.message))
    return
  }
  const m = answer.body
  replace(
    box,
    h('h3', { id: 'inspect-title', tabindex: '-1' }, `Dead letter ${m.partition}/${m.offset}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'reason'),
      h('dd', {}, m.reason),
      h('dt', {}, 'why'),
      h('dd', {}, m.message),
      h('dt', {}, 'key'),
      h('dd', {}, m.key || '(none)'),
      h('dt', {}, 'size'),
      h(
        'dd',
        {},
        `${fmtNumber(m.size)} bytes${m.validUtf8 ? '' : ' (not valid UTF-8)'}${m.truncated ? ' (held cut short)' : ''}`,
      ),
      h('dt', {}, 'first seen'),
      h('dd', {}, m.firstSeen || '–'),
      h('dt', {}, 'replayed'),
      h(
        'dd',
        {},
        m.replayed ? 'yes' : `no${m.replayCount ? ` (went round ${m.replayCount} time(s) before)` : ''}`,
      ),
    ),
    h(
      'table',
      { class: 'headers' },
      h('caption', {}, 'Headers'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'name'), h('th', { scope: 'col' }, 'value'))),
      h(
        'tbody',
        {},
        m.headers.map((x) => h('tr', {}, h('td', {}, x.name), h('td', {}, x.value))),
      ),
    ),
    h(
      'details',
      { open: true },
      h('summary', {}, 'Bytes as text'),
      h('pre', { class: 'bytes', tabindex: '0', 'aria-label': 'message as text' }, m.text),
    ),
    h(
      'details',
      {},
      h('summary', {}, 'Bytes as hex'),
      h('pre', { class: 'bytes', tabindex: '0', 'aria-label': 'message as hex' }, m.hex),
    ),
    h(
      'button',
      {
        type: 'button',
        id: 'replay-one',
        disabled: !canOperate() || m.replayed,
        onclick: () =>
          replay({ partition: m.partition, offset: m.offset }, `Dead letter ${m.partition}/${m.offset}`),
      },
      m.replayed ? 'Already replayed' : 'Replay this dead letter',
    ),
  )
  $('inspect-title').focus()
}

function reasonsTable(data) {
  if (data.reasons.length === 0)
    return h(
      'p',
      { class: 'empty' },
      'No dead letters. ',
      data.reader.state === 'reading'
        ? ''
        : `(The topic is not being read: ${data.reader.error ?? data.reader.state}.)`,
    )
  return h(
    'table',
    { id: 'dlq-reasons' },
    h(
      'caption',
      {},
      `By reason — ${fmtNumber(data.total)} in the topic, the newest ${fmtNumber(data.held)} held for browsing and replay`,
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['reason', 'count', 'held', 'latest', 'example', 'actions'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      data.reasons.map((r) =>
        h(
          'tr',
          { dataset: { reason: r.reason } },
          h('th', { scope: 'row' }, r.reason),
          h('td', { class: 'num' }, fmtNumber(r.count)),
          h('td', { class: 'num' }, fmtNumber(r.held)),
          h('td', {}, fmtTime(r.latestAt)),
          h('td', { class: 'clip' }, r.example ?? ''),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                onclick: () => {
                  selected = r.reason
                  void refreshDeadLetters(role)
                },
              },
              `Show ${r.reason}`,
            ),
            ' ',
            h(
              'button',
              {
                type: 'button',
                disabled: !canOperate(),
                onclick: () => replay({ reason: r.reason }, `All held ${r.reason}`),
              },
              `Replay all ${r.reason}`,
            ),
          ),
        ),
      ),
    ),
  )
}

function messagesTable(messages) {
  return h(
    'table',
    { id: 'dlq-messages' },
    h('caption', {}, `Newest dead letters of ${selected}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['position', 'key', 'first seen', 'why', 'size', 'replays', ''].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      messages.map((m) =>
        h(
          'tr',
          { dataset: { position: `${m.partition}/${m.offset}` } },
          h('th', { scope: 'row' }, `${m.partition}/${m.offset}`),
          h('td', {}, m.key),
          h('td', {}, m.firstSeen ?? '–'),
          h('td', { class: 'clip' }, m.message),
          h('td', { class: 'num' }, fmtNumber(m.size)),
          h('td', { class: 'num' }, `${m.replayCount}${m.replayed ? ' · replayed' : ''}`),
          h(
            'td',
            {},
            h(
              'button',
              { type: 'button', onclick: () => inspect(m.partition, m.offset) },
              `Inspect ${m.partition}/${m.offset}`,
            ),
          ),
        ),
      ),
    ),
  )
}

export async function refreshDeadLetters(currentRole) {
  role = currentRole
  const answer = await api('GET', '/api/v1/dead-letters')
  if (answer.status !== 200) return
  const data = answer.body
  $('dlq-topic').textContent = data.topic
  if (selected === null && data.reasons.length > 0) selected = data.reasons[0].reason
  const list = selected
    ? await api('GET', `/api/v1/dead-letters/messages?reason=${encodeURIComponent(selected)}&limit=50`)
    : null
  const keep = document.getElementById('dlq-inspect')
  replace(
    $('dlq'),
    reasonsTable(data),
    list && list.status === 200 && list.body.messages.length ? messagesTable(list.body.messages) : null,
    keep ?? h('section', { id: 'dlq-inspect', class: 'inspect', 'aria-label': 'Inspected dead letter' }),
  )
  if (inspected && keep === null) await inspect(inspected.partition, inspected.offset)
}
