// Probe: how Preact treats DOM state that imperative code (Yjs bindings, locks, presence) owns.
import { render } from 'preact'
import { useLayoutEffect, useRef } from 'preact/hooks'

function Field(props: { invalid: boolean; onInputRef: (el: HTMLInputElement) => void }) {
  const ref = useRef<HTMLInputElement>(null)
  useLayoutEffect(() => { if (ref.current) props.onInputRef(ref.current) }, [])
  return (
    <div id="field" class={props.invalid ? 'field invalid' : 'field'} style={{ '--peer': '#ff0000' } as Record<string, string>}>
      <input id="in" ref={ref} />
    </div>
  )
}

const host = document.getElementById('app')!
let input: HTMLInputElement | null = null
const draw = (invalid: boolean) => render(<Field invalid={invalid} onInputRef={(el) => (input = el)} />, host)
draw(false)
// What bind.ts and locks.ts do: write the value, move the caret, add a class.
input!.value = 'hello world'
input!.focus()
input!.setSelectionRange(3, 3)
document.getElementById('field')!.classList.add('locked')
draw(false) // a re-render with the same props
const afterSame = document.getElementById('field')!.className
draw(true) // a re-render where the class prop changes (a validation message arrives)
const result = {
  peer: getComputedStyle(document.getElementById('field')!).getPropertyValue('--peer').trim(),
  classAfterSameRender: afterSame,
  classAfterPropChange: document.getElementById('field')!.className,
  value: input!.value,
  caret: input!.selectionStart,
  focused: document.activeElement === input
}
document.body.dataset.result = JSON.stringify(result)
