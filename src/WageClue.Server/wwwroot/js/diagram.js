// Renders the workflow diagram the first time its box is opened: mermaid is several megabytes, and most visits
// to a clue never look at the diagram. A file of its own: the pages allow no inline script (Content-Security-Policy).
(function () {
    var box = document.getElementById('diagram');
    if (!box) return;
    var loading = false;
    function render() {
        if (loading || !box.open) return;
        loading = true;
        var script = document.createElement('script');
        script.src = box.getAttribute('data-script');
        script.onload = function () {
            mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
            mermaid.run({ nodes: box.querySelectorAll('pre.mermaid') });
        };
        document.head.appendChild(script);
    }
    box.addEventListener('toggle', render);
    render();
})();
