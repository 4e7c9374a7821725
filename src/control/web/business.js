// Business views: sales in the last hour by store, the rolling 1-hour value per store, today's top
// SKUs overall and of a chosen store. Read from the aggregate tables; refreshed while shown.
import { $, h, replace, fmtNumber, fmtAgo, fmtTime } from './dom.js'
import { api } from './api.js'
import { createChart } from './charts.js'

const REFRESH_MS = 15_000
const SHOWN_STORES = 20
const HISTORY_MS = 6 * 3600_000

const state = {
  built: false,
  view: null,
  store: null,
  showAll: false,
  filter: '',
  currency: '',
  timer: null,
  chart: null,
}

const formats = new Map()
function money(minor, currency) {
  let f = formats.get(currency)
  if (!f) {
    try {
      f = new Intl.NumberFormat('en-US', { style: 'currency', currency })
    } catch {
      f = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    }
    formats.set(currency, f)
  }
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2
  return f.format(minor / 10 ** digits)
}
const majorOf = (minor, currency) => {
  money(0, currency)
  return minor / 10 ** (formats.get(currency).resolvedOptions().maximumFractionDigits ?? 2)
}
const hhmm = (iso) => (iso ? iso.slice(11, 16) : '–')

function build() {
  state.built = true
  replace(
    $('business'),
    h(
      'p',
      { class: 'help' },
      'What the chain sold, from the aggregates the lander keeps exactly (each event counted once, late ones included as corrections). ' +
        'Amounts are per currency and never added across currencies. Refreshed every 15 seconds while shown.',
    ),
    h('p', { id: 'business-asof', class: 'note', role: 'status' }),
    h('div', { id: 'business-totals', class: 'cards' }),
    h(
      'form',
      {
        id: 'business-find',
        class: 'row',
        onsubmit: (e) => {
          e.preventDefault()
          const id = $('business-store').value.trim()
          if (id) void choose(id)
        },
      },
      h('label', { for: 'business-filter' }, 'Filter stores'),
      h('input', {
        id: 'business-filter',
        type: 'search',
        placeholder: 'id or name',
        oninput: (e) => {
          state.filter = e.target.value.trim().toLowerCase()
          renderStores()
        },
      }),
      h('label', { for: 'business-currency' }, 'Currency'),
      h('select', {
        id: 'business-currency',
        onchange: (e) => {
          state.currency = e.target.value
          renderStores()
        },
      }),
      h('label', { for: 'business-store' }, 'Open a store'),
      h('input', { id: 'business-store', placeholder: 'e.g. S0001', autocomplete: 'off' }),
      h('button', { type: 'submit' }, 'Open'),
    ),
    h('div', { id: 'business-stores' }),
    h('div', { id: 'business-store-detail', 'aria-live': 'polite' }),
    h('div', { id: 'business-top' }),
  )
}

async function load() {
  const q = new URLSearchParams()
  if (state.store) q.set('store', state.store)
  const answer = await api('GET', `/api/v1/business${q.size ? `?${q}` : ''}`)
  if (answer.status === 404 && state.store) {
    const missing = state.store
    state.store = null
    replace(
      $('business-store-detail'),
      h('p', { class: 'result refused', role: 'alert' }, answer.body.message),
    )
    await load()
    $('business-store').value = missing
    return
  }
  if (answer.status !== 200) {
    replace(
      $('business-asof'),
      answer.body?.message ?? `The business views could not be read (${answer.status}).`,
    )
    return
  }
  state.view = answer.body
  render()
}

async function choose(storeId) {
  state.store = storeId
  await load()
  $('business-store-detail').querySelector('h3')?.focus()
}

function render() {
  const v = state.view
  const watermark = v.watermark
    ? ` Event-time watermark ${fmtTime(v.watermark)} (${fmtAgo(v.watermark)}).`
    : ' No aggregates published yet: they appear once the lander has landed events.'
  replace(
    $('business-asof'),
    `Last hour: ${hhmm(v.lastHour.from)}–${hhmm(v.lastHour.to)} UTC, the current minute included.${watermark}`,
  )
  replace(
    $('business-totals'),
    v.lastHour.totals.length === 0
      ? h('p', { class: 'empty' }, 'No sales in the last hour.')
      : v.lastHour.totals.map((t) =>
          h(
            'article',
            { class: 'card', dataset: { currency: t.currency } },
            h('h4', {}, `${t.currency} · last hour`),
            h('p', { class: 'big' }, money(t.netMinor, t.currency)),
            h(
              'p',
              { class: 'muted' },
              `${fmtNumber(t.receipts)} receipts, ${fmtNumber(t.units)} units, ${fmtNumber(t.stores)} stores`,
            ),
          ),
        ),
  )
  renderCurrencies(v.lastHour.totals.map((t) => t.currency))
  renderStores()
  renderDetail()
  renderTop()
}

function renderCurrencies(currencies) {
  const select = $('business-currency')
  if (state.currency && !currencies.includes(state.currency)) currencies = [state.currency, ...currencies]
  replace(
    select,
    h('option', { value: '' }, 'all'),
    currencies.map((c) => h('option', { value: c, selected: c === state.currency }, c)),
  )
}

