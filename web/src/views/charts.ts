// Chart.js, loaded only with the reports page (a chunk of its own: web/build.mjs splits), with
// only the parts its bar charts use registered, so the rest of the library is left out.

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip)

export interface Series {
  label: string
  data: (number | null)[]
}

export interface ChartSpec {
  labels: string[]
  series: Series[]
  /** How a value reads on the axis and in tooltips (money in its currency, a count). */
  format: (value: number, series: number) => string
  /** Stack the series in one bar per label (counts that add up, never money). */
  stacked?: boolean
}

// Colour-blind-safe hues (Okabe-Ito), dark enough for bars on white.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000']

export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): { destroy(): void } {
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((series, index) => ({ label: series.label, data: series.data, backgroundColor: COLOURS[index % COLOURS.length] }))
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${spec.format(Number(item.raw), item.datasetIndex)}` } }
      },
      scales: { x: { stacked: spec.stacked ?? false }, y: { beginAtZero: true, stacked: spec.stacked ?? false } }
    }
  })
}
