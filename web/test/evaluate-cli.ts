// Reads documents as JSON lines on stdin and prints the browser's evaluation of each, one JSON
// line per document: tests/test_web_money.py compares it with collab.validation.evaluate.

import { createInterface } from 'node:readline'

import { evaluate } from '../src/evaluate'

const lines = createInterface({ input: process.stdin })
for await (const text of lines) {
  if (!text.trim()) continue
  const result = evaluate(JSON.parse(text) as { invoice?: unknown; lines?: unknown })
  process.stdout.write(JSON.stringify(result) + '\n')
}
