// English and French UI text, and the locale used for numbers and dates.
// Every key exists in both languages: the French table is typed after the English one.
// The strings live in i18n/en.ts and i18n/fr.ts; this module is the API the app imports.

import { en, type Key } from './i18n/en'
import { fr } from './i18n/fr'

export type { Key }

export type Language = 'en' | 'fr'
export const LANGUAGES: Record<Language, string> = { en: 'English', fr: 'Français' }
const TABLES: Record<Language, Record<Key, string>> = { en, fr }
const STORAGE_KEY = 'cofacture.language'

function initialLanguage(): Language {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
  if (saved === 'en' || saved === 'fr') return saved
  const browser = globalThis.navigator?.language ?? 'en'
  return browser.toLowerCase().startsWith('fr') ? 'fr' : 'en'
}

let current: Language = initialLanguage()

export function language(): Language {
  return current
}

export function setLanguage(next: Language): void {
  current = next
  localStorage.setItem(STORAGE_KEY, next)
  document.documentElement.lang = next
}

/** The locale for numbers and dates: the browser's own when it speaks the UI language
 * (fr-CA, en-GB...), otherwise the UI language's usual one. */
export function locale(): string {
  const browser = globalThis.navigator?.language ?? ''
  if (browser.toLowerCase().startsWith(current)) return browser
  return current === 'fr' ? 'fr-FR' : 'en-GB'
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = TABLES[current][key] ?? en[key]
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`))
}

/** A translated message for a validation code, or the server's own text for an unknown code.
 * Some messages show what was typed (`{value}`): without it (a message whose field is not on
 * screen) the server's text, which quotes the value itself, says it better than a hole. */
export function issueText(code: string, fallback: string, vars: Record<string, string> = {}): string {
  const key = `issue_${code}`
  if (!hasKey(key)) return fallback
  const needed = [...TABLES[current][key].matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '')
  return needed.every((name) => name in vars) ? t(key, vars) : fallback
}

export function hasKey(key: string): key is Key {
  return key in en
}