function storeRows() {
  const all = state.view.lastHour.stores
  const matching = state.filter
    ? all.filter(
        (s) =>
          s.storeId.toLowerCase().includes(state.filter) ||
          (s.name ?? '').toLowerCase().includes(state.filter),
      )
    : all
  return { all, matching, shown: state.showAll ? matching : matching.slice(0, SHOWN_STORES) }
}

function renderStores() {
  if (!state.view) return
  const { all, matching, shown } = storeRows()
  const rollingAt = all.find((s) => s.rolling)?.rolling.windowEnd
  replace(
    $('business-stores'),
    h(
      'table',
      { id: 'business-stores-table' },
      h(
        'caption',
        {},
        `Sales in the last hour by store — ${shown.length} of ${matching.length} stores, busiest (most receipts) first`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'store'),
          h('th', { scope: 'col' }, 'currency'),
          h('th', { scope: 'col', class: 'num' }, 'receipts'),
          h('th', { scope: 'col', class: 'num' }, 'units'),
          h('th', { scope: 'col', class: 'num' }, 'net, last hour'),
          h(
            'th',
            {
              scope: 'col',
              class: 'num',
              title: 'store_rolling_1h: the 60 minutes before the newest minute boundary',
            },
            `rolling 1 h${rollingAt ? ` at ${hhmm(rollingAt)}` : ''}`,
          ),
        ),
      ),
      h(
        'tbody',
        {},
        shown.map((s) =>
          h(
            'tr',
            { dataset: { store: s.storeId } },
            h(
              'td',
              {},
              h(
                'button',
                { type: 'button', class: 'link', onclick: () => choose(s.storeId), title: 'Show this store' },
                s.storeId,
              ),
              s.name ? ` ${s.name}` : '',
            ),
            h('td', {}, s.currency),
            h('td', { class: 'num' }, fmtNumber(s.receipts)),
            h('td', { class: 'num' }, fmtNumber(s.units)),
            h('td', { class: 'num', dataset: { field: 'net' } }, money(s.netMinor, s.currency)),
            h(
              'td',
              { class: 'num', dataset: { field: 'rolling' } },
              s.rolling ? money(s.rolling.netMinor, s.currency) : '–',
            ),
          ),
        ),
      ),
    ),
    matching.length > SHOWN_STORES
      ? h(
          'button',
          {
            type: 'button',
            id: 'business-all',
            onclick: () => {
              state.showAll = !state.showAll
              renderStores()
            },
          },
          state.showAll ? `Show the busiest ${SHOWN_STORES}` : `Show all ${matching.length} stores`,
        )
      : null,
    state.view.lastHour.truncated
      ? h('p', { class: 'note' }, 'Only the busiest 1,000 stores are listed.')
      : null,
  )
}

function skuTable(id, caption, list) {
  return h(
    'table',
    { id, dataset: { currency: list.currency } },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['#', 'SKU', 'name', 'category'].map((c) => h('th', { scope: 'col' }, c)),
        h('th', { scope: 'col', class: 'num' }, 'units'),
        h('th', { scope: 'col', class: 'num' }, 'net'),
      ),
    ),
    h(
      'tbody',
      {},
      list.skus.length === 0
        ? h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No sales yet today.'))
        : list.skus.map((s) =>
            h(
              'tr',
              { dataset: { sku: s.sku } },
              h('td', {}, String(s.rank)),
              h('td', {}, s.sku),
              h('td', {}, s.name ?? '–'),
              h('td', {}, s.category ?? '–'),
              h('td', { class: 'num' }, fmtNumber(s.units)),
              h('td', { class: 'num' }, money(s.netMinor, list.currency)),
            ),
          ),
    ),
  )
}

function renderDetail() {
  const d = state.view.store
  if (!d) {
    replace($('business-store-detail'))
    return
  }
  state.chart ??= createChart({
    id: 'store-rolling',
    title: 'Rolling 1-hour net revenue, last 6 hours',
    unit: '',
    digits: 2,
    series: [{ key: 'net', label: `net (${d.currency})`, cls: 's1' }],
  })
  const points = d.rollingHistory.map((r) => ({
    t: Date.parse(r.windowEnd),
    net: majorOf(r.netMinor, d.currency),
  }))
  state.chart.update(points, HISTORY_MS)
  replace(
    $('business-store-detail'),
    h(
      'section',
      { class: 'store-detail', dataset: { store: d.storeId } },
      h('h3', { tabindex: '-1' }, `${d.storeId} ${d.name} (${d.timeZone}, ${d.currency})`),
      state.chart.el,
      skuTable(
        'business-store-top',
        `Top SKUs of ${d.storeId} today (local day ${d.topSkusToday.day})`,
        d.topSkusToday,
      ),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            state.store = null
            state.chart = null
            renderDetail()
          },
        },
        'Close store',
      ),
    ),
  )
}

function renderTop() {
  const lists = state.view.topSkusToday
  replace(
    $('business-top'),
    h('h3', {}, 'Today’s top SKUs, all stores'),
    lists.length === 0
      ? h('p', { class: 'empty' }, 'No sales yet today (UTC).')
      : lists.map((l) => skuTable(`business-top-${l.currency}`, `${l.currency}, UTC day ${l.day}`, l)),
  )
}

export async function refreshBusiness() {
  if (!state.built) build()
  await load()
  state.timer ??= setInterval(() => {
    if ($('view-business').hidden) return
    void load()
  }, REFRESH_MS)
}
