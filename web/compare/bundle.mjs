// Build the whole app with the invoice list in one style or the other; print the bundle's
// minified and gzip -9 bytes and what the library adds. Run from web/: node compare/bundle.mjs
import * as esbuild from 'esbuild'
import { gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const web = join(dirname(fileURLToPath(import.meta.url)), '..')
for (const variant of ['list-vanilla.ts', 'list.tsx']) {
  const redirect = { name: 'list', setup(b) { b.onResolve({ filter: /^\.\/views\/list$/ }, () => ({ path: join(web, 'src', 'views', variant) })) } }
  const r = await esbuild.build({ entryPoints: [join(web, 'src', 'main.ts')], bundle: true, format: 'esm', minify: true, write: false, metafile: true, target: ['chrome110', 'firefox115', 'safari16'], outdir: '/tmp/cmp', plugins: [redirect] })
  const js = r.outputFiles.find((f) => f.path.endsWith('.js'))
  const out = Object.values(r.metafile.outputs).find((o) => o.entryPoint)
  const lib = {}
  for (const [k, v] of Object.entries(out.inputs)) if (k.includes('preact')) { const g = k.split('node_modules/')[1].split('/').slice(0, 2).join('/'); lib[g] = (lib[g] || 0) + v.bytesInOutput }
  console.log(variant, 'min', js.contents.length, 'gzip -9', gzipSync(js.contents, { level: 9 }).length, JSON.stringify(lib))
}
