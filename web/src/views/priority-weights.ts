// The admin's "Priority weights" form on the board (GET|PUT /api/orgs/{org}/priority-weights):
// three integers 0-100 that the priority score mixes (docs/board.md, "Priority"). The cards
// are scored again by the server, and their deltas arrive on the board like any change.

import { call } from '../api'
import { h, uid } from '../dom'
import { t, type Key } from '../i18n'
import { failureText } from '../view'

type Weights = Record<'amount' | 'due' | 'customer', number>
const FACTORS: readonly (keyof Weights)[] = ['amount', 'due', 'customer']

export function weightsForm(orgId: string): HTMLElement {
  const path = `/api/orgs/${encodeURIComponent(orgId)}/priority-weights`
  const inputs = new Map<keyof Weights, HTMLInputElement>()
  const message = h('p', { class: 'hint', role: 'status' })
  const save = h('button', { type: 'submit', disabled: true }, t('board_weights_save'))
  const form = h(
    'form',
    { class: 'board-weights card', 'aria-labelledby': 'weights-title', 'data-testid': 'priority-weights' },
    h('h2', { id: 'weights-title' }, t('board_weights')),
    h('p', { class: 'hint' }, t('board_weights_hint')),
    h(
      'div',
      { class: 'weights-fields' },
      ...FACTORS.map((factor) => {
        const input = h('input', { id: uid('w'), name: factor, type: 'number', min: '0', max: '100', step: '1', required: true })
        inputs.set(factor, input)
        return h('div', { class: 'field' }, h('label', { for: input.id }, t(`board_weight_${factor}` as Key)), input)
      })
    ),
    save,
    message
  )
  call<Weights>('GET', path).then(
    (weights) => {
      for (const factor of FACTORS) (inputs.get(factor) as HTMLInputElement).value = String(weights[factor])
      save.disabled = false
    },
    (failure: unknown) => (message.textContent = failureText(failure))
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const body = Object.fromEntries(FACTORS.map((factor) => [factor, Number(inputs.get(factor)?.value ?? 0)])) as Weights
    save.disabled = true
    call<Weights>('PUT', path, body)
      .then(
        () => (message.textContent = t('board_weights_saved')),
        (failure: unknown) => (message.textContent = failureText(failure))
      )
      .finally(() => (save.disabled = false))
  })
  return form
}
