// Reference tables of collab/tables.py (tests/test_web_tables.py checks that they agree).

export const VAT_RATES: readonly string[] = [
  '0', '2.1', '2.5', '2.6', '3', '3.8', '4', '4.8', '5', '5.5', '6', '7', '8', '8.1', '9', '9.5', '10', '11', '12', '13', '13.5', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24', '25', '25.5', '27'
]

// UN/ECE recommendation 20 codes, with their English names (the UI translates the common ones).
export const UNIT_CODES: Readonly<Record<string, string>> = {
  C62: 'one',
  H87: 'piece',
  EA: 'each',
  SET: 'set',
  PR: 'pair',
  XPK: 'package',
  LS: 'lump sum',
  E48: 'service unit',
  P1: 'percent',
  SEC: 'second',
  MIN: 'minute',
  HUR: 'hour',
  DAY: 'day',
  WEE: 'week',
  MON: 'month',
  ANN: 'year',
  GRM: 'gram',
  KGM: 'kilogram',
  TNE: 'tonne',
  MMT: 'millimetre',
  CMT: 'centimetre',
  MTR: 'metre',
  KMT: 'kilometre',
  MTK: 'square metre',
  MTQ: 'cubic metre',
  MLT: 'millilitre',
  LTR: 'litre',
  KWH: 'kilowatt hour',
  MWH: 'megawatt hour',
  ZZ: 'mutually defined'
}
