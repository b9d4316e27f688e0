// The reason code select of an allowance (UNTDID 5189, BR-CL-19) or a charge (UNTDID 7161,
// BR-CL-20): the codes people use most first, with a short name, then every other code of the
// Schematron's list (collab/invoice/codes/codelists.json) by its code alone.

import codelists from '../../../collab/invoice/codes/codelists.json'
import { h } from '../dom'
import { language, t } from '../i18n'

type Names = Record<string, { en: string; fr: string }>

const ALLOWANCES: Names = {
  '95': { en: 'Discount', fr: 'Remise' },
  '100': { en: 'Special rebate', fr: 'Rabais spécial' },
  '64': { en: 'Special agreement', fr: 'Accord spécial' },
  '41': { en: 'Bonus for works ahead of schedule', fr: 'Prime pour travaux en avance' },
  '42': { en: 'Other bonus', fr: 'Autre prime' },
  '65': { en: 'Production error discount', fr: 'Remise pour erreur de production' },
  '66': { en: 'New outlet discount', fr: 'Remise nouveau point de vente' },
  '67': { en: 'Sample discount', fr: 'Remise sur échantillon' },
  '68': { en: 'End-of-range discount', fr: 'Remise de fin de série' },
  '88': { en: 'Material surcharge/deduction', fr: 'Supplément ou déduction matière' },
  '102': { en: 'Fixed long term', fr: 'Long terme fixe' },
  '103': { en: 'Temporary', fr: 'Temporaire' },
  '104': { en: 'Standard', fr: 'Standard' },
  '105': { en: 'Yearly turnover', fr: "Chiffre d'affaires annuel" }
}

const CHARGES: Names = {
  FC: { en: 'Freight service', fr: 'Transport' },
  ABL: { en: 'Additional packaging', fr: 'Emballage supplémentaire' },
  PC: { en: 'Packing', fr: 'Conditionnement' },
  ADR: { en: 'Other services', fr: 'Autres services' },
  ADT: { en: 'Pick-up', fr: 'Enlèvement' },
  AA: { en: 'Advertising', fr: 'Publicité' },
  FI: { en: 'Financing', fr: 'Financement' },
  LA: { en: 'Labelling', fr: 'Étiquetage' },
  ABK: { en: 'Miscellaneous', fr: 'Divers' }
}

// Read loosely: the lists are added to the JSON by the code list extraction.
const lists = codelists as unknown as { allowance_reasons?: string[]; charge_reasons?: string[] }

export type AdjustmentType = 'allowance' | 'charge'

/** "95 — Discount", or the code alone when it has no short name here. */
export function reasonCodeLabel(type: AdjustmentType, code: string): string {
  const name = (type === 'charge' ? CHARGES : ALLOWANCES)[code]?.[language()]
  return name ? `${code} — ${name}` : code
}

/** Fill `select` with `type`'s codes, keeping its value (an unknown one stays as it is). */
export function fillReasonCodes(select: HTMLSelectElement, type: AdjustmentType): void {
  if (select.dataset.list === `${type}:${language()}`) return
  const value = select.value
  const common = Object.keys(type === 'charge' ? CHARGES : ALLOWANCES)
  const all = (type === 'charge' ? lists.charge_reasons : lists.allowance_reasons) ?? []
  const others = all.filter((code) => !common.includes(code))
  select.replaceChildren(
    h('option', { value: '' }, t('reason_code_none')),
    ...common.map((code) => h('option', { value: code }, reasonCodeLabel(type, code)))
  )
  if (others.length) select.append(h('optgroup', { label: t('reason_code_others') }, ...others.map((code) => h('option', { value: code }, code))))
  select.dataset.list = `${type}:${language()}`
  if (value && ![...select.options].some((option) => option.value === value)) select.add(new Option(value, value))
  select.value = value
}
