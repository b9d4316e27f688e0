// A recurring schedule's form (docs/recurring.md): frequency, day of the month (1-28 or the
// last), start, end and/or count, mode. Made from an invoice in the editor ("Make recurring"),
// edited on the recurring page (no start there: the server does not change it). The server's
// 400s name their field and are shown under it.

import { h } from '../dom'
import { hasKey, t } from '../i18n'
import { FREQUENCIES, MODES, type Day, type Frequency, type Mode, type Schedule, type ScheduleBody } from '../paid-api'
import { field, Fields, today } from './paid-fields'

export function frequencyText(frequency: string): string {
  const key = `freq_${frequency}`
  return hasKey(key) ? t(key) : frequency
}

export function modeText(mode: string): string {
  const key = `rec_mode_${mode}`
  return hasKey(key) ? t(key) : mode
}

export function dayText(day: Day): string {
  return day === 'last' ? t('rec_day_last') : String(day)
}

/** "Monthly, on the 15th" in words. */
export function cadenceText(schedule: Pick<Schedule, 'frequency' | 'day'>): string {
  const frequency = frequencyText(schedule.frequency)
  return schedule.day === 'last' ? t('rec_cadence_last', { frequency }) : t('rec_cadence', { frequency, day: schedule.day })
}

export interface ScheduleForm {
  element: HTMLFormElement
}

/** The form; `send` gets the body and throws the server's refusal, shown on the fields. */
export function scheduleForm(options: {
  existing?: Schedule
  submitLabel: string
  send: (body: ScheduleBody) => Promise<void>
  cancel?: () => void
}): ScheduleForm {
  const { existing } = options
  const frequency = field('frequency', t('rec_frequency'), h('select', {}, ...FREQUENCIES.map((f) => h('option', { value: f, selected: f === (existing?.frequency ?? 'monthly') }, frequencyText(f)))))
  const days: Day[] = [...Array.from({ length: 28 }, (_, i) => i + 1), 'last']
  const chosenDay = existing?.day ?? 1
  const day = field('day', t('rec_day'), h('select', {}, ...days.map((d) => h('option', { value: String(d), selected: d === chosenDay }, dayText(d)))), t('rec_day_hint'))
  const start = field('start', t('rec_start'), h('input', { type: 'date', value: existing?.start ?? today(), disabled: Boolean(existing) }))
  const end = field('end', t('rec_end'), h('input', { type: 'date', value: existing?.end ?? '' }), t('rec_end_hint'))
  const count = field('count', t('rec_count'), h('input', { type: 'number', min: '1', max: '1000', step: '1', value: existing?.count === null || existing?.count === undefined ? '' : String(existing.count) }))
  const mode = field('mode', t('rec_mode'), h('select', {}, ...MODES.map((m) => h('option', { value: m, selected: m === (existing?.mode ?? 'draft') }, modeText(m)))))
  const fields = new Fields([frequency, day, start, end, count, mode])
  const submit = h('button', { type: 'submit', class: 'small' }, options.submitLabel)
  const form = h(
    'form',
    { class: 'paid-form schedule-form', novalidate: true, 'data-testid': 'schedule-form' },
    h('div', { class: 'schedule-grid' }, frequency.element, day.element, start.element, end.element, count.element, mode.element),
    fields.error,
    h('div', { class: 'form-actions' }, submit, options.cancel ? h('button', { type: 'button', class: 'secondary small', onclick: options.cancel }, t('cancel')) : null)
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    fields.clear()
    const typedCount = count.input.value.trim()
    if (typedCount && !/^\d+$/.test(typedCount)) return fields.mark('count', t('rec_count_whole'))
    const body: ScheduleBody = {
      frequency: frequency.input.value as Frequency,
      day: day.input.value === 'last' ? 'last' : Number(day.input.value),
      mode: mode.input.value as Mode,
      end: end.input.value || null,
      count: typedCount ? Number(typedCount) : null
    }
    if (!existing) {
      if (!start.input.value) return fields.mark('start', t('rec_start_needed'))
      body.start = start.input.value
      if (body.end && body.end < body.start) return fields.mark('end', t('rec_end_before_start'))
      if (body.end === null) delete body.end
      if (body.count === null) delete body.count
    }
    submit.disabled = true
    options
      .send(body)
      .catch((failure: unknown) => fields.fail(failure))
      .finally(() => (submit.disabled = false))
  })
  return { element: form }
}
