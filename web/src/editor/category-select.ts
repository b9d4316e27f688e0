// The VAT category select of a line and of a document-level allowance or charge.

import { language } from '../i18n'
import { TAX_CATEGORIES } from '../money'
import { select } from './fields'

// UNTDID 5305 VAT categories EN 16931 allows (BT-151), in the order people need them most.
const CATEGORY_ORDER = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M', 'B']
const CATEGORY_NAMES: Record<'en' | 'fr', Record<string, string>> = {
  en: { S: 'standard', Z: 'zero rated', E: 'exempt', AE: 'reverse charge', K: 'intra-EU', G: 'export', O: 'out of scope', L: 'IGIC', M: 'IPSI', B: 'split payment' },
  fr: { S: 'normal', Z: 'taux zéro', E: 'exonéré', AE: 'autoliquidation', K: 'intracommunautaire', G: 'export', O: 'hors champ', L: 'IGIC', M: 'IPSI', B: 'paiement fractionné' }
}

export function categorySelect(): HTMLSelectElement {
  const categories = CATEGORY_ORDER.filter((c) => TAX_CATEGORIES.has(c))
  return select(categories.map((c) => [c, `${c} — ${CATEGORY_NAMES[language()][c] ?? c}`]))
}
