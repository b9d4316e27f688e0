// A tiny DOM builder: h('label', { for: 'x', class: 'field' }, 'Text', child).

type Child = Node | string | null | undefined | false
type AttrValue = string | number | boolean | null | undefined | ((event: Event) => void)
export type Attrs = Record<string, AttrValue>

// Set as properties (live state), not attributes (initial state).
const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'hidden'])

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value)
    } else if (PROPERTIES.has(name)) {
      ;(element as unknown as Record<string, unknown>)[name] = value
    } else {
      element.setAttribute(name, value === true ? '' : String(value))
    }
  }
  append(element, ...children)
  return element
}

export function append(parent: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    parent.append(typeof child === 'string' ? document.createTextNode(child) : child)
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, ...children)
}

let counter = 0

/** A document-unique id for label/input pairs. */
export function uid(prefix = 'f'): string {
  counter += 1
  return `${prefix}-${counter}`
}
