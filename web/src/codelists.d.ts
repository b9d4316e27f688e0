// The code lists of collab/invoice/codes, which the browser imports as the server reads them
// (esbuild bundles the JSON; these declarations give it a type without resolveJsonModule).

declare module '*/codelists.json' {
  const lists: { source: string; vat_categories: string[]; vatex: string[]; units: string[]; countries: string[] }
  export default lists
}

declare module '*/unit_names.json' {
  const names: { common: { code: string; en: string; fr: string }[] }
  export default names
}
