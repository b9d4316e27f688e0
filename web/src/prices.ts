// Item price details (EN 16931 BG-29), as collab/invoice/prices.py: the net price (BT-146) is
// the unit price people type, or gross (BT-148) − price discount (BT-147) when a gross price is
// stated, and then a filled unit price must say the same. The module there says why.

import { Dec } from './decimal'
import { MoneyError } from './money'

function atLeastZero(value: Dec, field: string, places: number): Dec {
  if (value.abs().cmp(Dec.of(10n ** 15n)) >= 0) throw new MoneyError(`${field} is too large: ${value.toString()}`, 'too_large', field)
  if (value.sign() < 0) throw new MoneyError(`${field} cannot be below 0, got ${value.toString()}`, 'negative', field)
  if (value.places() > places) {
    throw new MoneyError(`${field} ${value.toString()} has too many decimals: ${field} has at most ${places}`, 'too_precise', field)
  }
  return value
}

/** The net price of a line, as collab.invoice.prices.item_net_price decides it. */
export function itemNetPrice(unitPrice: Dec | null, gross: Dec | null, discount: Dec | null, places: number): Dec {
  if (gross === null) {
    if (discount !== null) {
      throw new MoneyError('a price discount (BT-147) is taken off a gross price (BT-148): state it', 'required', 'gross_price')
    }
    if (unitPrice === null) throw new MoneyError('required', 'required', 'unit_price')
    return unitPrice
  }
  atLeastZero(gross, 'gross_price', places)
  const off = atLeastZero(discount ?? Dec.zero(), 'price_discount', places)
  if (off.cmp(gross) > 0) {
    throw new MoneyError(`price discount ${off.toString()} is larger than the gross price ${gross.toString()}`, 'discount_exceeds_base', 'price_discount')
  }
  const net = gross.sub(off)
  if (unitPrice !== null && unitPrice.cmp(net) !== 0) {
    throw new MoneyError(
      `the unit price is the net price, gross ${gross.toString()} - discount ${off.toString()} = ${net.toString()}: ${unitPrice.toString()} says otherwise (empty it, or correct one of them)`,
      'price_mismatch',
      'unit_price'
    )
  }
  return net
}
