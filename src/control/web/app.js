// The panel: sign-in, the sections (hash routes), and the live stream that keeps them current.
import { $ } from './dom.js'
import { api, setCsrf, whenSignedOut } from './api.js'
import { renderCards, renderCharts, renderHealth } from './overview.js'
import { renderControls } from './controls.js'
import { refreshDeadLetters } from './dead-letters.js'
import { refreshAudit } from './audit.js'
import { refreshBusiness } from './business.js'

const VIEWS = ['overview', 'controls', 'business', 'dead-letters', 'audit']
const MAX_POINTS = 3600

const app = { user: null, role: 'viewer', points: [], snapshot: null, stream: null, timer: null }

function currentView() {
  const name = location.hash.replace(/^#/, '')
  return VIEWS.includes(name) ? name : 'overview'
}

function showView(focus) {
  const view = currentView()
  for (const name of VIEWS) $(`view-${name}`).hidden = name !== view
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
  document.title = `${link(view)} — sretl control panel`
  if (focus) $(`view-${view}`).querySelector('h2').setAttribute('tabindex', '-1')
  if (focus) $(`view-${view}`).querySelector('h2').focus()
  void refreshView()
}

function link(view) {
  return document.querySelector(`#nav a[data-view="${view}"]`)?.textContent ?? view
}

async function refreshView() {
  const view = currentView()
  if (view === 'controls') renderControls(app.role, app.snapshot)
  if (view === 'dead-letters') await refreshDeadLetters(app.role)
  if (view === 'audit') await refreshAudit()
  if (view === 'business') await refreshBusiness()
}

function onSnapshot(snapshot) {
  app.snapshot = snapshot
  if (snapshot.point && (app.points.length === 0 || app.points[app.points.length - 1].t < snapshot.point.t)) {
    app.points.push(snapshot.point)
    if (app.points.length > MAX_POINTS) app.points.shift()
  }
  renderHealth(snapshot.health)
  renderCards(snapshot.components)
  renderCharts(app.points)
  if (currentView() === 'controls') renderControls(app.role, snapshot)
}

function connect() {
  app.stream?.close()
  const stream = new EventSource('/api/v1/stream')
  app.stream = stream
  stream.addEventListener('history', (e) => {
    app.points = JSON.parse(e.data).points
  })
  stream.addEventListener('snapshot', (e) => onSnapshot(JSON.parse(e.data)))
  stream.addEventListener('error', async () => {
    // a stream refused for an ended session keeps failing: check, and sign in again if so
    const session = await api('GET', '/api/v1/session')
    if (session.status === 401) stream.close()
  })
}

function signedIn(session) {
  app.user = session.user
  app.role = session.role
  setCsrf(session.csrfToken)
  $('login').hidden = true
  $('nav').hidden = false
  $('who').hidden = false
  $('who-text').textContent = `${session.user} (${session.role})`
  connect()
  showView(false)
  clearInterval(app.timer)
  // views that are not in the live stream are refreshed while shown
  app.timer = setInterval(() => {
    const view = currentView()
    if (view === 'audit' || view === 'dead-letters') void refreshView()
  }, 3000)
}

function signedOut(message) {
  app.stream?.close()
  clearInterval(app.timer)
  setCsrf(null)
  for (const name of VIEWS) $(`view-${name}`).hidden = true
  $('nav').hidden = true
  $('who').hidden = true
  $('health-badge').hidden = true
  $('login').hidden = false
  $('login-error').textContent = message ?? ''
  $('login-user').focus()
}

whenSignedOut(() => signedOut('Your session ended; sign in again.'))

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const user = $('login-user').value.trim()
  const password = $('login-password').value
  if (!user || !password) {
    $('login-error').textContent = 'Enter your user name and password.'
    return
  }
  const answer = await api('POST', '/api/v1/login', { user, password })
  $('login-password').value = ''
  if (answer.status === 200) signedIn(answer.body)
  else $('login-error').textContent = answer.body.message ?? 'Sign-in failed.'
})

$('sign-out').addEventListener('click', async () => {
  await api('POST', '/api/v1/logout')
  signedOut('Signed out.')
})

window.addEventListener('hashchange', () => app.user && showView(true))

const session = await api('GET', '/api/v1/session')
if (session.status === 200) signedIn(session.body)
else signedOut('')
