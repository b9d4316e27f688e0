// The invoice draft's document structure (SPEC section 2), for the browser.
// The same names as collab/schema.py: tests/test_schema.py fails when the two disagree.

export const ROOT_INVOICE = 'invoice'
export const ROOT_LINES = 'lines'
export const LINE_ID = 'id'
// Allowances and charges (EN 16931 BG-20/21/27/28): an array of rows keyed by `id`, like lines;
// `line` empty for the document level, else the id of the line they apply to.
export const ROOT_ADJUSTMENTS = 'adjustments'
export const ADJUSTMENT_ID = 'id'
export const MAX_ADJUSTMENTS = 200

export const DISCOUNT_FIELDS = ['kind', 'value'] as const
export const ADDRESS_FIELDS = ['line1', 'line2', 'postcode', 'city', 'country'] as const
export const CUSTOMER_FIELDS = ['name', 'email', 'address', 'vat_id', 'siren'] as const
export const DELIVERY_FIELDS = ['name', 'address'] as const
/** The nature of the operations (`invoice.operations`), as collab/invoice/document.py OPERATIONS. */
export const OPERATIONS = ['goods', 'services', 'mixed'] as const
/** BT-3 as the document types it (`invoice.type_code`, empty: 380), as collab/invoice/document.py
 * INVOICE_TYPES: invoice, corrective invoice, prepayment invoice. */
export const INVOICE_TYPES = ['380', '384', '386'] as const
export const CORRECTIVE_INVOICE = '384'
export const HEADER_FIELDS = [
  'customer',
  'delivery',
  'operations',
  'issue_date',
  'due_date',
  'currency',
  'payment_terms',
  'buyer_reference',
  'notes',
  'discount',
  'prepaid',
  'rounding',
  'type_code',
  'preceding_number',
  'preceding_date'
] as const
export const LINE_FIELDS = [
  'id',
  'description',
  'quantity',
  'unit',
  'unit_price',
  'tax_rate',
  'tax_category',
  'discount',
  'exemption_reason',
  'exemption_code',
  'gross_price',
  'price_discount',
  'base_quantity'
] as const
export const ADJUSTMENT_FIELDS = [
  'id',
  'line',
  'type',
  'amount',
  'percent',
  'base',
  'tax_category',
  'tax_rate',
  'reason',
  'reason_code'
] as const

// Fields held as Y.Text (collaborative text); every other leaf is a plain string.
export const TEXT_FIELDS = ['invoice.notes', 'lines.description'] as const

export const DEFAULT_CURRENCY = 'EUR'
export const DEFAULT_UNIT = 'C62'
export const DEFAULT_TAX_CATEGORY = 'S'
