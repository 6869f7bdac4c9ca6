// Keeps a dashboard's figures fresh without losing what a supervisor is typing: the page reloads every
// data-refresh seconds, but never while a form on it has been changed or a field has the focus (a 改派原因 half
// written); it tries again at the next interval. A file of its own: the pages allow no inline script (CSP).
(function () {
    var marker = document.querySelector('[data-refresh]');
    if (!marker) return;
    var seconds = parseInt(marker.getAttribute('data-refresh'), 10) || 60;
    var edited = false;
    document.addEventListener('input', function () { edited = true; }, true);
    document.addEventListener('change', function () { edited = true; }, true);
    function busy() {
        var a = document.activeElement;
        var typing = a && a.closest('form') && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName);
        var open = document.querySelector('details.row-action[open], details.action[open]');
        return edited || typing || !!open;
    }
    function tick() {
        if (busy()) return false;
        // This reload is the page's, not the user's: it must not keep an idle session alive (CurrentUserMiddleware).
        document.cookie = 'wageclue.auto=1; path=/; SameSite=Strict';
        location.reload();
        return true;
    }
    // Exposed for the browser tests, which cannot wait a real minute.
    window.wageclueRefresh = { tick: tick, busy: busy };
    setInterval(tick, seconds * 1000);
})();
