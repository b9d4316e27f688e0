// Yjs relative positions for comment anchors (docs/comments.md), computed by the real `yjs`
// package as the browser does. One JSON request per line on stdin, one JSON answer per line:
//   {cmd: "anchor", update, path, start, end}  -> {start, end}   (base64 Y.encodeRelativePosition)
//   {cmd: "resolve", update, path, pos}        -> {index}        (UTF-16 index, or null)
// `update` is a whole document state (base64), `path` `invoice.notes` or `lines.<id>.description`.
import * as readline from 'node:readline'
import * as Y from 'yjs'

function textAt (doc, path) {
  const parts = path.split('.')
  if (parts.length === 2 && parts[0] === 'invoice') return doc.getMap('invoice').get(parts[1])
  if (parts.length === 3 && parts[0] === 'lines') {
    const line = doc.getArray('lines').toArray().find((m) => m.get('id') === parts[1])
    return line?.get(parts[2])
  }
  throw new Error(`not a text path: ${path}`)
}

function load (update) {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Buffer.from(update, 'base64'))
  return doc
}

const b64 = (bytes) => Buffer.from(bytes).toString('base64')

const commands = {
  anchor ({ update, path, start, end }) {
    const text = textAt(load(update), path)
    const encode = (index, assoc) =>
      b64(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(text, index, assoc)))
    // The start sticks to the character after it, the end to the character before it, so that
    // typing at either edge of the range does not grow it.
    return { start: encode(start, 0), end: encode(end, -1) }
  },
  resolve ({ update, pos }) {
    const doc = load(update)
    const relative = Y.decodeRelativePosition(Buffer.from(pos, 'base64'))
    const absolute = Y.createAbsolutePositionFromRelativePosition(relative, doc)
    return { index: absolute ? absolute.index : null }
  }
}

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', (line) => {
  let request
  try {
    request = JSON.parse(line)
    const result = commands[request.cmd](request)
    process.stdout.write(JSON.stringify({ ok: true, result }) + '\n')
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: String(err?.stack || err) }) + '\n')
  }
})
