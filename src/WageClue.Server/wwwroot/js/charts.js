// Draws the trend chart from the JSON the page embeds (a data block, not a script: no inline code runs).
(function () {
  const element = document.getElementById('trend');
  const source = document.getElementById('trend-data');
  if (!element || !source || typeof echarts === 'undefined') return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(element);
  chart.setOption({
    tooltip: { trigger: 'axis', valueFormatter: v => (v == null ? '无到期' : v + '%') },
    legend: { top: 0, data: data.series.map(s => s.name) },
    grid: { left: 48, right: 24, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: data.days },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: data.series.map(s => ({ name: s.name, type: 'line', data: s.data, connectNulls: false })),
  });
  window.addEventListener('resize', () => chart.resize());
})();
