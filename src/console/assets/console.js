// Draws the overview's trend charts and the inventory's accuracy trend with uPlot from the series the page carries, and again after
// htmx swaps a page in. No inline script: the console's Content-Security-Policy allows none.
(function () {
  function draw(root) {
    if (typeof uPlot === 'undefined') return;
    root.querySelectorAll('.chart[data-series]').forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = '1';
      var s = JSON.parse(el.dataset.series);
      var width = Math.max(280, el.clientWidth || 600);
      new uPlot({
        width: width, height: 220,
        series: [
          {},
          { label: 'delivered', stroke: '#2563eb', width: 2 },
          { label: 'mean sync ms', stroke: '#16a34a', scale: 'ms', width: 2 },
          { label: 'failed ‰', stroke: '#dc2626', scale: 'pm', width: 2 },
          { label: 'quarantined', stroke: '#9333ea', width: 1 },
        ],
        axes: [{}, { label: 'count' }, { scale: 'ms', side: 1, grid: { show: false }, size: 64 }],
        scales: { pm: { auto: true } },
      }, [s.at, s.delivered, s.syncMs, s.errorsPerThousand, s.quarantined], el);
    });
    root.querySelectorAll('.chart[data-accuracy]').forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = '1';
      var a = JSON.parse(el.dataset.accuracy);
      new uPlot({
        width: Math.max(280, el.clientWidth || 600), height: 220,
        series: [{}, { label: 'accuracy %', stroke: '#2563eb', width: 2, points: { show: true } }],
        axes: [{}, { label: '%' }],
        scales: { y: { range: [0, 100] } },
      }, [a.at, a.rate], el);
    });
  }
  document.addEventListener('DOMContentLoaded', function () { draw(document); });
  document.addEventListener('htmx:afterSettle', function (e) { draw(e.target); });
})();
