// Builds the browser app into web/dist (index.html + hashed assets) with esbuild.
//
//   node web/build.mjs           build when the sources changed since the last build (a hash
//                                stamp in dist/), otherwise return at once
//   node web/build.mjs --force   build anyway
//   node web/build.mjs --tests   bundle test/*.test.ts (and the evaluate CLI the Python tests
//                                use) into .test-build/ for `node --test`

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, 'dist')
const stampFile = join(dist, '.stamp')
// ../collab/invoice/codes: the code lists the app bundles from collab (src/tables.ts).
const inputs = ['src', 'index.html', 'build.mjs', 'package-lock.json', 'tsconfig.json', '../collab/invoice/codes']

function files(path) {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path).sort().flatMap((name) => files(join(path, name)))
}

function sourceHash() {
  const hash = createHash('sha256')
  for (const file of inputs.flatMap((input) => files(join(here, input)))) {
    hash.update(relative(here, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}

async function buildApp() {
  const stamp = sourceHash()
  if (!process.argv.includes('--force') && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    return
  }
  // Built beside dist, then swapped in, so a running server never sees a half-built app.
  const next = `${dist}.next`
  rmSync(next, { recursive: true, force: true })
  const result = await esbuild.build({
    entryPoints: { app: join(here, 'src', 'main.ts') },
    bundle: true,
    format: 'esm',
    // Chunks: a page's heavy library (Chart.js on the reports page) loads only with that page.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: true,
    entryNames: '[name]-[hash]',
    outdir: join(next, 'assets'),
    metafile: true,
    logLevel: 'warning'
  })
  const url = (file) => '/' + relative(next, join(process.cwd(), file))
  const entry = Object.entries(result.metafile.outputs).find(([file, out]) => out.entryPoint && file.endsWith('.js'))
  const script = url(entry[0])
  const style = Object.keys(result.metafile.outputs).map(url).find((file) => file.endsWith('.css'))
  const html = readFileSync(join(here, 'index.html'), 'utf8')
    .replace('<!-- style -->', style ? `<link rel="stylesheet" href="${style}">` : '')
    .replace('<!-- script -->', `<script type="module" src="${script}"></script>`)
  writeFileSync(join(next, 'index.html'), html)
  writeFileSync(join(next, '.stamp'), stamp)
  rmSync(dist, { recursive: true, force: true })
  renameSync(next, dist)
  console.log(`web: built ${relative(process.cwd(), dist)} (${stamp})`)
}

async function buildTests() {
  const out = join(here, '.test-build')
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const entries = readdirSync(join(here, 'test')).filter((name) => name.endsWith('.ts'))
  await esbuild.build({
    entryPoints: entries.map((name) => join(here, 'test', name)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: out,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning'
  })
}

if (process.argv.includes('--tests')) await buildTests()
else await buildApp()
