// Exact decimal numbers on BigInt: `units` × 10^-`scale`. Enough arithmetic for invoice totals
// (add, subtract, multiply, round half-up), with no floating point anywhere.

export class Dec {
  private constructor(
    readonly units: bigint,
    readonly scale: number
  ) {}

  static of(units: bigint, scale = 0): Dec {
    return new Dec(units, scale)
  }

  static zero(scale = 0): Dec {
    return new Dec(0n, scale)
  }

  /** Parses the document's spelling: "-12.50", "3". Throws on anything else. */
  static parse(text: string): Dec {
    const match = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(text)
    if (!match) throw new Error(`not a decimal string: ${JSON.stringify(text)}`)
    const [, sign, whole, fraction = ''] = match
    const units = BigInt(`${whole}${fraction}`)
    return new Dec(sign === '-' ? -units : units, fraction.length)
  }

  private aligned(other: Dec): [bigint, bigint, number] {
    const scale = Math.max(this.scale, other.scale)
    return [this.rescaled(scale), other.rescaled(scale), scale]
  }

  /** The units at a larger (or equal) scale: exact. */
  private rescaled(scale: number): bigint {
    return this.units * 10n ** BigInt(scale - this.scale)
  }

  add(other: Dec): Dec {
    const [a, b, scale] = this.aligned(other)
    return new Dec(a + b, scale)
  }

  sub(other: Dec): Dec {
    const [a, b, scale] = this.aligned(other)
    return new Dec(a - b, scale)
  }

  mul(other: Dec): Dec {
    return new Dec(this.units * other.units, this.scale + other.scale)
  }

  /** Divided by 100, exactly (a percent). */
  percent(): Dec {
    return new Dec(this.units, this.scale + 2)
  }

  neg(): Dec {
    return new Dec(-this.units, this.scale)
  }

  abs(): Dec {
    return this.units < 0n ? this.neg() : this
  }

  sign(): -1 | 0 | 1 {
    return this.units < 0n ? -1 : this.units > 0n ? 1 : 0
  }

  isZero(): boolean {
    return this.units === 0n
  }

  cmp(other: Dec): -1 | 0 | 1 {
    const [a, b] = this.aligned(other)
    return a < b ? -1 : a > b ? 1 : 0
  }

  /** Rounded half-up (ties away from zero) to `places` decimals. */
  round(places: number): Dec {
    if (places >= this.scale) return new Dec(this.rescaled(places), places)
    const divisor = 10n ** BigInt(this.scale - places)
    const magnitude = this.units < 0n ? -this.units : this.units
    let quotient = magnitude / divisor
    if ((magnitude % divisor) * 2n >= divisor) quotient += 1n
    return new Dec(this.units < 0n ? -quotient : quotient, places)
  }

  /** Decimals the value needs: 1.50 needs 1, 100 needs 0. */
  places(): number {
    if (this.units === 0n) return 0
    let units = this.units
    let scale = this.scale
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n
      scale -= 1
    }
    return Math.max(scale, 0)
  }

  /** Without trailing fractional zeros: "20", "5.5". */
  normalized(): Dec {
    return this.round(this.places())
  }

  /** Whole units of 10^-places (the value must have at most `places` decimals). */
  toUnits(places: number): bigint {
    if (this.places() > places) throw new Error(`${this.toString()} has more than ${places} decimals`)
    return this.round(places).units
  }

  toString(): string {
    const negative = this.units < 0n
    let digits = (negative ? -this.units : this.units).toString()
    if (this.scale === 0) return (negative ? '-' : '') + digits
    digits = digits.padStart(this.scale + 1, '0')
    const whole = digits.slice(0, digits.length - this.scale)
    const fraction = digits.slice(digits.length - this.scale)
    return `${negative ? '-' : ''}${whole}.${fraction}`
  }
}
