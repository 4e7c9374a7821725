// Business views: sales in the last hour by store, rolling 1-hour value, today's top SKUs.
import { $, h, replace } from './dom.js'
import { api } from './api.js'

export async function refreshBusiness() {
  const answer = await api('GET', '/api/v1/business')
  if (answer.status !== 200) return
  if (!answer.body.available) {
    replace($('business'), h('p', { class: 'empty' }, answer.body.message))
  }
}
