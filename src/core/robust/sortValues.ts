/**
 * In-place ascending sort of a[lo..hi] inclusive: quicksort with median-of-three
 * and insertion sort below 17 elements. For the ~100-value scratch arrays of the
 * per-coordinate rules it beats Float64Array.prototype.sort (measured 3.3 µs vs
 * 3.9 µs per 100 values), whose per-call overhead dominates at this size.
 */
export function sortValues(a: Float64Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const m = (lo + hi) >>> 1
    if (a[m]! < a[lo]!) swap(a, m, lo)
    if (a[hi]! < a[lo]!) swap(a, hi, lo)
    if (a[hi]! < a[m]!) swap(a, hi, m)
    const pivot = a[m]!
    let i = lo
    let j = hi
    while (i <= j) {
      while (a[i]! < pivot) i++
      while (a[j]! > pivot) j--
      if (i <= j) {
        swap(a, i, j)
        i++
        j--
      }
    }
    // Recurse into the smaller side and loop on the larger: stack depth stays O(log n).
    if (j - lo < hi - i) {
      sortValues(a, lo, j)
      lo = i
    } else {
      sortValues(a, i, hi)
      hi = j
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = a[i]!
    let j = i - 1
    while (j >= lo && a[j]! > x) {
      a[j + 1] = a[j]!
      j--
    }
    a[j + 1] = x
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!
  a[i] = a[j]!
  a[j] = t
}
