// Small DOM helpers. Text always goes in as text (never as HTML): dead letters and audit rows can
// hold anything.

/** h('p', { class: 'x' }, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value)
    else if (name === 'dataset') Object.assign(el.dataset, value)
    else el.setAttribute(name, value === true ? '' : String(value))
  }
  append(el, children)
  return el
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

export function replace(el, ...children) {
  el.replaceChildren()
  append(el, children)
}

export const $ = (id) => document.getElementById(id)

export function fmtNumber(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–'
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

export function fmtSeconds(s) {
  if (s === null || s === undefined) return '–'
  if (s < 10) return `${s.toFixed(1)} s`
  if (s < 60) return `${Math.round(s)} s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`
}

export function fmtAgo(iso, now = Date.now()) {
  if (!iso) return 'never'
  const s = Math.max(0, (now - Date.parse(iso)) / 1000)
  return s < 2 ? 'just now' : `${fmtSeconds(s)} ago`
}

export function fmtTime(iso) {
  return iso ? iso.slice(0, 19).replace('T', ' ') + ' UTC' : '–'
}

/** Shows a command's answer in a live region: ok in green, refused/failed with its reason. */
export function showResult(el, kind, text) {
  el.className = `result ${kind}`
  el.setAttribute('role', kind === 'ok' ? 'status' : 'alert')
  replace(el, text)
}
