// 打印线索单: the print stylesheet (site.css, @media print) lays out the facts, clocks and timeline on paper.
// A file of its own: the pages allow no inline script (Content-Security-Policy).
document.querySelectorAll('[data-print]').forEach(function (b) { b.addEventListener('click', function () { window.print(); }); });
