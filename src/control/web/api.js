// The control API from the panel: JSON in and out, the session's CSRF token on every change.

let csrfToken = null
let onSignedOut = () => {}

export function setCsrf(token) {
  csrfToken = token
}

export function whenSignedOut(fn) {
  onSignedOut = fn
}

/** Resolves { status, body } for every answer; a 401 also tells the app the session ended. */
export async function api(method, path, body) {
  const headers = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken
  let response
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    })
  } catch {
    return { status: 0, body: { code: 'NETWORK', message: 'the control service does not answer' } }
  }
  let parsed
  try {
    parsed = await response.json()
  } catch {
    parsed = { code: 'INTERNAL', message: `answered ${response.status}` }
  }
  if (response.status === 401 && path !== '/api/v1/login') onSignedOut()
  return { status: response.status, body: parsed }
}
